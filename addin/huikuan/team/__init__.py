"""The team workflow: split the team workbook per rep, collect the returns, roll the month.

Imports go surfaces (cli, team.commands) → team → workbook → engine → model.
"""
