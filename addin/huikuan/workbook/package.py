"""The .xlsx/.xlsm package as an untrusted zip: size guards, and what it holds.

Every workbook from someone else passes `guard()` before any XML parser sees
it: not a zip, too many parts, a part larger than it claims, too large in
total, or an XML part with a DTD (entity expansion) is refused with a reason.
"""

from __future__ import annotations

import copy
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Unusable

MAX_PARTS = 10_000
MAX_TOTAL = 2 * 1024**3  # bytes uncompressed, all parts together
MAX_RATIO = 1_000  # uncompressed ÷ compressed of one part above 1 MiB
_CHUNK = 1 << 20

__all__ = ["Unusable", "guard"]  # Unusable lives in huikuan.errors


def guard(path: Path) -> None:
    """Refuse a file that is not a sane spreadsheet package (raises Unusable)."""
    name = path.name
    if not path.is_file():
        raise Unusable(f"{name}: no such file", f"{name}：文件不存在")
    if path.stat().st_size == 0:
        raise Unusable(f"{name}: the file is empty", f"{name}：文件为空")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as f:
            if f.read(4) == b"PK\x03\x04":  # a zip's first part, but no directory at the end
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
            if "xl/workbook.xml" not in zf.NameToInfo:
                raise Unusable(
                    f"{name}: not an Excel workbook (no xl/workbook.xml)",
                    f"{name}：不是 Excel 工作簿（缺少 xl/workbook.xml）",
                )
            budget = MAX_TOTAL
            for info in infos:
                budget -= _check_part(zf, info, name, budget)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise Unusable(
            f"{name}: the package is damaged or truncated ({exc})",
            f"{name}：文件已损坏或不完整（{exc}）",
        ) from None


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

    if "xl/workbook.xml" not in names:
        return set()
    wanted = set(sheet_names)
    ids = {
        a.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
        for a in attributes(zf.read("xl/workbook.xml"), "xl/workbook.xml", "sheet")
        if a.get("name") in wanted
    }
    rels = rels_of("xl/workbook.xml")
    found: set[str] = set()
    if rels not in names:
        return found
    for rel in relationships(zf.read(rels), rels, "xl/workbook.xml")[1]:
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
