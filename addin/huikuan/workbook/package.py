"""The .xlsx/.xlsm package as an untrusted zip: size guards, and what it holds.

Every workbook from someone else passes `guard()` before any XML parser sees
it: not a zip, too many parts, a part larger than it claims, too large in
total, or an XML part with a DTD (entity expansion) is refused with a reason.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Unusable
from .xmlparts import (
    MAIN,
    REL,
    REL_CHARTSHEET,
    REL_OFFICE_DOCUMENT,
    REL_SHARED_STRINGS,
    REL_STYLES,
    REL_TABLE,
    REL_WORKSHEET,
)

MAX_PARTS = 10_000
MAX_TOTAL = 2 * 1024**3  # bytes uncompressed, all parts together
MAX_RATIO = 1_000  # uncompressed ÷ compressed of one part above 1 MiB
_CHUNK = 1 << 20

__all__ = ["Unusable", "guard", "workbook_part"]  # Unusable lives in huikuan.errors


def guard(path: Path) -> None:
    """Refuse a file that is not a sane spreadsheet package (raises Unusable)."""
    name = path.name
    if path.is_dir():
        raise Unusable(f"{name}: is a folder, not a workbook", f"{name}：是文件夹，不是工作簿")
    if not path.is_file():
        raise Unusable(f"{name}: no such file", f"{name}：文件不存在")
    if path.stat().st_size == 0:
        raise Unusable(f"{name}: the file is empty", f"{name}：文件为空")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as f:
            head = f.read(8)
            if head == OLE_MAGIC:
                raise _ole_refusal(path)
            if head[:4] == b"PK\x03\x04":  # a zip's first part, but no directory at the end
                raise Unusable(
                    f"{name}: the package is damaged or truncated (no zip directory at its end)",
                    f"{name}：文件已损坏或不完整（末尾缺少 zip 目录）",
                )
        raise Unusable(
            f"{name}: not an .xlsx/.xlsm workbook (not a zip package)",
            f"{name}：不是 .xlsx/.xlsm 工作簿（不是 zip 包）",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise Unusable(
                    f"{name}: {len(infos)} parts in the package, more than {MAX_PARTS}",
                    f"{name}：包内部件 {len(infos)} 个，超过上限 {MAX_PARTS}",
                )
            budget = MAX_TOTAL
            for info in infos:
                budget -= _check_part(zf, info, name, budget)
            # only now, every part checked for size and DTDs, may an XML parser read one
            if workbook_part(zf) is None:
                raise Unusable(
                    f"{name}: not an Excel workbook (the package names no workbook part)",
                    f"{name}：不是 Excel 工作簿（包中没有工作簿部件）",
                )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise Unusable(
            f"{name}: the package is damaged or truncated ({exc})",
            f"{name}：文件已损坏或不完整（{exc}）",
        ) from None


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file (old Office format)


def _ole_refusal(path: Path) -> Unusable:
    """What an OLE compound file is, in the user's words: an encrypted workbook (Excel
    wraps a password-protected .xlsx in one) or an old binary .xls renamed."""
    import olefile

    name = path.name
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).casefold() for entry in ole.listdir()}
    except OSError:  # olefile's own parse errors derive from OSError
        streams = set()
    if {"encryptioninfo", "encryptedpackage"} <= streams:
        return Unusable(
            f"{name}: password-protected (encrypted) workbook: remove the password in Excel "
            "(File > Info > Protect Workbook > Encrypt with Password, clear it), save, run again",
            f"{name}：工作簿设有打开密码（已加密）：请在 Excel 中取消密码"
            "（文件 > 信息 > 保护工作簿 > 用密码进行加密，清空），保存后再运行",
        )
    if streams & {"workbook", "book"}:
        return Unusable(
            f"{name}: an old .xls workbook: open it in Excel or WPS and save it as .xlsx "
            "(Excel Workbook), then run again on the .xlsx",
            f"{name}：这是旧版 .xls 工作簿：请在 Excel 或 WPS 中另存为 .xlsx（Excel 工作簿），"
            "再对 .xlsx 文件运行",
        )
    return Unusable(
        f"{name}: not an .xlsx/.xlsm workbook (an old-format Office file, not a zip package)",
        f"{name}：不是 .xlsx/.xlsm 工作簿（是旧格式的 Office 文件，不是 zip 包）",
    )


def _bomb(name: str, part: str) -> Unusable:
    return Unusable(
        f"{name}: part {part} expands far beyond a spreadsheet's size (zip bomb?); refused",
        f"{name}：部件 {part} 解压后异常巨大（疑似 zip 炸弹），已拒绝",
    )


def _check_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> int:
    """Decompress one part with a hard limit; return its true size."""
    if info.flag_bits & 0x1:
        raise Unusable(
            f"{name}: part {info.filename} is encrypted; refused",
            f"{name}：部件 {info.filename} 已加密，已拒绝",
        )
    if info.file_size > budget:
        raise _bomb(name, info.filename)
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise _bomb(name, info.filename)
    # zipfile stops reading at the declared size; read on past it to catch a part that lies
    probe = copy.copy(info)
    probe.file_size = budget + 1
    xml = info.filename.endswith((".xml", ".rels", ".vml"))
    size = 0
    tail = b""  # a DTD may sit after a long comment: search all of it, across chunk ends
    with zf.open(probe) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > info.file_size or size > budget:
                raise _bomb(name, info.filename)
            if xml and re.search(rb"<!(DOCTYPE|ENTITY)", tail + chunk):
                raise Unusable(
                    f"{name}: part {info.filename} declares a DTD (XML entity attack?); refused",
                    f"{name}：部件 {info.filename} 含有 DTD 声明（疑似 XML 实体攻击），已拒绝",
                )
            tail = chunk[-8:]
    return size


@dataclass(frozen=True)
class Risk:
    """Content of a kind that the openpyxl writer would not carry byte for byte."""

    en: str
    zh: str
    parts: tuple[str, ...]


# (pattern over part names, English, Chinese) of what an openpyxl save loses or rewrites.
_AT_RISK = (
    (r"^xl/charts/", "charts (re-drawn, styling may change)", "图表（会被重绘，格式可能丢失）"),
    (r"^xl/media/", "images", "图片"),
    (r"^xl/pivot(Tables|CacheDefinitions|CacheRecords)/", "pivot tables", "数据透视表"),
    (r"^xl/(slicers|slicerCaches|timelines|timelineCaches)/", "slicers/timelines", "切片器/日程表"),
    (r"^xl/(ctrlProps|activeX)/", "form controls", "表单控件"),
    (r"^xl/embeddings/", "embedded objects", "嵌入对象"),
    (r"^xl/drawings/vmlDrawing", "comment and control shapes", "批注/控件形状"),
    (r"^xl/threadedComments/", "threaded comments", "会话式批注"),
    (r"^customUI/", "a custom ribbon", "自定义功能区"),
    (r"^xl/(queryTables|connections\.xml|model/)", "data connections", "数据连接"),
)


def own_parts(zf: zipfile.ZipFile, sheet_names: Iterable[str]) -> set[str]:
    """The sheets named (huikuan's own output sheets) and the drawings and charts
    hanging off them: every write rebuilds them, so an openpyxl save loses nothing
    of theirs."""
    from .xmlparts import attributes, relationships, rels_of  # xmlparts imports this module

    names = set(zf.namelist())

    def targets(source: str) -> list[str]:
        rels = rels_of(source)
        if rels not in names:
            return []
        return [r.part for r in relationships(zf.read(rels), rels, source)[1] if r.part]

    book = workbook_part(zf)
    if book is None:
        return set()
    wanted = set(sheet_names)
    ids = {
        a.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        for a in attributes(zf.read(book), book, "sheet")
        if a.get("name") in wanted
    }
    rels = rels_of(book)
    found: set[str] = set()
    if rels not in names:
        return found
    for rel in relationships(zf.read(rels), rels, book)[1]:
        if rel.id not in ids or not rel.part:
            continue
        found.add(rel.part)
        for drawing in targets(rel.part):
            if drawing.startswith("xl/drawings/drawing"):
                found.add(drawing)
                found.update(c for c in targets(drawing) if c.startswith("xl/charts/"))
    return found


def refuse_losing(path: Path, lost: list[Risk], what_en: str, what_zh: str) -> None:
    """Refuse to rewrite `path` in place when an openpyxl save would lose `lost`."""
    if not lost:
        return
    en = "; ".join(r.en for r in lost)
    zh = "；".join(r.zh for r in lost)
    raise Unusable(
        f"{path.name} holds content that rewriting the file would lose ({en}). "
        f"Nothing was written. {what_en}: -o OUT{path.suffix}",
        f"{path.name} 含有改写文件时会丢失的内容（{zh}），未写入任何内容。{what_zh}：-o 输出{path.suffix}",
    )


def risks(path: Path, keep_vba: bool, own_sheets: Iterable[str] = ()) -> list[Risk]:
    """What an openpyxl load + save of this package would drop or rewrite, leaving
    out the drawings and charts of `own_sheets` (rebuilt by every write anyway)."""
    with zipfile.ZipFile(path) as zf:
        ours = own_parts(zf, own_sheets)
        names = [n for n in zf.namelist() if n not in ours]
        found: list[Risk] = []
        for pattern, en, zh in _AT_RISK:
            parts = tuple(n for n in names if re.match(pattern, n))
            if parts:
                found.append(Risk(en, zh, parts))
        if not keep_vba and "xl/vbaProject.bin" in names:
            found.append(Risk("macros (VBA)", "宏（VBA）", ("xl/vbaProject.bin",)))
        ext = tuple(
            n
            for n in names
            if re.match(r"^xl/worksheets/sheet\d+\.xml$", n) and b"<extLst" in zf.read(n)
        )
        if ext:
            found.append(
                Risk(
                    "extended formatting (data bars, sparklines, cross-sheet validation)",
                    "扩展格式（数据条、迷你图、跨表数据验证）",
                    ext,
                )
            )
    return found


# ---- where things are in the package ------------------------------------------------

_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships/"


def _kind(rel_type: str) -> str:
    """A relationship type in its transitional spelling (Strict Open XML's mapped over)."""
    if rel_type.startswith(_STRICT_REL):
        return REL + rel_type[len(_STRICT_REL) :]
    return rel_type


def _entry(zf: zipfile.ZipFile, part: str) -> str | None:
    """The zip entry of a part name (part names are case-insensitive), or None."""
    if part in zf.NameToInfo:
        return part
    lower = part.casefold()
    return next((n for n in zf.NameToInfo if n.casefold() == lower), None)


def workbook_part(zf: zipfile.ZipFile) -> str | None:
    """The zip entry of the workbook part, found as the package says: the officeDocument
    relationship of `_rels/.rels` (most writers put it at xl/workbook.xml; some do not).
    A package without `_rels/.rels` but with xl/workbook.xml: that one. None: no workbook.
    """
    from .xmlparts import relationships  # xmlparts imports this module

    root = _entry(zf, "_rels/.rels")
    if root is not None:
        for rel in relationships(zf.read(root), root, "")[1]:
            if _kind(rel.type) == REL_OFFICE_DOCUMENT and rel.part:
                return _entry(zf, rel.part)
        return None
    return _entry(zf, "xl/workbook.xml")


@dataclass(frozen=True)
class TablePart:
    """An Excel table (ListObject) as its part describes it."""

    name: str  # displayName, as formulas and huikuan name it
    sheet: str  # the sheet's name (its tab)
    ref: str  # e.g. "A1:D20", header and totals rows included
    columns: tuple[str, ...]  # the tableColumn names: the header cells' text
    header_rows: int = 1
    totals_rows: int = 0


@dataclass(frozen=True)
class Layout:
    """What the reader needs to know of a package before reading any cell."""

    strict: bool  # saved as Strict Open XML (read; never edited)
    workbook: str  # the workbook part's zip entry
    sheets: tuple[tuple[str, str, str | None], ...]  # (name, relationship type, zip entry)
    tables: tuple[TablePart, ...]
    date1904: bool
    shared_strings: str | None
    styles: str | None

    @property
    def plain(self) -> bool:
        """As every reader expects: xl/workbook.xml, worksheets and chart sheets only."""
        return self.workbook == "xl/workbook.xml" and all(
            kind in (REL_WORKSHEET, REL_CHARTSHEET) for _, kind, _ in self.sheets
        )

    @property
    def worksheets(self) -> tuple[tuple[str, str], ...]:
        """(name, zip entry) of every worksheet (not macro, dialog or chart sheets)."""
        return tuple((n, p) for n, kind, p in self.sheets if kind == REL_WORKSHEET and p)


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """A name as SpreadsheetML escapes characters XML cannot hold: _x000A_ is a line break."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def layout(zf: zipfile.ZipFile) -> Layout:
    """The workbook part, its sheets and every table on a worksheet (read from the
    index parts and the table parts only: no sheet is parsed). Call after guard()."""
    from .xmlparts import R, attributes, parse, relationships, rels_of

    book = workbook_part(zf)
    if book is None:
        raise Unusable("no workbook part", "没有工作簿部件")
    wb = parse(zf.read(book), book)
    rels_name = _entry(zf, rels_of(book))
    rels = relationships(zf.read(rels_name), rels_name, book)[1] if rels_name else []
    by_id = {r.id: r for r in rels}
    kinds = {r.id: _kind(r.type) for r in rels}
    sheets = []
    tables = []
    node = wb.find("sheets")
    strict = wb.ns == _STRICT_MAIN
    ids = (f"{{{R}}}id", f"{{{_STRICT_REL[:-1]}}}id")
    listed = node.findall("sheet") if node is not None and wb.ns in (MAIN, _STRICT_MAIN) else []
    for sheet in listed:
        rid = next((sheet.get(k) for k in ids if sheet.get(k)), "") or ""
        rel = by_id.get(rid)
        name = sheet.get("name") or ""
        part = _entry(zf, rel.part) if rel and rel.part else None
        sheets.append((name, kinds.get(rid, ""), part))
        if not rel or kinds[rid] != REL_WORKSHEET or part is None:
            continue
        sheet_rels = _entry(zf, rels_of(part))
        if sheet_rels is None:
            continue
        for trel in relationships(zf.read(sheet_rels), sheet_rels, part)[1]:
            is_table = _kind(trel.type) == REL_TABLE
            table_part = _entry(zf, trel.part) if is_table and trel.part else None
            if table_part is None:
                continue
            data = zf.read(table_part)
            head = attributes(data, table_part, "table")
            if not head:
                continue
            columns = tuple(
                _unescape(a.get("name", "")) for a in attributes(data, table_part, "tableColumn")
            )
            tables.append(
                TablePart(
                    name=head[0].get("displayName") or head[0].get("name") or "",
                    sheet=name,
                    ref=head[0].get("ref") or "",
                    columns=columns,
                    header_rows=_int(head[0].get("headerRowCount"), 1),
                    totals_rows=_int(head[0].get("totalsRowCount"), 0),
                )
            )
    props = wb.find("workbookPr")
    date1904 = props is not None and (props.get("date1904") or "").lower() in ("1", "true", "on")
    shared = next((r.part for r in rels if kinds[r.id] == REL_SHARED_STRINGS and r.part), None)
    styles = next((r.part for r in rels if kinds[r.id] == REL_STYLES and r.part), None)
    return Layout(
        strict=strict,
        workbook=book,
        sheets=tuple(sheets),
        tables=tuple(tables),
        date1904=date1904,
        shared_strings=_entry(zf, shared) if shared else None,
        styles=_entry(zf, styles) if styles else None,
    )


def worksheets_only(zf: zipfile.ZipFile, found: Layout) -> bytes:
    """A package of the worksheets alone, laid out as every reader expects, for a book
    the cell reader cannot open whole: a macro sheet (Excel 4.0) or dialog sheet among
    its sheets, or a workbook part elsewhere than xl/workbook.xml. The index parts are
    written anew (nothing is edited); the worksheet, shared-string and style parts are
    copied as they are, at their own names. Stored, not compressed: it lives in memory
    for one reading only."""
    from .xmlparts import esc_attr

    sheets = found.worksheets
    ns_r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pr = '<workbookPr date1904="1"/>' if found.date1904 else ""
    listed = "".join(
        f'<sheet name="{esc_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, 1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{ns_r}">{pr}<sheets>{listed}</sheets></workbook>'
    )
    links = [(REL_WORKSHEET, part) for _, part in sheets]
    if found.shared_strings:
        links.append((REL_SHARED_STRINGS, found.shared_strings))
    if found.styles:
        links.append((REL_STYLES, found.styles))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="/{esc_attr(part)}"/>'
        for i, (kind, part) in enumerate(links, 1)
    )
    pkg_rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}sheet.main+xml"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{pkg_rels}"><Relationship Id="rId1" '
            f'Type="{REL_OFFICE_DOCUMENT}" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{pkg_rels}">{rels}</Relationships>'
        ).encode(),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
        for _, part in links:
            if part not in parts:
                out.writestr(part, zf.read(part))
    return buf.getvalue()
