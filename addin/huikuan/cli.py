"""The `huikuan` command: template, demo, check, refresh, schedule (SPEC "Command line").

Exit codes: 0 all good (warnings, if any, are listed on stderr and in the
Problems sheet); 1 the workbook has bad values — at least one Problem of
severity error (listed too; everything else is still computed); 2 the file or the command
line is unusable (nothing written); 3 an internal error (a bug: please report).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from . import __version__, contract, jobs
from .engine.status import totals_by_rep
from .errors import Unusable
from .fileio import os_error
from .history import commands as history
from .model import Problem
from .options import add_as_of
from .team import commands as team
from .text import display_width
from .values import format_amount, format_date, format_month
from .workbook import remedies
from .xlam import commands as addin_commands

_EXAMPLES = """\
examples:
  huikuan demo -o 演示.xlsx                  a filled, refreshed team workbook
  huikuan template -o 回款.xlsx               a blank Chinese template (--lang en for English)
  huikuan check 回款.xlsx                     list every bad cell, change nothing
  huikuan refresh 回款.xlsx --as-of 2026-11-23   write every output sheet in place
  huikuan split 团队.xlsx --out 分发 --eml     a workbook (and an email) per rep
  huikuan collect 回收 -o 团队.xlsx --base 团队.xlsx   merge the reps' returns
  huikuan roll 团队.xlsx --to 2026-12          plan the next month
  huikuan schedule 回款.xlsx --rep 李娜 --ics 李娜.ics   today's and this week's follow-ups
  huikuan history push 团队.xlsx               keep every month in huikuan-history.db

exit codes: 0 good (or warnings only); 1 bad values (listed, the rest computed); 2 unusable file or
command line (nothing written); 3 internal error.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="huikuan",
        description="回款 huikuan: collection targets → gaps, measures, promises and follow-ups, "
        "computed inside the team's Excel workbook.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"huikuan {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser(
        "template",
        help="write a blank workbook template",
        description="Write a blank template: the input tables with drop-downs, "
        "formats, live formulas and a guide sheet.",
    )
    t.add_argument("-o", "--output", type=Path, required=True, metavar="BOOK.xlsx")
    t.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of headers and guide (default zh)",
    )
    t.add_argument("--force", action="store_true", help="replace BOOK.xlsx if it exists")

    d = sub.add_parser(
        "demo",
        help="write a filled, refreshed demo team workbook",
        description="Write a demo team workbook (4 reps, 36 customers, three "
        "months of history) and refresh it.",
    )
    d.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("huikuan-demo.xlsx"),
        metavar="BOOK.xlsx",
        help="where to write it (default huikuan-demo.xlsx)",
    )
    d.add_argument("--lang", choices=("zh", "en"), default="zh")
    add_as_of(d, "the day the demo is seen from (default today)")
    d.add_argument("--force", action="store_true", help="replace BOOK.xlsx if it exists")

    c = sub.add_parser(
        "check",
        help="validate a workbook; change nothing",
        description="Read every input table and print each bad cell "
        "(sheet, cell, value, problem). The file is not changed.",
    )
    c.add_argument("book", type=Path, metavar="BOOK.xlsx")

    r = sub.add_parser(
        "refresh",
        help="compute and write the output sheets",
        description="Compute Status, Schedule, Diagnosis, Excuses, Dashboard (with its "
        "charts), Forecast and Problems and write them into the workbook (in place, atomically) "
        "or into OUT. Only those sheets are written: input tables, your own sheets, "
        "charts, pictures and macros are kept byte for byte.",
    )
    r.add_argument("book", type=Path, metavar="BOOK.xlsx")
    add_as_of(r, "compute as of this day (default today), e.g. 2026-11-23 or 2026年11月23日")
    r.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="OUT.xlsx",
        help="write into this new file instead of BOOK in place",
    )
    r.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")

    g = sub.add_parser(
        "diagnose",
        help="why each rep is behind: the six causes, with remedies",
        description="Print, per rep and for the team, the six causes of a missed collection "
        "target (no joint plan, gap without measures, no commitment, not followed up, "
        "demands too low, weak negotiation) with their figures, money at stake, flags and "
        "the remedy naming the customers concerned. The workbook is not changed.",
    )
    g.add_argument("book", type=Path, metavar="BOOK.xlsx")
    add_as_of(g, "diagnose the month of this day, as of it (default today)")
    g.add_argument("--rep", default=None, metavar="NAME", help="only this rep")

    s = sub.add_parser(
        "schedule",
        help="print today's and this week's follow-ups; export a calendar",
        description="Print whom to contact today and for the rest of this week, and why "
        "(key accounts ★ first, then the larger amount at stake), in the workbook's "
        "language. With --ics, write every follow-up from the as-of day to the month's "
        "end as an RFC 5545 calendar (one all-day event per customer and day, 09:00 "
        "reminder) for Outlook, Google, Apple or phone calendars; importing a newer "
        "file updates the same events. The workbook is not changed.",
    )
    s.add_argument("book", type=Path, metavar="BOOK.xlsx")
    add_as_of(s, "the day the schedule is seen from (default today)")
    s.add_argument("--rep", metavar="NAME", help="only this sales rep's customers")
    s.add_argument("--ics", type=Path, metavar="FILE.ics", help="also write a calendar file")
    s.add_argument(
        "--force", action="store_true", help="replace FILE.ics even if it is not a calendar"
    )

    addin_commands.add_parser(sub)
    team.add_parsers(sub)
    history.add_parser(sub)
    return p


def _print_diagnosis(result: jobs.Result) -> None:
    """Each rep's six causes: flag, figure, money at stake, detail, and the remedy."""
    lang = result.book.lang
    zh = lang == "zh"
    first = contract.CAUSES[0].key
    for f in result.findings:
        if f.cause == first:
            print(f"\n【{f.rep or contract.ALL_REPS[lang]}】")
        name = contract.choice_label(contract.CAUSES, f.cause, lang)
        name += " " * max(0, (14 if zh else 34) - display_width(name))
        mark = "⚠" if f.flagged else " "
        amount = _pad(format_amount(f.amount, lang), 14)
        print(f"{mark} {f.rank}. {name} {f.figure:>7.1%} {amount}  {remedies.detail(f, lang)}")
        if f.flagged:
            print(f"       → {remedies.remedy(f, lang)}")
    _print_misses(result)


def _print_misses(result: jobs.Result) -> None:
    """The reps likely to miss the month's target (the Diagnosis sheet's likely_miss rows)."""
    lang = result.book.lang
    zh = lang == "zh"
    title = contract.choice_label(contract.LIKELY_MISS, "likely_miss", lang)
    print(f"\n【{title}】")
    if not result.misses:
        print("  无" if zh else "  none")
        return
    for f in result.misses:
        amounts = [format_amount(a, lang) for a in (f.received, f.expected, f.likely, f.target)]
        short = format_amount(f.shortfall, lang)
        print(
            f"⚠ {f.rep}  "
            + (
                "已回款 {} + 预计 {} = {}，目标 {}".format(*amounts) + f"，差 {short}"
                if zh
                else "received {} + expected {} = {}, target {}".format(*amounts)
                + f", short {short}"
            )
        )


def _print_problems(problems: Sequence[Problem], lang: str) -> None:
    for p in problems:
        if p.severity == "warning":
            head = "警告" if lang == "zh" else "warning"
        else:
            head = "问题" if lang == "zh" else "problem"
        value = f" [{p.value}]" if p.value else ""
        print(f"{head}: {p.where}{value} {p.message}", file=sys.stderr)


def _count(problems: Sequence[Problem], lang: str) -> str:
    """ "2 个问题" / "2 problem(s)", and the warnings among them when there are any."""
    warnings = sum(p.severity == "warning" for p in problems)
    n = len(problems) - warnings
    text = f"{n} 个问题" if lang == "zh" else f"{n} problem(s)"
    if warnings:
        text += f"，{warnings} 个警告" if lang == "zh" else f", {warnings} warning(s)"
    return text


def _pad(text: str, width: int) -> str:
    """Right-align for a terminal, counting wide (CJK) characters as two columns."""
    return " " * max(0, width - display_width(text)) + text


def _summary(result: jobs.Result) -> None:
    lang = result.book.lang
    zh = lang == "zh"
    as_of = result.as_of
    rows = [r for r in result.rows if as_of and r.month == as_of.replace(day=1)]
    if rows and as_of:
        month, day = format_month(as_of, lang), format_date(as_of, lang)
        print(f"{month}（截至 {day}）" if zh else f"{month} as of {day}")
        heads = (
            ("业务员", "目标", "已承诺", "目标差距", "措施贡献", "已回款", "完成率")
            if zh
            else ("Rep", "Target", "Committed", "Gap", "Measures", "Received", "Completion")
        )
        print(" ".join(_pad(h, 14) for h in heads))
        for t in totals_by_rep(rows):
            done = "" if t.completion is None else f"{t.completion:.1%}"
            amounts = (t.target, t.committed, t.gap, t.contribution, t.received)
            cells = (
                t.rep or ("全部" if zh else "ALL"),
                *(format_amount(a, lang) for a in amounts),
                done,
            )
            print(" ".join(_pad(c, 14) for c in cells))
    if result.written:
        print(f"已写入 {result.written}" if zh else f"written: {result.written}")
    print(_count(result.problems, lang))
    for risk in result.lost:
        what = risk.zh if zh else risk.en
        print(
            ("注意：新文件中不含 " if zh else "note: the new file lacks ") + what, file=sys.stderr
        )


def _schedule(result: jobs.Result) -> int:
    from .agenda import agenda_lines

    lang = result.book.lang
    _print_problems(result.problems, lang)
    as_of = result.as_of or date.today()
    lines = agenda_lines(result.actions, as_of, lang, result.rep, ics=bool(result.written))
    print("\n".join(lines))
    if result.written:
        n = len(result.actions)
        print(
            f"已写入 {result.written}（{n} 个日程）"
            if lang == "zh"
            else f"written: {result.written} ({n} events)"
        )
    if result.problems:
        print(_count(result.problems, lang), file=sys.stderr)
    return result.exit_code


def run(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command in team.COMMANDS:
        return team.run(args)
    if args.command == history.COMMAND:
        return history.run(args)
    if args.command == "addin":
        return addin_commands.run(args)
    if args.command == "template":
        out = jobs.template(args.output, args.lang, args.force)
        print(f"已写入 {out}" if args.lang == "zh" else f"written: {out}")
        return 0
    if args.command == "schedule":
        return _schedule(jobs.schedule(args.book, args.as_of, args.rep, args.ics, args.force))
    if args.command == "demo":
        result = jobs.demo(args.output, args.lang, args.as_of, args.force)
    elif args.command == "diagnose":
        result = jobs.diagnose(args.book, args.as_of, args.rep)
        _print_diagnosis(result)
        _print_problems(result.problems, result.book.lang)
        return result.exit_code
    elif args.command == "check":
        result = jobs.check(args.book)
        print(
            f"{args.book}: "
            + (
                f"{len(result.book.plan)} 条计划"
                if result.book.lang == "zh"
                else f"{len(result.book.plan)} plan rows"
            )
        )
    else:
        result = jobs.refresh(args.book, args.as_of, args.output, args.force)
    _print_problems(result.problems, result.book.lang)
    _summary(result)
    return result.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except Unusable as exc:
        print(f"huikuan: {exc.message(None)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `huikuan schedule … | head`: the reader has gone; not an error
        sys.stderr.close()
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a file the command names: told in both languages
        where = Path(os.fsdecode(exc.filename)) if exc.filename else Path(".")
        print(f"huikuan: {os_error(exc, where).message(None)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so plainly, without a traceback
        print(
            f"huikuan: internal error ({type(exc).__name__}: {exc}); please report it "
            f"with the command you ran / 内部错误，请报告",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
