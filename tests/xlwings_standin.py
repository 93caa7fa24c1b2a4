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

For what `huikuan refresh` adds to a table (xlwings ≥ 0.37.5's documented API):

    sheet.range("A1"), sheet.range("C2:C9,E2:E9") (an address; several areas joined by ","),
    book.sheets.active, sheet.activate(), range.select(), book.selection,
    range.conditional_formats.clear() / .add_cell_value(operator, formula1, formula2,
        fill_color=, font_color=, font_bold=, stop_if_true=) / .add_custom(formula, …),
    sheet.charts: iterate, .add(anchor=, width=, height=, name=); chart.name, .delete(),
        .set_source_data(range, plot_by="columns"), .set_x_axis_values(range),
        .chart_type = …, .series (each .name = …), .title = …, .value_axis.number_format,
        .value_axis.title

doing what Excel does with them: a conditional format is kept per sheet over a set of
cells, highest priority first, each new one put first (xlwings calls SetFirstPriority);
its formula's relative references are read from the active cell of the active sheet and
stored relative to the rule's first cell (so a formula written for C2 while A1 is active
lands one row and two columns off, as in Excel); clearing a range takes its cells out of
every rule, dropping rules left with none. A chart's source by columns makes one series
per column, left to right, named "Series1" … until named; its categories are set for
every series; `chart_type` takes xlwings' names of the types used here.

Values read back as xlwings returns them from Excel on Windows: numbers as float,
dates as datetime, empty cells as None. Two Excel behaviours that matter to the
writer are imitated: a string written into a cell not formatted as text ("@")
becomes a number when it looks like one, and one starting with "=" becomes a
formula (kept here as Formula(text)). Every other attribute is missing
(__slots__), so a new xlwings call in LiveBook fails here until this stand-in
implements it — and says so above.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
    range_boundaries,
)


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

    def select(self) -> None:
        # Excel: "Select method of Range class failed" unless the sheet is the active one
        assert self.sheet.book.sheets.active is self.sheet, "select() on an inactive sheet"
        self.sheet.book.selected = self

    @property
    def conditional_formats(self) -> ConditionalFormats:
        return ConditionalFormats(self.sheet, [self])

    def cells_in(self) -> set[tuple[int, int]]:
        return {(r, c) for r in range(self.r1, self.r2 + 1) for c in range(self.c1, self.c2 + 1)}

    @property
    def ref(self) -> str:
        """Its absolute address on its sheet, as a chart's series holds it."""
        a = f"${get_column_letter(self.c1)}${self.r1}"
        b = f"${get_column_letter(self.c2)}${self.r2}"
        return f"'{self.sheet.name}'!{a}" + (
            f":{b}" if (self.r1, self.c1) != (self.r2, self.c2) else ""
        )


class Areas:
    """A range of several areas (sheet.range("C2:C9,E2:E9"))."""

    __slots__ = ("areas", "sheet")

    def __init__(self, sheet: Sheet, areas: list[Range]) -> None:
        self.sheet, self.areas = sheet, areas

    @property
    def conditional_formats(self) -> ConditionalFormats:
        return ConditionalFormats(self.sheet, self.areas)


# ---- conditional formats ------------------------------------------------------------------

# xlwings' operator names → Excel's cfRule operator names (what a file stores)
CF_OPERATORS = {
    "equal_to": "equal",
    "not_equal_to": "notEqual",
    "greater_than": "greaterThan",
    "greater_than_or_equal": "greaterThanOrEqual",
    "less_than": "lessThan",
    "less_than_or_equal": "lessThanOrEqual",
    "between": "between",
    "not_between": "notBetween",
}
_A1 = re.compile(r"(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")


def shift_relative(formula: str, rows: int, cols: int) -> str:
    """Move the relative parts of a formula's A1 references (outside string literals)."""

    def move(m: re.Match[str]) -> str:
        col_abs, letters, row_abs, row = m.groups()
        col = column_index_from_string(letters) + (0 if col_abs else cols)
        new_row = int(row) + (0 if row_abs else rows)
        assert col >= 1 and new_row >= 1, "a reference moved off the sheet (#REF!)"
        return f"{col_abs}{get_column_letter(col)}{row_abs}{new_row}"

    parts = formula.split('"')
    return '"'.join(_A1.sub(move, p) if i % 2 == 0 else p for i, p in enumerate(parts))


@dataclass
class Rule:
    """A conditional format as Excel keeps it: cells, type, operator, stored formulas."""

    cells: set[tuple[int, int]]
    kind: str  # "cellIs" or "expression"
    operator: str
    formulas: tuple[str, ...]
    fill_color: str | None
    font_color: str | None
    bold: bool
    stop: bool
    first: tuple[int, int] = field(default=(0, 0))


def _color(value: Any) -> str | None:
    if value is None:
        return None
    assert isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value), value
    return value[1:].upper()


class ConditionalFormats:
    __slots__ = ("areas", "sheet")

    def __init__(self, sheet: Sheet, areas: list[Range]) -> None:
        self.sheet, self.areas = sheet, areas

    def clear(self) -> None:
        gone = set().union(*(a.cells_in() for a in self.areas))
        for rule in self.sheet.rules:
            rule.cells -= gone
        self.sheet.rules[:] = [r for r in self.sheet.rules if r.cells]

    def _stored(self, formula: str) -> str:
        assert formula.startswith("=") and len(formula) > 1, "xlwings wants '=' first"
        book = self.sheet.book
        active = book.selected if book.selected is not None else book.sheets.active.range((1, 1))
        first = self.areas[0]
        return shift_relative(formula[1:], first.r1 - active.r1, first.c1 - active.c1)

    def _add(self, kind: str, operator: str, formulas: list[str], style: dict[str, Any]) -> None:
        assert set(style) <= {
            "fill_color",
            "font_color",
            "font_bold",
            "font_italic",
            "stop_if_true",
        }
        rule = Rule(
            cells=set().union(*(a.cells_in() for a in self.areas)),
            kind=kind,
            operator=operator,
            formulas=tuple(self._stored(f) for f in formulas),
            fill_color=_color(style.get("fill_color")),
            font_color=_color(style.get("font_color")),
            bold=bool(style.get("font_bold")),
            stop=bool(style.get("stop_if_true", False)),
            first=(self.areas[0].r1, self.areas[0].c1),
        )
        self.sheet.rules.insert(0, rule)  # SetFirstPriority

    def add_cell_value(
        self, operator: str, formula1: str, formula2: str | None = None, **style: Any
    ) -> None:
        between = operator in ("between", "not_between")
        assert (formula2 is not None) == between, "formula2 with between/not_between only"
        formulas = [formula1] if formula2 is None else [formula1, formula2]
        self._add("cellIs", CF_OPERATORS[operator], formulas, style)

    def add_custom(self, formula: str, **style: Any) -> None:
        self._add("expression", "", [formula], style)


# ---- charts -------------------------------------------------------------------------------

# xlwings' chart type names used here → (Excel's barDir or kind, grouping)
CHART_TYPES = {
    "column_clustered": ("col", "clustered"),
    "column_stacked": ("col", "stacked"),
    "bar_clustered": ("bar", "clustered"),
    "bar_stacked": ("bar", "stacked"),
    "line": ("line", "standard"),
    "line_stacked": ("line", "stacked"),
    "pie": ("pie", ""),
}


class Series:
    __slots__ = ("categories", "name", "values")

    def __init__(self, name: str, values: str) -> None:
        self.name, self.values = name, values
        self.categories: str | None = None


class Axis:
    __slots__ = ("number_format", "title")

    def __init__(self) -> None:
        self.number_format: str | None = None
        self.title: str | None = None


class Chart:
    __slots__ = (
        "_type",
        "anchor",
        "height",
        "name",
        "series",
        "sheet",
        "title",
        "value_axis",
        "width",
    )

    def __init__(self, sheet: Sheet, name: str, anchor: Range, width: float, height: float) -> None:
        self.sheet, self.name, self.anchor = sheet, name, anchor
        self.width, self.height = width, height
        self.series: list[Series] = []
        self.title: str | None = None
        self.value_axis = Axis()
        self._type = "column_clustered"  # Excel's default chart

    @property
    def chart_type(self) -> str:
        return self._type

    @chart_type.setter
    def chart_type(self, value: str) -> None:
        assert value in CHART_TYPES, f"the stand-in knows no chart type {value!r}"
        self._type = value

    def set_source_data(self, source: Range | Areas, plot_by: str | None = None) -> None:
        assert plot_by == "columns", "huikuan names the direction; Excel would guess"
        areas = source.areas if isinstance(source, Areas) else [source]
        columns = sorted(
            {(a.sheet.name, c, a.r1, a.r2) for a in areas for c in range(a.c1, a.c2 + 1)},
            key=lambda t: t[1],
        )
        self.series = [
            Series(f"Series{n}", Range(self.sheet.book.sheet(name), r1, c, r2, c).ref)
            for n, (name, c, r1, r2) in enumerate(columns, start=1)
        ]

    def set_x_axis_values(self, source: Range) -> None:
        for series in self.series:
            series.categories = source.ref

    def delete(self) -> None:
        self.sheet.charts.items.remove(self)


class Charts:
    __slots__ = ("items", "sheet")

    def __init__(self, sheet: Sheet) -> None:
        self.sheet, self.items = sheet, []

    def __iter__(self) -> Iterator[Chart]:
        return iter(list(self.items))

    def add(
        self, anchor: Range, width: float = 355, height: float = 211, name: str | None = None
    ) -> Chart:
        name = name or f"Chart {len(self.items) + 1}"
        if name in (c.name for c in self.items):
            raise ValueError(f"'{name}' is already present on {self.sheet.name}.")
        chart = Chart(self.sheet, name, anchor, width, height)
        self.items.append(chart)
        return chart


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
    __slots__ = ("autofitted", "book", "cells", "charts", "formats", "name", "rules", "tables")

    def __init__(self, book: Book, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.tables = Tables(self)
        self.autofitted: list[tuple[int, int, int, int]] = []
        self.rules: list[Rule] = []  # conditional formats, highest priority first
        self.charts = Charts(self)

    def range(
        self, cell1: tuple[int, int] | str, cell2: tuple[int, int] | None = None
    ) -> Range | Areas:
        if isinstance(cell1, str):
            assert cell2 is None
            areas = []
            for part in cell1.replace("$", "").split(","):
                c1, r1, c2, r2 = range_boundaries(part if ":" in part else f"{part}:{part}")
                areas.append(Range(self, r1, c1, r2, c2))
            return areas[0] if len(areas) == 1 else Areas(self, areas)
        r2, c2 = cell2 or cell1
        return Range(self, cell1[0], cell1[1], r2, c2)

    def activate(self) -> None:
        if self.book.sheets.active is not self:
            self.book.sheets.active = self
            self.book.selected = None  # Excel: that sheet's own selection (here: A1)

    def put(self, row: int, col: int, value: Any) -> None:
        stored = _as_excel_stores(value, self.formats.get((row, col)) == "@")
        if stored is None:
            self.cells.pop((row, col), None)
        else:
            self.cells[row, col] = stored


class Sheets:
    __slots__ = ("_active", "book", "items")

    def __init__(self, book: Book) -> None:
        self.book, self.items = book, []
        self._active: Sheet | None = None

    @property
    def active(self) -> Sheet:
        return self._active or self.items[0]

    @active.setter
    def active(self, sheet: Sheet) -> None:
        self._active = sheet

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

    __slots__ = ("app", "path", "saves", "selected", "sheets")

    def __init__(self, path: str | None = None) -> None:
        self.sheets = Sheets(self)
        self.app = App()
        self.path = path
        self.saves = 0
        self.selected: Range | None = None  # the active sheet's selection (None: A1)

    @property
    def selection(self) -> Range:
        return self.selected or self.sheets.active.range((1, 1))

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

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
