"""The workbook interface: the same cases through a file and through the open book.

"file" is FileBook on a real .xlsx (calamine reads, openpyxl saves). "live" is
LiveBook — the code the ribbon runs inside Excel — on xlwings_standin: an
in-memory stand-in that implements only the xlwings calls LiveBook makes. It is
not Excel: what the real Excel does with those calls is not tested here (see
README, "Use it in Excel").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import xlwings_standin as xs
from books import HEADERS, Tab, sample_tabs, table_rows, write_book
from huikuan import contract, jobs
from huikuan.errors import Unusable
from huikuan.workbook.book import FileBook, Workbook
from huikuan.workbook.live import LiveBook
from huikuan.workbook.outputs import OutputTable

AS_OF = date(2026, 11, 23)
OUTPUTS = tuple(t.name for t in contract.OUTPUT_TABLES)


class Kind:
    """Makes one implementation over some tables, then reads its output tables back."""

    def __init__(self, name: str, tmp: Path) -> None:
        self.name, self.tmp = name, tmp
        self.target: Any = None
        self.fake: xs.Book | None = None

    def open(self, tabs: Sequence[Tab]) -> Workbook:
        if self.name == "file":
            self.target = FileBook(write_book(self.tmp / "team.xlsx", tabs))
        else:
            self.fake = xs.book_from_tabs(tabs)
            self.target = LiveBook(self.fake)
        return self.target

    def commit(self) -> None:
        """The file is written at save(); the open book at each write()."""
        if self.name == "file":
            self.target.save()
            self.target = FileBook(self.target.dest)

    def read(self, name: str) -> tuple[str, list[Any], list[list[Any]]]:
        if self.name == "file":
            return table_rows(self.target.src, name)
        assert self.fake is not None
        return xs.table_values(self.fake, name)


@pytest.fixture(params=["file", "live"])
def kind(request: pytest.FixtureRequest, tmp_path: Path) -> Kind:
    return Kind(request.param, tmp_path)


def plain(value: Any) -> Any:
    """Cell values compared across the two: numbers as float, days as dates."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime):
        return value.date()
    return value


# ---- reading ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_sample_team_reads_into_the_same_records(kind: Kind, tmp_path: Path, lang: str):
    reference = jobs.check(write_book(tmp_path / "ref.xlsx", sample_tabs(lang, bad=True)))
    result = jobs.check_book(kind.open(sample_tabs(lang, bad=True)))
    assert result.book == reference.book
    assert result.problems == reference.problems
    assert len(result.book.plan) == 3 and result.book.lang == lang
    assert [(p.sheet, p.cell) for p in result.problems if p.is_error] == [
        ("Plan", "A5"),
        ("Commitments", "C5"),
        ("Receipts", "B5"),
    ]


def test_a_table_anywhere_on_a_renamed_sheet_is_found_by_its_name(kind: Kind):
    tabs = sample_tabs("zh", bad=True)
    tabs[1] = Tab("Plan", HEADERS["zh"]["Plan"], tabs[1].rows, sheet="十一月计划", at="C3")
    raw = kind.open(tabs).table("plan")
    assert raw is not None
    assert (raw.name, raw.sheet, raw.header_row, raw.first_col) == ("Plan", "十一月计划", 3, 3)
    problems = jobs.check_book(kind.target).problems
    assert ("十一月计划", "C7") in [(p.sheet, p.cell) for p in problems]  # 4th data row, 3rd column


def test_a_missing_table_is_none(kind: Kind):
    assert kind.open(sample_tabs()).table("Holidays") is None


# ---- writing ----------------------------------------------------------------------------


def test_refresh_writes_every_output_table_with_the_engines_numbers(kind: Kind):
    result = jobs.refresh_book(kind.open(sample_tabs("en", bad=True)), AS_OF)
    kind.commit()
    sheet, headers, rows = kind.read("Status")
    assert sheet == "Status"
    assert headers == [c.en for c in contract.STATUS.columns]
    assert len(rows) == len(result.rows) == 3
    by_id = {r[1]: r for r in rows}
    gap = headers.index("Gap")
    for row in result.rows:
        assert plain(by_id[row.customer.customer_id][gap]) == float(row.gap)
    assert by_id["C1"][headers.index("Promise")] == "partial"
    for name in OUTPUTS:
        assert kind.read(name)[0] == name
    assert len([r for r in kind.read("Problems")[2] if r[4] in ("error", "错误")]) == 3


def test_the_file_and_the_open_book_get_the_same_output_cells(tmp_path: Path):
    got = {}
    for name in ("file", "live"):
        kind = Kind(name, tmp_path / name)
        kind.tmp.mkdir()
        jobs.refresh_book(kind.open(sample_tabs("zh", bad=True)), AS_OF)
        kind.commit()
        got[name] = {
            t: [[plain(v) for v in row] for row in [kind.read(t)[1], *kind.read(t)[2]]]
            for t in OUTPUTS
        }
    assert got["live"] == got["file"]


def test_only_the_named_outputs_are_written(kind: Kind):
    target = kind.open(sample_tabs())
    jobs.refresh_book(target, AS_OF, outputs=("Schedule", "Problems"))
    kind.commit()
    assert kind.read("Schedule")[2]
    with pytest.raises(KeyError):
        kind.read("Status")


def test_a_second_write_replaces_the_table_and_leaves_no_stale_rows(kind: Kind):
    target = kind.open(sample_tabs("en", bad=True))
    jobs.refresh_book(target, AS_OF)
    kind.commit()
    assert len([r for r in kind.read("Problems")[2] if r[4] in ("error", "错误")]) == 3
    one = OutputTable(contract.PROBLEMS, "en", (("Plan", "A2", "x", "bad", "error"),))
    kind.target.write(one)
    kind.commit()
    assert kind.read("Problems")[2] == [["Plan", "A2", "x", "bad", "error"]]
    if kind.fake is not None:  # the cells below the shrunk table are empty too
        sheet = next(s for s in kind.fake.sheets if s.name == "Problems")
        assert max(r for r, _ in sheet.cells) == 2


def test_an_empty_output_keeps_one_blank_row(kind: Kind):
    kind.open(sample_tabs()).write(OutputTable(contract.PROBLEMS, "zh", ()))
    kind.commit()
    _, headers, rows = kind.read("Problems")
    assert headers == ["工作表", "单元格", "值", "问题", "级别"]
    assert rows == [[None, None, None, None, None]]


def test_a_users_sheet_named_like_an_output_is_never_overwritten(kind: Kind):
    tabs = [*sample_tabs(), Tab("Mine", ["note"], [["keep me"]], sheet="Status")]
    target = kind.open(tabs)
    with pytest.raises(Unusable, match="Status"):
        jobs.refresh_book(target, AS_OF)
        kind.commit()


def test_an_output_table_on_a_users_sheet_is_refused(kind: Kind):
    tabs = [*sample_tabs(), Tab("Status", ["note"], [["mine"]], sheet="Notes")]
    target = kind.open(tabs)
    with pytest.raises(Unusable, match="Notes"):
        jobs.refresh_book(target, AS_OF)
        kind.commit()


# ---- the open book only ------------------------------------------------------------------


def test_live_text_cells_stay_text_and_numbers_get_the_writers_formats():
    fake = xs.book_from_tabs(sample_tabs("zh"))
    rows = (
        ("Plan", "A2", "=1+1", "公式", "错误"),
        ("Plan", "A3", "007", "编号", "错误"),
        ("Plan", "A4", "1/2", "x", "错误"),
    )
    LiveBook(fake).write(OutputTable(contract.PROBLEMS, "zh", rows))
    assert [r[2] for r in xs.table_values(fake, "Problems")[2]] == ["=1+1", "007", "1/2"]
    jobs.refresh_book(LiveBook(fake), AS_OF, outputs=("Status",))
    sheet = next(s for s in fake.sheets if s.name == "Status")
    target = contract.STATUS.columns.index(contract.STATUS.column("target")) + 1
    coverage = contract.STATUS.columns.index(contract.STATUS.column("coverage")) + 1
    assert sheet.formats[2, target] == "¥#,##0.00"
    assert sheet.formats[2, coverage] == "0.0%"
    assert sheet.formats[2, 2] == "@"  # customer_id


def test_live_reads_skip_the_total_row_and_refuse_a_hidden_header():
    fake = xs.book_from_tabs(sample_tabs("en"))
    plan = next(t for s in fake.sheets for t in s.tables if t.name == "Plan")
    plan.show_totals = True
    area = plan.range
    plan.resize(area.resize(area.r2 - area.r1 + 2, area.c2 - area.c1 + 1))
    plan.sheet.cells[area.r2 + 1, 1] = "Total"
    raw = LiveBook(fake).table("Plan")
    assert raw is not None and len(raw.rows) == 3
    plan.show_headers = False
    with pytest.raises(Unusable, match="header row"):
        LiveBook(fake).table("Plan")


def test_live_reads_what_xlwings_hands_over():
    fake = xs.book_from_tabs(sample_tabs("en"))
    raw = LiveBook(fake).table("Commitments")
    assert raw is not None
    assert raw.rows[0] == ("C1", datetime(2026, 11, 10), 60000.0)
    assert raw.rows[1] == ("C1", "2026-11-25", "4万")
