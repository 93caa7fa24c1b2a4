"""Workbook packages as other programs make them, for the preservation tests.

- `openpyxl_book`: the sample team plus what users add — a notes sheet with a
  formula, a comment and a defined name, a chart, a picture (a real drawing part
  with a PNG; Pillow is not needed), and a data table of their own;
- `xlsxwriter_book`: the same team written by XlsxWriter, with its own chart,
  picture (XlsxWriter reads the PNG itself) and user table;
- `macro_book`: an .xlsm with a VBA project part and a custom ribbon (customUI
  part and its relationship in _rels/.rels), as Excel saves one;
- LibreOffice's are made in the tests by converting one of these with soffice.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table

from books import HEADERS, rezip, sample_book, sample_tabs

# the smallest valid PNG: 1×1, one grey pixel
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c6360000000020001e221bc330000000049454e44ae426082"
)
VBA = b"stand-in for a VBA project: carried byte for byte"
XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON = (
    b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
    b'<ribbon><tabs><tab id="huikuan" label="Huikuan"><group id="g" label="Run">'
    b'<button id="refresh" label="Refresh" onAction="RunMain"/></group></tab></tabs>'
    b"</ribbon></customUI>"
)
USER_TABLE = ("Sales", ["Region", "Amount"], [["East", 120.5], ["West", 99]])


def _user_sheets(wb: Any) -> None:
    """What a team adds to its workbook: notes, a chart, its own table, a picture's sheet."""
    notes = wb.create_sheet("Notes", 0)
    notes["A1"] = "Monthly review"
    notes["A1"].comment = Comment("remember the Q4 push", "Li")
    notes["B2"] = 12345.5
    notes["B3"] = datetime(2026, 11, 2)
    notes["B4"] = "=SUM(B2:B3)"
    notes["D9"] = "回款会议纪要"
    wb.defined_names["TaxRate"] = DefinedName("TaxRate", attr_text="Notes!$B$2")

    charts = wb.create_sheet("Charts")
    chart = BarChart()
    chart.title = "Targets"
    chart.add_data(Reference(wb["Plan"], min_col=3, min_row=1, max_row=4), titles_from_data=True)
    charts.add_chart(chart, "B2")

    name, headers, rows = USER_TABLE
    mine = wb.create_sheet("MyData")
    mine.append(headers)
    for row in rows:
        mine.append(row)
    mine.add_table(Table(displayName=name, ref=f"A1:B{len(rows) + 1}"))

    wb.create_sheet("Pictures")["A1"] = "our logo"


def openpyxl_book(path: Path, lang: str = "en", bad: bool = False) -> Path:
    sample_book(path, lang, bad=bad, more=_user_sheets)
    return add_picture(path, "Pictures")


def _sheet_part(path: Path, title: str) -> str:
    """The worksheet part of a sheet title (read from workbook.xml and its rels)."""
    with zipfile.ZipFile(path) as zf:
        wb = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    sheet = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*/>', wb)
    assert sheet, title
    rid = re.search(r'r:id="([^"]+)"', sheet.group()).group(1)
    rel = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*/>', rels)
    assert rel
    target = re.search(r'Target="([^"]+)"', rel.group()).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


DRAWING = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    b'<xdr:twoCellAnchor editAs="oneCell">'
    b"<xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>"
    b"<xdr:rowOff>0</xdr:rowOff></xdr:from>"
    b"<xdr:to><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row>"
    b"<xdr:rowOff>0</xdr:rowOff></xdr:to>"
    b'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Logo" descr="our logo"/>'
    b'<xdr:cNvPicPr><a:picLocks noChangeAspect="1"/></xdr:cNvPicPr></xdr:nvPicPr>'
    b'<xdr:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships" r:embed="rId1"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
    b'<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1219200" cy="952500"/></a:xfrm>'
    b'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>'
    b"<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
)


def add_picture(path: Path, title: str) -> Path:
    """Put a PNG picture on a sheet: a drawing part, its rels, the media part, types."""
    sheet = _sheet_part(path, title)
    folder, name = sheet.rsplit("/", 1)
    sheet_rels = f"{folder}/_rels/{name}.rels"
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    assert sheet_rels not in names  # the picture's sheet has no rels yet
    n = 1
    while f"xl/drawings/drawing{n}.xml" in names:
        n += 1
    drawing = f"xl/drawings/drawing{n}.xml"

    def change(part: str, data: bytes) -> bytes:
        if part == sheet:
            return data.replace(
                b"</worksheet>",
                b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships" r:id="rIdPic"/></worksheet>',
            )
        if part == "[Content_Types].xml":
            return data.replace(
                b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1
            ).replace(
                b"</Types>",
                f'<Override PartName="/{drawing}" ContentType="application/'
                'vnd.openxmlformats-officedocument.drawing+xml"/></Types>'.encode(),
            )
        return data

    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/{}" Target="{}"/></Relationships>'
    )
    tmp = path.with_name(path.stem + ".tmp.xlsx")
    rezip(
        path,
        tmp,
        change,
        add={
            sheet_rels: rels.format("rIdPic", "drawing", f"../drawings/drawing{n}.xml").encode(),
            drawing: DRAWING,
            f"xl/drawings/_rels/drawing{n}.xml.rels": rels.format(
                "rId1", "image", "../media/image1.png"
            ).encode(),
            "xl/media/image1.png": PNG,
        },
    )
    tmp.replace(path)
    return path


def xlsxwriter_book(path: Path, lang: str = "en") -> Path:
    """The sample team written by XlsxWriter (shared strings, its own styles and app.xml)."""
    import io

    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for tab in sample_tabs(lang):
        ws = wb.add_worksheet(tab.name)
        ws.add_table(
            0,
            0,
            max(1, len(tab.rows)),
            len(tab.headers) - 1,
            {"name": tab.name, "columns": [{"header": h} for h in tab.headers]},
        )
        for r, row in enumerate(tab.rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
                elif value is not None:
                    ws.write(r, c, value)
    notes = wb.add_worksheet("Notes")
    notes.write("A1", "Monthly review")
    notes.write_formula("B4", "=SUM(B2:B3)", None, 0)
    notes.insert_image("D2", "logo.png", {"image_data": io.BytesIO(PNG)})
    chart = wb.add_chart({"type": "column"})
    plan_rows = len(sample_tabs(lang)[1].rows)
    chart.add_series({"values": ["Plan", 1, 2, plan_rows, 2], "name": "Targets"})
    notes.insert_chart("D10", chart)
    name, headers, rows = USER_TABLE
    mine = wb.add_worksheet("MyData")
    mine.add_table(0, 0, len(rows), 1, {"name": name, "columns": [{"header": h} for h in headers]})
    for r, row in enumerate(rows, start=1):
        mine.write_row(r, 0, row)
    wb.close()
    return path


def macro_book(path: Path) -> Path:
    """An .xlsm: macro-enabled content type, a VBA project, and a custom ribbon."""
    plain = sample_book(path.with_name(path.stem + ".plain.xlsm"))

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(XLSX_TYPE, XLSM_TYPE).replace(
                b"<Default ",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"<Default ",
                1,
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rId99" Target="vbaProject.bin" Type="http://schemas.'
                b'microsoft.com/office/2006/relationships/vbaProject"/></Relationships>',
            )
        if name == "_rels/.rels":
            return data.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdUI" Type="{RIBBON_REL}" '
                'Target="customUI/customUI14.xml"/></Relationships>'.encode(),
            )
        return data

    rezip(plain, path, change, add={"xl/vbaProject.bin": VBA, "customUI/customUI14.xml": RIBBON})
    plain.unlink()
    return path


def headers(lang: str, table: str) -> list[str]:
    return HEADERS[lang][table]
