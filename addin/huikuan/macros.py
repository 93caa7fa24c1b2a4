"""Ribbon buttons 功能区按钮: RunPython targets acting on the workbook open in Excel.

The add-in's VBA runs `RunPython "import huikuan.macros; huikuan.macros.refresh()"`.
Each button takes the calling book (`xw.Book.caller()`), runs its job of
huikuan.jobs — the same function the command line runs, called directly — and
says what happened in a message box; a failure is a message too, never a
traceback. Refresh, Schedule, Diagnose and Check work on the open book
(LiveBook), reading the stored months when a history store is configured ($HUIKUAN_DB,
the Settings row history_db, or huikuan-history.db beside the saved file); New month, Split and Collect work on its saved file and write new
files beside it (the open file itself is never rewritten):

- 新月份 New month: the next month rolled into BOOK-YYYY-MM.xlsx, opened afterwards; the
  closing month pushed into the history store when one is configured (as `huikuan roll`);
- 拆分 Split: one workbook per rep in the folder BOOK-split;
- 汇总 Collect: the returns put in the folder BOOK-returns merged over this book
  into BOOK-collected.xlsx, opened afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import contract, jobs
from .errors import Unusable
from .fileio import os_error
from .values import format_amount, format_date, format_month, month_end
from .workbook.live import LiveBook

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

    def file(self) -> Path | None:
        """The book's file when it has been saved as one (where its history store is)."""
        path = Path(str(self.book.fullname))
        return path if path.is_absolute() else None

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
    except OSError as exc:  # a file the button reads or writes: told, naming it
        where = Path(os.fsdecode(exc.filename)) if exc.filename else Path(str(book.fullname))
        told = os_error(exc, where)
        session.say(told.zh, told.en, critical=True)
    except Exception as exc:  # a bug: say so plainly in Excel, not as a traceback
        what = f"{type(exc).__name__}: {exc}"
        session.say(
            f"内部错误（{what}），请报告。", f"Internal error ({what}); please report it.", True
        )
    finally:
        app.screen_updating = True


def _problem_lines(result: jobs.Result) -> str:
    lines = [
        f"{'' if p.is_error else '⚠ '}{p.where} {f'[{p.value}] ' if p.value else ''}{p.message}"
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
    n, w = len(result.errors), len(result.warnings)
    zh = f"已写入（截至 {day}）：{zh_names}。\n{n} 个问题" + (f"，{w} 个警告" if w else "")
    en = f"Written (as of {day}): {en_names}.\n{n} problem(s)" + (f", {w} warning(s)" if w else "")
    zh += "，见“问题”工作表。" if n or w else "。"
    en += ", see the Problems sheet." if n or w else "."
    session.say(zh, en)


def _refresh(session: Session, names: tuple[str, ...]) -> None:
    result = jobs.refresh_book(
        session.live, session.today, outputs=names, store_beside=session.file()
    )
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
        n, w = len(result.errors), len(result.warnings)
        if not n and not w:
            session.say("没有问题。", "No problems.")
            return
        lines = _problem_lines(result)
        zh = f"{n} 个问题" + (f"，{w} 个警告" if w else "")
        en = f"{n} problem(s)" + (f", {w} warning(s)" if w else "")
        session.say(f"{zh}：\n{lines}", f"{en}:\n{lines}", critical=bool(n))

    _run(press, book, today)


def diagnose(book: Any = None, today: date | None = None) -> None:
    """诊断 Diagnose: the six causes per rep and for the team (Diagnosis, Excuses sheets)."""

    def press(session: Session) -> None:
        _refresh(session, ("Diagnosis", "Excuses", "Problems"))

    _run(press, book, today)


# ---- buttons working on the saved file -------------------------------------------------


def _next_month(day: date) -> date:
    return month_end(day) + timedelta(days=1)


def _free(path: Path, button_zh: str, button_en: str) -> Path:
    """`path`, which must not exist yet: the ribbon never replaces a file or folder."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise Unusable(
            f"{path} exists; move or rename it, then press {button_en} again",
            f"{path} 已存在；请移走或改名后再按“{button_zh}”",
        )
    return path


def new_month(book: Any = None, today: date | None = None) -> None:
    """新月份 New month: next month's plan in a copy beside the workbook (huikuan roll)."""

    def press(session: Session) -> None:
        path = session.saved_path()
        month = _next_month(session.today)
        copy = _free(
            path.with_name(f"{path.stem}-{month:%Y-%m}{path.suffix}"), "新月份", "New month"
        )
        result = jobs.roll(path, month, session.today, out=copy)
        session.lang = lang = result.book.lang
        rolled = result.rolled
        session.book.app.books.open(str(copy))
        new, carried = (
            format_month(rolled.to_month, lang),
            format_amount(rolled.carried_amount, lang),
        )
        zh_pushed = en_pushed = ""
        if result.pushed_to is not None:
            zh_months = "、".join(format_month(m, lang) for m in result.pushed) or "无"
            en_months = ", ".join(format_month(m, lang) for m in result.pushed) or "-"
            zh_pushed = f"\n历史库：已写入 {zh_months}（{result.pushed_to}）。"
            en_pushed = f"\nHistory: {en_months} pushed to {result.pushed_to}."
        session.say(
            f"已生成{new}的计划：{copy}\n计划 {len(rolled.plan)} 行，结转未付承诺 "
            f"{len(rolled.carried)} 期（{carried}），结转措施 {len(rolled.measures)} 项。"
            + zh_pushed,
            f"{new} planned in {copy}\n{len(rolled.plan)} plan rows, {len(rolled.carried)} "
            f"unpaid installments carried ({carried}), {len(rolled.measures)} measures carried."
            + en_pushed,
        )

    _run(press, book, today)


def split(book: Any = None, today: date | None = None) -> None:
    """拆分 Split: one workbook per rep in a folder beside this one (huikuan split)."""

    def press(session: Session) -> None:
        path = session.saved_path()
        folder = _free(path.with_name(f"{path.stem}-split"), "拆分", "Split")
        result = jobs.split(path, folder, session.today)
        session.lang = result.book.lang
        names = "\n".join(f"{f.path.name}  {f.rep}  {f.customers}" for f in result.files)
        n = sum(p.is_error for p in result.problems)
        session.say(
            f"已为 {len(result.files)} 位业务员生成工作簿：{folder}\n{names}"
            + (f"\n{n} 处错误，错误的行未分发：改正后请重新拆分。" if n else ""),
            f"A workbook for each of {len(result.files)} reps in {folder}\n{names}"
            + (
                f"\n{n} bad value(s); bad rows were not sent: fix them and split again."
                if n
                else ""
            ),
            critical=bool(n),
        )

    _run(press, book, today)


def collect(book: Any = None, today: date | None = None) -> None:
    """汇总 Collect: the reps' returned workbooks merged into a new team workbook (huikuan collect)."""

    def press(session: Session) -> None:
        path = session.saved_path()
        folder = path.with_name(f"{path.stem}-returns")
        if not folder.is_dir():
            folder.mkdir()
            session.say(
                f"请把业务员交回的工作簿放入 {folder}，再按“汇总”。",
                f"Put the reps' returned workbooks in {folder}, then press Collect again.",
            )
            return
        out = _free(path.with_name(f"{path.stem}-collected.xlsx"), "汇总", "Collect")
        result = jobs.collect(folder, out, session.today, base=path)
        session.lang = result.lang
        taken = sum(ln.event == "taken" for ln in result.lines)
        attention = sum(ln.attention for ln in result.lines)
        session.book.app.books.open(str(out))
        session.say(
            f"已写入 {out}：采用 {taken} 个文件，{attention} 条需核实（见“汇总记录”工作表）。",
            f"Written: {out}: {taken} file(s) taken, {attention} line(s) to check "
            "(see the Collect sheet).",
        )

    _run(press, book, today)


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
