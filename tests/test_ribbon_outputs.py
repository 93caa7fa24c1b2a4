"""The ribbon's 刷新 produces what `huikuan refresh` produces (issue 14, item 4).

The same input tables, refreshed twice: by the command into a real .xlsx, and by the
ribbon macro through LiveBook on the xlwings stand-in (tests/xlwings_standin.py, which
does each xlwings call as Excel does — conditional-format formulas read from the active
cell, each new rule put first, a chart's series made per column). Then every output
sheet, its table, its conditional formats (type, operator, stored formulas, cells,
colours, priority) and the Dashboard's charts (type, title, series names, category and
value ranges, value-axis format, top-left cell, size) are held against each other. The
file is read back with openpyxl's public API and the chart parts' XML.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from defusedxml import ElementTree
from openpyxl.utils.cell import column_index_from_string, range_boundaries

import xlwings_standin as xs
from books import sample_tabs, table_rows, write_book
from huikuan import contract, jobs, macros

AS_OF = date(2026, 11, 23)
OUTPUTS = [t.name for t in contract.OUTPUT_TABLES]
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
EMU_PER_POINT = 12700


@pytest.fixture(scope="module", params=["zh", "en"])
def both(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(the stand-in book after 刷新, the file after huikuan refresh), from the same tables."""
    lang = request.param
    book = xs.book_from_tabs(sample_tabs(lang, bad=True))
    macros.refresh(book, AS_OF)
    (prompt, _, mode), *_ = book.app.alerts
    assert mode == "info", prompt
    path = write_book(tmp_path_factory.mktemp(lang) / "team.xlsx", sample_tabs(lang, bad=True))
    jobs.refresh(path, AS_OF)
    return book, path


# ---- the file, read back ---------------------------------------------------------------------


def cells_of(sqref: str) -> set[tuple[int, int]]:
    out = set()
    for part in sqref.replace("$", "").replace(",", " ").split():
        c1, r1, c2, r2 = range_boundaries(part if ":" in part else f"{part}:{part}")
        out |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return out


def rgb(color: Any) -> str | None:
    return None if color is None or color.rgb is None else str(color.rgb)[-6:].upper()


def file_rules(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """Each conditional format of the sheet, by priority: what Excel keeps of it."""
    wb = openpyxl.load_workbook(path)
    found = []
    for cf in wb[sheet].conditional_formatting:
        for rule in cf.rules:
            dxf = rule.dxf
            fill = dxf.fill if dxf is not None else None
            fill_color = None
            if fill is not None:
                fill_color = rgb(fill.bgColor) or rgb(fill.fgColor)
            font = dxf.font if dxf is not None else None
            found.append(
                (
                    rule.priority,
                    cells_of(str(cf.sqref)),
                    rule.type,
                    rule.operator or "",
                    tuple(rule.formula),
                    fill_color,
                    rgb(font.color) if font is not None else None,
                    bool(font is not None and font.b),
                    bool(rule.stopIfTrue),
                )
            )
    return [r[1:] for r in sorted(found, key=lambda r: r[0])]


def live_rules(book: xs.Book, sheet: str) -> list[tuple[Any, ...]]:
    return [
        (
            frozenset(r.cells),
            r.kind,
            r.operator,
            r.formulas,
            r.fill_color,
            r.font_color,
            r.bold,
            r.stop,
        )
        for r in book.sheet(sheet).rules
    ]


def relations(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    root = ElementTree.fromstring(z.read(posixpath.join(folder, "_rels", name + ".rels")))
    out = {}
    for rel in root.iter(REL):
        target = rel.get("Target")
        absolute = target[1:] if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id")] = posixpath.normpath(absolute)
    return out


def absolute(ref: str, sheet: str) -> str:
    """'Dashboard'!C1 / Dashboard!$C$1 → 'Dashboard'!$C$1 (one spelling to compare)."""
    where, cells = ref.rsplit("!", 1)
    assert where.strip("'") == sheet, ref
    parts = []
    for cell in cells.replace("$", "").split(":"):
        letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()
        parts.append(f"${letters}${digits}")
    return f"'{sheet}'!" + ":".join(parts)


def file_charts(path: Path, sheet: str, headers: list[str]) -> list[dict[str, Any]]:
    """The sheet's charts in drawing order: what a chart is, where, and over which cells."""
    with zipfile.ZipFile(path) as z:
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(s.get(R_ID) for s in wb.iter(f"{MAIN}sheet") if s.get("name") == sheet)
        part = relations(z, "xl/workbook.xml")[rid]
        drawing = next(t for t in relations(z, part).values() if "/drawings/" in t)
        targets = relations(z, drawing)
        charts = []
        for anchor in ElementTree.fromstring(z.read(drawing)):
            frm, ext = anchor.find(f"{XDR}from"), anchor.find(f"{XDR}ext")
            rel = next(e.get(R_ID) for e in anchor.iter(f"{C}chart"))
            root = ElementTree.fromstring(z.read(targets[rel]))
            plot = root.find(f"{C}chart/{C}plotArea")
            bar = plot.find(f"{C}barChart")
            series = []
            for ser in plot.iter(f"{C}ser"):
                name_ref = ser.find(f"{C}tx/{C}strRef/{C}f").text
                letters = re.search(r"!\$?([A-Z]+)\$?\d+$", name_ref)[1]
                series.append(
                    (
                        headers[column_index_from_string(letters) - 1],
                        absolute(ser.find(f"{C}cat//{C}f").text, sheet),
                        absolute(ser.find(f"{C}val//{C}f").text, sheet),
                    )
                )
            fmt = plot.find(f"{C}valAx/{C}numFmt")
            charts.append(
                {
                    "type": (
                        bar.find(f"{C}barDir").get("val"),
                        bar.find(f"{C}grouping").get("val"),
                    ),
                    "title": "".join(t.text or "" for t in root.iter(f"{A}t")),
                    "series": series,
                    "number_format": None if fmt is None else fmt.get("formatCode"),
                    "cell": (
                        int(frm.find(f"{XDR}row").text) + 1,
                        int(frm.find(f"{XDR}col").text) + 1,
                    ),
                    "size": (
                        round(int(ext.get("cx")) / EMU_PER_POINT, 1),
                        round(int(ext.get("cy")) / EMU_PER_POINT, 1),
                    ),
                }
            )
        return charts


def live_charts(book: xs.Book, sheet: str) -> list[dict[str, Any]]:
    return [
        {
            "type": xs.CHART_TYPES[c.chart_type],
            "title": c.title,
            "series": [(s.name, s.categories, s.values) for s in c.series],
            "number_format": c.value_axis.number_format,
            "cell": (c.anchor.row, c.anchor.column),
            "size": (round(c.width, 1), round(c.height, 1)),
        }
        for c in book.sheet(sheet).charts
    ]


# ---- held against each other -----------------------------------------------------------------


def test_the_same_sheets_and_tables(both: tuple[xs.Book, Path]):
    book, path = both
    names = [s.name for s in book.sheets]
    assert names == openpyxl.load_workbook(path, read_only=True).sheetnames
    for name in OUTPUTS:
        sheet, headers, rows = xs.table_values(book, name)
        want_sheet, want_headers, want_rows = table_rows(path, name)
        assert (sheet, headers, len(rows)) == (want_sheet, want_headers, len(want_rows)), name


@pytest.mark.parametrize("sheet", OUTPUTS)
def test_the_same_conditional_formats(both: tuple[xs.Book, Path], sheet: str):
    book, path = both
    want = file_rules(path, sheet)
    assert live_rules(book, sheet) == want
    if sheet in ("Status", "Diagnosis"):
        assert want, f"{sheet} has conditional formats in the file"


def test_the_same_dashboard_charts(both: tuple[xs.Book, Path]):
    book, path = both
    _, headers, _ = xs.table_values(book, "Dashboard")
    want = file_charts(path, "Dashboard", headers)
    assert len(want) == 4
    assert live_charts(book, "Dashboard") == want


def test_a_second_refresh_replaces_rather_than_adds(both: tuple[xs.Book, Path]):
    book, _ = both
    rules = {name: live_rules(book, name) for name in OUTPUTS}
    charts = live_charts(book, "Dashboard")
    macros.refresh(book, AS_OF)
    assert {name: live_rules(book, name) for name in OUTPUTS} == rules
    assert live_charts(book, "Dashboard") == charts


def test_the_users_place_is_put_back(both: tuple[xs.Book, Path]):
    book, _ = both
    first = book.sheets[0]
    first.activate()
    first.range((5, 3)).select()
    macros.refresh(book, AS_OF)
    assert book.sheets.active is first and (book.selection.row, book.selection.column) == (5, 3)


def test_the_stand_in_reads_a_rule_formula_from_the_active_cell_as_excel_does():
    """Without selecting the rule's first cell, `$E2` typed while A1 is active is stored
    one row down: the behaviour the ribbon's select-then-add guards against."""
    book = xs.Book()
    sheet = book.sheets.add("S")
    sheet.activate()
    sheet.range("E2:E9").conditional_formats.add_custom('=$E2="yes"', fill_color="#FFC7CE")
    assert sheet.rules[0].formulas == ('$E3="yes"',)
    sheet.range("E2").select()
    sheet.range("E2:E9").conditional_formats.add_custom('=$E2="yes"', fill_color="#FFC7CE")
    assert sheet.rules[0].formulas == ('$E2="yes"',)  # first: the newest rule


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dashboard_charts_list_their_series_in_sheet_order(lang: str):
    """Excel makes a live chart's series in sheet order; listed so, the ribbon's charts
    and the file's have their series in the same order."""
    from huikuan.workbook.outputs import dashboard_charts

    keys = [c.key for c in contract.DASHBOARD.columns]
    for spec in dashboard_charts(lang):
        assert list(spec.values) == sorted(spec.values, key=keys.index), spec.title
