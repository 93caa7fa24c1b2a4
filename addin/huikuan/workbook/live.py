"""The workbook interface over the book open in Excel, through xlwings (its BSD part).

LiveBook takes an xlwings Book (in a ribbon macro, `xw.Book.caller()`) and uses
only a few plain xlwings calls — sheets, sheet.tables, table.range, Range.value,
and for what `huikuan refresh` adds to a table, range.conditional_formats and
sheet.charts (xlwings ≥ 0.37.5) — so a test stand-in can implement exactly those.
Output tables are written as values with the file writer's number formats; text
columns are formatted as text first so Excel does not turn '1/2' into a date or
'=…' into a formula. Conditional formats and charts are the file writer's
(outputs.rule_formulas / rule_ranges, chartxml.anchors), placed where the table is:
huikuan's old ones on the sheet are replaced, not added to.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from ..contract import Kind
from ..errors import Unusable
from .outputs import FORMATS, ChartSpec, FormatRule, OutputTable, rule_formulas, rule_ranges
from .reader import RawTable, col_letter

TABLE_STYLE = "TableStyleMedium2"
TEXT_KINDS = (Kind.TEXT, Kind.CHOICE, Kind.YESNO)
CHART_PREFIX = "huikuan "  # huikuan's charts on an output sheet: "huikuan Dashboard 1" …
POINTS_PER_CM = 72 / 2.54
# FormatRule operators (Excel's cfRule names) as xlwings spells them
OPERATORS = {
    "equal": "equal_to",
    "notEqual": "not_equal_to",
    "greaterThan": "greater_than",
    "greaterThanOrEqual": "greater_than_or_equal",
    "lessThan": "less_than",
    "lessThanOrEqual": "less_than_or_equal",
    "between": "between",
    "notBetween": "not_between",
}


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
            old.conditional_formats.clear()
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
        self._rules(sheet, top, out)
        self._charts(sheet, top, out)

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

    # ---- what `huikuan refresh` adds to a table -------------------------------------

    def _rules(self, sheet: Any, top: Any, out: OutputTable) -> None:
        """The table's conditional formats, as the file writer's, in its priority order.

        Excel reads a rule's relative references (the row of `$Q2`) from the active
        cell, so the rules' first cell is selected while they are added, and the
        selection put back afterwards. xlwings puts each new rule first: they are added
        last to first.
        """
        if not out.rules:
            return
        book = self.book
        was_sheet = book.sheets.active
        try:
            was_cell = book.selection
        except Exception:  # a chart or shape selected: nothing to put back
            was_cell = None
        sheet.activate()
        try:
            for rule in reversed(out.rules):
                ranges = rule_ranges(out, rule, top.row, top.column)
                sheet.range(ranges.split(" ")[0].split(":")[0]).select()
                area = sheet.range(ranges.replace(" ", ","))
                self._add_rule(area, rule, rule_formulas(out, rule, top.row, top.column))
        finally:
            was_sheet.activate()
            if was_cell is not None:
                was_cell.select()

    @staticmethod
    def _add_rule(area: Any, rule: FormatRule, formulas: tuple[str, ...]) -> None:
        look = rule.look
        style: dict[str, Any] = {
            "fill_color": f"#{look.fill_color}" if look.fill_color else None,
            "font_color": f"#{look.font_color}" if look.font_color else None,
            "font_bold": True if look.bold else None,
            "stop_if_true": rule.stop,
        }
        if rule.kind == "cellIs":
            second = f"={formulas[1]}" if len(formulas) > 1 else None
            area.conditional_formats.add_cell_value(
                OPERATORS[rule.operator], f"={formulas[0]}", second, **style
            )
        else:  # expression; containsText as the expression Excel evaluates for it
            area.conditional_formats.add_custom(f"={formulas[0]}", **style)

    def _charts(self, sheet: Any, top: Any, out: OutputTable) -> None:
        """The table's charts, as the file writer's: huikuan's old charts on the sheet go."""
        from .chartxml import anchors

        for chart in list(sheet.charts):
            if chart.name.startswith(CHART_PREFIX):
                chart.delete()
        for number, (spec, anchor) in enumerate(zip(out.charts, anchors(out), strict=True), 1):
            at = sheet.range(anchor)
            cell = sheet.range((at.row + top.row - 1, at.column + top.column - 1))
            chart = sheet.charts.add(
                anchor=cell,
                width=spec.width * POINTS_PER_CM,
                height=spec.height * POINTS_PER_CM,
                name=f"{CHART_PREFIX}{out.name} {number}",
            )
            self._chart(sheet, top, out, spec, chart)

    @staticmethod
    def _chart(sheet: Any, top: Any, out: OutputTable, spec: ChartSpec, chart: Any) -> None:
        first = top.row + 1
        last = top.row + out.last_row - 1
        if spec.without_total and len(out.rows) > 1:
            last -= 1
        # Excel makes the series in sheet order (ChartSpec's values are listed so)
        keys = sorted(spec.values, key=out.column)
        columns = [top.column + out.column(key) - 1 for key in keys]
        data = ",".join(f"{col_letter(c)}{first}:{col_letter(c)}{last}" for c in columns)
        chart.set_source_data(sheet.range(data), plot_by="columns")
        cat = top.column + out.column(spec.categories) - 1
        chart.set_x_axis_values(sheet.range((first, cat), (last, cat)))
        kind = spec.kind
        if kind == "pie":
            chart.chart_type = "pie"
        elif kind == "line":
            chart.chart_type = "line_stacked" if spec.stacked else "line"
        else:
            chart.chart_type = f"{kind}_{'stacked' if spec.stacked else 'clustered'}"
        headers = out.headers
        for series, key in zip(chart.series, keys, strict=True):
            series.name = headers[out.column(key) - 1]
        chart.title = spec.title
        if kind != "pie":
            if spec.number_format:
                chart.value_axis.number_format = spec.number_format
            if spec.y_title:
                chart.value_axis.title = spec.y_title
