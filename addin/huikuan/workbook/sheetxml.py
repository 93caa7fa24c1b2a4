"""The XML of one output sheet, its table, and its drawing and charts.

The sheet is streamed as string building (no DOM), a chunk of 1,000 rows one
bytes object, so a 200,000-row sheet never exists as a tree or one string. Within
a chunk a column at a time: each cell's XML (Cells.cell, the definition) is made
once per distinct value of its column and found again by a dict look-up in C, the
row number put in afterwards (rows_xml). Strings are inline (t="inlineStr"): sharedStrings.xml is not
touched. Numbers are written as they are (Decimal as its digits, float as its
shortest round-trip form), dates as serial numbers of the workbook's date system
with a date format, empty cells (None, "") not at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import is_not
from typing import Any

from ..values import negative_zero
from . import chartxml
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
        if xml is None and value.isalnum() and len(value) <= MAX_TEXT:
            # letters and digits only (most names and ids): nothing to escape or keep
            xml = f"<is><t>{value}</t></is>"
            if len(self._text) < _TEXT_CACHE:
                self._text[value] = xml
        elif xml is None:
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


# A cell's XML is made once per distinct value of its column, encoded, with _ROW
# where its row number goes; the row number is put in with one bytes.replace per row.
# _ROW is a byte no cell's XML holds otherwise: cell_text writes U+0000 as _x0000_.
# Bytes, not str: a row holding one Chinese character is a 2-byte-per-character
# str, and joining, replacing in and encoding those cost 8 µs a row against 1 µs.
_ROW = "\x00"
_MEMO_LIMIT = 4096  # distinct values remembered per column and type
_MEMO_TEXT = 200  # characters of the longest text of a chunk whose column is remembered
_FEN = Decimal("0.01")
_NOT_NONE = partial(is_not, None)
# Types whose equal values have equal XML (floats and Decimals with the conditions of
# _Column.render); others — subclasses, aware datetimes equal across time zones —
# are written cell by cell.
_MEMO_KINDS = frozenset({str, int, bool, date, float, Decimal})
# Text cell_text would change (&, <, >, characters XML cannot carry, a return; and
# "_x", the start of an _xHHHH_, tested apart): a column without any is written as it is.
_NOT_PLAIN = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")


def _plain(texts: list[str]) -> bool:
    """The texts are their own cell XML: nothing to escape, no whitespace to keep at
    either end, none too long. Checked for a chunk of a column at once (in C)."""
    return (
        not _NOT_PLAIN.search(joined := "\n".join(texts))
        and "_x" not in joined  # a substring test: half the time of |_[xX] in the pattern
        and "_X" not in joined
        and all(map(str.__eq__, texts, map(str.strip, texts)))
        and max(map(len, texts), default=0) <= MAX_TEXT
    )


class _CellMemo(dict[Any, bytes]):
    """One column's cell XML by value, for values of one type: made on first look-up.

    Equal values give the same XML: _Column.render sends it no negative zero (equal
    to 0 but written "-0.0"), nor Decimals of other exponents than two decimals.
    (A NaN, equal to nothing, is only found again as the same object: its empty XML
    is right, it only takes a place.)
    """

    def __init__(self, render: Callable[[Any], bytes], kind: type) -> None:
        super().__init__({None: b"", "": b""} if kind is str else {None: b""})
        self.render = render

    def __missing__(self, value: Any) -> bytes:
        xml = self.render(value)
        if len(self) < _MEMO_LIMIT:
            self[value] = xml
        return xml

    def learn(self, values: Iterable[Any], xml: Iterable[bytes]) -> None:
        """Remember values rendered elsewhere (as __missing__ would have)."""
        if len(self) < _MEMO_LIMIT:
            self.update(zip(values, xml, strict=True))


class _Column:
    """Renders one column of a chunk of rows: each cell's XML with _ROW for its row.

    A column of one type is rendered through a memo of its cells' XML by value when
    most of its values were met before (a look-up in C, 0.04 µs a cell), else
    directly by a comprehension for its type (0.2-0.5 µs a cell; through the memo a
    value seen once costs 1 µs), and what was rendered remembered. The text, Decimal
    and float renderings are Cells.cell's, spelled out; a column of mixed types (or
    of a type not in _MEMO_KINDS, or Decimals of other exponents) goes to Cells.cell
    cell by cell.
    """

    def __init__(self, cells: Cells, letter: str, style: str) -> None:
        self.cells = cells
        self.ref = letter + _ROW
        self.style = style
        self.start = f'<c r="{self.ref}"{style}'
        self.memos: dict[type, _CellMemo] = {}

    def _one(self, kind: type) -> Callable[[Any], bytes]:
        """One value's cell XML (None: b"")."""
        start = self.start
        if kind is str:
            text = self.cells.text
            return lambda value: (
                f'{start} t="inlineStr">{text(value)}</c>'.encode() if value else b""
            )
        if kind is Decimal:  # two decimals (render): str() gives Cells.cell's {:f}
            return lambda value: b"" if value is None else f"{start}><v>{value!s}</v></c>".encode()
        if kind is float:
            return lambda value: (
                f"{start}><v>{value!r}</v></c>".encode()
                if value is not None and value - value == 0  # finite
                else b""
            )
        cell, ref, style = self.cells.cell, self.ref, self.style
        return lambda value: cell(ref, style, value).encode()

    def _direct(self, kind: type, values: tuple[Any, ...]) -> list[bytes]:
        """Every value's cell XML, one comprehension for the type."""
        start = self.start
        if kind is str:
            texts = list(filter(None, values))
            if _plain(texts):
                head = f'{start} t="inlineStr"><is><t>'
                return [f"{head}{v}</t></is></c>".encode() if v else b"" for v in values]
            text = self.cells.text
            return [f'{start} t="inlineStr">{text(v)}</c>'.encode() if v else b"" for v in values]
        if kind is Decimal:
            return [b"" if v is None else f"{start}><v>{v!s}</v></c>".encode() for v in values]
        if kind is float:
            return [
                f"{start}><v>{v!r}</v></c>".encode() if v is not None and v - v == 0 else b""
                for v in values
            ]
        return list(map(self._one(kind), values))

    def render(self, values: tuple[Any, ...]) -> Iterable[bytes]:
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if not kinds:
            return repeat(b"", len(values))
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind not in _MEMO_KINDS:
            kind = None
        if kind is Decimal and not all(map(_FEN.same_quantum, filter(_NOT_NONE, values))):
            kind = None  # Decimal("1.5") equals Decimal("1.50"): neither memo nor str()
        if kind in (float, Decimal) and negative_zero(values):
            kind = None  # -0.0 equals 0.0
        if kind is None:
            cell, ref, style = self.cells.cell, self.ref, self.style
            return [cell(ref, style, value).encode() for value in values]
        if kind is str and max(map(len, filter(None, values)), default=0) > _MEMO_TEXT:
            return self._direct(kind, values)  # long texts: not held (4096 × 32 KB)
        memo = self.memos.get(kind)
        if memo is None:
            memo = self.memos[kind] = _CellMemo(self._one(kind), kind)
        distinct = set(values)
        if 2 * (len(distinct) - len(distinct & memo.keys())) <= len(values):
            return map(memo.__getitem__, values)
        xml = self._direct(kind, values)  # mostly new values
        memo.learn(values, xml)
        return xml


def rows_xml(out: OutputTable, styles: SheetStyles, cells: Cells) -> Iterator[bytes]:
    """<row> elements of the header and every data row, in chunks of bytes.

    The hot loop of writing, done a chunk of rows and a column at a time so that it
    runs in C: each column's cells are looked up in its memo of cell XML by value
    (_Column), the cells of a row joined and its number put in for _ROW. Cells.cell
    makes every cell's XML; a value the memos cannot tell apart safely (a column of
    mixed types) goes to it directly. Measured at 10,000 customers: 0.35 s CPU cell
    by cell, 0.2 s so (issue 15).
    """
    letters = [col_letter(i) for i in range(1, len(out.table.columns) + 1)]
    head = _style(styles.header)
    header = "".join(
        f'<c r="{letter}1"{head} t="inlineStr">{cells.text(text)}</c>'
        for letter, text in zip(letters, out.headers, strict=True)
    )
    yield f'<row r="1">{header}</row>'.encode()
    columns = [
        _Column(cells, letter, _style(s)) for letter, s in zip(letters, styles.columns, strict=True)
    ]
    rows = out.rows
    row_mark = _ROW.encode()
    start, end = f'<row r="{_ROW}">'.encode(), b"</row>"
    for first in range(0, len(rows), _ROWS_PER_CHUNK):
        chunk = rows[first : first + _ROWS_PER_CHUNK]
        n = len(chunk)
        by_column = zip(*chunk, strict=True) if columns else iter(())
        rendered = [col.render(values) for col, values in zip(columns, by_column, strict=True)]
        parts = zip(repeat(start, n), *rendered, repeat(end, n), strict=False)
        numbers = map(str.encode, map(str, range(first + 2, first + 2 + n)))
        yield b"".join(map(bytes.replace, map(b"".join, parts), repeat(row_mark), numbers))


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

    Column and bar charts are written by chartxml. Others are serialised by openpyxl
    through its public API: they are added to a one-sheet workbook saved in memory,
    and its drawing and chart parts are taken from that package, the drawing's
    relationships renumbered to `chart_numbers`.
    """
    if all(map(chartxml.written_here, out.charts)):
        drawing, rels = chartxml.drawing_xml(out, chart_numbers)
        return drawing, rels, [chartxml.chart_xml(out, spec) for spec in out.charts]
    return openpyxl_drawing_parts(out, chart_numbers)


def openpyxl_drawing_parts(
    out: OutputTable, chart_numbers: Sequence[int]
) -> tuple[bytes, bytes, list[bytes]]:
    """drawing_parts by openpyxl, for any chart."""
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
