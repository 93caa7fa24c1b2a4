"""The output sheets' fast paths write what the cell-by-cell definitions write.

Rows of cell values are built a column at a time through memos (outputs._rows) and
their XML a chunk and a column at a time through memos of cell XML (sheetxml.rows_xml).
Here, on real books (the demo team in both languages, a generated team workbook read
from its file) and on a table of awkward values, every row is compared with
Cells.cell applied cell by cell, and every converted column with each of its
values converted alone. Column and bar charts written by chartxml are compared
with the same charts serialised by openpyxl (canonical XML).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from huikuan import contract
from huikuan.contract import Kind
from huikuan.demo import demo_book
from huikuan.engine.analysis import analyse_all
from huikuan.jobs import load
from huikuan.model import Book
from huikuan.values import negative_zero
from huikuan.workbook import outputs
from huikuan.workbook.chartxml import written_here
from huikuan.workbook.outputs import OutputTable, output_tables, reasons_text, schedule_table
from huikuan.workbook.reader import col_letter
from huikuan.workbook.sheetxml import (
    Cells,
    SheetStyles,
    drawing_parts,
    openpyxl_drawing_parts,
    rows_xml,
)

DAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent


def cell_by_cell(out: OutputTable, styles: SheetStyles, cells: Cells) -> bytes:
    """The sheet's rows as Cells.cell writes each cell (the definition)."""
    letters = [col_letter(i) for i in range(1, len(out.table.columns) + 1)]
    head = f' s="{styles.header}"' if styles.header else ""
    rows = [
        '<row r="1">'
        + "".join(
            f'<c r="{letter}1"{head} t="inlineStr">{cells.text(text)}</c>'
            for letter, text in zip(letters, out.headers, strict=True)
        )
        + "</row>"
    ]
    for number, row in enumerate(out.rows, start=2):
        xml = "".join(
            cells.cell(f"{letter}{number}", f' s="{s}"' if s else "", value)
            for letter, s, value in zip(letters, styles.columns, row, strict=True)
        )
        rows.append(f'<row r="{number}">{xml}</row>')
    return "".join(rows).encode()


def some_styles(out: OutputTable) -> SheetStyles:
    n = len(out.table.columns)
    return SheetStyles(1, tuple(i % 3 and i + 1 for i in range(n)), (0,) * len(out.rules))


def assert_same_xml(out: OutputTable, date1904: bool = False) -> None:
    styles = some_styles(out)
    fast = b"".join(rows_xml(out, styles, Cells(date1904)))
    slow = cell_by_cell(out, styles, Cells(date1904))
    assert fast == slow, out.name


@pytest.fixture(scope="module")
def generated_book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """A generated team workbook of 1,200 customers (Status and Forecast span two
    chunks of rows), written by benchmarks/generate.py and read back from the file."""
    path = tmp_path_factory.mktemp("team") / "team-1200.xlsx"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "1200", str(path)],
        check=True,
        capture_output=True,
    )
    book, problems = load(path)
    assert [p for p in problems if p.severity == "error"] == []
    return book


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_demo_sheet_is_written_as_cell_by_cell(lang: str) -> None:
    book = dataclasses.replace(demo_book(), lang=lang)
    tables = output_tables(analyse_all(book, DAY), [], lang, DAY)
    assert sum(len(t.rows) for t in tables) > 100
    for out in tables:
        assert_same_xml(out)
        assert_same_xml(out, date1904=True)


def test_every_sheet_of_a_generated_team_is_written_as_cell_by_cell(generated_book: Book) -> None:
    tables = output_tables(analyse_all(generated_book, DAY), [], generated_book.lang, DAY)
    assert max(len(t.rows) for t in tables) > 1000  # more than one chunk
    for out in tables:
        assert_same_xml(out)


class Colour(str, Enum):
    RED = "red"  # equal to "red", but str() of it is "Colour.RED"


def awkward_rows() -> list[tuple[Any, ...]]:
    """Five columns of values a memo by value could confuse, over three chunks."""
    rows: list[tuple[Any, ...]] = []
    for i in range(2600):
        chunk = i // 1000
        amount = Decimal(i % 40) / 4  # 0, 0.25, 0.5, …: rounded below or not
        if chunk == 0:
            amount = amount.quantize(Decimal("0.01"))
        elif chunk == 1 and i % 97 == 0:
            amount = Decimal("-0.00")  # equal to 0.00 met in chunk 0
        ratio = [0.5, 0.0, -0.0, float("nan"), float("inf"), i / 7, None][i % 7]
        if chunk == 2 and i % 5 == 0:
            ratio = i  # an int among the floats: equal to a float met before
        text = [
            "plain",
            "_x0041_ looks escaped",
            " spaced ",
            "a & b < c",
            "line\rreturn",
            "\x0b",
            "",
            None,
            f"名字{i % 13}",
            "x" * 33_000,
        ][i % 10]
        if chunk == 2 and i % 11 == 0:
            text = Colour.RED
        day = [date(2026, 11, 1), datetime(2026, 11, 1, 12, 30), date(1899, 1, 1), None][i % 4]
        flag = [True, False, 1, 0, None][i % 5] if chunk else [True, False][i % 2]
        rows.append((amount, ratio, text, day, flag))
    return rows


def test_awkward_values_are_written_as_cell_by_cell() -> None:
    table = contract.Table(
        "Awkward",
        "Awkward",
        tuple(
            contract.Column(key, key, key, kind=kind)
            for key, kind in (
                ("amount", Kind.AMOUNT),
                ("ratio", Kind.RATIO),
                ("text", Kind.TEXT),
                ("day", Kind.DATE),
                ("flag", Kind.TEXT),
            )
        ),
    )
    out = OutputTable(table, "en", tuple(awkward_rows()))
    assert_same_xml(out)
    assert_same_xml(out, date1904=True)
    xml = b"".join(rows_xml(out, some_styles(out), Cells()))
    assert b"<v>-0.00</v>" in xml and b"<v>-0.0</v>" in xml  # the signs kept
    assert b"Colour.RED" in xml


def test_a_column_converted_whole_is_each_value_converted_alone() -> None:
    """The memos of outputs._converter (amounts, ratios, yes/no, choices) give each
    value what it gives that value alone, negative zeros and exponents included."""
    amounts = [Decimal("0"), Decimal("-0"), Decimal("-0.001"), Decimal("1.5"), Decimal("1.50")]
    amounts += [Decimal("1.005"), Decimal("-1.005"), None, Decimal("0E+3"), Decimal("12345.678")]
    values = {
        Kind.AMOUNT: amounts,
        Kind.RATIO: [Decimal("0.5"), Decimal("-0"), 0.5, 1, None, Decimal(1) / 3],
        Kind.YESNO: [True, False, 1, 0, None, "yes", ""],
        Kind.CHOICE: ["broken", "kept", "unknown", None],
    }
    for lang in ("zh", "en"):
        for col in contract.STATUS.columns:
            convert = outputs._converter(col, lang)
            if convert is None or col.kind not in values:
                continue
            column = values[col.kind] * 2
            alone = [convert([v])[0] for v in column]
            whole = convert(list(column))
            assert [(type(v), str(v)) for v in whole] == [(type(v), str(v)) for v in alone]


def test_schedule_reasons_are_reasons_text(generated_book: Book) -> None:
    found = analyse_all(generated_book, DAY)
    for lang in ("zh", "en"):
        out = schedule_table(found.actions, lang)
        column = [c.key for c in out.table.columns].index("reason")
        written = [row[column] for row in out.rows]
        assert written == [reasons_text(a.reasons, lang) for a in found.actions]
        assert any("；" in text or "; " in text for text in written)  # days of two reasons


def test_negative_zero() -> None:
    assert negative_zero([Decimal("-0.00")])
    assert negative_zero([None, "text", 1, -0.0])
    assert negative_zero([Decimal("-0")])
    assert not negative_zero([Decimal("0.00"), 0, 0.0, False, None, "", date(2026, 1, 1)])
    assert not negative_zero([Decimal("-1"), -1.0, float("nan")])
    assert not negative_zero([])


def canonical(xml: bytes) -> str:
    return ElementTree.canonicalize(xml.decode())


def assert_same_charts(out: OutputTable) -> None:
    numbers = [7 + i for i in range(len(out.charts))]
    mine = drawing_parts(out, numbers)
    theirs = openpyxl_drawing_parts(out, numbers)
    assert canonical(mine[0]) == canonical(theirs[0])
    assert canonical(mine[1]) == canonical(theirs[1])
    assert [canonical(c) for c in mine[2]] == [canonical(c) for c in theirs[2]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_charts_are_the_charts_openpyxl_writes(lang: str, generated_book: Book) -> None:
    for book in (dataclasses.replace(demo_book(), lang=lang), generated_book):
        (dashboard,) = [t for t in output_tables(analyse_all(book, DAY), [], lang, DAY) if t.charts]
        assert all(map(written_here, dashboard.charts))
        assert_same_charts(dashboard)
        # one rep: the team row is the only other, and is left out only when there are others
        one = dataclasses.replace(dashboard, rows=dashboard.rows[:1])
        assert_same_charts(one)
        assert_same_charts(dataclasses.replace(dashboard, rows=()))


def test_charts_of_awkward_names_and_titles_are_the_charts_openpyxl_writes() -> None:
    table = contract.Table(
        "Bob's & <Co>",
        "Bob's & <Co>",
        tuple(
            contract.Column(key, key, key, kind=Kind.AMOUNT if key != "who" else Kind.TEXT)
            for key in ("who", "a", "b", "c")
        ),
    )
    rows = tuple((f"r{i}", Decimal(i), Decimal(2 * i), Decimal(3)) for i in range(40))
    charts = (
        outputs.ChartSpec("bar", "A & B < C > D", "who", ("a", "c")),
        outputs.ChartSpec(
            "column", "two\nlines", "who", ("b",), stacked=True, number_format='0.0" ¥"'
        ),
        outputs.ChartSpec("column", "anchored", "who", ("a", "b", "c"), anchor="Z3", width=9.3),
        outputs.ChartSpec("column", "last", "who", ("c",), without_total=True, height=4.2),
        outputs.ChartSpec("bar", "Ω", "who", ("a",), anchor="ab7"),
    )
    out = OutputTable(table, "en", rows, charts=charts)
    assert all(map(written_here, out.charts))
    assert_same_charts(out)
    others = (
        outputs.ChartSpec("line", "a line", "who", ("a",)),
        outputs.ChartSpec("column", "with an axis title", "who", ("a",), y_title="yuan"),
    )
    for other in others:
        assert not written_here(other)
        mixed = dataclasses.replace(out, charts=(charts[0], other))
        assert drawing_parts(mixed, [1, 2]) == openpyxl_drawing_parts(mixed, [1, 2])
