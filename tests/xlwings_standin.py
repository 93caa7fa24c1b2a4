"""An in-memory stand-in for the few xlwings calls huikuan's LiveBook makes — only those.

This is neither xlwings nor Excel. It keeps cells in a dict and implements exactly
the calls workbook/live.py uses, as xlwings documents them:

    book.sheets: iterate, len(), [index], .add(name, after=sheet)
    sheet.name, sheet.range((row, col)[, (row, col)]), sheet.tables: iterate, .add(source=, name=,
        table_style_name=)
    table.name, table.range, table.resize(range), table.show_headers, table.show_totals
    range.row, range.column, range.options(ndim=2).value (read), range.value = 2-D list
        (written from the top-left cell), range.resize(rows, cols), range.clear_contents(),
        range.number_format = …, range.autofit()

and for the ribbon macros (macros.py): book.app.alert(prompt, title=, mode=),
book.app.screen_updating = …, book.app.books.open(path), book.fullname, book.save().

Values read back as xlwings returns them from Excel on Windows: numbers as float,
dates as datetime, empty cells as None. Two Excel behaviours that matter to the
writer are imitated: a string written into a cell not formatted as text ("@")
becomes a number when it looks like one, and one starting with "=" becomes a
formula (kept here as Formula(text)). Every other attribute is missing
(__slots__), so a new xlwings call in LiveBook fails here until this stand-in
implements it — and says so above.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string


@dataclass(frozen=True)
class Formula:
    """What Excel makes of a string starting with '=' in a cell not formatted as text."""

    text: str


def _as_excel_stores(value: Any, text_format: bool) -> Any:
    if isinstance(value, str) and not text_format:
        if value.startswith("="):
            return Formula(value)
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return value
    if isinstance(value, bool) or value is None or isinstance(value, (str, float, datetime)):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError(f"the stand-in does not know how COM passes a {type(value).__name__}")


def _as_xlwings_reads(value: Any) -> Any:
    return None if value == "" else value


class Range:
    __slots__ = ("c1", "c2", "r1", "r2", "sheet")

    def __init__(self, sheet: Sheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    def options(self, ndim: int | None = None) -> _Grid:
        assert ndim == 2, "LiveBook reads with ndim=2"
        return _Grid(self)

    @property
    def value(self) -> Any:
        raise NotImplementedError("LiveBook reads through .options(ndim=2).value")

    @value.setter
    def value(self, grid: Sequence[Sequence[Any]]) -> None:
        assert isinstance(grid, list) and all(isinstance(r, list) for r in grid), "a 2-D list"
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                self.sheet.put(self.r1 + i, self.c1 + j, v)

    def resize(self, rows: int, cols: int) -> Range:
        assert rows > 0 and cols > 0
        return Range(self.sheet, self.r1, self.c1, self.r1 + rows - 1, self.c1 + cols - 1)

    def clear_contents(self) -> None:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.cells.pop((r, c), None)

    @property
    def number_format(self) -> str:
        raise NotImplementedError("LiveBook only sets number formats")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        for r in range(self.r1, self.r2 + 1):
            for c in range(self.c1, self.c2 + 1):
                self.sheet.formats[r, c] = fmt

    def autofit(self) -> None:
        self.sheet.autofitted.append((self.r1, self.c1, self.r2, self.c2))


class _Grid:
    """range.options(ndim=2): its .value is always a list of rows."""

    __slots__ = ("area",)

    def __init__(self, area: Range) -> None:
        self.area = area

    @property
    def value(self) -> list[list[Any]]:
        a = self.area
        return [
            [_as_xlwings_reads(a.sheet.cells.get((r, c))) for c in range(a.c1, a.c2 + 1)]
            for r in range(a.r1, a.r2 + 1)
        ]


class Table:
    __slots__ = ("_area", "name", "sheet", "show_headers", "show_totals", "style")

    def __init__(self, sheet: Sheet, name: str, area: Range, style: str = "") -> None:
        self.sheet, self.name, self._area, self.style = sheet, name, area, style
        self.show_headers = True
        self.show_totals = False

    @property
    def range(self) -> Range:
        return self._area

    def resize(self, area: Range) -> None:
        assert area.sheet is self.sheet
        # Excel: the header row must stay where it is and the table keep a data row
        assert area.r1 == self._area.r1 and area.c1 == self._area.c1 and area.r2 > area.r1
        self._area = area


class Tables:
    __slots__ = ("items", "sheet")

    def __init__(self, sheet: Sheet) -> None:
        self.sheet, self.items = sheet, []

    def __iter__(self) -> Iterator[Table]:
        return iter(list(self.items))

    def add(self, source: Range, name: str, table_style_name: str = "TableStyleMedium2") -> Table:
        taken = {t.name.casefold() for s in self.sheet.book.sheets for t in s.tables}
        if name.casefold() in taken:
            raise ValueError(f"a table named {name} exists in the workbook")
        table = Table(self.sheet, name, source, table_style_name)
        self.items.append(table)
        return table


class Sheet:
    __slots__ = ("autofitted", "book", "cells", "formats", "name", "tables")

    def __init__(self, book: Book, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.tables = Tables(self)
        self.autofitted: list[tuple[int, int, int, int]] = []

    def range(self, cell1: tuple[int, int], cell2: tuple[int, int] | None = None) -> Range:
        r2, c2 = cell2 or cell1
        return Range(self, cell1[0], cell1[1], r2, c2)

    def put(self, row: int, col: int, value: Any) -> None:
        stored = _as_excel_stores(value, self.formats.get((row, col)) == "@")
        if stored is None:
            self.cells.pop((row, col), None)
        else:
            self.cells[row, col] = stored


class Sheets:
    __slots__ = ("book", "items")

    def __init__(self, book: Book) -> None:
        self.book, self.items = book, []

    def __iter__(self) -> Iterator[Sheet]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> Sheet:
        return self.items[index]

    def add(self, name: str, after: Sheet | None = None) -> Sheet:
        if name.casefold() in (s.name.casefold() for s in self.items):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = Sheet(self.book, name)
        at = len(self.items) if after is None else self.items.index(after) + 1
        self.items.insert(at, sheet)
        return sheet


class Books:
    __slots__ = ("opened",)

    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, fullname: str) -> None:
        self.opened.append(fullname)


class App:
    """Records what Excel would show: each alert (prompt, title, mode) and screen updating."""

    __slots__ = ("alerts", "books", "screen_updating")

    def __init__(self) -> None:
        self.alerts: list[tuple[str, str | None, str | None]] = []
        self.books = Books()
        self.screen_updating = True

    def alert(
        self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None
    ) -> str:
        self.alerts.append((prompt, title, mode))
        return "ok"


class Book:
    """A workbook; `path` is its file once saved (fullname is just the name before)."""

    __slots__ = ("app", "path", "saves", "sheets")

    def __init__(self, path: str | None = None) -> None:
        self.sheets = Sheets(self)
        self.app = App()
        self.path = path
        self.saves = 0

    @property
    def fullname(self) -> str:
        return self.path or "Book1"

    def save(self) -> None:
        self.saves += 1


# ---- building one, and reading it back (test helpers, not xlwings calls) ----------------


def book_from_tabs(tabs: Sequence[Any]) -> Book:
    """A stand-in book holding the tables of books.Tab, as the file books.write_book makes."""
    book = Book()
    for tab in tabs:
        sheet = book.sheets.add(tab.sheet or tab.name)
        for coord, value in tab.extra.items():
            letters, row = coordinate_from_string(coord)
            sheet.cells[row, column_index_from_string(letters)] = value
        letters, row0 = coordinate_from_string(tab.at)
        col0 = column_index_from_string(letters)
        for r, row in enumerate([tab.headers, *tab.rows]):
            for c, value in enumerate(row):
                if value is not None:  # as typed: a string stays a string
                    sheet.cells[row0 + r, col0 + c] = _as_excel_stores(value, text_format=True)
        top = sheet.range((row0, col0))
        sheet.tables.add(top.resize(1 + max(1, len(tab.rows)), len(tab.headers)), tab.name)
    return book


def table_values(book: Book, name: str) -> tuple[str, list[Any], list[list[Any]]]:
    """(sheet name, header row, data rows) of the table `name`."""
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name == name:
                grid = table.range.options(ndim=2).value
                return sheet.name, grid[0], grid[1:]
    raise KeyError(name)
