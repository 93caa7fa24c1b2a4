"""Append records to an input table of a loaded workbook (openpyxl), keeping everything else.

Used by `huikuan roll`: the new month's rows go below the table's last row,
the table (and its filter) grows over them, number formats follow the row
above, and calculated columns (Plan's live formulas) are filled in. A blank
row left at the end of the table (a template's empty table) is reused. An
optional contract column the table lacks is added on its right when that
column of the sheet is empty there.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from ..contract import Column, Table
from ..errors import Unusable
from ..model import Record
from ..values import is_blank, normalize
from .template import _number_format, cell_value


def find_table(wb: Workbook, name: str) -> tuple[Worksheet, ExcelTable] | None:
    for ws in wb.worksheets:
        for table in ws.tables.values():  # TableList.items() gives (name, ref)
            if table.name.casefold() == name.casefold():
                return ws, table
    return None


def _positions(headers: Sequence[object], table: Table) -> dict[str, int]:
    """Contract key → 0-based column of the table (headers as the reader matches them)."""
    out: dict[str, int] = {}
    for pos, header in enumerate(headers):
        h = normalize(header) if header is not None else ""
        for col in table.columns:
            if col.key not in out and h in (
                normalize(col.key),
                normalize(col.en),
                normalize(col.zh),
            ):
                out[col.key] = pos
    return out


def _blocked(ws: Worksheet, rows: range, cols: range) -> str | None:
    for r in rows:
        for c in cols:
            if not is_blank(ws.cell(r, c).value):
                return ws.cell(r, c).coordinate
    return None


def append_rows(
    wb: Workbook, table: Table, records: Sequence[Record], lang: str, add: Sequence[Column] = ()
) -> int:
    """Write `records` below the last filled row of `table`; returns how many were written.

    `add`: optional columns to create when the table lacks them (and a record has a value).
    """
    if not records:
        return 0
    found = find_table(wb, table.name)
    if found is None:
        raise Unusable(f"table {table.name} is missing", f"缺少表 {table.name}")
    ws, xl = found
    min_col, min_row, max_col, max_row = range_boundaries(xl.ref)
    headers = [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]
    pos = _positions(headers, table)
    for col in add:
        if col.key in pos or all(getattr(r, col.key, None) is None for r in records):
            continue
        new_col = max_col + 1
        where = _blocked(
            ws, range(min_row, max_row + len(records) + 1), range(new_col, new_col + 1)
        )
        if where:
            raise Unusable(
                f"cannot add column {col.label(lang)} to table {table.name}: {ws.title}!{where} is in the way",
                f"无法在表 {table.name} 中添加列“{col.label(lang)}”：{ws.title}!{where} 不为空",
            )
        ws.cell(min_row, new_col, col.label(lang))
        ws.cell(min_row, new_col).font = copy(ws.cell(min_row, max_col).font)
        ids = [tc.id for tc in xl.tableColumns]
        xl.tableColumns.append(TableColumn(id=max(ids, default=0) + 1, name=col.label(lang)))
        ws.column_dimensions[get_column_letter(new_col)].width = max(12, len(col.en) + 3)
        pos[col.key] = new_col - min_col
        max_col = new_col

    keys = list(pos)
    last = max_row  # the last row holding an input value (the header row if none)
    while last > min_row and all(is_blank(ws.cell(last, min_col + pos[k]).value) for k in keys):
        last -= 1
    first_new = last + 1
    end = last + len(records)
    if end > max_row:
        where = _blocked(ws, range(max_row + 1, end + 1), range(min_col, max_col + 1))
        if where:
            raise Unusable(
                f"table {table.name} cannot grow: {ws.title}!{where} below it is not empty",
                f"表 {table.name} 无法向下扩展：其下方的 {ws.title}!{where} 不为空",
            )
    formulas = {}
    for offset, tc in enumerate(xl.tableColumns):
        if tc.calculatedColumnFormula is not None:
            text = tc.calculatedColumnFormula.attr_text or tc.calculatedColumnFormula.text
            if text:
                formulas[offset] = "=" + text.removeprefix("=")
    # the row whose formats new rows copy: the last filled one, else the (blank) first
    model = last if last > min_row else (min_row + 1 if max_row > min_row else None)
    by_pos = {p: table.column(k) for k, p in pos.items()}
    for n, record in enumerate(records):
        row = first_new + n
        for offset in range(max_col - min_col + 1):
            cell = ws.cell(row, min_col + offset)
            if offset in by_pos:
                col = by_pos[offset]
                cell.value = cell_value(col, getattr(record, col.key, None), lang)
            elif offset in formulas:
                cell.value = formulas[offset]
            if model is not None:
                above = ws.cell(model, min_col + offset)
                if above.has_style and row != model:
                    cell._style = copy(above._style)
            if offset in by_pos and cell.number_format == "General":
                fmt = _number_format(by_pos[offset].kind, lang)
                if fmt and fmt != "@":
                    cell.number_format = fmt
    new_ref = (
        f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max(end, max_row)}"
    )
    xl.ref = new_ref
    if xl.autoFilter is not None:
        xl.autoFilter.ref = new_ref
    return len(records)
