"""Rows of an existing table written in place (workbook/rowedit.py, rowparts.py) and
split's privacy rule on parts a split must not carry (workbook/privacy.py)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from books import Tab, huikuan, rezip, write_book
from huikuan.errors import Unusable
from huikuan.workbook.package_writer import write_package
from huikuan.workbook.privacy import Private
from huikuan.workbook.rowedit import TableRows

HEADERS = ["ID", "Name", "Amount"]
ROWS = [["ID-1", "Ann", 10], ["ID-2", "Bob", 20], ["ID-3", "Cat", 30], ["ID-4", "Dan", 40]]


def book(tmp: Path, below: dict[str, object] | None = None) -> Path:
    """A table T on sheet S (A1:C5) with a drop-down on Name and a comment on each ID."""

    def more(wb: openpyxl.Workbook) -> None:
        ws = wb["S"]
        check = DataValidation(type="list", formula1='"Ann,Bob,Cat,Dan,Eve"')
        check.add("B2:B5")
        ws.add_data_validation(check)
        for row in range(2, 6):
            ws.cell(row, 1).comment = Comment(f"about {ws.cell(row, 2).value}", "me")
        ws["E3"] = "beside Bob"
        for coord, value in (below or {}).items():
            ws[coord] = value

    return write_book(tmp / "t.xlsx", [Tab("T", HEADERS, ROWS, sheet="S")], more)


def values(path: Path) -> list[list[object]]:
    return (
        pc.CalamineWorkbook.from_path(str(path), load_tables=True)
        .get_table_by_name("T")
        .to_python()
    )


def stored(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_appended_rows_grow_the_table_its_filter_and_its_drop_down(tmp_path: Path) -> None:
    path = book(tmp_path)
    before = stored(path)
    new = [{0: "ID-5", 1: "Eve", 2: 50}, {0: "ID-6", 1: "Fay <&>", 2: 60.5}]
    write_package(path, path, rows=[TableRows("T", [2, 3, 4, 5, *new])])
    assert values(path) == [*ROWS, ["ID-5", "Eve", 50.0], ["ID-6", "Fay <&>", 60.5]]
    wb = openpyxl.load_workbook(path)
    ws = wb["S"]
    assert ws.tables["T"].ref == "A1:C7" and ws.tables["T"].autoFilter.ref == "A1:C7"
    assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["B2:B7"]
    assert ws["E3"].value == "beside Bob"
    assert [ws.cell(r, 1).comment.text for r in range(2, 6)] == [f"about {n}" for _, n, _ in ROWS]
    after = stored(path)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {"xl/worksheets/sheet1.xml", "xl/tables/table1.xml"}


def test_a_row_below_in_the_way_refuses_and_writes_nothing(tmp_path: Path) -> None:
    path = book(tmp_path, below={"B7": "someone's note"})
    before = path.read_bytes()
    rows = [2, 3, 4, 5, {0: "E5"}, {0: "F6"}]
    with pytest.raises(Unusable, match="B7") as caught:
        write_package(path, path, rows=[TableRows("T", rows)])
    assert "B7" in caught.value.zh
    assert path.read_bytes() == before


def test_removed_rows_take_their_comments_and_kept_ones_move_with_theirs(tmp_path: Path) -> None:
    path = book(tmp_path, below={"E4": "beside Cat"})
    write_package(path, path, rows=[TableRows("T", [3, 5], drop_unlisted=True)])
    assert values(path) == [ROWS[1], ROWS[3]]
    ws = openpyxl.load_workbook(path)["S"]
    assert ws.tables["T"].ref == "A1:C3"
    assert ws["A2"].comment.text == "about Bob" and ws["A3"].comment.text == "about Dan"
    assert ws["A4"].comment is None and ws["A5"].comment is None
    # cells beside the table stay where they are; beside a removed row they go
    assert ws["E3"].value == "beside Bob" and ws["E4"].value is None
    vml = next(v for n, v in stored(path).items() if n.endswith(".vml"))
    assert sorted(int(r) for r in re.findall(rb"<(?:\w+:)?Row>(\d+)</(?:\w+:)?Row>", vml)) == [1, 2]
    assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["B2:B3"]


def test_new_columns_get_their_header_and_the_table_widens(tmp_path: Path) -> None:
    path = book(tmp_path)
    write_package(path, path, rows=[TableRows("T", [2, 3, 4, 5, {3: "late"}], ("Note",))])
    wb = openpyxl.load_workbook(path)
    table = wb["S"].tables["T"]
    assert table.ref == "A1:D6"
    assert [c.name for c in table.tableColumns] == [*HEADERS, "Note"]
    assert [row[3] for row in values(path)] == ["", "", "", "", "late"]


def test_a_table_with_a_totals_row_is_refused(tmp_path: Path) -> None:
    path = book(tmp_path)

    def change(name: str, data: bytes) -> bytes:
        return (
            data.replace(b"<table ", b'<table totalsRowCount="1" ') if "tables/" in name else data
        )

    odd = rezip(path, tmp_path / "totals.xlsx", change)
    with pytest.raises(Unusable, match="totals row"):
        write_package(odd, odd, rows=[TableRows("T", [2])])


# ---- privacy -------------------------------------------------------------------------------

CACHE = b'<strCache><ptCount val="1"/><pt idx="0"><v>Cat</v></pt></strCache>'


def test_parts_holding_other_peoples_words_are_rewritten_or_dropped(tmp_path: Path) -> None:
    """A chart's cache is emptied, a pivot cache and document properties holding the
    words are dropped with what points at them, a sheet using them goes; the rest is kept."""

    def more(wb: openpyxl.Workbook) -> None:
        wb.create_sheet("Other")["A1"] = "Cat owes us"
        mine = wb.create_sheet("Mine")
        mine["A1"] = "fine"
        chart = BarChart()
        chart.add_data(Reference(wb["S"], min_col=3, min_row=1, max_row=5), titles_from_data=True)
        mine.add_chart(chart, "C3")
        wb.properties.title = "Report on Cat"

    path = write_book(tmp_path / "t.xlsx", [Tab("T", HEADERS, ROWS, sheet="S")], more)

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/charts/chart1.xml":  # a cache naming Cat, as Excel keeps one
            assert b"</f>" in data
            return data.replace(b"</f>", b"</f>" + CACHE, 1)
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType='
                b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                b'pivotCacheDefinition+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdPC" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/pivotCacheDefinition" '
                b'Target="pivotCache/pivotCacheDefinition1.xml"/></Relationships>',
            )
        if name == "xl/workbook.xml":
            return data.replace(
                b"</workbook>",
                b'<pivotCaches><pivotCache cacheId="1" r:id="rIdPC"/></pivotCaches></workbook>',
            )
        return data

    pivot = (
        b'<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        b'main"><cacheFields count="1"><cacheField name="Name"><sharedItems>'
        b'<s v="Cat"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>'
    )
    leaky = rezip(
        path,
        tmp_path / "leaky.xlsx",
        change,
        add={"xl/pivotCache/pivotCacheDefinition1.xml": pivot},
    )
    before = stored(leaky)
    rep = tmp_path / "rep.xlsx"
    written = write_package(
        leaky,
        rep,
        rows=[TableRows("T", [2, 3], drop_unlisted=True)],
        private=Private(frozenset({"Cat", "ID-3"})),
    )
    got = stored(rep)
    for name, data in got.items():
        assert b"Cat" not in data and b"ID-3" not in data, name
    assert "xl/pivotCache/pivotCacheDefinition1.xml" not in got
    assert b"pivotCache" not in got["xl/workbook.xml"]
    assert "docProps/core.xml" not in got
    assert b"core-properties" not in got["_rels/.rels"]
    chart = got["xl/charts/chart1.xml"]
    assert b"<f>" in chart and b"strCache" not in chart  # the chart stays, its cache gone
    wb = openpyxl.load_workbook(rep)
    assert "Other" not in wb.sheetnames and "Mine" in wb.sheetnames
    mine = [n for n in got if n.startswith("xl/worksheets/sheet") and got[n] == before.get(n)]
    assert mine  # Mine's sheet copied as stored
    dropped = " ".join(en for en, _ in written.dropped)
    assert "sheet Other" in dropped and "pivotCacheDefinition1" in dropped
    assert values(rep) == ROWS[:2]
    assert huikuan("check", rep).returncode in (0, 1, 2)  # opens without a traceback


def test_shared_strings_of_removed_rows_are_emptied(tmp_path: Path) -> None:
    """XlsxWriter (as Excel) keeps text in shared strings: a removed row's strings are
    emptied, the indices kept, so a sheet copied as stored still reads right."""
    import xlsxwriter

    path = tmp_path / "sst.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.add_table(
        0, 0, len(ROWS), 2, {"name": "T", "data": ROWS, "columns": [{"header": h} for h in HEADERS]}
    )
    wb.add_worksheet("Mine").write("A1", "Ann's notes")
    wb.close()
    with zipfile.ZipFile(path) as zf:
        sst = zf.read("xl/sharedStrings.xml")
    assert b"Cat" in sst
    out = tmp_path / "rep.xlsx"
    write_package(
        path,
        out,
        rows=[TableRows("T", [2, 3], drop_unlisted=True)],
        private=Private(frozenset({"Cat", "ID-3", "Dan", "ID-4"})),
    )
    got = stored(out)
    for name, data in got.items():
        assert b"Cat" not in data and b"Dan" not in data, name
    assert got["xl/sharedStrings.xml"].count(b"<si>") == sst.count(b"<si>")
    assert got["xl/worksheets/sheet2.xml"] == stored(path)["xl/worksheets/sheet2.xml"]
    mine = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Mine").to_python()
    assert mine[0][0] == "Ann's notes"
    assert values(out) == ROWS[:2]


def test_untouched_tables_elsewhere_are_kept_by_a_table_edit(tmp_path: Path) -> None:
    def more(wb: openpyxl.Workbook) -> None:
        ws = wb.create_sheet("Mine")
        ws.append(["k", "v"])
        ws.append(["x", 1])
        ws.add_table(Table(displayName="MyTable", ref="A1:B2"))

    path = write_book(tmp_path / "t.xlsx", [Tab("T", HEADERS, ROWS, sheet="S")], more)
    before = stored(path)
    write_package(path, path, rows=[TableRows("T", [2, {0: "Z9"}])])
    after = stored(path)
    assert {n for n in before if before[n] != after[n]} == {
        "xl/worksheets/sheet1.xml",
        "xl/tables/table1.xml",
    }
