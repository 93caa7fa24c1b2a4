"""The XML of one output sheet, its table, and its drawing and charts.

The sheet is streamed as string building (no DOM): a row is one f-string of its
cells, a chunk of rows one encoded bytes object, so a 200,000-row sheet never
exists as a tree. Strings are inline (t="inlineStr"): sharedStrings.xml is not
touched. Numbers are written as they are (Decimal as its digits, float as its
shortest round-trip form), dates as serial numbers of the workbook's date system
with a date format, empty cells (None, "") not at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .outputs import OutputTable, rule_formulas, rule_ranges
from .reader import col_letter
from .xmlparts import MAIN, XML_DECL, R, esc_attr, esc_cell_text, esc_text

MAX_TEXT = 32_767  # characters Excel holds in one cell
_ORDINAL_1900 = date(1899, 12, 30).toordinal()
_ORDINAL_1904 = date(1904, 1, 1).toordinal()
_ROWS_PER_CHUNK = 1000
_TEXT_CACHE = 20_000  # strings whose XML is remembered (200,000 cost 23 MB at 50k customers)


@dataclass(frozen=True)
class SheetStyles:
    """Style indices of one output sheet, from styles.StyleSheet."""

    header: int  # cellXfs index of the header cells
    columns: tuple[int, ...]  # cellXfs index of each column's data cells (0: none)
    dxfs: tuple[int, ...]  # dxfs index of each conditional-format rule


class Cells:
    """Renders cell values; caches the XML of repeated strings."""

    def __init__(self, date1904: bool = False) -> None:
        self.date1904 = date1904
        self._epoch = _ORDINAL_1904 if date1904 else _ORDINAL_1900
        self._text: dict[str, str] = {}

    def text(self, value: str) -> str:
        """The <is> content of a string cell."""
        xml = self._text.get(value)
        if xml is None:
            shown = value if len(value) <= MAX_TEXT else value[:MAX_TEXT]
            body = esc_cell_text(shown)
            if shown != shown.strip():
                xml = f'<is><t xml:space="preserve">{body}</t></is>'
            else:
                xml = f"<is><t>{body}</t></is>"
            if len(self._text) < _TEXT_CACHE:
                self._text[value] = xml
        return xml

    def serial(self, value: date) -> str | None:
        """A date's serial number in this workbook's date system (None before its epoch)."""
        days = value.toordinal() - self._epoch
        if not self.date1904 and 0 < days <= 60:
            days -= 1  # Excel's fictitious 1900-02-29
        if days < 0 or (days == 0 and not self.date1904):
            return None
        if isinstance(value, datetime):
            seconds = value.hour * 3600 + value.minute * 60 + value.second
            fraction = (seconds + value.microsecond / 1e6) / 86400
            return repr(days + fraction) if fraction else str(days)
        return str(days)

    def cell(self, ref: str, style: str, value: Any) -> str:
        """One <c> element ('' for an empty cell); style is ' s="N"' or ''."""
        kind = type(value)
        if kind is str:
            if not value:
                return ""
            return f'<c r="{ref}"{style} t="inlineStr">{self.text(value)}</c>'
        if kind is Decimal:
            if not value.is_finite():
                return ""
            return f'<c r="{ref}"{style}><v>{value:f}</v></c>'
        if kind is float:
            if not math.isfinite(value):
                return ""
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        if kind is int:
            return f'<c r="{ref}"{style}><v>{value}</v></c>'
        if kind is bool:
            return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
        if value is None:
            return ""
        if isinstance(value, date):
            serial = self.serial(value)
            if serial is None:
                return self.cell(ref, "", value.isoformat())
            return f'<c r="{ref}"{style}><v>{serial}</v></c>'
        if isinstance(value, (Decimal, float, int)):  # subclasses
            return self.cell(ref, style, kind.__mro__[1](value) if kind is not bool else value)
        return self.cell(ref, style, str(value))


def _style(index: int) -> str:
    return f' s="{index}"' if index else ""


def _col_style(index: int) -> str:
    return f' style="{index}"' if index else ""


def rows_xml(out: OutputTable, styles: SheetStyles, cells: Cells) -> Iterator[bytes]:
    """<row> elements of the header and every data row, in chunks of bytes.

    The hot loop of writing: the common types (text, Decimal, float, date) are
    rendered inline with per-column prefixes and the text and date caches at hand.
    """
    letters = [col_letter(i) for i in range(1, len(out.table.columns) + 1)]
    head = _style(styles.header)
    header = "".join(
        f'<c r="{letter}1"{head} t="inlineStr">{cells.text(text)}</c>'
        for letter, text in zip(letters, out.headers, strict=True)
    )
    buffer = [f'<row r="1">{header}</row>']
    # per column: '<c r="A', '" s="3">' and '" s="3" t="inlineStr">'
    columns = [
        (f'<c r="{letter}', f'"{_style(s)}>', f'"{_style(s)} t="inlineStr">', letter, _style(s))
        for letter, s in zip(letters, styles.columns, strict=True)
    ]
    texts = cells._text
    serials: dict[date, str | None] = {}
    text = cells.text
    cell = cells.cell
    for number, row in enumerate(out.rows, start=2):
        r = str(number)
        parts = []
        for (start, number_end, text_end, letter, style), value in zip(columns, row, strict=True):
            if value is None:
                continue
            kind = value.__class__
            # the common types inline; everything else through Cells.cell
            if kind is str:
                if value:
                    xml = texts.get(value) or text(value)
                    parts.append(f"{start}{r}{text_end}{xml}</c>")
            elif kind is Decimal and value.is_finite():
                parts.append(f"{start}{r}{number_end}<v>{value:f}</v></c>")
            elif kind is float and value - value == 0:  # finite
                parts.append(f"{start}{r}{number_end}<v>{value!r}</v></c>")
            elif kind is date:
                serial = serials.get(value, "")
                if serial == "":
                    serial = serials[value] = cells.serial(value)
                if serial is None:
                    parts.append(cell(letter + r, style, value))
                else:
                    parts.append(f"{start}{r}{number_end}<v>{serial}</v></c>")
            else:
                parts.append(cell(letter + r, style, value))
        buffer.append(f'<row r="{r}">{"".join(parts)}</row>')
        if len(buffer) >= _ROWS_PER_CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def _conditional(out: OutputTable, dxfs: Sequence[int]) -> str:
    parts = []
    for priority, (rule, dxf) in enumerate(zip(out.rules, dxfs, strict=True), start=1):
        attrs = f'type="{rule.kind}" dxfId="{dxf}" priority="{priority}"'
        if rule.stop:
            attrs += ' stopIfTrue="1"'
        if rule.kind == "cellIs":
            attrs += f' operator="{rule.operator}"'
        elif rule.kind == "containsText":
            attrs += f' operator="containsText" text="{esc_attr(rule.text)}"'
        formulas = "".join(f"<formula>{esc_text(f)}</formula>" for f in rule_formulas(out, rule))
        parts.append(
            f'<conditionalFormatting sqref="{rule_ranges(out, rule)}">'
            f"<cfRule {attrs}>{formulas}</cfRule></conditionalFormatting>"
        )
    return "".join(parts)


def worksheet_xml(
    out: OutputTable,
    styles: SheetStyles,
    widths: Sequence[float],
    cells: Cells,
    table_rel: str,
    drawing_rel: str | None,
) -> Iterator[bytes]:
    """The whole worksheet part, streamed."""
    last_col = col_letter(len(out.table.columns))
    used = f"A1:{last_col}{len(out.rows) + 1}"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:g}"{_col_style(s)} customWidth="1"/>'
        for i, (w, s) in enumerate(zip(widths, styles.columns, strict=True), start=1)
    )
    yield (
        XML_DECL.decode() + f'<worksheet xmlns="{MAIN}" xmlns:r="{R}">'
        f'<dimension ref="{used}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        f"<cols>{cols}</cols><sheetData>"
    ).encode()
    yield from rows_xml(out, styles, cells)
    tail = "</sheetData>" + _conditional(out, styles.dxfs)
    tail += (
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    )
    if drawing_rel:
        tail += f'<drawing r:id="{drawing_rel}"/>'
    tail += f'<tableParts count="1"><tablePart r:id="{table_rel}"/></tableParts></worksheet>'
    yield tail.encode()


def table_xml(out: OutputTable, table_id: int, style: str) -> bytes:
    ref = f"A1:{col_letter(len(out.table.columns))}{out.last_row}"
    columns = "".join(
        f'<tableColumn id="{i}" name="{esc_attr(h)}"/>' for i, h in enumerate(out.headers, start=1)
    )
    name = esc_attr(out.name)
    return (
        XML_DECL.decode() + f'<table xmlns="{MAIN}" id="{table_id}" name="{name}" '
        f'displayName="{name}" ref="{ref}" totalsRowShown="0">'
        f'<autoFilter ref="{ref}"/>'
        f'<tableColumns count="{len(out.headers)}">{columns}</tableColumns>'
        f'<tableStyleInfo name="{style}" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode()


def rels_xml(rels: Sequence[tuple[str, str, str]]) -> bytes:
    """A .rels part of (Id, Type, Target)."""
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{esc_attr(target)}"/>' for i, t, target in rels
    )
    return (
        XML_DECL.decode() + '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
        f'2006/relationships">{body}</Relationships>'
    ).encode()


def drawing_parts(
    out: OutputTable, chart_numbers: Sequence[int]
) -> tuple[bytes, bytes, list[bytes]]:
    """(drawing XML, its rels XML, each chart's XML) for the sheet's charts.

    openpyxl serialises the charts through its public API: they are added to a
    one-sheet workbook saved in memory, and its drawing and chart parts are taken
    from that package, the drawing's relationships renumbered to `chart_numbers`.
    """
    import io
    import zipfile

    from openpyxl import Workbook

    from .charts import build_charts

    charts = build_charts(out)
    scratch = Workbook()
    sheet = scratch.active
    assert sheet is not None  # a new workbook has its one sheet
    for chart in charts:
        sheet.add_chart(chart)
    buf = io.BytesIO()
    scratch.save(buf)
    with zipfile.ZipFile(buf) as z:
        drawing = z.read("xl/drawings/drawing1.xml")
        rels = z.read("xl/drawings/_rels/drawing1.xml.rels")
        chart_xml = [z.read(f"xl/charts/chart{i}.xml") for i in range(1, len(charts) + 1)]
    numbers = {str(i): str(n) for i, n in enumerate(chart_numbers, start=1)}
    rels = re.sub(
        rb"/xl/charts/chart(\d+)\.xml",
        lambda m: b"/xl/charts/chart%s.xml" % numbers[m.group(1).decode()].encode(),
        rels,
    )

    def declared(xml: bytes) -> bytes:
        return xml if xml.startswith(b"<?xml") else XML_DECL + xml

    return declared(drawing), declared(rels), [declared(c) for c in chart_xml]
