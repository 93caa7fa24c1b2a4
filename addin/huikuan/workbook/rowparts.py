"""Table rows written into the package: the sheet and table parts (rowedit) and the
parts that point at cells of moved or removed rows — legacy comments, their VML
shapes, threaded comments — moved with their rows or removed with them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import Unusable
from .reader import col_letter
from .rowedit import Edited, TableRows, edit_table, parse_ref

if TYPE_CHECKING:
    from .package_writer import Writer

SHEET_LEVEL = 3
_COMMENT = re.compile(
    rb"<((?:[\w.\-]+:)?)(comment|threadedComment)\b([^>]*?)\sref\s*=\s*\"([^\"]*)\"([^>]*?)(/>|>.*?</\1\2>)",
    re.S,
)
# VML as Excel writes it (v:, x:) or with any other prefixes (openpyxl's ns1:, ns2:)
_SHAPE = re.compile(rb"<((?:[\w.\-]+:)?)shape\b.*?</\1shape>", re.S)
_VML_ROW = re.compile(rb"(<(?:[\w.\-]+:)?Row>)\s*(\d+)\s*(</(?:[\w.\-]+:)?Row>)")
_VML_COL = re.compile(rb"<(?:[\w.\-]+:)?Column>\s*(\d+)\s*</(?:[\w.\-]+:)?Column>")


def apply_rows(writer: Writer, specs: Sequence[TableRows]) -> bool:
    """Write each table's rows; True when formula cells were written, moved or removed."""
    formulas = False
    for spec in specs:
        key = spec.table.casefold()
        sheet = next((s for s in writer.pkg.sheets if key in s.tables and s.part), None)
        if sheet is None or sheet.part is None:
            raise Unusable(
                f"{writer.pkg.name}: table {spec.table} is missing; nothing was written",
                f"{writer.pkg.name}：缺少表 {spec.table}，未写入任何内容",
            )
        sheet_part = writer.pkg.real(sheet.part)
        table_part = sheet.tables[key][0]
        edited = edit_table(
            writer.current(sheet_part), writer.current(table_part), table_part, spec, writer.cells
        )
        writer.put(sheet_part, edited.sheet, SHEET_LEVEL)
        writer.put(table_part, edited.table)
        formulas |= edited.formulas
        if any(old != new for old, new in edited.moved.items()):
            _move_comments(writer, sheet_part, sheet.name, edited)
    return formulas


def _move_comments(writer: Writer, sheet_part: str, sheet: str, edited: Edited) -> None:
    for rel in writer.pkg.rels(sheet_part):
        if not rel.part or not writer.pkg.has(rel.part):
            continue
        part = writer.pkg.real(rel.part)
        kind = rel.type.rsplit("/", 1)[-1].lower()
        if kind in ("comments", "threadedcomment"):
            gone: list[str] = []
            writer.put(part, _comments(writer.current(part), edited, gone))
            for ref in gone if kind == "comments" else ():  # a threaded one has a legacy twin
                writer.dropped.append(
                    (
                        f"{sheet}!{ref}: the cell's comment was removed with its row",
                        f"{sheet}!{ref}：该单元格的批注随其所在行一并删除",
                    )
                )
        elif kind == "vmldrawing":
            writer.put(part, _vml(writer.current(part), edited))


def _comments(data: bytes, edited: Edited, gone: list[str]) -> bytes:
    def move(m: re.Match[bytes]) -> bytes:
        try:
            col, row = parse_ref(m.group(4).decode())
        except ValueError:
            return m.group()
        new = edited.new_row(row, col)
        if new is None:
            gone.append(m.group(4).decode())
            return b""
        ref = f"{col_letter(col)}{new}".encode()
        return m.group()[: m.start(4) - m.start()] + ref + m.group()[m.end(4) - m.start() :]

    return _COMMENT.sub(move, data)


def _vml(data: bytes, edited: Edited) -> bytes:
    def move(m: re.Match[bytes]) -> bytes:
        shape = m.group()
        row, col = _VML_ROW.search(shape), _VML_COL.search(shape)
        if row is None or col is None:
            return shape
        new = edited.new_row(int(row.group(2)) + 1, int(col.group(1)) + 1)
        if new is None:
            return b""
        return _VML_ROW.sub(lambda r: r.group(1) + str(new - 1).encode() + r.group(3), shape)

    return _SHAPE.sub(move, data)
