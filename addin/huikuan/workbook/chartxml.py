"""Where an output table's charts go, and column and bar charts written as XML.

The package writer had openpyxl build every chart and serialise it in a scratch
workbook: importing openpyxl alone cost 0.15 s CPU of each refresh (issue 15), for
four small parts. Column and bar charts with a title (all the Dashboard has) are
written here as openpyxl 3.1 writes the same charts (charts.build_chart): the same
elements and attributes in the same order, so Excel and LibreOffice show the same
chart — tests/test_outputs_fast_paths.py compares the two on real tables. Any
other chart still goes through openpyxl (sheetxml.drawing_parts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .outputs import ChartSpec, OutputTable, column_widths
from .reader import cell_ref, col_letter

ROW_CM = 0.53  # a default row (15 pt) in centimetres
CHAR_CM = 0.19  # a character of column width (7 px at 96 dpi) in centimetres
EMU_PER_CM = 360_000

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_REL_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


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


def written_here(spec: ChartSpec) -> bool:
    """Whether chart_xml writes this chart (else openpyxl does)."""
    return spec.kind in ("bar", "column") and bool(spec.title) and not spec.y_title


def _text(text: str) -> str:
    """Element text as ElementTree writes it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    """An attribute value as ElementTree writes it."""
    text = _text(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _cells(sheet: str, col: int, first: int, last: int) -> str:
    """A range as openpyxl's Reference writes it: 'Sheet'!$A$2:$A$9, or 'Sheet'!$A$2."""
    letter = col_letter(col)
    if first == last:
        return f"{sheet}!${letter}${first}"
    return f"{sheet}!${letter}${first}:${letter}${last}"


def chart_xml(out: OutputTable, spec: ChartSpec) -> bytes:
    """The chart part of a column or bar chart (written_here) over the table's cells."""
    sheet = "'" + out.name.replace("'", "''") + "'"
    last = out.last_row
    if spec.without_total and len(out.rows) > 1:
        last -= 1
    cat = _text(_cells(sheet, out.column(spec.categories), 2, last))
    series = []
    for index, key in enumerate(spec.values):
        col = out.column(key)
        title = _text(f"{sheet}!{col_letter(col)}1")
        values = _text(_cells(sheet, col, 2, last))
        series.append(
            f'<ser><idx val="{index}" /><order val="{index}" />'
            f"<tx><strRef><f>{title}</f></strRef></tx>"
            '<spPr><a:ln><a:prstDash val="solid" /></a:ln></spPr>'
            f"<cat><numRef><f>{cat}</f></numRef></cat>"
            f"<val><numRef><f>{values}</f></numRef></val></ser>"
        )
    paragraphs = "".join(
        f"<a:p><a:pPr><a:defRPr /></a:pPr><a:r><a:t>{_text(line)}</a:t></a:r></a:p>"
        for line in spec.title.split("\n")
    )
    direction = "bar" if spec.kind == "bar" else "col"
    grouping = "stacked" if spec.stacked else "clustered"
    overlap = '<overlap val="100" />' if spec.stacked else ""
    number_format = (
        f'<numFmt formatCode="{_attr(spec.number_format)}" sourceLinked="0" />'
        if spec.number_format
        else ""
    )
    return (
        f'{_DECL}<chartSpace xmlns:a="{_A}" xmlns="{_C}"><chart>'
        f"<title><tx><rich><a:bodyPr />{paragraphs}</rich></tx></title>"
        f'<plotArea><barChart><barDir val="{direction}" /><grouping val="{grouping}" />'
        f'{"".join(series)}<gapWidth val="150" />{overlap}'
        '<axId val="10" /><axId val="100" /></barChart>'
        '<catAx><axId val="10" /><scaling><orientation val="minMax" /></scaling>'
        '<delete val="0" /><axPos val="l" /><majorTickMark val="none" />'
        '<minorTickMark val="none" /><crossAx val="100" /><lblOffset val="100" /></catAx>'
        '<valAx><axId val="100" /><scaling><orientation val="minMax" /></scaling>'
        '<delete val="0" /><axPos val="l" /><majorGridlines />'
        f"{number_format}"
        '<majorTickMark val="none" /><minorTickMark val="none" /><crossAx val="10" /></valAx>'
        '</plotArea><legend><legendPos val="r" /></legend><plotVisOnly val="1" />'
        '<dispBlanksAs val="gap" /></chart></chartSpace>'
    ).encode()


def drawing_xml(out: OutputTable, chart_numbers: Sequence[int]) -> tuple[bytes, bytes]:
    """(drawing part, its rels) placing the table's charts, chart i as part chart_numbers[i]."""
    frames = []
    for number, (spec, anchor) in enumerate(zip(out.charts, anchors(out), strict=True), 1):
        col, row = _position(anchor)
        width, height = int(spec.width * EMU_PER_CM), int(spec.height * EMU_PER_CM)
        frames.append(
            f"<oneCellAnchor><from><col>{col - 1}</col><colOff>0</colOff>"
            f"<row>{row - 1}</row><rowOff>0</rowOff></from>"
            f'<ext cx="{width}" cy="{height}" /><graphicFrame><nvGraphicFramePr>'
            f'<cNvPr id="{number}" name="Chart {number}" /><cNvGraphicFramePr />'
            f'</nvGraphicFramePr><xfrm /><a:graphic><a:graphicData uri="{_C}">'
            f'<c:chart r:id="rId{number}" /></a:graphicData></a:graphic></graphicFrame>'
            "<clientData /></oneCellAnchor>"
        )
    drawing = (
        f'{_DECL}<wsDr xmlns:a="{_A}" xmlns:c="{_C}" xmlns:r="{_R}" xmlns="{_XDR}">'
        f"{''.join(frames)}</wsDr>"
    )
    rels = "".join(
        f'<Relationship Type="{_REL_CHART}" Target="/xl/charts/chart{n}.xml" Id="rId{i}" />'
        for i, n in enumerate(chart_numbers, 1)
    )
    rels_xml = (
        f'{_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{rels}</Relationships>'
    )
    return drawing.encode(), rels_xml.encode()


def _position(ref: str) -> tuple[int, int]:
    """(column, row), 1-based, of a cell like 'H9' or '$H$9'."""
    ref = ref.replace("$", "").upper()
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col, int(ref[len(letters) :])
