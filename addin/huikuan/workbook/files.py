"""The file implementation of the workbook interface: read tables with python-calamine.

calamine (Rust) reads cached cell values fast and never runs formulas or
macros; `package.guard` has already refused zip bombs and DTDs.
"""

from __future__ import annotations

from pathlib import Path

import python_calamine as pc

from ..errors import Unusable
from .package import guard
from .reader import RawTable


class FileTables:
    """Input tables of an .xlsx/.xlsm file, found by table name (case-insensitive)."""

    def __init__(self, path: Path) -> None:
        guard(path)
        self.path = path
        try:
            self._book = pc.CalamineWorkbook.from_path(str(path), load_tables=True)
            self._names = {name.casefold(): name for name in self._book.table_names or ()}
        except Exception as exc:  # calamine raises several unrelated types for bad files
            raise Unusable(
                f"{path.name}: cannot read the workbook ({type(exc).__name__}: {exc})",
                f"{path.name}：无法读取工作簿（{type(exc).__name__}：{exc}）",
            ) from None
        self._cache: dict[str, RawTable | None] = {}

    @property
    def table_names(self) -> list[str]:
        return list(self._names.values())

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def table(self, name: str) -> RawTable | None:
        key = name.casefold()
        if key not in self._cache:
            self._cache[key] = self._load(key)
        return self._cache[key]

    def _load(self, key: str) -> RawTable | None:
        real = self._names.get(key)
        if real is None:
            return None
        try:
            table = self._book.get_table_by_name(real)
            rows = table.to_python()
        except Exception as exc:
            raise Unusable(
                f"{self.path.name}: table {real} cannot be read ({exc})",
                f"{self.path.name}：表 {real} 无法读取（{exc}）",
            ) from None
        if table.start is None:  # calamine could not place the table on its sheet
            raise Unusable(
                f"{self.path.name}: table {real} has no position on its sheet",
                f"{self.path.name}：表 {real} 在工作表中没有位置",
            )
        start_row, start_col = table.start  # 0-based, first data row
        return RawTable(
            name=real,
            sheet=table.sheet,
            header_row=start_row,  # the header sits just above: 0-based + 1 - 1
            first_col=start_col + 1,
            headers=tuple(str(h) for h in table.columns),
            rows=rows,  # calamine's lists as they are: "" is an empty cell to the reader
        )
