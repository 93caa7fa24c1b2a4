"""The workbook interface over the book open in Excel, through xlwings (its BSD part).

LiveBook takes an xlwings Book (in a ribbon macro, `xw.Book.caller()`) and uses
only a few plain xlwings calls — sheets, sheet.tables, table.range, Range.value —
so a test stand-in can implement exactly those. Output tables are written as
values with the file writer's number formats; text columns are formatted as
text first so Excel does not turn '1/2' into a date or '=…' into a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from ..contract import Kind
from ..errors import Unusable
from .outputs import OutputTable
from .reader import RawTable
from .writer import FORMATS

TABLE_STYLE = "TableStyleMedium2"
TEXT_KINDS = (Kind.TEXT, Kind.CHOICE, Kind.YESNO)


def _cell(value: Any) -> Any:
    """An output value as xlwings writes it: money as a number, empty as empty."""
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (str, int, float, date)):
        return value
    return str(value)


class LiveBook:
    """Input tables (ListObjects) of an open workbook by name; output tables on their sheets."""

    def __init__(self, book: Any) -> None:
        self.book = book

    # ---- finding ------------------------------------------------------------

    def _tables(self) -> Iterator[tuple[Any, Any]]:
        for sheet in self.book.sheets:
            for table in sheet.tables:
                yield sheet, table

    def _find(self, name: str) -> tuple[Any, Any] | None:
        key = name.casefold()
        return next(((s, t) for s, t in self._tables() if t.name.casefold() == key), None)

    def _sheet(self, name: str) -> Any | None:
        key = name.casefold()
        return next((s for s in self.book.sheets if s.name.casefold() == key), None)

    # ---- reading --------------------------------------------------------------

    def table(self, name: str) -> RawTable | None:
        found = self._find(name)
        if found is None:
            return None
        sheet, table = found
        if not table.show_headers:
            raise Unusable(
                f"table {table.name} on sheet {sheet.name} has its header row turned off: "
                f"turn it on (Table Design → Header Row)",
                f"工作表 {sheet.name} 上的表 {table.name} 未显示标题行：请打开（表设计 → 标题行）",
            )
        area = table.range
        grid = area.options(ndim=2).value
        if table.show_totals:  # the total row is not data
            grid = grid[:-1]
        return RawTable(
            name=table.name,
            sheet=sheet.name,
            header_row=area.row,
            first_col=area.column,
            headers=tuple("" if h is None else str(h) for h in grid[0]),
            rows=tuple(tuple(None if v == "" else v for v in row) for row in grid[1:]),
        )

    # ---- writing --------------------------------------------------------------

    def write(self, out: OutputTable) -> None:
        """Put `out` on the sheet of its name: the old table resized, or a new sheet and table."""
        name = out.table.name
        found = self._find(name)
        sheet = self._sheet(name)
        if found is not None and found[0].name.casefold() != name.casefold():
            raise Unusable(
                f"sheet {found[0].name} holds a table named {name}: rename that table and run again.",
                f"工作表 {found[0].name} 中有名为 {name} 的表格，请重命名该表格后重试。",
            )
        if sheet is not None and found is None:
            raise Unusable(
                f"sheet {sheet.name} exists but holds no table {name}: it is not huikuan's. "
                f"Rename that sheet and run again.",
                f"工作表 {sheet.name} 已存在但不含表格 {name}，不是 huikuan 生成的。请重命名该工作表后重试。",
            )
        grid = [list(out.headers), *([_cell(v) for v in row] for row in out.rows)]
        height, width = max(2, len(grid)), len(out.headers)  # a table keeps one data row
        if found is not None:
            sheet, table = found
            old = table.range
            old.clear_contents()
            top = sheet.range((old.row, old.column))
        else:
            sheets = self.book.sheets
            sheet = sheets.add(name, after=sheets[len(sheets) - 1])
            top = sheet.range((1, 1))
            table = None
        area = top.resize(height, width)
        self._formats(sheet, top, height, out)
        top.value = grid
        if table is None:
            sheet.tables.add(source=area, name=name, table_style_name=TABLE_STYLE)
        else:
            table.resize(area)
        area.autofit()

    @staticmethod
    def _formats(sheet: Any, top: Any, height: int, out: OutputTable) -> None:
        """Each column's number format, set before the values go in."""
        for offset, kind in enumerate(out.kinds):
            fmt = "@" if kind in TEXT_KINDS else FORMATS.get(kind, {}).get(out.lang)
            if fmt:
                column = top.column + offset
                sheet.range(
                    (top.row + 1, column), (top.row + height - 1, column)
                ).number_format = fmt
