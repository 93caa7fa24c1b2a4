"""ChartSpec → an openpyxl chart object over the output table's own cells.

Both writers use it: the openpyxl reference writer adds the object to a sheet;
the package writer has openpyxl serialise it in a scratch workbook (public API)
and takes its drawing and chart parts, without loading the user's workbook —
for the charts chartxml does not write itself (it writes column and bar charts).
Where the charts go is chartxml.anchors.
"""

from __future__ import annotations

from typing import TypeAlias

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.reference import DummyWorksheet

from .chartxml import anchors
from .outputs import ChartSpec, OutputTable

Chart: TypeAlias = BarChart | LineChart | PieChart


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
