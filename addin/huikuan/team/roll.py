"""`huikuan roll`: plan the next month in the team workbook, in place or into a new file.

The new month's plan rows, carried installments and carried measures
(engine/roll.py) are appended to the workbook's own tables in place, through the
one package writer, with the outputs rewritten as `refresh` does them: earlier
months, extra columns, the user's sheets, pictures, charts, comments,
validations, x14 extensions and .xlsm macros stay as they are. A Commitments
table without the Carried from (结转自) column gets it.
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
from ..fileio import refuse_overwrite
from ..model import Book, Problem
from ..workbook.files import FileTables
from ..workbook.outputs import output_tables
from ..workbook.package import Risk
from ..workbook.package_writer import keeps_vba, write_package
from ..workbook.reader import read_book
from .books import append_rows, read_raw


@dataclass
class RollResult:
    book: Book
    problems: list[Problem]
    rolled: Rolled
    rows: tuple[StatusRow, ...] = ()
    actions: tuple[Action, ...] = ()
    written: Path | None = None
    lost: list[Risk] = field(default_factory=list)
    pushed: tuple[date, ...] = ()  # months pushed into the history store (issue 16)
    pushed_to: str | None = None  # the store, its password masked (store.shown)

    @property
    def exit_code(self) -> int:
        """1 when a problem is an error; warnings (an estimated calendar) leave it 0."""
        return 1 if any(p.is_error for p in self.problems) else 0


def roll_file(
    path: Path,
    to: date,
    as_of: date,
    out: Path | None = None,
    force: bool = False,
    skip: bool = False,
) -> RollResult:
    """Roll the workbook at `path` into month `to`; write it atomically to `out` (default path)."""
    dest = out or path
    in_place = dest.exists() and dest.resolve() == path.resolve()
    if not in_place:
        refuse_overwrite(dest, force)
    if keeps_vba(dest) != keeps_vba(path):
        raise Unusable(
            f"{dest.name}: keep the extension of {path.name} ({path.suffix})",
            f"{dest.name}：输出文件须与 {path.name} 的扩展名（{path.suffix}）一致",
        )
    book, problems = read_book(FileTables(path))
    try:
        rolled = roll(book, to, skip=skip)
    except RollError as exc:
        raise Unusable(f"{path.name}: {exc.en}", f"{path.name}：{exc.zh}") from None
    lang = book.lang
    raw = read_raw(path)
    specs = [
        append_rows(raw[table.name.casefold()], table, records, lang)
        for table, records in (
            (ct.PLAN, rolled.plan),
            (ct.COMMITMENTS, rolled.commitments),
            (ct.MEASURES, rolled.measures),
        )
        if records and table.name.casefold() in raw
    ]
    found = analyse_all(rolled.book, as_of)
    problems = [*problems, *found.warnings]
    write_package(path, dest, output_tables(found, problems, lang, as_of), specs)
    return RollResult(rolled.book, problems, rolled, found.rows, found.actions, dest, [])
