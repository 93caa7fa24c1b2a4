"""ChartSpec → an openpyxl chart object over the output table's own cells.

Both writers use it: the openpyxl reference writer adds the object to a sheet;
the package writer serialises it (`chart._write()`, the chartSpace) and its
drawing without loading the user's workbook into openpyxl.
"""

from __future__ import annotations

import math

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart._chart import ChartBase
from openpyxl.chart.reference import DummyWorksheet

from .outputs import ChartSpec, OutputTable
from .reader import cell_ref

ROW_CM = 0.53  # a default row (15 pt) in centimetres


def anchors(out: OutputTable) -> list[str]:
    """Each chart's top-left cell: its own anchor, or right of the table, stacked."""
    column = len(out.table.columns) + 2
    row = 2
    cells = []
    for spec in out.charts:
        if spec.anchor:
            cells.append(spec.anchor)
            continue
        cells.append(cell_ref(column, row))
        row += math.ceil(spec.height / ROW_CM) + 1
    return cells


def build_chart(out: OutputTable, spec: ChartSpec, anchor: str) -> ChartBase:
    sheet = DummyWorksheet(out.name)
    last = out.last_row
    chart: ChartBase
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
    chart.anchor = anchor
    return chart


def build_charts(out: OutputTable) -> list[ChartBase]:
    return [build_chart(out, s, a) for s, a in zip(out.charts, anchors(out), strict=True)]
