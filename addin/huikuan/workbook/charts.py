"""ChartSpec → an openpyxl chart object over the output table's own cells.

Both writers use it: the openpyxl reference writer adds the object to a sheet;
the package writer has openpyxl serialise it in a scratch workbook (public API)
and takes its drawing and chart parts, without loading the user's workbook.
"""

from __future__ import annotations

import math
from typing import TypeAlias

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.reference import DummyWorksheet

from .outputs import ChartSpec, OutputTable, column_widths
from .reader import cell_ref

Chart: TypeAlias = BarChart | LineChart | PieChart

ROW_CM = 0.53  # a default row (15 pt) in centimetres
CHAR_CM = 0.19  # a character of column width (7 px at 96 dpi) in centimetres


def anchors(out: OutputTable) -> list[str]:
    """Each chart's top-left cell: its own anchor, or below the table, two charts a row.

    The second chart of a row starts at the first column past the first chart's
    width (column widths in characters, about 0.19 cm each), so that charts never
    overlap the table or each other whatever the table's size.
    """
    widths = column_widths(out)
    cells = []
    row = out.last_row + 3
    placed = 0
    for spec in out.charts:
        if spec.anchor:
            cells.append(spec.anchor)
            continue
        column = 1
        if placed % 2:
            left = out.charts[len(cells) - 1].width + 0.5
            reach = 0.0
            while reach < left:
                reach += (widths[column - 1] if column <= len(widths) else 8.43) * CHAR_CM
                column += 1
        cells.append(cell_ref(column, row))
        placed += 1
        if placed % 2 == 0:
            row += math.ceil(max(spec.height, out.charts[len(cells) - 2].height) / ROW_CM) + 1
    return cells


def build_chart(out: OutputTable, spec: ChartSpec, anchor: str) -> Chart:
    sheet = DummyWorksheet(out.name)
    last = out.last_row
    if spec.without_total and len(out.rows) > 1:
        last -= 1
    chart: Chart
    if spec.kind in ("bar", "column"):
        chart = BarChart()
        chart.type = "bar" if spec.kind == "bar" else "col"
        if spec.stacked:
            chart.grouping = "stacked"
            chart.overlap = 100
    elif spec.kind == "line":
        chart = LineChart()
        if spec.stacked:
            chart.grouping = "stacked"
    else:
        chart = PieChart()
    for key in spec.values:
        col = out.column(key)
        chart.add_data(
            Reference(sheet, min_col=col, min_row=1, max_row=last), titles_from_data=True
        )
    cat = out.column(spec.categories)
    chart.set_categories(Reference(sheet, min_col=cat, min_row=2, max_row=last))
    chart.title = spec.title
    chart.width = spec.width
    chart.height = spec.height
    if spec.kind != "pie":
        # openpyxl 3.1 marks axes deleted unless told otherwise; keep them visible
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        if spec.y_title:
            chart.y_axis.title = spec.y_title
        if spec.number_format:
            chart.y_axis.number_format = spec.number_format
            chart.y_axis.numFmt.sourceLinked = False
    chart.anchor = anchor
    return chart


def build_charts(out: OutputTable) -> list[Chart]:
    return [build_chart(out, s, a) for s, a in zip(out.charts, anchors(out), strict=True)]
