"""The team commands of `huikuan`: split, collect, roll (argparse and printing).

cli.py adds these parsers and hands the parsed arguments here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence, Sized
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import contract as ct
from .. import jobs
from ..engine.analysis import calendar_problems
from ..engine.schedule import Action
from ..model import Book, Problem
from ..options import add_as_of, month
from ..values import format_amount, format_date, format_month

if TYPE_CHECKING:  # report imports the merge engine: only when a team command runs
    from .report import Line

T = TypeVar("T")
COMMANDS = ("split", "collect", "roll")
MANY_FILES = 10  # a progress bar from this many returned files on (on a terminal)
SHOWN_LINES = 60  # report lines printed; the Collect sheet has them all

AS_OF_HELP = "compute Status as of this day (default today), e.g. 2026-11-23"


def add_parsers(sub: Any) -> None:
    """Add split, collect and roll to the `huikuan` subcommands."""
    s = sub.add_parser(
        "split",
        help="one workbook per rep (and an email with --eml)",
        description="Write DIR/<rep>.xlsx for every rep: only that rep's customers and "
        "their rows, built fresh from the template (formulas, drop-downs, guide) and "
        "refreshed; Policy and Holidays copied, Reps only the rep's own row. With --eml "
        "also DIR/<rep>.eml, a ready-to-send email (To: the rep's email from Reps, Cc: "
        "their manager) with the workbook attached.",
    )
    s.add_argument("book", type=Path, metavar="TEAM.xlsx")
    s.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the files")
    s.add_argument("--eml", action="store_true", help="also write an .eml per rep")
    s.add_argument(
        "--from",
        dest="sender",
        default=None,
        metavar="ADDRESS",
        help="the emails' From (default: the manager's address from Reps, else left blank "
        "for the mail program)",
    )
    add_as_of(s, AS_OF_HELP)
    s.add_argument("--force", action="store_true", help="replace files that exist in DIR")

    c = sub.add_parser(
        "collect",
        help="merge the reps' returned workbooks into the team workbook",
        description="Read every .xlsx/.xlsm in DIR (whatever the mail program named it), "
        "take the newest file of each rep, merge it over the base (the manager's team "
        "workbook: its targets and customers win) and write the refreshed team workbook "
        "with a Collect sheet reporting each file, conflict and resolution. Unusable "
        "files are moved to DIR/quarantine/ with a .txt giving the reason.",
    )
    c.add_argument("folder", type=Path, metavar="DIR")
    c.add_argument(
        "-o", "--output", type=Path, required=True, metavar="TEAM.xlsx", help="team workbook"
    )
    c.add_argument(
        "--base",
        type=Path,
        default=None,
        metavar="TEAM.xlsx",
        help="the team workbook the files were split from (targets and customers are its)",
    )
    add_as_of(c, AS_OF_HELP)
    c.add_argument(
        "--force", action="store_true", help="replace TEAM.xlsx if it exists (and is not --base)"
    )

    r = sub.add_parser(
        "roll",
        help="plan the next month",
        description="Add the month MONTH to the team workbook: a plan row per customer "
        "(suggested target and ask), each unpaid installment carried as a new one due on "
        "the month's first working day (Carried from 结转自 = its old due date), and "
        "measures still planned carried. Earlier months stay. Written in place, "
        "atomically, or into OUT.",
    )
    r.add_argument("book", type=Path, metavar="TEAM.xlsx")
    r.add_argument(
        "--to", type=month, required=True, metavar="MONTH", help="the new month, e.g. 2026-12"
    )
    r.add_argument(
        "-o", "--output", type=Path, default=None, metavar="OUT.xlsx", help="write here instead"
    )
    add_as_of(r, AS_OF_HELP)
    r.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    r.add_argument(
        "--skip",
        action="store_true",
        help="roll past a month on purpose (from 2027-01 straight to 2027-03): "
        "the month between gets no plan rows",
    )
    r.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="history store to push the closed month to (default: $HUIKUAN_DB, else the "
        "workbook's Settings row history_db, else huikuan-history.db beside TEAM.xlsx if "
        "it exists)",
    )


def _progress(items: Iterable[T]) -> Iterable[T]:
    """A progress bar on a terminal for many returned files, advancing as each is read.

    `items` is consumed only through the bar (never listed first: the files are read as
    they are iterated); its length, when it has one, decides whether a bar is worth it.
    """
    total = len(items) if isinstance(items, Sized) else None
    if (total is not None and total < MANY_FILES) or not sys.stderr.isatty():
        return items
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - a dependency
        return items
    bar: Iterable[T] = tqdm(items, total=total, file=sys.stderr, unit="file", leave=False)
    return bar


def _say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def _line(ln: Line, lang: str) -> str:
    parts = [ln.file, ln.rep or "", ct.choice_label(ct.COLLECT_EVENTS, ln.event, lang)]
    where = " ".join(x for x in (ln.table, ln.customer_id) if x)
    parts += [where, ln.detail, "→ " + ln.resolution]
    return "  ".join(p for p in parts if p)


def _problems(problems: list[Problem], lang: str) -> None:
    """Each problem on stderr: an error as problem/问题, a warning as warning/警告."""
    for p in problems:
        head = _say(lang, "problem", "问题") if p.is_error else _say(lang, "warning", "警告")
        print(f"{head}: {p.where} {p.message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run the team command `args.command` (split, collect or roll); the exit code."""
    return {"split": _split, "collect": _collect, "roll": _roll}[args.command](args)


def _calendar(book: Book, as_of: date, actions: Sequence[Action] = ()) -> None:
    """The estimated-calendar warnings (also in the written Problems sheets) on stderr."""
    for w in calendar_problems(book, as_of, actions):
        head = _say(book.lang, "warning", "警告")
        print(f"{head}: {w.sheet} [{w.value}] {w.message}", file=sys.stderr)


def _split(args: argparse.Namespace) -> int:
    res = jobs.split(args.book, args.out, args.as_of, args.eml, args.force, args.sender)
    lang = res.book.lang
    _calendar(res.book, args.as_of)
    _problems(res.problems, lang)
    errors = sum(p.is_error for p in res.problems)
    if errors:
        print(
            _say(
                lang,
                f"{errors} bad value(s): a bad row was not sent, a bad optional cell was sent "
                "blank: fix them and split again",
                f"{errors} 处错误：错误的行未分发，错误的选填单元格按空白分发：改正后请重新分发",
            ),
            file=sys.stderr,
        )
    for f in res.files:
        count = _say(lang, f"{f.customers} customers", f"{f.customers} 个客户")
        mail = ""
        if f.eml:
            mail = f"  {f.eml.name}  To: {f.to or '—'}" + (f"  Cc: {f.cc}" if f.cc else "")
        print(f"{f.path}  {f.rep}  {count}{mail}")
        for en, zh in f.warnings:
            print(_say(lang, "warning: ", "注意：") + _say(lang, en, zh), file=sys.stderr)
    for en, zh in res.notes:
        print(_say(lang, "note: ", "说明：") + _say(lang, en, zh), file=sys.stderr)
    return res.exit_code


def _collect(args: argparse.Namespace) -> int:
    res = jobs.collect(args.folder, args.output, args.as_of, args.base, args.force, _progress)
    lang = res.lang
    _calendar(res.merged.book, args.as_of, res.actions)
    files = [
        ln for ln in res.lines if ln.event in ("taken", "superseded", "quarantined", "skipped")
    ]
    events = [ln for ln in res.lines if ln not in files]
    for ln in files:
        print(_line(ln, lang))
    for ln in events[:SHOWN_LINES]:
        print(_line(ln, lang))
    if len(events) > SHOWN_LINES:
        more = len(events) - SHOWN_LINES
        print(
            _say(
                lang,
                f"… {more} more in the Collect sheet",
                f"……另有 {more} 条，见“汇总记录”工作表",
            )
        )
    for en, zh in res.not_carried:
        print(
            _say(lang, "note: the team workbook lacks the base's ", "注意：汇总表中没有底表的")
            + _say(lang, en, zh),
            file=sys.stderr,
        )
    taken = sum(ln.event == "taken" for ln in files)
    attention = sum(ln.attention for ln in res.lines)
    print(
        _say(
            lang,
            f"written: {res.written} ({taken} file(s) taken, {attention} line(s) to check)",
            f"已写入 {res.written}（采用 {taken} 个文件，{attention} 条需核实）",
        )
    )
    return res.exit_code


def _roll(args: argparse.Namespace) -> int:
    res = jobs.roll(args.book, args.to, args.as_of, args.output, args.force, args.skip, db=args.db)
    lang = res.book.lang
    ro = res.rolled
    _problems(res.problems, lang)
    target, carried = ro.target, ro.carried_amount
    month, first = format_month(ro.to_month, lang), format_date(ro.first_day, lang)
    print(
        _say(
            lang,
            f"{format_month(ro.from_month, lang)} → {month}: {len(ro.plan)} plan rows "
            f"(suggested targets {format_amount(target, lang)}), {len(ro.carried)} unpaid "
            f"installments carried ({format_amount(carried, lang)}, due {first}), "
            f"{len(ro.measures)} planned measures carried",
            f"{format_month(ro.from_month, lang)} → {month}：计划 {len(ro.plan)} 行"
            f"（建议目标合计 {format_amount(target, lang)}），结转未付承诺 {len(ro.carried)} 期"
            f"（{format_amount(carried, lang)}，{first} 到期），结转计划中的措施 {len(ro.measures)} 项",
        )
    )
    for c in ro.carried:
        inst = c.installment
        print(
            f"  {inst.customer_id}  {format_amount(inst.amount, lang)}  "
            + _say(lang, f"carried from {inst.carried_from}", f"结转自 {inst.carried_from}")
        )
    if ro.skipped_plan:
        print(
            _say(
                lang,
                f"{len(ro.skipped_plan)} customer(s) already had a plan for {month}: left as they are",
                f"{len(ro.skipped_plan)} 个客户已有{month}的计划，未改动",
            )
        )
    for risk in res.lost:
        print(
            _say(lang, "note: the new file lacks ", "注意：新文件中不含 ")
            + _say(lang, risk.en, risk.zh),
            file=sys.stderr,
        )
    print(_say(lang, f"written: {res.written}", f"已写入 {res.written}"))
    if res.pushed_to is not None:
        months = _say(lang, ", ", "、").join(format_month(m, lang) for m in res.pushed) or "-"
        print(
            _say(
                lang,
                f"history: {months} pushed to {res.pushed_to}",
                f"历史库：已写入 {months}（{res.pushed_to}）",
            )
        )
    return res.exit_code
