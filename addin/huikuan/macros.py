"""Ribbon buttons 功能区按钮: RunPython targets acting on the workbook open in Excel.

The add-in's VBA runs `RunPython "import huikuan.macros; huikuan.macros.refresh()"`.
Each button takes the calling book (`xw.Book.caller()`), runs the command line's
job through the workbook interface (LiveBook), and says what happened in a message
box; a failure is a message too, never a traceback. Buttons whose job belongs to a
later version (New month, Split, Collect) look their job up in huikuan.jobs by name
and, when it is not there, say so.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import contract, jobs
from .values import format_date, month_end
from .workbook.live import LiveBook
from .workbook.package import Unusable

TITLE = "回款 huikuan"
SHOWN_PROBLEMS = 10


class Session:
    """One button press: the calling book, the day, and the message box."""

    def __init__(self, book: Any, today: date) -> None:
        self.book, self.today = book, today
        self.live = LiveBook(book)
        self.lang: str | None = None  # known once the tables are read

    def say(self, zh: str, en: str, critical: bool = False) -> None:
        text = {"zh": zh, "en": en}.get(self.lang or "", f"{zh}\n\n{en}")
        self.book.app.alert(text, title=TITLE, mode="critical" if critical else "info")

    def saved_path(self) -> Path:
        """The book's file, saved now so the job sees what is on screen."""
        path = Path(self.book.fullname)
        if not path.is_absolute():
            raise Unusable("save the workbook to a file first", "请先保存工作簿（尚未保存为文件）")
        self.book.save()
        return path


NO_BOOK = (
    "请先打开或新建一个工作簿，再点此按钮。",
    "Open or create a workbook first, then click the button again.",
)


def _caller() -> Any:
    """The workbook the button was clicked in; None when Excel has none open."""
    import xlwings as xw

    try:
        return xw.Book.caller()
    except Exception:  # xlwings raises when there is no calling workbook
        return None


def _no_book() -> None:
    """Say so in Excel when it is there (the add-in's VBA says it first), else on stderr."""
    import sys

    import xlwings as xw

    text = f"{NO_BOOK[0]}\n\n{NO_BOOK[1]}"
    try:
        app = xw.apps.active
    except Exception:  # no Excel engine here at all
        app = None
    if app is None:  # no Excel either: the message goes where a script's would
        print(text, file=sys.stderr)
    else:
        app.alert(text, title=TITLE, mode="info")


def _run(press: Callable[[Session], None], book: Any, today: date | None) -> None:
    if book is None:
        book = _caller()
    if book is None:
        _no_book()
        return
    session = Session(book, today or date.today())
    app = book.app
    app.screen_updating = False
    try:
        press(session)
    except Unusable as exc:
        session.say(exc.zh, exc.en, critical=True)
    except Exception as exc:  # a bug: say so plainly in Excel, not as a traceback
        what = f"{type(exc).__name__}: {exc}"
        session.say(
            f"内部错误（{what}），请报告。", f"Internal error ({what}); please report it.", True
        )
    finally:
        app.screen_updating = True


def _problem_lines(result: jobs.Result) -> str:
    lines = [
        f"{p.sheet}!{p.cell} {f'[{p.value}] ' if p.value else ''}{p.message}"
        for p in result.problems
    ]
    more = len(lines) - SHOWN_PROBLEMS
    lines = lines[:SHOWN_PROBLEMS]
    if more > 0:
        lines.append(f"… +{more}")
    return "\n".join(lines)


def _written(session: Session, result: jobs.Result, names: tuple[str, ...]) -> None:
    session.lang = result.book.lang
    zh_names = "、".join(t.zh for t in contract.OUTPUT_TABLES if t.name in names)
    en_names = ", ".join(t.name for t in contract.OUTPUT_TABLES if t.name in names)
    day = format_date(session.today, session.lang)
    n = len(result.problems)
    zh = f"已写入（截至 {day}）：{zh_names}。\n{n} 个问题" + ("，见“问题”工作表。" if n else "。")
    en = f"Written (as of {day}): {en_names}.\n{n} problem(s)" + (
        ", see the Problems sheet." if n else "."
    )
    session.say(zh, en)


def _refresh(session: Session, names: tuple[str, ...]) -> None:
    result = jobs.refresh_book(session.live, session.today, outputs=names)
    _written(session, result, names)


# ---- the buttons --------------------------------------------------------------------


def refresh(book: Any = None, today: date | None = None) -> None:
    """刷新 Refresh: every output sheet, as `huikuan refresh` writes them."""
    names = tuple(t.name for t in contract.OUTPUT_TABLES)
    _run(lambda s: _refresh(s, names), book, today)


def schedule(book: Any = None, today: date | None = None) -> None:
    """跟进计划 Schedule: this month's follow-ups from today (and Problems)."""
    _run(lambda s: _refresh(s, ("Schedule", "Problems")), book, today)


def check(book: Any = None, today: date | None = None) -> None:
    """检查 Check: list every bad cell, as `huikuan check`; change nothing."""

    def press(session: Session) -> None:
        result = jobs.check_book(session.live)
        session.lang = result.book.lang
        n = len(result.problems)
        if not n:
            session.say("没有问题。", "No problems.")
            return
        lines = _problem_lines(result)
        session.say(f"{n} 个问题：\n{lines}", f"{n} problem(s):\n{lines}", critical=True)

    _run(press, book, today)


def diagnose(book: Any = None, today: date | None = None) -> None:
    """诊断 Diagnose: the six causes per rep and for the team (Diagnosis, Excuses sheets)."""

    def press(session: Session) -> None:
        if not callable(getattr(jobs, "diagnose", None)):
            _unavailable(session, "diagnose")
            return
        names = ("Diagnosis", "Excuses", "Problems")
        result = jobs.refresh_book(session.live, session.today, outputs=names)
        _written(session, result, names)

    _run(press, book, today)


# ---- buttons whose jobs come in later versions -------------------------------------------

_LABELS = {
    "diagnose": ("诊断", "Diagnose"),
    "new_month": ("新月份", "New month"),
    "split": ("拆分", "Split"),
    "collect": ("汇总", "Collect"),
}
# What the ribbon can hand a job, by the parameter names a job may give it.
_ROLES = {
    "book": ("path", "book", "team", "src", "source", "workbook"),
    "base": ("base",),
    "folder": ("folder", "directory", "dir", "returns", "inbox"),
    "out": ("out", "out_dir", "output", "dest", "destination"),
    "month": ("to", "month", "next_month"),
    "as_of": ("as_of", "today"),
}


@dataclass(frozen=True)
class Delegate:
    """A button that runs a job of huikuan.jobs found by name."""

    button: str
    names: tuple[str, ...]  # job names, tried in order
    command: str  # the command line that does the same
    provides: tuple[str, ...]  # the roles of _ROLES this button can fill
    roles: Callable[[Session], dict[str, Any]]  # their values (may save or copy the book)


def _unavailable(session: Session, button: str, command: str = "") -> None:
    zh_label, en_label = _LABELS[button]
    hint_zh = f"\n请在命令行使用：{command}" if command else ""
    hint_en = f"\nUse the command line: {command}" if command else ""
    session.say(
        f"此版本的 huikuan 尚不支持“{zh_label}”按钮。{hint_zh}",
        f"“{en_label}” is not available in this version of huikuan.{hint_en}",
    )


def bind(job: Callable[..., Any], provides: tuple[str, ...]) -> dict[str, str] | None:
    """Which role fills each parameter of `job`; None when a required one cannot be filled."""
    binding = {}
    for param in inspect.signature(job).parameters.values():
        role = next((r for r, names in _ROLES.items() if param.name in names), None)
        if role is not None and role in provides:
            binding[param.name] = role
        elif param.default is inspect.Parameter.empty and param.kind not in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            return None
    return binding


def _delegate(d: Delegate, book: Any, today: date | None) -> None:
    def press(session: Session) -> None:
        job = next((getattr(jobs, n) for n in d.names if callable(getattr(jobs, n, None))), None)
        if job is None:
            _unavailable(session, d.button)
            return
        binding = bind(job, d.provides)
        if binding is None:
            _unavailable(session, d.button, d.command)
            return
        values = d.roles(session)
        result = job(**{param: values[role] for param, role in binding.items()})
        written = getattr(result, "written", result)
        if isinstance(written, Path) and written.suffix.lower().startswith(".xls"):
            session.book.app.books.open(str(written))
        zh_label, en_label = _LABELS[d.button]
        shown = f"\n{written}" if isinstance(written, Path) else ""
        session.say(f"“{zh_label}”已完成。{shown}", f"{en_label}: done.{shown}")

    _run(press, book, today)


def _next_month(day: date) -> date:
    return month_end(day) + timedelta(days=1)


def _split_roles(s: Session) -> dict[str, Any]:
    path = s.saved_path()
    return {"book": path, "out": path.with_name(f"{path.stem}-split"), "as_of": s.today}


def _collect_roles(s: Session) -> dict[str, Any]:
    path = s.saved_path()
    return {
        "folder": path.with_name(f"{path.stem}-returns"),
        "out": path.with_name(f"{path.stem}-collected{path.suffix}"),
        "base": path,
        "as_of": s.today,
    }


def _roll_roles(s: Session) -> dict[str, Any]:
    """The next month is rolled into a copy, opened afterwards: the open file is not rewritten."""
    path = s.saved_path()
    month = _next_month(s.today)
    copy = path.with_name(f"{path.stem}-{month:%Y-%m}{path.suffix}")
    shutil.copyfile(path, copy)
    return {"book": copy, "out": copy, "month": month, "as_of": s.today}


NEW_MONTH = Delegate(
    "new_month",
    ("roll", "new_month"),
    "huikuan roll TEAM.xlsx --to YYYY-MM",
    ("book", "out", "month", "as_of"),
    _roll_roles,
)
SPLIT = Delegate(
    "split", ("split",), "huikuan split TEAM.xlsx --out DIR", ("book", "out", "as_of"), _split_roles
)
COLLECT = Delegate(
    "collect",
    ("collect",),
    "huikuan collect DIR -o TEAM.xlsx --base TEAM.xlsx",
    ("folder", "out", "base", "as_of"),
    _collect_roles,
)


def new_month(book: Any = None, today: date | None = None) -> None:
    """新月份 New month: next month's plan in a copy of the workbook (huikuan roll)."""
    _delegate(NEW_MONTH, book, today)


def split(book: Any = None, today: date | None = None) -> None:
    """拆分 Split: one workbook per rep in a folder beside this one (huikuan split)."""
    _delegate(SPLIT, book, today)


def collect(book: Any = None, today: date | None = None) -> None:
    """汇总 Collect: the reps' returned workbooks merged into a new team workbook (huikuan collect)."""
    _delegate(COLLECT, book, today)


def self_test(book: Any = None, today: date | None = None) -> None:
    """自检 Self-test: the checks of `huikuan addin doctor`, one line each, in a message box."""

    def press(session: Session) -> None:
        import os
        import sys

        from .xlam import doctor

        found = doctor.checks(os.environ, sys.platform)
        failed = doctor.exit_code(found) != 0
        session.say(doctor.report(found, "zh"), doctor.report(found, "en"), critical=failed)

    _run(press, book, today)


BUTTONS = (refresh, schedule, diagnose, check, new_month, split, collect, self_test)
