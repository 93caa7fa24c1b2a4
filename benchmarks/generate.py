"""Write a large team workbook (SPEC's six input tables) for the benchmarks.

Per customer: one plan row, one measure, about 3 installments, about 3
receipts and 2 follow-ups, all in one month. Headers are the Chinese labels of
the contract; choice and yes/no cells hold Chinese words; amounts are numbers
and dates are Excel dates. Written with openpyxl's write-only mode, so memory
stays flat (about 40 MB): 50,000 customers (about 550,000 rows, 15 MB) take
about 80 s with openpyxl's pure-Python XML writer, less when lxml is installed.

    python benchmarks/generate.py 10000 benchmarks/out/team-10000.xlsx
"""

from __future__ import annotations

import argparse
import calendar
import random
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from huikuan import contract
from huikuan.contract import (
    CHANNELS,
    COMMITMENTS,
    CUSTOMERS,
    EXCUSE_KINDS,
    FOLLOWUPS,
    GRADES,
    MEASURE_KINDS,
    MEASURE_STATUSES,
    MEASURES,
    PLAN,
    RECEIPTS,
    RESULTS,
)

YES, NO = (c.zh for c in contract.YES_NO)
EXCUSE = RESULTS[3]  # the result that carries an excuse kind
PLACES = ("华东", "华南", "华北", "西南", "江南", "苏州", "杭州", "宁波", "合肥", "南昌")
TRADES = ("建材贸易", "五金机电", "日用百货", "家电销售", "食品批发", "农资经销", "电器商贸")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = ("伟", "娜", "强", "洋", "敏", "静", "磊", "军", "杰", "芳", "勇", "艳")


def _row(table: contract.Table, **values: object) -> list[object]:
    """A row in the contract's column order; absent keys are blank cells."""
    return [values.get(col.key) for col in table.columns]


def _rows(n: int, month: date, rng: random.Random) -> dict[str, Iterator[list[object]]]:
    """Generators of each table's rows: cheap to hold, consumed while writing."""
    last = calendar.monthrange(month.year, month.month)[1]
    reps = [
        SURNAMES[i % len(SURNAMES)] + GIVEN[i // len(SURNAMES) % len(GIVEN)] + str(i // 240 or "")
        for i in range(max(4, n // 40))
    ]
    ids = [f"K{100000 + i}" for i in range(n)]

    def day(d: int) -> date:
        return month.replace(day=min(max(d, 1), last))

    def customers() -> Iterator[list[object]]:
        for i, cid in enumerate(ids):
            yield _row(
                CUSTOMERS,
                customer_id=cid,
                name=f"{PLACES[i % 10]}{TRADES[i % 7]}{i // 70 + 1}号有限公司",
                rep=reps[i % len(reps)],
                credit_grade=rng.choice(GRADES).zh,
                key_account=YES if rng.random() < 0.25 else NO,
                contact=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                phone=f"13{rng.randrange(10**9):09d}",
                email=f"cw{i}@example.cn" if i % 3 == 0 else None,
            )

    def plan() -> Iterator[list[object]]:
        for cid in ids:
            target = rng.randrange(50, 800) * 1000
            expected = target * rng.randrange(55, 90) // 100
            joint = rng.random() < 0.7
            yield _row(
                PLAN,
                month=month,
                customer_id=cid,
                target=target,
                expected=expected,
                ask=expected * rng.randrange(80, 200) // 100,
                agreed_jointly=YES if joint else NO,
                agreed_on=day(rng.randint(1, 5)) if joint else None,
            )

    def measures() -> Iterator[list[object]]:
        for cid in ids:
            kind = rng.choice(MEASURE_KINDS)
            yield _row(
                MEASURES,
                month=month,
                customer_id=cid,
                kind=kind.zh,
                description=f"{kind.zh}方案",
                contribution=rng.randrange(1, 100) * 1000,
                owner=None,
                due=day(rng.randint(10, last)),
                status=rng.choice(MEASURE_STATUSES).zh,
            )

    def commitments() -> Iterator[list[object]]:
        for cid in ids:
            for _ in range(rng.randint(1, 5)):
                yield _row(
                    COMMITMENTS,
                    customer_id=cid,
                    due=day(rng.randint(1, last)),
                    amount=rng.randrange(10, 300) * 500,
                    promised_on=day(rng.randint(1, 5)),
                )

    def receipts() -> Iterator[list[object]]:
        for i, cid in enumerate(ids):
            for k in range(rng.randint(1, 5)):
                on = day(rng.randint(1, last))
                yield _row(
                    RECEIPTS,
                    date=on,
                    customer_id=cid,
                    amount=rng.randrange(10, 300) * 500 - rng.choice((0, 0, 0, 250)),
                    reference=f"HK{on:%y%m%d}-{i}-{k}",
                )

    def followups() -> Iterator[list[object]]:
        for cid in ids:
            for _ in range(2):
                result = rng.choice(RESULTS)
                excuse = result is EXCUSE
                accepted = excuse and rng.random() < 0.5
                yield _row(
                    FOLLOWUPS,
                    date=day(rng.randint(1, last)),
                    customer_id=cid,
                    channel=rng.choice(CHANNELS).zh,
                    result=result.zh,
                    excuse_kind=rng.choice(EXCUSE_KINDS).zh if excuse else None,
                    excuse_accepted=YES if accepted else NO,
                    deferred=rng.randrange(1, 100) * 1000 if accepted else None,
                    note=None,
                )

    return {
        CUSTOMERS.name: customers(),
        PLAN.name: plan(),
        MEASURES.name: measures(),
        COMMITMENTS.name: commitments(),
        RECEIPTS.name: receipts(),
        FOLLOWUPS.name: followups(),
    }


def _write_table(wb: Workbook, table: contract.Table, rows: Iterable[list[object]]) -> int:
    """One sheet holding one Excel table (ListObject) of the table's name; returns its rows."""
    ws = wb.create_sheet(table.name)
    headers = [col.zh for col in table.columns]
    ws.append(headers)
    count = 0
    for row in rows:
        ws.append(row)
        count += 1
    ref = f"A1:{get_column_letter(len(headers))}{count + 1 if count else 2}"
    tab = Table(displayName=table.name, ref=ref, autoFilter=AutoFilter(ref=ref))
    # write-only sheets cannot be read back, so the columns are named here
    tab.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():  # "you must add table columns manually": done above
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(tab)
    return count


def generate(n_customers: int, path: Path, month: date = date(2026, 11, 1), seed: int = 1) -> dict:
    """Write the workbook to `path`; returns the row count of each table."""
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    tables = {t.name: t for t in contract.INPUT_TABLES}
    counts = {
        name: _write_table(wb, tables[name], rows)
        for name, rows in _rows(n_customers, month.replace(day=1), rng).items()
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part.xlsx")
    wb.save(tmp)
    tmp.replace(path)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of customers")
    parser.add_argument("out", type=Path, help="the .xlsx to write")
    parser.add_argument("--month", default="2026-11", help="YYYY-MM (default 2026-11)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    year, mon = map(int, args.month.split("-"))
    start = time.perf_counter()
    counts = generate(args.n, args.out, date(year, mon, 1), args.seed)
    took = time.perf_counter() - start
    size = args.out.stat().st_size / 1e6
    rows = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"{args.out}: {size:.1f} MB in {took:.1f} s ({rows})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
