"""The jobs behind the commands and ribbon buttons: read → engine → write.

Each job takes paths and dates, returns what happened, and raises Unusable
for a file or request that cannot be used. Printing is the caller's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .engine.analysis import analyse, analyse_all, gc_paused
from .engine.diagnosis import Finding
from .engine.schedule import Action
from .engine.status import StatusRow
from .model import Book, Problem
from .values import normalize
from .workbook.book import FileBook, Workbook
from .workbook.files import FileTables
from .workbook.outputs import output_tables
from .workbook.package import Risk, Unusable
from .workbook.reader import TableSource, read_book


@dataclass(frozen=True)
class Result:
    book: Book
    problems: list[Problem]
    rows: tuple[StatusRow, ...] = ()
    actions: tuple[Action, ...] = ()
    lost: list[Risk] = field(default_factory=list)
    written: Path | None = None
    as_of: date | None = None
    findings: tuple[Finding, ...] = ()
    rep: str | None = None  # the one rep a result is about, as the workbook spells it

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def exit_code(self) -> int:
        """1 when any problem is an error; 0 when all is well or there are only warnings."""
        return 1 if any(p.is_error for p in self.problems) else 0


def load(path: Path) -> tuple[Book, list[Problem]]:
    """Read and validate every input table of a workbook file."""
    with gc_paused():
        return read_book(FileTables(path))


def check(path: Path) -> Result:
    return check_book(FileTables(path))


def check_book(source: TableSource) -> Result:
    """Read and validate every input table of a workbook (file or open book); write nothing."""
    book, problems = read_book(source)
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
    with gc_paused():  # read, computed and written: nothing here forms a reference cycle
        target = FileBook(path, dest)
        result = refresh_book(target, as_of)
        return replace(result, lost=target.save(), written=dest)


def refresh_book(target: Workbook, as_of: date, outputs: Collection[str] | None = None) -> Result:
    """Compute every output table and write those named in `outputs` (default: all).

    The one refresh behind the command (a FileBook) and the ribbon (the open book).
    """
    book, problems = read_book(target)
    found = analyse_all(book, as_of)
    for table in output_tables(found, problems, book.lang, as_of):
        if outputs is None or table.table.name in outputs:
            target.write(table)
    return Result(book, problems, found.rows, found.actions, as_of=as_of, findings=found.findings)


def diagnose(path: Path, as_of: date) -> Result:
    """The six causes per rep and for the team, computed without writing anything."""
    book, problems = load(path)
    found = analyse_all(book, as_of)
    return Result(book, problems, found.rows, found.actions, as_of=as_of, findings=found.findings)


def schedule(
    path: Path,
    as_of: date,
    rep: str | None = None,
    ics: Path | None = None,
    force: bool = False,
) -> Result:
    """The follow-up schedule from as_of (of one rep when given), and an .ics of it.

    The workbook is not changed. An unknown rep is Unusable (the message lists the reps).
    `written` is the calendar file when one was written.
    """
    from . import agenda

    if ics is not None and ics.exists() and path.exists() and ics.samefile(path):
        raise Unusable(f"{ics.name}: that is the workbook", f"{ics.name}：这是工作簿本身")
    book, problems = load(path)
    who = find_rep(book, rep) if rep is not None else None
    rows, actions = analyse(book, as_of)
    if who is not None:
        rows = tuple(r for r in rows if r.customer.rep == who)
        actions = tuple(a for a in actions if a.row.customer.rep == who)
    written = None
    if ics is not None:
        cal = agenda.calendar(actions, book.lang, as_of, name=who)
        written = agenda.write_ics(cal, ics, force)
    return Result(book, problems, rows, actions, written=written, as_of=as_of, rep=who)


def find_rep(book: Book, rep: str) -> str:
    """The rep named `rep` (ignoring case, spaces and full-width forms), or Unusable."""
    reps = sorted({c.rep for c in book.customers})
    for name in reps:
        if normalize(name) == normalize(rep):
            return name
    listed = ", ".join(reps) or "-"
    raise Unusable(
        f"unknown sales rep {rep!r}; the workbook's reps: {listed}",
        f"没有业务员“{rep}”；工作簿中的业务员：{'、'.join(reps) or '无'}",
    )


def refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise Unusable(
            f"{path.name} exists; not overwritten (use --force to replace it)",
            f"{path.name} 已存在，未覆盖（如需替换请加 --force）",
        )


def template(out: Path, lang: str, force: bool = False) -> Path:
    from .workbook.template import build_template
    from .workbook.writer import save_atomic  # openpyxl: only when a template is built

    refuse_overwrite(out, force)
    save_atomic(build_template(lang), out)
    return out


def demo(out: Path, lang: str, as_of: date, force: bool = False) -> Result:
    """A filled demo team workbook for the month of `as_of`, refreshed."""
    from .demo import demo_book
    from .workbook.template import build_template
    from .workbook.writer import save_atomic  # openpyxl: only when a template is built

    refuse_overwrite(out, force)
    book = demo_book(as_of.replace(day=1), as_of)
    save_atomic(build_template(lang, book), out)
    return refresh(out, as_of)
