"""The jobs behind every command and ribbon button: read → engine → write.

One function per action, with explicit parameters: `check`, `refresh`,
`diagnose`, `schedule`, `split`, `collect`, `roll`, `template`, `demo` (and
`check_book` / `refresh_book` for a book open in Excel). The command line
(cli.py, team/commands.py) and the ribbon (macros.py) call these and nothing
else; printing and message boxes are theirs.

Each job takes paths and dates, returns what happened, and raises Unusable
(huikuan.errors) for a file or request that cannot be used: nothing is written
then, and the message names the user's file.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.analysis import analyse, analyse_all, calendar_problems, gc_paused
from .engine.diagnosis import Finding
from .engine.forecast import RepForecast, likely_to_miss
from .engine.schedule import Action
from .engine.status import StatusRow
from .errors import Unusable
from .fileio import WORKBOOK_SUFFIXES, refuse_overwrite, require_suffix, told, write_atomic
from .model import Book, Problem
from .text import match_name
from .workbook.book import FileBook, Workbook
from .workbook.files import FileTables
from .workbook.outputs import month_forecast, output_tables
from .workbook.package import Risk
from .workbook.reader import TableSource, read_book

if TYPE_CHECKING:  # the team jobs import openpyxl: only when one runs
    from .team.collect import CollectResult, Progress
    from .team.roll import RollResult
    from .team.split import SplitResult


@dataclass(frozen=True)
class Result:
    """What check, refresh, diagnose, schedule and demo found (and wrote)."""

    book: Book
    problems: list[Problem]
    rows: tuple[StatusRow, ...] = ()
    actions: tuple[Action, ...] = ()
    lost: list[Risk] = field(default_factory=list)
    written: Path | None = None
    as_of: date | None = None
    findings: tuple[Finding, ...] = ()
    rep: str | None = None  # the one rep a result is about, as the workbook spells it
    misses: tuple[RepForecast, ...] = ()  # reps likely to miss the month's target (diagnose)

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


def find_rep(book: Book, rep: str) -> str:
    """The rep named `rep` as the workbook spells it (text.match_name: trimmed, full-width
    forms and case ignored), or Unusable listing the workbook's reps."""
    reps = sorted({c.rep for c in book.customers})
    found = match_name(reps, rep)
    if found is not None:
        return found
    raise Unusable(
        f"unknown sales rep {rep!r}; the workbook's reps: {', '.join(reps) or '-'}",
        f"没有业务员“{rep}”；工作簿中的业务员：{'、'.join(reps) or '无'}",
    )


# ---- one workbook -----------------------------------------------------------------------


def check(path: Path) -> Result:
    """Read and validate every input table of the workbook file; write nothing."""
    return check_book(FileTables(path))


def check_book(source: TableSource) -> Result:
    """Read and validate every input table of a workbook (file or open book); write nothing."""
    book, problems = read_book(source)
    return Result(book, [*problems, *calendar_problems(book, None)])


def refresh(path: Path, as_of: date, out: Path | None = None, force: bool = False) -> Result:
    """Compute and write the output sheets into `out` (default: `path`, in place).

    `out` must be a workbook (.xlsx/.xlsm, the kind of `path`); an existing `out`
    other than `path` is replaced only with `force`.
    """
    dest = out or path
    if out is not None:
        require_suffix(out, WORKBOOK_SUFFIXES)
        if out.exists() and not (path.exists() and out.samefile(path)):
            refuse_overwrite(out, force)
    if dest.is_dir():
        raise Unusable(f"{dest}: is a folder", f"{dest}：是文件夹")
    with gc_paused():  # read, computed and written: nothing here forms a reference cycle
        target = FileBook(path, dest)
        result = refresh_book(target, as_of, store_beside=path)
        with told(dest):  # a file-system error names the user's file, never a temporary one
            lost = target.save()
        return replace(result, lost=lost, written=dest)


def store_url(path: Path | None, book: Book, db: str | None = None) -> str | None:
    """The history store the workbook at `path` uses, when one is configured: --db, else
    $HUIKUAN_DB, else its Settings row history_db (a relative path: beside the workbook),
    else huikuan-history.db beside it when that file exists; None otherwise (SQLAlchemy
    not even imported)."""
    import os

    from .history import DB_SETTING, DEFAULT_FILE, ENV

    setting = book.setting(DB_SETTING)
    beside = path is not None and (path.parent / DEFAULT_FILE).exists()
    if not db and not os.environ.get(ENV) and not setting and not beside:
        return None
    from .history import store

    return store.resolve(db, path, must_exist=True, setting=setting)


def stored_history(path: Path | None, book: Book) -> Book | None:
    """The team's months in the history store (store_url), None when none is configured.

    `path`: the workbook's file (None for a book never saved: then only $HUIKUAN_DB or an
    absolute Settings path counts)."""
    url = store_url(path, book)
    if url is None:
        return None
    from .history import TEAM_SETTING, store, team_name

    engine = store.connect(url)
    try:
        team = team_name(path or Path("book"), None, book.setting(TEAM_SETTING))
        return store.load(engine, team)
    finally:
        engine.dispose()


def refresh_book(
    target: Workbook,
    as_of: date,
    outputs: Collection[str] | None = None,
    history: Book | None = None,
    store_beside: Path | None = None,
) -> Result:
    """Compute every output table and write those named in `outputs` (default: all).

    The one refresh behind the command (a FileBook) and the ribbon (the open book).
    `history`: the team's stored months (promise records and the forecast look back on
    them); when not given, they are read from the store the workbook at `store_beside`
    is configured with (stored_history), if any.
    """
    book, problems = read_book(target)
    if history is None and (store_beside is not None or book.settings):
        history = stored_history(store_beside, book)
    found = analyse_all(book, as_of, history)
    problems = [*problems, *found.warnings]
    for table in output_tables(found, problems, book.lang, as_of):
        if outputs is None or table.table.name in outputs:
            target.write(table)
    return Result(book, problems, found.rows, found.actions, as_of=as_of, findings=found.findings)


def diagnose(path: Path, as_of: date, rep: str | None = None) -> Result:
    """The six causes per rep and for the team (only `rep`'s when given), and the reps
    likely to miss the month's target (the forecast, with the stored history), writing nothing.

    An unknown rep is Unusable (the message lists the reps).
    """
    book, problems = load(path)
    who = find_rep(book, rep) if rep is not None else None
    found = analyse_all(book, as_of, stored_history(path, book))
    problems = [*problems, *found.warnings]
    findings = found.findings
    misses = likely_to_miss(month_forecast(found.rows, found.forecast, as_of.replace(day=1)))
    if who is not None:
        findings = tuple(f for f in findings if f.rep == who)
        misses = tuple(f for f in misses if f.rep == who)
    return Result(
        book,
        problems,
        found.rows,
        found.actions,
        as_of=as_of,
        findings=findings,
        rep=who,
        misses=misses,
    )


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

    if ics is not None:
        require_suffix(ics, (".ics",))
    book, problems = load(path)
    who = find_rep(book, rep) if rep is not None else None
    rows, actions = analyse(book, as_of)
    problems = [*problems, *calendar_problems(book, as_of, actions)]
    if who is not None:
        rows = tuple(r for r in rows if r.customer.rep == who)
        actions = tuple(a for a in actions if a.row.customer.rep == who)
    written = None
    if ics is not None:
        cal = agenda.calendar(actions, book.lang, as_of, name=who)
        written = agenda.write_ics(cal, ics, force)
    return Result(book, problems, rows, actions, written=written, as_of=as_of, rep=who)


# ---- the team workflow --------------------------------------------------------------------


def split(
    team: Path,
    out_dir: Path,
    as_of: date,
    eml: bool = False,
    force: bool = False,
    sender: str | None = None,
) -> SplitResult:
    """One workbook per rep in `out_dir` (and an .eml each with `eml`), refreshed as of `as_of`."""
    from .team.split import split as split_team

    with told(out_dir):
        return split_team(team, out_dir, as_of, eml, force, sender)


def collect(
    folder: Path,
    out: Path,
    as_of: date,
    base: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> CollectResult:
    """The reps' returns in `folder` merged (over `base`) into the team workbook `out`."""
    from .team.collect import as_they_are
    from .team.collect import collect as collect_returns

    require_suffix(out, WORKBOOK_SUFFIXES)  # .xlsm over an .xlsm base (its macros kept)
    with told(out):
        return collect_returns(folder, out, as_of, base, force, progress or as_they_are)


def roll(
    path: Path,
    to: date,
    as_of: date,
    out: Path | None = None,
    force: bool = False,
    skip: bool = False,
    db: str | None = None,
) -> RollResult:
    """The month `to` planned in the workbook at `path`, written to `out` (default: in place).

    Rolling past a month is refused unless `skip`. When a history store is configured
    (`db`, else store_url's order), the closing month is pushed into it after the roll
    is written; `pushed` and `pushed_to` say so.
    """
    from .team.roll import roll_file

    if out is not None:
        require_suffix(out, WORKBOOK_SUFFIXES)
    with told(out or path):
        res = roll_file(path, to.replace(day=1), as_of, out, force, skip)
    url = store_url(path, res.book, db)
    if url is None:
        return res
    from .history.commands import push_closing  # the closed month into the store (issue 16)

    months = push_closing(path, res.book, res.rolled.from_month, as_of, url)
    from .history.store import shown

    return replace(res, pushed=months, pushed_to=shown(url))


# ---- new workbooks ------------------------------------------------------------------------


def template(out: Path, lang: str, force: bool = False) -> Path:
    """A blank template in `lang` at `out` (.xlsx): input tables, drop-downs, formulas, guide."""
    from .workbook.template import build_template  # openpyxl: only when a template is built

    require_suffix(out, (".xlsx",))
    refuse_overwrite(out, force)
    write_atomic(out, build_template(lang).save)
    return out


def demo(out: Path, lang: str, as_of: date, force: bool = False) -> Result:
    """A filled demo team workbook (.xlsx) for the month of `as_of`, refreshed."""
    from .demo import demo_book
    from .workbook.template import build_template  # openpyxl: only when a template is built

    require_suffix(out, (".xlsx",))
    refuse_overwrite(out, force)
    book = demo_book(as_of.replace(day=1), as_of)
    write_atomic(out, build_template(lang, book).save)
    return refresh(out, as_of)
