"""The history store (issue 16): months of a team's workbook in SQLite or PostgreSQL.

schema.py defines the tables, store.py reads and writes them (SQLAlchemy Core),
commands.py is `huikuan history push|show|export`. The engine never imports this
package: records and the forecast take the stored rows as records of model.py.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_FILE = "huikuan-history.db"  # beside the team workbook
ENV = "HUIKUAN_DB"  # the store's URL, when not given with --db
TEAM_ENV = "HUIKUAN_TEAM"  # the team's name in the store, when not given with --team


DB_SETTING = "history_db"  # Settings row naming the store (contract.SETTING_KEYS)
TEAM_SETTING = "history_team"  # Settings row naming the team in the store


def team_name(workbook: Path, given: str | None = None, setting: str | None = None) -> str:
    """--team, else $HUIKUAN_TEAM, else the workbook's Settings row history_team, else
    the workbook's file name without its extension."""
    return given or os.environ.get(TEAM_ENV) or setting or workbook.stem
