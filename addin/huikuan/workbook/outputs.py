"""Engine results → output table rows (SPEC "Outputs"), independent of any Excel library.

An OutputTable is headers in the workbook's language plus rows of plain
values (amounts as Decimal rounded to the fen, ratios as float, dates as
date, choices as their label) and each column's kind, so every writer
(openpyxl file, live xlwings book) formats them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import contract
from ..contract import Kind, Table
from ..engine.status import StatusRow
from ..model import Problem
from ..values import fen


@dataclass(frozen=True)
class OutputTable:
    table: Table
    lang: str
    rows: tuple[tuple[Any, ...], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(col.label(self.lang) for col in self.table.columns)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(col.kind for col in self.table.columns)


def _cell(kind: Kind, value: Any, lang: str, choices: tuple[contract.Choice, ...]) -> Any:
    if value is None:
        return None
    if kind is Kind.AMOUNT:
        return fen(value)
    if kind is Kind.RATIO:
        return float(value)
    if kind is Kind.YESNO:
        return contract.choice_label(contract.YES_NO, "yes" if value else "no", lang)
    if kind is Kind.CHOICE and choices:
        return contract.choice_label(choices, value, lang)
    return value


def status_table(rows: Iterable[StatusRow], lang: str) -> OutputTable:
    table = contract.STATUS
    out = []
    for row in rows:
        cust = row.customer
        values = {
            **{
                k: getattr(cust, k)
                for k in ("customer_id", "name", "rep", "credit_grade", "key_account")
            },
            **{
                k: getattr(row, k)
                for k in (
                    "month",
                    "target",
                    "committed",
                    "gap",
                    "contribution",
                    "remaining_gap",
                    "coverage",
                    "received",
                    "due_to_date",
                    "fulfilment",
                    "completion",
                    "promise_status",
                    "next_follow_up",
                    "priority",
                )
            },
        }
        out.append(tuple(_cell(c.kind, values[c.key], lang, c.choices) for c in table.columns))
    return OutputTable(table, lang, tuple(out))


def problems_table(problems: Sequence[Problem], lang: str) -> OutputTable:
    rows = tuple((p.sheet, p.cell, p.value, p.message) for p in problems)
    return OutputTable(contract.PROBLEMS, lang, rows)
