"""The history store (issue 16): months of a team's workbook in SQLite or PostgreSQL.

schema.py defines the tables, store.py reads and writes them (SQLAlchemy Core),
commands.py is `huikuan history push|show|export`. The engine never imports this
package: records and the forecast take the stored rows as records of model.py.
"""

DEFAULT_FILE = "huikuan-history.db"  # beside the team workbook
ENV = "HUIKUAN_DB"  # the store's URL, when not given with --db
