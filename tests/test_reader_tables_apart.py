"""The fast ways of reading agree with the plain ones, on real workbooks.

read_book reads a file's headers first (FileTables.heading) and then its tables'
cells one table at a time, letting each go once its records are made; a source
without `heading` has every table read whole first. A column's distinct values
are parsed in one loop (ColumnParser.outcomes); the plain way calls the parser
on each cell.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.table import Table

from books import HEADERS, Tab, sample_tabs, write_book
from huikuan import contract
from huikuan.contract import Kind
from huikuan.model import Book, Problem
from huikuan.values import BadValue
from huikuan.workbook.files import FileTables
from huikuan.workbook.reader import _BAD, _BLANK, Parsers, RawTable, read_book

ROOT = Path(__file__).resolve().parent.parent


class Whole:
    """A source with tables only (as a live book or memory): every table read whole."""

    def __init__(self, path: Path) -> None:
        self.tables = FileTables(path)

    def table(self, name: str) -> RawTable | None:
        return self.tables.table(name)


def both_ways(path: Path) -> tuple[tuple[Book, list[Problem]], tuple[Book, list[Problem]]]:
    return read_book(FileTables(path)), read_book(Whole(path))


def test_a_generated_team_book_reads_the_same_table_by_table(tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "300", str(path)],
        check=True,
        capture_output=True,
    )
    (apart, apart_problems), (whole, whole_problems) = both_ways(path)
    assert len(apart.customers) == 300 and len(apart.receipts) > 300
    assert apart == whole
    assert apart_problems == whole_problems


def _receipts_beside_customers(wb: Workbook) -> None:
    """The Receipts table moved onto the Customers sheet (two tables on one sheet), with a
    stray value just below it."""
    del wb["Receipts"]
    ws = wb["Customers"]
    rows = [HEADERS["en"]["Receipts"], ["2026-11-12", "C1", 50000, "R-1"], ["x", "C9", 5, "R-2"]]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=11):
            ws.cell(r, c, value)
    ws.add_table(Table(displayName="Receipts", ref="K1:N3"))
    ws["L5"] = "a stray value"


def test_bad_cells_two_tables_on_a_sheet_and_values_nearby_read_the_same(
    tmp_path: Path,
) -> None:
    tabs = sample_tabs("en", bad=True)
    tabs[1] = Tab("Plan", tabs[1].headers, tabs[1].rows, extra={"B9": "below the plan"})
    path = write_book(tmp_path / "book.xlsx", tabs, _receipts_beside_customers)
    (apart, apart_problems), (whole, whole_problems) = both_ways(path)
    assert apart == whole
    assert apart_problems == whole_problems
    assert [r.reference for r in apart.receipts] == ["R-1"]
    where = {p.where for p in apart_problems}
    assert {"Customers!K3", "Customers!L5", "Plan!B9"} <= where  # bad date, strays


# a column's raw values as people type them and calamine reads them
MESSY: list[Any] = [
    None,
    "",
    "   ",
    "\u3000",
    "C1",
    " C1 ",
    "Ｃ１",
    "1001",
    1001,
    1001.0,
    12.5,
    0,
    -3,
    "12.5万",
    "十二万",
    "¥1,000",
    "2026-11-05",
    "2026年11月",
    "2026/13/40",
    date(2026, 11, 5),
    datetime(2026, 11, 5, 9, 30),
    46000,
    "yes",
    "是",
    "否",
    "Y",
    True,
    False,
    "A",
    "b",
    "Visit",
    "电话",
    "3天",
    "20%",
    float("nan"),
    "not a value",
]


@pytest.mark.parametrize(
    "column",
    [
        contract.CUSTOMERS.column("customer_id"),
        contract.CUSTOMERS.column("credit_grade"),
        contract.CUSTOMERS.column("key_account"),
        contract.PLAN.column("month"),
        contract.PLAN.column("target"),
        contract.RECEIPTS.column("date"),
        contract.FOLLOWUPS.column("channel"),
        contract.POLICY.column("grace"),
    ],
    ids=lambda col: f"{col.kind.value}-{col.key}",
)
def test_distinct_values_parse_as_each_cell_would(column: contract.Column) -> None:
    values = [v for v in MESSY if v is not True and v is not False]  # (True == 1 in a dict)
    if column.kind is Kind.YESNO:
        values = [v for v in MESSY if not isinstance(v, (int, float)) or isinstance(v, bool)]
    parse = Parsers()(column)
    fast, blank, bad = Parsers()(column).outcomes(dict.fromkeys(values))

    def plain(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return _BLANK
        try:
            return parse(value)
        except BadValue:
            return _BAD

    for value in values:
        got, want = fast[value], plain(value)
        assert got is want if want is _BLANK or want is _BAD else got == want, value
        assert type(got) is type(want), value
    assert blank and any(v is _BLANK for v in fast.values())
    assert bad is any(v is _BAD for v in fast.values()) is (column.kind is not Kind.TEXT)
    if column.kind is Kind.AMOUNT:
        assert fast["12.5万"] == Decimal(125000)
