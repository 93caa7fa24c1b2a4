"""Workbooks as other producers make them (issue 13 item 10), each run as a user would:
the real command, in a subprocess, on a real file built here part by part.

- an .xlsm holding an Excel 4.0 macro sheet (xl/macrosheets/…): its tables are read and
  refreshed, the macro sheet kept byte for byte;
- a minimal styles part (no fonts, no cell formats): refresh adds what it lacks;
- a workbook part found only through _rels/.rels (not at xl/workbook.xml);
- a password-encrypted workbook (as Excel saves one: an OLE file with EncryptionInfo)
  and an old .xls renamed .xlsx: told for what they are, in Chinese and English, exit 2.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import msoffcrypto.format.ooxml
import openpyxl
import pytest
import xlwt

from books import huikuan, rezip, sample_book, table_rows
from libreoffice import recalculate
from packages import XLSM_TYPE, XLSX_TYPE

AS_OF = "2026-11-23"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
MACRO_REL = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
MACRO_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<xm:macrosheet xmlns="{MAIN}" xmlns:xm="{XM}"><sheetData>'
    '<row r="1"><c r="A1" t="str"><f>ALERT("hello")</f><v>TRUE</v></c></row>'
    '<row r="2"><c r="A2" t="b"><f>RETURN()</f><v>1</v></c></row>'
    "</sheetData></xm:macrosheet>"
).encode()


def status_of(path: Path) -> list[list[object]]:
    return table_rows(path, "Status")[2]


def same_rows(got: list[list[object]], want: list[list[object]]) -> None:
    """Equal row for row; numbers to LibreOffice's 15 significant digits."""
    assert len(got) == len(want)
    for g_row, w_row in zip(got, want, strict=True):
        for g, w in zip(g_row, w_row, strict=True):
            if isinstance(w, (int, float)) and not isinstance(w, bool):
                assert g == pytest.approx(w, rel=1e-13), (g_row, w_row)
            else:
                assert g == w, (g_row, w_row)


def clean(run_stderr: str) -> None:
    """No traceback and no library's class name reach the user."""
    assert "Traceback" not in run_stderr
    assert "Calamine" not in run_stderr and "Error:" not in run_stderr


# ---- an Excel 4.0 macro sheet ---------------------------------------------------------


def macro_sheet_book(path: Path, lang: str = "zh") -> Path:
    """The sample team as an .xlsm whose second sheet is an Excel 4.0 macro sheet."""
    plain = sample_book(path.with_name("plain-" + path.name), lang)

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":  # the macro sheet listed second, as Excel keeps order
            return re.sub(
                rb"(<sheet [^>]*/>)",
                lambda m: m.group(1) + b'<sheet name="Macro1" sheetId="99" r:id="rIdM"/>',
                data,
                count=1,
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdM" Type="{MACRO_REL}" '
                'Target="macrosheets/sheet1.xml"/></Relationships>'.encode(),
            )
        if name == "[Content_Types].xml":
            return data.replace(XLSX_TYPE, XLSM_TYPE).replace(
                b"</Types>",
                b'<Override PartName="/xl/macrosheets/sheet1.xml" '
                b'ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>',
            )
        return data

    rezip(plain, path, change, add={"xl/macrosheets/sheet1.xml": MACRO_SHEET})
    plain.unlink()
    return path


def test_a_book_with_an_excel4_macro_sheet_is_read_and_refreshed(tmp_path: Path) -> None:
    book = macro_sheet_book(tmp_path / "宏.xlsm")
    reference = sample_book(tmp_path / "plain.xlsx", "zh")
    run = huikuan("check", book)
    assert run.returncode == 0, run.stderr  # the sample's text amounts are warnings only
    assert "3 条计划" in run.stdout
    clean(run.stderr)

    run = huikuan("refresh", book, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    clean(run.stderr)
    assert huikuan("refresh", reference, "--as-of", AS_OF).returncode == 0
    assert status_of(book) == status_of(reference)  # the same figures as without the sheet
    with zipfile.ZipFile(book) as zf:
        assert zf.read("xl/macrosheets/sheet1.xml") == MACRO_SHEET
        assert b'name="Macro1"' in zf.read("xl/workbook.xml")
        assert XLSM_TYPE in zf.read("[Content_Types].xml")


def test_a_sheet_the_reader_cannot_parse_is_told_in_the_users_words(tmp_path: Path) -> None:
    book = macro_sheet_book(tmp_path / "宏.xlsm", "en")
    broken = tmp_path / "broken.xlsm"
    rezip(
        book,
        broken,
        lambda name, data: (
            b"<worksheet><sheetData><row><c" if name.endswith("sheet2.xml") else data
        ),
    )
    run = huikuan("check", broken)
    assert run.returncode == 2
    assert "broken.xlsm" in run.stderr
    assert "cannot be read" in run.stderr or "cannot read" in run.stderr
    assert "无法读取" in run.stderr
    clean(run.stderr)


# ---- a minimal styles part -------------------------------------------------------------

MINIMAL_STYLES = {
    "empty": f'<styleSheet xmlns="{MAIN}"/>'.encode(),
    "prefixed": (
        f'<?xml version="1.0" encoding="UTF-8"?><x:styleSheet xmlns:x="{MAIN}">'
        '<x:fills count="1"><x:fill><x:patternFill patternType="none"/></x:fill></x:fills>'
        "</x:styleSheet>"
    ).encode(),
    "zero-counts": (
        f'<styleSheet xmlns="{MAIN}"><fonts count="0"/><cellXfs count="0"></cellXfs>'
        '<dxfs count="0"/></styleSheet>'
    ).encode(),
}


def minimal_styles_book(path: Path, styles: bytes) -> Path:
    """The sample team with only `styles` for a stylesheet and no cell using a style."""
    plain = sample_book(path.with_name("plain-" + path.name), "zh")

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/styles.xml":
            return styles
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb' s="\d+"', b"", data)
        return data

    rezip(plain, path, change)
    plain.unlink()
    return path


def stylesheet(path: Path) -> ElementTree.Element:
    with zipfile.ZipFile(path) as zf:
        return ElementTree.fromstring(zf.read("xl/styles.xml"))


@pytest.mark.parametrize("kind", list(MINIMAL_STYLES))
def test_refresh_gives_a_minimal_stylesheet_what_it_lacks(tmp_path: Path, kind: str) -> None:
    book = minimal_styles_book(tmp_path / "styles.xlsx", MINIMAL_STYLES[kind])
    run = huikuan("refresh", book, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    root = stylesheet(book)
    assert root.tag == f"{{{MAIN}}}styleSheet"
    fonts = root.findall(f"{{{MAIN}}}fonts/{{{MAIN}}}font")
    xfs = root.findall(f"{{{MAIN}}}cellXfs/{{{MAIN}}}xf")
    fills = root.findall(f"{{{MAIN}}}fills/{{{MAIN}}}fill")
    assert fonts and xfs and len(fills) >= 1
    for name in ("fonts", "fills", "borders", "cellXfs"):  # each count says what is there
        node = root.find(f"{{{MAIN}}}{name}")
        assert node is not None, name
        assert int(node.get("count", len(node))) == len(node), name
    # schema order of the children (CT_Stylesheet)
    order = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles"]
    order += ["dxfs", "tableStyles", "colors", "extLst"]
    seen = [child.tag.split("}")[1] for child in root]
    assert seen == sorted(seen, key=order.index)
    # every cell format points at a font, fill and border that exist
    borders = root.findall(f"{{{MAIN}}}borders/{{{MAIN}}}border")
    for xf in xfs:
        assert int(xf.get("fontId", 0)) < len(fonts)
        assert int(xf.get("fillId", 0)) < len(fills)
        assert int(xf.get("borderId", 0)) < len(borders)
    with zipfile.ZipFile(book) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                for s in re.findall(rb' s="(\d+)"', zf.read(name)):
                    assert int(s) < len(xfs), (name, s)
    first = book.read_bytes()
    assert huikuan("refresh", book, "--as-of", AS_OF).returncode == 0
    with zipfile.ZipFile(book) as zf, zipfile.ZipFile(_copy(first, tmp_path)) as before:
        assert zf.read("xl/styles.xml") == before.read("xl/styles.xml")  # nothing more added


def _copy(data: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "first.xlsx"
    path.write_bytes(data)
    return path


@pytest.mark.libreoffice
def test_libreoffice_opens_a_refreshed_minimal_styles_book(
    tmp_path: Path, soffice: str, lo_profile: Path
) -> None:
    book = minimal_styles_book(tmp_path / "styles.xlsx", MINIMAL_STYLES["prefixed"])
    assert huikuan("refresh", book, "--as-of", AS_OF).returncode == 0
    opened = recalculate(book, tmp_path / "lo", lo_profile, soffice)
    wb = openpyxl.load_workbook(opened)
    assert wb["Status"]["A1"].font.b  # the bold header font huikuan added is there
    same_rows(status_of(opened), status_of(book))


# ---- a workbook part found only through _rels/.rels -----------------------------------


def elsewhere_book(path: Path) -> Path:
    """The sample team with its workbook part at xl/book.xml, as two other writers do."""
    plain = sample_book(path.with_name("plain-" + path.name), "en")
    with zipfile.ZipFile(plain) as zf:
        workbook, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")

    def change(name: str, data: bytes) -> bytes | None:
        if name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            return None
        if name in ("_rels/.rels", "[Content_Types].xml"):
            return data.replace(b"xl/workbook.xml", b"xl/book.xml")
        return data

    rezip(plain, path, change, add={"xl/book.xml": workbook, "xl/_rels/book.xml.rels": rels})
    plain.unlink()
    return path


@pytest.mark.libreoffice
def test_a_workbook_part_named_in_rels_only_is_read_and_refreshed_in_place(
    tmp_path: Path, soffice: str, lo_profile: Path
) -> None:
    book = elsewhere_book(tmp_path / "book.xlsx")
    reference = sample_book(tmp_path / "plain.xlsx", "en")
    run = huikuan("check", book)
    assert run.returncode == 0, run.stderr
    assert "3 plan rows" in run.stdout
    run = huikuan("refresh", book, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    assert huikuan("refresh", reference, "--as-of", AS_OF).returncode == 0
    with zipfile.ZipFile(book) as zf:
        names = zf.namelist()
        assert "xl/book.xml" in names and "xl/workbook.xml" not in names
        assert b"Status" in zf.read("xl/book.xml")
    same_rows(
        status_of(recalculate(book, tmp_path / "lo", lo_profile, soffice)), status_of(reference)
    )


# ---- encrypted workbooks and old .xls files -----------------------------------------------


def encrypted_book(path: Path) -> Path:
    """The sample team saved with a password to open, as Excel encrypts (Agile, OLE)."""
    plain = sample_book(path.with_name("plain.xlsx"))
    with plain.open("rb") as src, path.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("回款2026", out)
    plain.unlink()
    return path


def old_xls(path: Path) -> Path:
    """A real Excel 97–2003 workbook (BIFF8 in an OLE file), saved under `path`."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("客户")
    for col, header in enumerate(["客户编号", "客户名称", "业务员"]):
        ws.write(0, col, header)
    ws.write(1, 0, "C001")
    wb.save(str(path))
    return path


@pytest.mark.parametrize("command", ["check", "refresh"])
def test_an_encrypted_workbook_is_told_to_lose_its_password(tmp_path: Path, command: str) -> None:
    book = encrypted_book(tmp_path / "加密.xlsx")
    before = book.read_bytes()
    run = huikuan(command, book, *(["--as-of", AS_OF] if command == "refresh" else []))
    assert run.returncode == 2
    assert "加密.xlsx: password-protected (encrypted) workbook: remove the password" in run.stderr
    assert "save, run again" in run.stderr
    assert "加密.xlsx：工作簿设有打开密码（已加密）：请在 Excel 中取消密码" in run.stderr
    assert "not a zip" not in run.stderr
    clean(run.stderr)
    assert book.read_bytes() == before


@pytest.mark.parametrize("name", ["旧表.xlsx", "旧表.xls", "old.xlsm"])
def test_an_old_xls_workbook_is_told_to_be_saved_as_xlsx(tmp_path: Path, name: str) -> None:
    book = old_xls(tmp_path / name)
    run = huikuan("check", book)
    assert run.returncode == 2
    assert f"{name}: an old .xls workbook" in run.stderr
    assert "save it as .xlsx" in run.stderr
    assert f"{name}：这是旧版 .xls 工作簿" in run.stderr and "另存为 .xlsx" in run.stderr
    assert "not a zip" not in run.stderr
    clean(run.stderr)
