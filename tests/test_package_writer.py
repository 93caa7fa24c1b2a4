"""The package writer: every byte of the user's workbook kept, outputs as the openpyxl path.

Real files from openpyxl, XlsxWriter and LibreOffice, and a macro workbook with a
ribbon, go through the real `huikuan refresh`; the results are read back with
openpyxl (warnings are errors in this suite), python-calamine and LibreOffice.
"""

from __future__ import annotations

import difflib
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc

import reference_writer as writer
from books import cells, huikuan, rezip, sample_book
from huikuan import contract
from huikuan.engine.analysis import analyse_all
from huikuan.errors import Unusable
from huikuan.jobs import load, output_tables
from huikuan.workbook import package_writer
from huikuan.workbook.outputs import (
    AMBER,
    GREEN,
    RED,
    ChartSpec,
    FormatRule,
    OutputTable,
)
from libreoffice import recalculate
from packages import RIBBON, RIBBON_REL, VBA, XLSM_TYPE, macro_book, openpyxl_book, xlsxwriter_book

AS_OF = "2026-11-23"
DAY = date(2026, 11, 23)
OURS = tuple(t.name for t in contract.OUTPUT_TABLES)
# parts the writer may edit (by splicing) rather than copy
INDEX = {
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "docProps/app.xml",
}


def entries(path: Path) -> dict[str, tuple[bytes, int]]:
    """Each zip entry's bytes and compression method, in order."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}


def stored(path: Path) -> dict[str, bytes]:
    """Each zip entry's stored (compressed) bytes, as they sit in the file."""
    out = {}
    with zipfile.ZipFile(path) as zf, path.open("rb") as f:
        for info in zf.infolist():
            f.seek(info.header_offset + 26)
            n, m = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            f.seek(info.header_offset + 30 + n + m)
            out[info.filename] = f.read(info.compress_size)
    return out


def output_parts(path: Path) -> set[str]:
    """The parts of huikuan's output sheets: each sheet, its rels and what they point to."""
    parts = set()
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        names = set(zf.namelist())
        for name in OURS:
            sheet = re.search(rf'<sheet [^>]*name="{name}"[^>]*/>', wb)
            if not sheet:
                continue
            rid = re.search(r'r:id="([^"]+)"', sheet.group()).group(1)
            rel = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*/>', rels).group()
            target = re.search(r'Target="([^"]+)"', rel).group(1)
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            queue = [part]
            while queue:
                part = queue.pop()
                parts.add(part)
                folder, base = part.rsplit("/", 1)
                rels_part = f"{folder}/_rels/{base}.rels"
                if rels_part in names:
                    parts.add(rels_part)
                    for t in re.findall(r'Target="([^"]+)"', zf.read(rels_part).decode()):
                        queue.append(t.lstrip("/") if t.startswith("/") else _join(folder, t))
    return parts


def _join(folder: str, target: str) -> str:
    parts = folder.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def assert_only_inserted(before: bytes, after: bytes, part: str) -> None:
    """`after` is `before` with things inserted, and counts updated (digits replaced)."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "insert"):
            continue
        old, new = before[i1:i2], after[j1:j2]
        assert tag == "replace" and old.isdigit() and new.isdigit(), (part, tag, old, new)


def assert_kept(before: dict[str, tuple[bytes, int]], after: dict[str, tuple[bytes, int]]) -> None:
    """Every entry not ours is there with the same bytes and method, in the same order."""
    for name, (data, method) in before.items():
        if name in INDEX or name.startswith(("xl/calcChain",)):
            continue
        assert name in after, f"{name} was dropped"
        assert after[name] == (data, method), f"{name} changed"
    kept = [n for n in after if n in before]
    assert kept == [n for n in before if n in after], "entries reordered"
    for name in INDEX & set(before):
        assert_only_inserted(before[name][0], after[name][0], name)
        assert after[name][1] == before[name][1]


def refresh(path: Path, *args: object) -> None:
    run = huikuan("refresh", path, "--as-of", AS_OF, *args)
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr


@pytest.fixture(scope="module")
def lo_books(tmp_path_factory: pytest.TempPathFactory, lo_profile: Path, soffice: str) -> Path:
    """openpyxl's and XlsxWriter's books re-saved by LibreOffice (converted once per module)."""
    folder = tmp_path_factory.mktemp("lo-books")
    made = [openpyxl_book(folder / "from-openpyxl.xlsx"), xlsxwriter_book(folder / "from-xw.xlsx")]
    for path in made:
        recalculate(path, folder / "lo", lo_profile, soffice)
    return folder / "lo"


MAKERS = {
    "openpyxl": lambda tmp: openpyxl_book(tmp / "book.xlsx"),
    "openpyxl-bad-rows": lambda tmp: openpyxl_book(tmp / "book.xlsx", "zh", bad=True),
    "xlsxwriter": lambda tmp: xlsxwriter_book(tmp / "book.xlsx"),
    "xlsm-with-ribbon": lambda tmp: macro_book(tmp / "book.xlsm"),
}


def test_the_books_have_what_they_claim(tmp_path: Path) -> None:
    names = set(entries(openpyxl_book(tmp_path / "a.xlsx")))
    assert {"xl/media/image1.png", "xl/charts/chart1.xml", "xl/comments/comment1.xml"} <= names
    names = set(entries(xlsxwriter_book(tmp_path / "b.xlsx")))
    assert {"xl/media/image1.png", "xl/charts/chart1.xml", "xl/sharedStrings.xml"} <= names
    names = set(entries(macro_book(tmp_path / "c.xlsm")))
    assert {"xl/vbaProject.bin", "customUI/customUI14.xml"} <= names


# ---- (1) nothing of the user's changes -----------------------------------------------


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_every_entry_not_ours_is_kept_byte_for_byte(tmp_path: Path, make: Any) -> None:
    path = make(tmp_path)
    before, before_stored, before_cells = entries(path), stored(path), cells(path)
    refresh(path)
    after, after_stored = entries(path), stored(path)
    assert_kept(before, after)
    for name in before:  # not even recompressed
        if name not in INDEX:
            assert after_stored[name] == before_stored[name], name
    assert set(after) - set(before) == output_parts(path)
    assert cells(path, skip=OURS) == before_cells
    assert openpyxl.load_workbook(path).sheetnames[-len(OURS) :] == list(OURS)


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["from-openpyxl.xlsx", "from-xw.xlsx"])
def test_libreoffice_saved_books_are_kept_byte_for_byte(
    tmp_path: Path, lo_books: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes((lo_books / name).read_bytes())
    assert b"LibreOffice" in entries(path)["docProps/app.xml"][0]
    before = entries(path)
    refresh(path)
    assert_kept(before, entries(path))
    refresh(path)  # LibreOffice's rels have Overrides of their own: still fine the second time
    assert_kept(before, entries(path))


def test_a_macro_workbook_keeps_its_vba_and_its_ribbon(tmp_path: Path) -> None:
    path = macro_book(tmp_path / "book.xlsm")
    refresh(path)
    after = entries(path)
    assert after["xl/vbaProject.bin"][0] == VBA
    assert after["customUI/customUI14.xml"][0] == RIBBON
    assert RIBBON_REL.encode() in after["_rels/.rels"][0]
    assert XLSM_TYPE in after["[Content_Types].xml"][0]
    assert b"vbaProject.bin" in after["xl/_rels/workbook.xml.rels"][0]


def test_index_parts_list_the_new_sheets(tmp_path: Path) -> None:
    """XlsxWriter's app.xml lists sheet titles: ours are added and the counts follow."""
    path = xlsxwriter_book(tmp_path / "book.xlsx")
    refresh(path)
    app = entries(path)["docProps/app.xml"][0].decode()
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", app)
    assert titles[0] == "Worksheets"
    count = int(re.search(r"<vt:i4>(\d+)</vt:i4>", app).group(1))
    assert titles[1:] == openpyxl.load_workbook(path).sheetnames
    assert count == len(titles) - 1
    assert f'<vt:vector size="{count}" baseType="lpstr">' in app


# ---- (2) the same content as the openpyxl path ---------------------------------------------


def content(path: Path) -> dict[str, Any]:
    """What a person sees: sheets in order, cell values and formats, tables, panes, rules."""
    wb = openpyxl.load_workbook(path)
    seen: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        grid = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                value = c.value
                if isinstance(value, float):
                    value = pytest.approx(value, rel=1e-15, abs=1e-15)
                grid[c.coordinate] = (value, c.number_format if c.value is not None else None)
        seen[ws.title] = {
            "cells": grid,
            "tables": {
                n: (
                    t.ref,
                    [c.name for c in t.tableColumns],
                    t.tableStyleInfo and t.tableStyleInfo.name,
                )
                for n, t in dict(ws.tables).items()
            },
        }
        if ws.title in OURS:
            seen[ws.title] |= {
                "header bold": [c.font.b for c in ws[1]],
                "freeze": ws.freeze_panes,
                "widths": {k: d.width for k, d in ws.column_dimensions.items()},
                "rules": sorted(
                    (
                        str(k.sqref),
                        r.type,
                        r.operator,
                        tuple(r.formula),
                        r.text,
                        r.dxf.font.color.rgb if r.dxf.font else None,
                        r.dxf.fill.fgColor.rgb if r.dxf.fill else None,
                    )
                    for k, rules in ws.conditional_formatting._cf_rules.items()
                    for r in rules
                ),
                "charts": [
                    (
                        type(ch).__name__,
                        ch.anchor._from.col,
                        ch.anchor._from.row,
                        [
                            (
                                s.val.numRef.f,
                                s.cat.numRef.f
                                if s.cat and s.cat.numRef
                                else s.cat.strRef.f
                                if s.cat
                                else None,
                            )
                            for s in ch.series
                        ],
                    )
                    for ch in ws._charts
                ],
            }
    return seen


def outputs_of(path: Path, extra: bool = False) -> list[OutputTable]:
    book, problems = load(path)
    # plain tables (no rules or charts: their counts below are the decorated Status's
    # alone; the Dashboard's own charts are tested in test_dashboard.py)
    tables = [
        OutputTable(t.table, t.lang, t.rows)
        for t in output_tables(analyse_all(book, DAY), problems, book.lang, DAY)
    ]
    if extra:
        tables[0] = decorated(tables[0])
    return tables


def decorated(status: OutputTable) -> OutputTable:
    """Status with the rules and charts issue #4 will add: what the writer must carry."""
    lang = status.lang

    def label(key: str) -> str:
        return contract.choice_label(contract.PROMISE_STATUSES, key, lang)

    rules = (
        FormatRule("containsText", RED, ("promise_status",), text=label("broken")),
        FormatRule("cellIs", AMBER, ("promise_status",), "equal", (f'"{label("partial")}"',)),
        FormatRule("expression", GREEN, (), formulas=(f'{{promise_status}}="{label("kept")}"',)),
        FormatRule("cellIs", RED, ("coverage",), "between", ("0", "0.5"), stop=True),
    )
    charts = (
        ChartSpec(
            "column",
            "目标与回款" if lang == "zh" else "Target and received",
            "customer_id",
            ("target", "committed", "received"),
        ),
        ChartSpec("bar", "Gap", "customer_id", ("contribution", "remaining_gap"), stacked=True),
        ChartSpec("line", "Coverage", "customer_id", ("coverage",), anchor="B40"),
        ChartSpec("pie", "Received", "customer_id", ("received",)),
    )
    return OutputTable(status.table, lang, status.rows, rules, charts)


def both_ways(path: Path, tmp: Path, extra: bool = False) -> tuple[Path, Path]:
    tables = outputs_of(path, extra)
    ours, reference = tmp / f"ours{path.suffix}", tmp / f"openpyxl{path.suffix}"
    package_writer.write_outputs(path, ours, tables)
    writer.write_outputs(path, reference, tables)
    return ours, reference


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    run = huikuan("demo", "-o", path, "--as-of", AS_OF, "--lang", "zh")
    assert run.returncode == 0, run.stderr
    return path


def test_the_demo_comes_out_as_the_openpyxl_path_makes_it(tmp_path: Path, demo: Path) -> None:
    ours, reference = both_ways(demo, tmp_path)
    assert content(ours) == content(reference)


def test_rules_and_charts_come_out_as_the_openpyxl_path_makes_them(
    tmp_path: Path, demo: Path
) -> None:
    ours, reference = both_ways(demo, tmp_path, extra=True)
    seen = content(ours)
    assert seen == content(reference)
    assert len(seen["Status"]["rules"]) == 4
    assert [c[0] for c in seen["Status"]["charts"]] == ["BarChart"] * 2 + ["LineChart", "PieChart"]
    assert seen["Status"]["charts"][0][3][0] == (
        f"'Status'!$G$2:$G${len(outputs_of(demo)[0].rows) + 1}",
        f"'Status'!$B$2:$B${len(outputs_of(demo)[0].rows) + 1}",
    )


@pytest.mark.libreoffice
def test_a_libreoffice_saved_demo_comes_out_as_the_openpyxl_path_makes_it(
    tmp_path: Path, demo: Path, lo_profile: Path, soffice: str
) -> None:
    resaved = recalculate(demo, tmp_path / "lo", lo_profile, soffice)
    ours, reference = both_ways(resaved, tmp_path)
    assert content(ours) == content(reference)


# ---- (3) LibreOffice opens the result ----------------------------------------------------------


def values(kind: contract.Kind, value: Any) -> Any:
    """A cell value as written, in the form a reader gives back."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return pytest.approx(float(value), abs=1e-9)
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-13)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return value


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_libreoffice_opens_the_result_and_reads_every_output_value(
    tmp_path: Path, lang: str, lo_profile: Path, soffice: str
) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx", lang, bad=True)
    tables = outputs_of(path, extra=True)
    package_writer.write_outputs(path, path, tables)
    converted = recalculate(path, tmp_path / "lo", lo_profile, soffice)
    wb = openpyxl.load_workbook(converted, data_only=True)
    book = pc.CalamineWorkbook.from_path(str(converted), load_tables=True)
    for out in tables:
        ws = wb[out.name]
        assert ws.tables[out.name].ref == f"A1:{ws.tables[out.name].ref.split(':')[1]}"
        grid = [[c.value for c in row] for row in ws[ws.tables[out.name].ref]]
        assert grid[0] == list(out.headers)
        want = [[values(k, v) for k, v in zip(out.kinds, row, strict=True)] for row in out.rows]
        assert grid[1 : 1 + len(out.rows)] == want
        assert book.get_table_by_name(out.name).columns == list(out.headers)
    assert any(n.startswith("xl/charts/chart") for n in entries(converted))
    rules = wb["Status"].conditional_formatting._cf_rules
    assert sum(len(r) for r in rules.values()) == 4


# ---- (4) refreshing again changes nothing ----------------------------------------------------


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_refreshing_twice_gives_the_same_bytes(tmp_path: Path, make: Any) -> None:
    path = make(tmp_path)
    styles = len(entries(path)["xl/styles.xml"][0])
    refresh(path)
    first, grown = path.read_bytes(), len(entries(path)["xl/styles.xml"][0])
    assert grown > styles
    refresh(path)
    assert path.read_bytes() == first


def test_a_decorated_sheet_refreshed_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    tables = outputs_of(path, extra=True)
    package_writer.write_outputs(path, path, tables)
    first = entries(path)
    package_writer.write_outputs(path, path, tables)
    assert entries(path) == first
    charts = [n for n in first if n.startswith("xl/charts/")]
    assert len(charts) == 1 + 4  # the user's one and the decorated Status's four


def test_a_stale_sheet_goes_with_its_table_drawing_and_charts(tmp_path: Path) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    plain = outputs_of(path)
    package_writer.write_outputs(path, path, outputs_of(path, extra=True))
    with_charts = entries(path)
    package_writer.write_outputs(path, path, plain)
    after = entries(path)
    gone = set(with_charts) - set(after)
    assert {n for n in gone if n.startswith("xl/charts/")} == {
        f"xl/charts/chart{i}.xml" for i in range(2, 6)
    }
    assert {n for n in gone if n.startswith("xl/drawings/")} == {
        "xl/drawings/drawing3.xml",
        "xl/drawings/_rels/drawing3.xml.rels",
    }
    types = after["[Content_Types].xml"][0].decode()
    for name in gone:
        assert f'PartName="/{name}"' not in types
    assert "xl/charts/chart1.xml" in after  # the user's chart stays
    fresh = tmp_path / "fresh.xlsx"
    openpyxl_book(fresh)
    package_writer.write_outputs(fresh, fresh, plain)
    assert content(path) == content(fresh)


# ---- (5) rules and charts for issue #4 ----------------------------------------------------------


@pytest.mark.libreoffice
def test_rules_and_charts_survive_a_libreoffice_round_trip(
    tmp_path: Path, demo: Path, lo_profile: Path, soffice: str
) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(demo.read_bytes())
    package_writer.write_outputs(path, path, outputs_of(path, extra=True))
    openpyxl.load_workbook(path)  # no warning (warnings are errors here)
    converted = recalculate(path, tmp_path / "lo", lo_profile, soffice)
    names = entries(converted)
    assert len([n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 4
    ws = openpyxl.load_workbook(converted)["Status"]
    kinds = sorted(r.type for rules in ws.conditional_formatting._cf_rules.values() for r in rules)
    assert kinds == ["cellIs", "cellIs", "containsText", "expression"]
    assert len(ws._charts) == 4


# ---- what it refuses, and why ------------------------------------------------------------------


def write(path: Path, dest: Path | None = None) -> None:
    package_writer.write_outputs(path, dest or path, outputs_of(path))


def test_a_defined_name_with_an_outputs_name_is_refused(tmp_path: Path) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    def name(wb: Any) -> None:
        wb.defined_names["status"] = DefinedName("status", attr_text="Plan!$A$1")

    path = sample_book(tmp_path / "book.xlsx", more=name)
    before = path.read_bytes()
    with pytest.raises(Unusable, match="defines a name status"):
        write(path)
    assert path.read_bytes() == before


def _patched(path: Path, part: str, old: bytes, new: bytes) -> Path:
    def change(name: str, data: bytes) -> bytes:
        if name == part:
            assert old in data, (part, data[:300])
            return data.replace(old, new, 1)
        return data

    tmp = path.with_name("patched" + path.suffix)
    rezip(path, tmp, change)
    tmp.replace(path)
    return path


def test_a_protected_structure_refuses_new_sheets_but_not_a_refresh(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    _patched(
        path,
        "xl/workbook.xml",
        b"<workbookProtection />",
        b'<workbookProtection lockStructure="1"/>',
    )
    before = path.read_bytes()
    with pytest.raises(Unusable, match="structure is protected"):
        write(path)
    assert path.read_bytes() == before
    # unlocked, refreshed, locked again: refreshing replaces sheets, it adds none
    _patched(
        path,
        "xl/workbook.xml",
        b'<workbookProtection lockStructure="1"/>',
        b"<workbookProtection/>",
    )
    write(path)
    _patched(
        path,
        "xl/workbook.xml",
        b"<workbookProtection/>",
        b'<workbookProtection lockStructure="1"/>',
    )
    write(path)


def test_a_signed_package_is_refused(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "plain.xlsx")
    signed = rezip(path, tmp_path / "book.xlsx", add={"_xmlsignatures/sig1.xml": b"<Signature/>"})
    before = signed.read_bytes()
    run = huikuan("refresh", signed, "--as-of", AS_OF)
    assert run.returncode == 2
    assert "digitally signed" in run.stderr and "Traceback" not in run.stderr
    assert signed.read_bytes() == before


def test_a_strict_open_xml_package_is_refused(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    _patched(
        path,
        "xl/workbook.xml",
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        strict,
    )
    with pytest.raises(Unusable, match="Strict Open XML"):
        write(path)


def test_a_chart_sheet_named_like_an_output_is_not_ours(tmp_path: Path) -> None:
    def chartsheet(wb: Any) -> None:
        wb.create_chartsheet("Status")

    path = sample_book(tmp_path / "book.xlsx", more=chartsheet)
    with pytest.raises(Unusable, match="sheet Status exists but holds no table Status"):
        write(path)


# ---- what it does with what it finds ----------------------------------------------------------------


def test_a_calc_chain_is_dropped_only_when_it_lists_a_replaced_sheet(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    write(path)
    ids = re.findall(rb'<sheet name="(\w+)" sheetId="(\d+)"', entries(path)["xl/workbook.xml"][0])
    status_id = dict(ids)[b"Status"].decode()
    plan_id = dict(ids)[b"Plan"].decode()
    rel = (
        b'<Relationship Id="rIdCC" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml"/></Relationships>'
    )
    calc_type = (
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>'
    )

    def with_chain(ids: list[str]) -> Path:
        chain = "".join(f'<c r="A{n}" i="{i}"/>' for n, i in enumerate(ids, start=1))
        xml = f'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{chain}</calcChain>'

        def change(name: str, data: bytes) -> bytes:
            if name == "xl/_rels/workbook.xml.rels":
                return data.replace(b"</Relationships>", rel)
            if name == "[Content_Types].xml":
                return data.replace(b"</Types>", calc_type)
            return data

        return rezip(path, tmp_path / "chain.xlsx", change, add={"xl/calcChain.xml": xml.encode()})

    book = with_chain([plan_id, plan_id])
    before = entries(book)
    write(book)
    assert entries(book)["xl/calcChain.xml"] == before["xl/calcChain.xml"]

    book = with_chain([plan_id, status_id])
    write(book)
    after = entries(book)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"][0]
    assert b"calcChain" not in after["[Content_Types].xml"][0]
    openpyxl.load_workbook(book)


def test_a_1904_workbook_gets_its_dates_right(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    _patched(path, "xl/workbook.xml", b"<workbookPr", b'<workbookPr date1904="1"')
    rows = ((date(2026, 11, 1), "C1") + (None,) * (len(contract.STATUS.columns) - 2),)
    out = OutputTable(contract.STATUS, "en", rows)
    package_writer.write_outputs(path, path, [out])
    wb = openpyxl.load_workbook(path)
    assert wb.epoch.year == 1904
    assert wb["Status"]["A2"].value == datetime(2026, 11, 1)
    assert wb["Status"]["A2"].number_format == "yyyy-mm"


def test_text_is_escaped_the_way_excel_escapes_it(tmp_path: Path) -> None:
    """Nothing is dropped: control characters come back as they were; a lone surrogate
    (which no reader can return) as Excel's own escape of it."""
    path = sample_book(tmp_path / "book.xlsx")
    rows = (
        ("Plan", "A1", " leading", "trailing ", "error"),
        ("a<b&c>\"d'", "_x0041_", "ctl\x01\x0bchar\ttab\nline\r", "x" * 40_000, "error"),
        ("中文", "", None, "lone \ud800 surrogate", "warning"),
    )
    package_writer.write_outputs(path, path, [OutputTable(contract.PROBLEMS, "en", rows)])
    got = pc.CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name("Problems")
    assert got.to_python() == [
        ["Plan", "A1", " leading", "trailing ", "error"],
        ["a<b&c>\"d'", "_x0041_", "ctl\x01\x0bchar\ttab\nline\r", "x" * 32_767, "error"],
        ["中文", "", "", "lone _xD800_ surrogate", "warning"],
    ]
    openpyxl.load_workbook(path)


def test_a_package_without_styles_gets_one(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")

    def change(name: str, data: bytes) -> bytes | None:
        if name == "xl/styles.xml":
            return None
        if name == "xl/_rels/workbook.xml.rels":
            return re.sub(
                rb'<Relationship [^>]*styles"[^>]*/>|<Relationship [^>]*Target="styles.xml"[^>]*/>',
                b"",
                data,
            )
        return data

    bare = rezip(path, tmp_path / "bare.xlsx", change)
    assert "xl/styles.xml" not in entries(bare)
    write(bare)
    wb = openpyxl.load_workbook(bare)
    assert wb["Status"]["G2"].number_format == "#,##0.00"
    assert wb["Status"]["A1"].font.b


def test_prefixed_spreadsheetml_is_edited_with_its_prefix(tmp_path: Path) -> None:
    """Some producers write <x:workbook xmlns:x=…>: new elements take the same prefix."""
    path = sample_book(tmp_path / "book.xlsx")
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    def prefixed(data: bytes) -> bytes:
        data = re.sub(rb"<(/?)(?=[A-Za-z])(?!x:)", rb"<\1x:", data)
        return data.replace(b'xmlns="' + main, b'xmlns:x="' + main)

    def change(name: str, data: bytes) -> bytes:
        return prefixed(data) if name in ("xl/workbook.xml", "xl/styles.xml") else data

    book = rezip(path, tmp_path / "prefixed.xlsx", change)
    write(book)
    wb_xml = entries(book)["xl/workbook.xml"][0]
    assert b'<x:sheet name="Status"' in wb_xml
    assert b"<x:xf " in entries(book)["xl/styles.xml"][0]
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[-len(OURS) :] == list(OURS)
    assert wb["Status"]["A1"].font.b


def test_the_original_is_untouched_when_writing_elsewhere_and_no_temp_file_is_left(
    tmp_path: Path,
) -> None:
    path = openpyxl_book(tmp_path / "book.xlsx")
    before = path.read_bytes()
    write(path, tmp_path / "out.xlsx")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "out.xlsx"]


def test_a_damaged_package_writes_nothing(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    _patched(path, "[Content_Types].xml", b"</Types>", b"</Typ>")
    before = path.read_bytes()
    with pytest.raises(Unusable, match="not well-formed"):
        write(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_the_writer_does_not_import_openpyxl_without_charts() -> None:
    code = (
        "import sys; import huikuan.jobs, huikuan.cli; "
        "print([m for m in sys.modules if m.split('.')[0] == 'openpyxl'])"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
