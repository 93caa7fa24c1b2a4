"""`huikuan roll`: plan the next month in the team workbook, in place or into a new file.

The new month's plan rows, carried installments and carried measures
(engine/roll.py) are appended to the workbook's own tables (workbook/tables.py),
so earlier months, the user's sheets and extra columns stay as they are;
then Status, Schedule and Problems are rewritten as `refresh` does. A
Commitments table without the Carried from (结转自) column gets it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import contract as ct
from ..engine.analysis import analyse_all
from ..engine.roll import Rolled, RollError, roll
from ..engine.schedule import Action
from ..engine.status import StatusRow
from ..errors import Unusable
from ..model import Book, Problem
from ..workbook.files import FileTables
from ..workbook.outputs import output_tables
from ..workbook.package import Risk, refuse_losing, risks
from ..workbook.reader import read_book
from ..workbook.tables import append_rows
from ..workbook.writer import _load, keeps_vba, put_table, save_atomic


@dataclass
class RollResult:
    book: Book
    problems: list[Problem]
    rolled: Rolled
    rows: tuple[StatusRow, ...] = ()
    actions: tuple[Action, ...] = ()
    written: Path | None = None
    lost: list[Risk] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def roll_file(
    path: Path, to: date, as_of: date, out: Path | None = None, force: bool = False
) -> RollResult:
    """Roll the workbook at `path` into month `to`; write it atomically to `out` (default path)."""
    dest = out or path
    in_place = dest.exists() and dest.resolve() == path.resolve()
    if dest.exists() and not in_place and not force:
        raise Unusable(
            f"{dest.name} exists; not overwritten (use --force to replace it)",
            f"{dest.name} 已存在，未覆盖（如需替换请加 --force）",
        )
    if keeps_vba(dest) != keeps_vba(path):
        raise Unusable(
            f"{dest.name}: keep the extension of {path.name} ({path.suffix})",
            f"{dest.name}：输出文件须与 {path.name} 的扩展名（{path.suffix}）一致",
        )
    book, problems = read_book(FileTables(path))
    try:
        rolled = roll(book, to)
    except RollError as exc:
        raise Unusable(f"{path.name}: {exc.en}", f"{path.name}：{exc.zh}") from None
    own = [t.name for t in ct.OUTPUT_TABLES]  # every one is rewritten below
    lost = risks(path, keep_vba=keeps_vba(path), own_sheets=own)
    if in_place:
        refuse_losing(path, lost, "Write the rolled workbook to a new file", "请写入新文件")
    lang = book.lang
    wb = _load(path, keeps_vba(path))
    append_rows(wb, ct.PLAN, rolled.plan, lang)
    append_rows(
        wb, ct.COMMITMENTS, rolled.commitments, lang, add=(ct.COMMITMENTS.column("carried_from"),)
    )
    append_rows(wb, ct.MEASURES, rolled.measures, lang)
    found = analyse_all(rolled.book, as_of)
    rows, actions = found.rows, found.actions
    for table in output_tables(found, problems, lang, as_of):
        put_table(wb, table)
    save_atomic(wb, dest)
    return RollResult(rolled.book, problems, rolled, rows, actions, dest, [] if in_place else lost)
