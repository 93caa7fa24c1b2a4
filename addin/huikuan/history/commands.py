"""`huikuan history push|show|export` (argparse and printing); cli.py adds the parser.

SQLAlchemy is imported only when a history command runs (or roll pushes).
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..options import as_of_date as as_of
from ..text import display_width
from ..values import format_amount, format_month
from . import DB_SETTING, TEAM_SETTING, team_name

COMMAND = "history"


def add_parser(sub: Any) -> None:
    """Add `history` with its push, show and export subcommands."""
    h = sub.add_parser(
        COMMAND,
        help="the team's months in a database: push, show a promise record, export",
        description="Keep every month of the team workbook in a history database: an "
        "SQLite file (huikuan-history.db beside the workbook, the default) or a shared "
        "PostgreSQL (--db postgresql+psycopg://user:password@host/db, or the HUIKUAN_DB "
        "environment variable). A team reads and writes only its own rows.",
    )
    hs = h.add_subparsers(dest="history_command", required=True, metavar="ACTION")

    def db(p: argparse.ArgumentParser, beside: str = "beside the workbook") -> None:
        p.add_argument(
            "--db",
            default=None,
            metavar="URL",
            help="sqlite:///path.db, a file path, or postgresql+psycopg://… "
            f"(default: $HUIKUAN_DB, else huikuan-history.db {beside})",
        )

    p = hs.add_parser(
        "push",
        help="write every month the workbook holds into the store",
        description="Write the workbook's customers, plans, installments (with their "
        "outcome: kept / partial / broken, days late, amount short), receipts and "
        "follow-ups into the store, in one transaction. Pushing the same workbook "
        "again changes nothing; rows of the pushed months that the workbook no longer "
        "has are removed, other months stay.",
    )
    p.add_argument("book", type=Path, metavar="BOOK.xlsx")
    db(p)
    p.add_argument(
        "--team",
        default=None,
        metavar="NAME",
        help="team name (default: $HUIKUAN_TEAM, else BOOK's file name without .xlsx)",
    )
    p.add_argument(
        "--as-of", type=as_of, default=None, metavar="DATE", help="outcomes as of (default today)"
    )

    s = hs.add_parser(
        "show",
        help="a promise record, one line per month",
        description="Print the promise record month by month (installments owed, kept, "
        "partial, broken, kept rate, average days late, amount short) of a customer, "
        "of a rep's customers, or of the team, and the suggested credit grade.",
    )
    db(s, "in the current folder")
    s.add_argument("--team", default=None, metavar="NAME", help="the team (default: the only one)")
    who = s.add_mutually_exclusive_group()
    who.add_argument("--customer", default=None, metavar="ID")
    who.add_argument("--rep", default=None, metavar="NAME")
    s.add_argument("--months", type=int, default=12, metavar="N", help="last N months (12)")
    s.add_argument("--as-of", type=as_of, default=None, metavar="DATE", help="default today")
    s.add_argument("--lang", choices=("zh", "en"), default="zh")

    e = hs.add_parser(
        "export",
        help="write the store's tables to .xlsx or .csv",
        description="Write the team's stored tables (every team's with --all-teams) as one "
        "workbook (a sheet per table) or a folder of CSV files (UTF-8 with BOM, for Excel).",
    )
    db(e, "in the current folder")
    e.add_argument("--team", default=None, metavar="NAME")
    e.add_argument("--all-teams", action="store_true", help="the whole organisation")
    e.add_argument("--format", choices=("xlsx", "csv"), required=True)
    e.add_argument("-o", "--output", type=Path, required=True, metavar="PATH")
    e.add_argument("--force", action="store_true", help="replace PATH if it exists")


def _say(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def run(args: argparse.Namespace) -> int:
    from ..errors import Unusable
    from . import store

    today = date.today()
    if args.history_command == "push":
        from .. import jobs
        from ..engine.policy import policy_from

        book, problems = jobs.load(args.book)
        url = store.resolve(args.db, args.book, setting=book.setting(DB_SETTING))
        assert url is not None
        engine = store.connect(url)
        team = team_name(args.book, args.team, book.setting(TEAM_SETTING))
        done = store.push(
            engine,
            team,
            book,
            args.as_of or today,
            args.book.name,
            policy=policy_from(book.cadences),
        )
        lang = book.lang
        months = _say(lang, ", ", "、").join(format_month(m, lang) for m in done.months) or "-"
        print(
            _say(
                lang,
                f"pushed {args.book.name} to {store.shown(url)} (team {team}): {months}; "
                f"{len(done.changed)} month(s) changed, {done.deleted} row(s) removed",
                f"已写入 {store.shown(url)}（团队 {team}）：{months}；"
                f"{len(done.changed)} 个月有变化，删除 {done.deleted} 行",
            )
        )
        for p in problems:
            head = _say(lang, "problem", "问题") if p.is_error else _say(lang, "warning", "警告")
            print(f"{head}: {p.where} {p.message}", file=sys.stderr)
        return 1 if any(p.is_error for p in problems) else 0

    url = store.resolve(args.db, Path.cwd() / "x", must_exist=True)
    if url is None:
        raise Unusable(
            f"no history database: give --db URL, set {store.ENV}, or run here beside "
            f"{store.DEFAULT_FILE}",
            f"没有历史数据库：请用 --db 指定，或设置 {store.ENV}，或在 {store.DEFAULT_FILE} 所在目录运行",
        )
    engine = store.connect(url)
    if args.history_command == "export":
        return _export(engine, args)
    return _show(engine, args, today)


def _team(engine: Any, name: str | None) -> str:
    from ..errors import Unusable
    from . import store

    known = store.teams(engine)
    if name is not None:
        if name not in known:
            listed = ", ".join(known) or "-"
            raise Unusable(
                f"no team {name!r} in the history database; teams: {listed}",
                f"历史库中没有团队“{name}”；现有：{'、'.join(known) or '无'}",
            )
        return name
    if len(known) == 1:
        return known[0]
    listed = ", ".join(known) or "-"
    raise Unusable(
        f"say which team (--team NAME); the history database holds: {listed}",
        f"请用 --team 指定团队；历史库中有：{'、'.join(known) or '无'}",
    )


def _show(engine: Any, args: argparse.Namespace, today: date) -> int:
    from ..engine.policy import DEFAULT_POLICY
    from ..engine.record import (
        by_month,
        grade_rules,
        months_back,
        record,
        row_outcomes,
        suggested_grade,
    )
    from ..errors import Unusable
    from . import store

    lang = args.lang
    as_of = args.as_of or today
    team = _team(engine, args.team)
    book = store.load(engine, team)
    found = row_outcomes(book, as_of, DEFAULT_POLICY)
    grades = {c.customer_id: c for c in book.customers}
    if args.customer is not None:
        if args.customer not in grades:
            raise Unusable(
                f"no customer {args.customer!r} in team {team}'s history",
                f"团队 {team} 的历史中没有客户“{args.customer}”",
            )
        ids = {args.customer}
        label = f"{args.customer} {grades[args.customer].name}"
    elif args.rep is not None:
        ids = {c.customer_id for c in book.customers if c.rep == args.rep}
        if not ids:
            reps = sorted({c.rep for c in book.customers})
            raise Unusable(
                f"no rep {args.rep!r} in team {team}'s history; reps: {', '.join(reps)}",
                f"团队 {team} 的历史中没有业务员“{args.rep}”；现有：{'、'.join(reps)}",
            )
        label = args.rep
    else:
        ids = set(grades)
        label = team
    mine = [o for o in found if o is not None and o.installment.customer_id in ids]
    since = months_back(as_of, max(1, args.months))
    mine = [o for o in mine if o.due >= since and o.due <= as_of]
    print(
        _say(lang, f"promise record: {label} (as of {as_of})", f"守约记录：{label}（截至 {as_of}）")
    )
    heads = _say(
        lang,
        "month|owed|kept|partial|broken|kept rate|avg days late|short",
        "月份|到期|守约|部分|失约|守约率|平均逾期天数|短缺",
    ).split("|")
    print(_row(heads))
    for month, rec in by_month(label, mine, as_of).items():
        print(_line(format_month(month, "en"), rec, lang))
    total = record(label, mine, as_of, max(1, args.months))
    print(_line(_say(lang, "total", "合计"), total, lang))
    if args.customer is not None:
        current = grades[args.customer].credit_grade
        new = suggested_grade(total, grade_rules())
        print(
            _say(
                lang,
                f"credit grade {current}; suggested {new or '- (too few installments)'}",
                f"信用等级 {current}；建议 {new or '—（到期期数太少）'}",
            )
        )
    return 0


def _line(month: str, rec: Any, lang: str) -> str:
    rate = "" if rec.kept_rate is None else f"{rec.kept_rate:.1%}"
    late = "" if rec.avg_days_late is None else f"{rec.avg_days_late:.1f}"
    short = format_amount(rec.short, lang)
    return _row([month, rec.owed, rec.kept, rec.partial, rec.broken, rate, late, short])


_WIDTHS = (9, 4, 5, 8, 7, 10, 14, 14)


def _row(cells: list[Any]) -> str:
    """One line of the record table, padded by display width (a Chinese character takes two
    columns), the first cell left-aligned and the others right-aligned."""
    out = []
    for i, (cell, width) in enumerate(zip(cells, _WIDTHS, strict=True)):
        pad = " " * max(0, width - display_width(str(cell)))
        out.append(f"{cell}{pad}" if i == 0 else f"{pad}{cell}")
    return " ".join(out)


def _export(engine: Any, args: argparse.Namespace) -> int:
    from ..fileio import refuse_overwrite, require_suffix
    from . import store

    team = None if args.all_teams else _team(engine, args.team)
    tables = store.table_rows(engine, team)
    out: Path = args.output
    refuse_overwrite(out, args.force)
    if args.format == "xlsx":
        require_suffix(out, (".xlsx",))
    if args.format == "csv":
        out.mkdir(parents=True, exist_ok=True)
        for name, (cols, rows) in tables.items():
            with open(out / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(cols)
                w.writerows([_plain(v) for v in row] for row in rows)
    else:
        from openpyxl import Workbook

        from ..fileio import write_atomic

        wb = Workbook()
        wb.remove(wb.worksheets[0])
        for name, (cols, rows) in tables.items():
            ws = wb.create_sheet(name.removeprefix("hk_"))
            ws.append(cols)
            for row in rows:
                ws.append([_cell(v) for v in row])
        write_atomic(out, wb.save)
    n = sum(len(rows) for _, rows in tables.values())
    print(f"written: {out} ({n} rows) / 已写入 {out}（{n} 行）")
    return 0


def _plain(value: Any) -> Any:
    return "" if value is None else value


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value == value.quantize(Decimal("0.0001")) else str(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: UTC, as stored
    return value


def push_closing(
    book_path: Path, book: Any, month: date, as_of: date, url: str
) -> tuple[date, ...]:
    """Roll's hook (jobs.roll): push the closing month into the store at `url`; the months
    pushed. The team is the workbook's (--team is not roll's: $HUIKUAN_TEAM, its Settings
    row history_team, else its file name)."""
    from ..engine.policy import policy_from
    from . import store

    engine = store.connect(url)
    try:
        done = store.push(
            engine,
            team_name(book_path, None, book.setting(TEAM_SETTING)),
            book,
            as_of,
            book_path.name,
            months=[month],
            policy=policy_from(book.cadences),
        )
    finally:
        engine.dispose()
    return done.months
