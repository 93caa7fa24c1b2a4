"""The file implementation of the workbook interface: read tables with python-calamine.

calamine (Rust) reads cached cell values fast and never runs formulas or
macros; `package.guard` has already refused zip bombs and DTDs.

Where the tables are (sheet, range, column names) is read from the package's
own table parts (`package.layout`), so a table's header is known before any of
its cells is read (`heading`): read_book reads the cells one table at a time and
lets each go (`forget`) once its records are made. A value typed just outside a table
(`RawTable.nearby`) needs the sheet's cells around it: when the sheet's recorded
used range (`<dimension>`) lies inside the table, there are none and nothing more
is read; otherwise calamine reads the whole sheet once. A book that calamine
cannot open whole — an Excel 4.0 macro sheet among its sheets, or its workbook part
elsewhere than xl/workbook.xml — is read from its worksheets alone
(`package.worksheets_only`), each table cut out of its sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import python_calamine as pc

from ..errors import Unusable
from .package import Layout, TablePart, guard, layout, worksheets_only
from .reader import RawTable

NEAR_ROWS = 5  # rows below a table in which a value is probably meant to be in it
NEAR_COLS = 3  # columns to its right


def _ref(ref: str) -> tuple[int, int, int, int] | None:
    """'B3:E20' → (first row, first col, last row, last col), 1-based; None if not a range."""
    match = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?", ref.upper())
    if not match:
        return None

    def col(letters: str) -> int:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return n

    c1, r1 = col(match[1]), int(match[2])
    c2, r2 = (col(match[3]), int(match[4])) if match[3] else (c1, r1)
    return r1, c1, r2, c2


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref\s*=\s*[\"']([^\"']+)[\"']")


def _dimension(zf: zipfile.ZipFile, part: str) -> tuple[int, int, int, int] | None:
    """A worksheet's used range as its <dimension> records it (at the head of the part)."""
    with zf.open(part) as stream:
        head = stream.read(4096)
    match = _DIMENSION.search(head)
    return _ref(match.group(1).decode("ascii", "replace")) if match else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trouble(exc: Exception) -> str:
    """The reader library's complaint without its class name (users never see those)."""
    return str(exc).strip() or "unknown reason"


class FileTables:
    """Input tables of an .xlsx/.xlsm file, found by table name (case-insensitive)."""

    def __init__(self, path: Path) -> None:
        guard(path)
        self.path = path
        try:
            with zipfile.ZipFile(path) as zf:
                self._layout: Layout = layout(zf)
                self._book = self._open(zf)
        except Unusable as exc:
            raise Unusable(f"{path.name}: {exc.en}", f"{path.name}：{exc.zh}") from None
        except Exception as exc:  # calamine raises several unrelated types for bad files
            raise Unusable(
                f"{path.name}: the workbook cannot be read: its contents are damaged or of a "
                f"kind huikuan cannot read ({_trouble(exc)}); open it in Excel, save it as "
                ".xlsx and run again",
                f"{path.name}：无法读取工作簿：内容已损坏或为 huikuan 无法读取的类型"
                f"（{_trouble(exc)}）；请用 Excel 打开，另存为 .xlsx 后再运行",
            ) from None
        self._names = {t.name.casefold(): t for t in self._layout.tables}
        self._grids: dict[str, list[list[Any]]] = {}
        self._cache: dict[str, RawTable | None] = {}
        self._done: set[str] = set()  # tables let go of (forget)

    def _open(self, zf: zipfile.ZipFile) -> Any:
        """calamine on the file itself; on its worksheets alone when it cannot open it whole."""
        self._whole = False  # calamine has the book's own tables (else: cut from sheets)
        self._used: dict[str, tuple[int, int, int, int] | None] = {}
        for name, part in self._layout.worksheets:
            self._used[name] = _dimension(zf, part)
        if self._layout.plain:
            try:
                book = pc.CalamineWorkbook.from_path(str(self.path), load_tables=True)
                self._whole = True
                return book
            except Exception:  # a sheet kind it does not know, say: try the worksheets alone
                pass
        data = worksheets_only(zf, self._layout)
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))

    @property
    def table_names(self) -> list[str]:
        return [t.name for t in self._layout.tables]

    @property
    def sheet_names(self) -> list[str]:
        return [name for name, _, _ in self._layout.sheets]

    def table(self, name: str) -> RawTable | None:
        key = name.casefold()
        if key not in self._cache:
            self._cache[key] = self._load(key)
        return self._cache[key]

    def heading(self, name: str) -> RawTable | None:
        """The table as `table` gives it but without its cells (no rows, nothing nearby),
        from the package's table part alone: its header is known before any cell is read,
        so a reader can read the tables' cells one table at a time."""
        part = self._names.get(name.casefold())
        if part is None:
            return None
        top, left, _, _ = self._area(part)
        return RawTable(
            name=part.name,
            sheet=part.sheet,
            header_row=top - 1 + part.header_rows,
            first_col=left,
            headers=part.columns,
            rows=(),
        )

    def forget(self, name: str) -> None:
        """Let go of a table's cells once they are read, and of its sheet's cells (needed
        only while tables are cut out of them) once every table on that sheet has been let
        go: a big book's cells then do not outlive their reading, and a sheet holding two
        tables is still parsed once. Asked for again, the table is read again."""
        key = name.casefold()
        self._cache.pop(key, None)
        self._done.add(key)
        part = self._names.get(key)
        if part is None or part.sheet not in self._grids:
            return
        if all(
            t.name.casefold() in self._done for t in self._layout.tables if t.sheet == part.sheet
        ):
            del self._grids[part.sheet]

    def _grid(self, sheet: str) -> list[list[Any]]:
        """Every cell value of a sheet from A1, read once ("" for an empty cell)."""
        grid = self._grids.get(sheet)
        if grid is None:
            try:
                grid = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception as exc:
                raise Unusable(
                    f"{self.path.name}: sheet {sheet} cannot be read ({_trouble(exc)})",
                    f"{self.path.name}：工作表 {sheet} 无法读取（{_trouble(exc)}）",
                ) from None
            self._grids[sheet] = grid
        return grid

    def _area(self, part: TablePart) -> tuple[int, int, int, int]:
        """A table's range: (first row, first col, last row, last col), 1-based."""
        area = _ref(part.ref)
        if area is None:
            raise Unusable(
                f"{self.path.name}: table {part.name} has no valid range ({part.ref!r})",
                f"{self.path.name}：表 {part.name} 的区域无效（{part.ref!r}）",
            )
        return area

    def _load(self, key: str) -> RawTable | None:
        part = self._names.get(key)
        if part is None:
            return None
        area = self._area(part)
        top, left, bottom, right = area
        first = top - 1 + part.header_rows  # 0-based index of the first data row
        last = bottom - part.totals_rows  # 0-based, exclusive
        # the sheet holds the table alone (its <dimension> says so): calamine's table read;
        # else the whole sheet, parsed once: the table cut out of it and its surroundings seen
        alone = self._whole and self._inside(part.sheet, area)
        rows = self._table_rows(part) if alone else None
        nearby = []
        if rows is None:
            grid = self._grid(part.sheet)
            width = len(grid[0]) if grid else 0
            if left == 1 and width == right:  # the sheet is as wide as the table: no cutting
                rows = grid[first:last]
            else:
                rows = [row[left - 1 : right] for row in grid[first:last]]
            if len(grid) > bottom or width > right:  # cells beyond the table's bottom or right
                nearby = self._nearby(part, area, grid)
        return RawTable(
            name=part.name,
            sheet=part.sheet,
            header_row=first,  # 1-based row just above the first data row
            first_col=left,
            headers=part.columns,
            rows=rows,  # calamine's values as they are: "" is an empty cell to the reader
            nearby=tuple(nearby),
        )

    def _table_rows(self, part: TablePart) -> list[list[Any]] | None:
        """The table's data rows as calamine reads its table (None: it does not know it
        by this name; the rows are then cut out of the sheet)."""
        try:
            table = self._book.get_table_by_name(part.name)
        except Exception:
            return None
        try:
            rows: list[list[Any]] = table.to_python()
        except Exception as exc:
            raise Unusable(
                f"{self.path.name}: table {part.name} cannot be read ({_trouble(exc)})",
                f"{self.path.name}：表 {part.name} 无法读取（{_trouble(exc)}）",
            ) from None
        return rows

    def _inside(self, sheet: str, area: tuple[int, int, int, int]) -> bool:
        """The sheet's recorded used range lies within the table: nothing can be nearby.
        A used range that does not cover the table itself is not trusted."""
        used = self._used.get(sheet)
        if used is None:
            return False
        return used[0] == area[0] and used[1] == area[1] and used[2:] == area[2:]

    def _nearby(
        self, part: TablePart, area: tuple[int, int, int, int], grid: Sequence[Sequence[Any]]
    ) -> list[tuple[str, Any]]:
        """Non-empty cells in the rows just below and the columns just right of a table,
        outside every table of the sheet: (A1 address, value)."""
        from .reader import cell_ref

        top, left, bottom, right = area
        others = [
            a
            for t in self._layout.tables
            if t.sheet == part.sheet and (a := _ref(t.ref)) is not None
        ]
        found = []
        for row in range(top, min(bottom + NEAR_ROWS, len(grid)) + 1):
            cells = grid[row - 1] if row <= len(grid) else ()
            first = left if row > bottom else right + 1
            for col in range(first, min(right + NEAR_COLS, len(cells)) + 1):
                value = cells[col - 1]
                if _blank(value):
                    continue
                if any(t <= row <= b and lf <= col <= rt for t, lf, b, rt in others):
                    continue
                found.append((cell_ref(col, row), value))
        return found
