"""The jobs behind the commands and ribbon buttons: read → engine → write.

Each job takes paths and dates, returns what happened, and raises Unusable
for a file or request that cannot be used. Printing is the caller's.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .engine.analysis import analyse
from .engine.schedule import Action
from .engine.status import StatusRow
from .model import Book, Problem
from .workbook.files import FileTables
from .workbook.outputs import problems_table, schedule_table, status_table
from .workbook.package import Risk, Unusable
from .workbook.package_writer import write_outputs
from .workbook.reader import read_book


@dataclass(frozen=True)
class Result:
    book: Book
    problems: list[Problem]
    rows: tuple[StatusRow, ...] = ()
    actions: tuple[Action, ...] = ()
    lost: list[Risk] = field(default_factory=list)
    written: Path | None = None
    as_of: date | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


@contextmanager
def batch() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a book is read, computed and written.

    The job builds a few hundred thousand objects that form no reference cycles;
    the collector would walk all of them again and again as they pile up (a third
    of the reading time at 10,000 customers) to find nothing. Reference counting
    still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load(path: Path) -> tuple[Book, list[Problem]]:
    """Read and validate every input table of a workbook file."""
    with batch():
        return read_book(FileTables(path))


def check(path: Path) -> Result:
    book, problems = load(path)
    return Result(book, problems)


def refresh(path: Path, as_of: date, out: Path | None = None, force: bool = False) -> Result:
    """Compute and write the output sheets into `out` (default: `path`, in place).

    An existing `out` other than `path` is replaced only with `force`.
    """
    dest = out or path
    if out is not None and out.exists() and not out.samefile(path):
        refuse_overwrite(out, force)
    if dest.exists() and dest.is_dir():
        raise Unusable(f"{dest}: is a folder", f"{dest}：是文件夹")
    with batch():
        book, problems = load(path)
        rows, actions = analyse(book, as_of)
        tables = [
            status_table(rows, book.lang),
            schedule_table(actions, book.lang),
            problems_table(problems, book.lang),
        ]
        lost = write_outputs(path, dest, tables)
    return Result(book, problems, rows, actions, lost, dest, as_of)


def refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise Unusable(
            f"{path.name} exists; not overwritten (use --force to replace it)",
            f"{path.name} 已存在，未覆盖（如需替换请加 --force）",
        )


def template(out: Path, lang: str, force: bool = False) -> Path:
    from .workbook.template import build_template
    from .workbook.writer import save_atomic

    refuse_overwrite(out, force)
    save_atomic(build_template(lang), out)
    return out


def demo(out: Path, lang: str, as_of: date, force: bool = False) -> Result:
    """A filled demo team workbook for the month of `as_of`, refreshed."""
    from .demo import demo_book
    from .workbook.template import build_template
    from .workbook.writer import save_atomic

    refuse_overwrite(out, force)
    book = demo_book(as_of.replace(day=1), as_of)
    save_atomic(build_template(lang, book), out)
    return refresh(out, as_of)
