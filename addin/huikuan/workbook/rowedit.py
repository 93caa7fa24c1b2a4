"""The rows of an existing table, rewritten in place in its sheet's XML.

One operation covers append, replace and delete: `TableRows` lists the data rows
the table holds afterwards, each either an old sheet row number (that row's cells
in the table's columns, moved to its new place) or new cell values. The table's
`ref` and autoFilter follow its new extent; so do the ranges of data validations,
conditional formats (x14 ones too) and the sheet's dimension that ended at the
table's last row. Rows outside the table's row range are copied as they are.

Cells beside the table (outside its columns) are not part of its rows: they stay
where they are — except, with `drop_unlisted`, those on a row of the table that
is not kept (split: another rep's row goes whole).

New cells take the cell format of the table's last old row, column by column; a
calculated column (tableColumn/calculatedColumnFormula) gets its formula. A
moved cell keeps its formula unless it is a shared one (its master may be gone):
then the calculated column's formula, else its cached value.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from ..errors import Unusable
from .reader import col_letter
from .sheetxml import Cells
from .xmlparts import esc_attr, esc_text, parse

Row = int | Mapping[int, Any]  # an old sheet row, or new values by 0-based table column


@dataclass(frozen=True)
class TableRows:
    """The data rows a table holds after the write (see the module's docstring)."""

    table: str
    rows: Sequence[Row]
    add_columns: Sequence[str] = ()  # headers of new columns on the table's right
    drop_unlisted: bool = False  # cells beside the table on rows not kept go too
    # position in `rows` of a new-values row → the old sheet row it stands for (rewritten
    # in place): what points at that row's cells (comments) follows it
    origins: Mapping[int, int] = field(default_factory=dict)


@dataclass
class Edited:
    sheet: bytes
    table: bytes
    first: int  # first data row
    old_last: int
    new_last: int
    cols: tuple[int, int]  # 1-based first and last column (after added ones)
    moved: dict[int, int | None] = field(default_factory=dict)  # old row → new (None: gone)
    formulas: bool = False  # formula cells written, moved or removed

    def new_row(self, row: int, col: int) -> int | None:
        """Where the cell at (row, col) is now (None: gone)."""
        if not self.cols[0] <= col <= self.cols[1] or row not in self.moved:
            return row
        return self.moved[row]


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_ROW = re.compile(
    rb"<(?:[\w.\-]+:)?row\b(?:[^>\"'/]|\"[^\"]*\"|'[^']*'|/(?!>))*(?:/>|>.*?</(?:[\w.\-]+:)?row>)",
    re.S,
)
_CELL = re.compile(
    rb"<(?:[\w.\-]+:)?c\b(?:[^>\"'/]|\"[^\"]*\"|'[^']*'|/(?!>))*(?:/>|>.*?</(?:[\w.\-]+:)?c>)",
    re.S,
)
_ATTR_R = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
# a cell's start tag, and the column letters of its r (for telling, without splitting a
# row into cells, that all its cells are in the table's columns; see `beside`)
_CELL_START = re.compile(rb"<(?:[\w.\-]+:)?c\b")
_CELL_COLUMN = re.compile(rb"""<(?:[\w.\-]+:)?c\b[^>]*?\sr\s*=\s*["']([A-Za-z]+)""")
_ATTR_S = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*["'][^"']*["']""")
_FORMULA = re.compile(rb"<(?:[\w.\-]+:)?f\b(?:[^>]*?/>|.*?</(?:[\w.\-]+:)?f>)", re.S)
_SHARED = re.compile(rb"""<(?:[\w.\-]+:)?f\b[^>]*\bt\s*=\s*["']shared["']""")
_VALUE = re.compile(rb"<(?:[\w.\-]+:)?v\b(?:[^>]*?/>|.*?</(?:[\w.\-]+:)?v>)", re.S)
_SQREF_ATTR = re.compile(rb"""(\ssqref\s*=\s*")([^"]*)(")""")
_SQREF_ELEM = re.compile(rb"(<(?:[\w.\-]+:)?sqref>)([^<]*)(</)")
_DIMENSION = re.compile(rb"""(<(?:[\w.\-]+:)?dimension\b[^>]*\sref\s*=\s*")([^"]*)(")""")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int]:
    """'B12' → (column 2, row 12)."""
    m = _REF.match(ref.strip())
    if m is None:
        raise ValueError(ref)
    return col_number(m.group(1)), int(m.group(2))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C9' → (1, 1, 3, 9); a single cell is a one-cell range."""
    first, _, last = ref.partition(":")
    c1, r1 = parse_ref(first)
    c2, r2 = parse_ref(last) if last else (c1, r1)
    return c1, r1, c2, r2


def _range(c1: int, r1: int, c2: int, r2: int) -> str:
    a, b = f"{col_letter(c1)}{r1}", f"{col_letter(c2)}{r2}"
    return a if a == b else f"{a}:{b}"


@dataclass
class _Table:
    """What the row edit needs of a table part."""

    ref: tuple[int, int, int, int]
    header_rows: int
    calculated: dict[int, str]  # 0-based column → formula (without '=')
    ids: list[int]


def _table_info(data: bytes, part: str) -> _Table:
    root = parse(data, part)
    try:
        ref = parse_range(root.get("ref") or "")
    except ValueError:
        raise Unusable(
            f"{part}: the table's range {root.get('ref')!r} cannot be read",
            f"{part}：无法识别表格范围 {root.get('ref')!r}",
        ) from None
    if (root.get("totalsRowCount") or "0") not in ("0", ""):
        name = root.get("displayName") or root.get("name")
        raise Unusable(
            f"table {name} has a totals row: turn it off (Table Design → Total Row) and run again",
            f"表格 {name} 带有汇总行：请先关闭（表设计 → 汇总行）后重试",
        )
    calculated = {}
    ids = []
    columns = root.find("tableColumns")
    for i, col in enumerate(columns.findall("tableColumn") if columns is not None else []):
        if (col.get("id") or "").isdigit():
            ids.append(int(col.get("id") or 0))
        formula = col.find("calculatedColumnFormula")
        if formula is not None and formula.text.strip():
            calculated[i] = formula.text.strip().removeprefix("=")
    header_rows = int(root.get("headerRowCount") or 1)
    return _Table(ref, header_rows, calculated, ids)


def _cells(row_xml: bytes) -> Iterator[tuple[int, bytes]]:
    """(column, cell XML) of a <row> element (columns of cells without r counted on)."""
    col = 0
    for m in _CELL.finditer(row_xml):
        xml = m.group()
        head_end = xml.find(b">")
        r = _ATTR_R.search(xml, 0, head_end)
        if r is not None:
            letters = re.match(rb"[A-Za-z]+", r.group(1))
            col = col_number(letters.group().decode()) if letters else col + 1
        else:
            col += 1
        yield col, xml


def _has_content(cell: bytes) -> bool:
    return b"<" in cell[1:] and (
        _VALUE.search(cell) is not None
        or _FORMULA.search(cell) is not None
        or b"<is" in cell
        or b":is" in cell
    )


def _row_head(row_xml: bytes) -> bytes:
    """The <row ...> start tag without its r and spans (for re-use)."""
    end = row_xml.find(b">")
    head = row_xml[: end + 1]
    if head.endswith(b"/>"):
        head = head[:-2] + b">"
    head = _ATTR_R.sub(b"", head, count=1)
    return _SPANS.sub(b"", head)


class _SheetRows:
    """The sheet's <row> elements by number, within a span of rows, the rest as bytes."""

    def __init__(self, sheet: bytes, lo: int, hi: int) -> None:
        m = re.search(rb"<((?:[\w.\-]+:)?)sheetData\b[^>]*?(/?)>", sheet)
        if m is None:
            raise Unusable("the sheet has no cell data", "工作表没有单元格数据")
        self.prefix = m.group(1).decode()
        if m.group(2):  # <sheetData/>
            self.before = sheet[: m.start()] + f"<{self.prefix}sheetData>".encode()
            self.after = f"</{self.prefix}sheetData>".encode() + sheet[m.end() :]
            body = b""
        else:
            body_start = m.end()
            body_end = sheet.index(f"</{self.prefix}sheetData>".encode(), body_start)
            self.before, self.after = sheet[:body_start], sheet[body_end:]
            body = sheet[body_start:body_end]
        self.head: list[bytes] = []  # rows before lo, verbatim
        self.tail: list[bytes] = []  # rows after hi
        self.rows: dict[int, bytes] = {}
        self._bare: dict[int, bool] = {}  # row → whether an empty one can go (see _bare)
        self._formulas: dict[tuple[int, int], set[int]] = {}
        self._dressed: list[int] | None = None
        number = 0
        for rm in _ROW.finditer(body):
            xml = rm.group()
            r = _ATTR_R.search(xml, 0, xml.find(b">"))
            number = int(r.group(1)) if r is not None and r.group(1).isdigit() else number + 1
            if number < lo:
                self.head.append(xml)
            elif number > hi:
                self.tail.append(xml)
            else:
                self.rows[number] = xml

    def formulas(self, first: int, last: int) -> set[int]:
        """The rows from `first` to `last` holding a formula (worked out once: split
        asks for every rep)."""
        found = self._formulas.get((first, last))
        if found is None:
            found = self._formulas[first, last] = {
                n for n, xml in self.rows.items() if first <= n <= last and _FORMULA.search(xml)
            }
        return found

    def dressed(self) -> list[int]:
        """The rows that stay, emptied, for what their start tag holds (a height, a
        format): those not `bare`, in order (worked out once)."""
        if self._dressed is None:
            self._dressed = [n for n in sorted(self.rows) if not self.bare(n)]
        return self._dressed

    def bare(self, number: int) -> bool:
        """Whether row `number`, left empty, can go (remembered: split asks once per rep)."""
        found = self._bare.get(number)
        if found is None:
            xml = self.rows.get(number)
            found = self._bare[number] = xml is not None and _bare(xml)
        return found


def _move_cell(cell: bytes, col: int, row: int, calc: str | None, moved: bool) -> bytes:
    """A cell re-addressed to (col, row); shared formulas resolved (see the module)."""
    ref = f"{col_letter(col)}{row}".encode()
    head_end = cell.find(b">")
    if _ATTR_R.search(cell, 0, head_end):
        cell = _ATTR_R.sub(b' r="' + ref + b'"', cell, count=1)
    else:
        name_end = re.match(rb"<[\w.\-:]+", cell)
        assert name_end is not None
        cell = cell[: name_end.end()] + b' r="' + ref + b'"' + cell[name_end.end() :]
    if _FORMULA.search(cell) is None:
        return cell
    if calc is not None and (moved or _SHARED.search(cell)):
        prefix = cell[1 : cell.find(b"c")]  # 'x:' of '<x:c'
        formula = f"<{prefix.decode()}f>{esc_text(calc)}</{prefix.decode()}f>".encode()
        cell = _VALUE.sub(b"", cell)
        cell = _FORMULA.sub(lambda _m: formula, cell, count=1)
        return re.sub(rb"""\st\s*=\s*["'](?:str|e|b|n)["']""", b"", cell, count=1)
    if _SHARED.search(cell):  # its master may be gone: the value it showed stays
        return _FORMULA.sub(b"", cell, count=1)
    return cell


def edit_table(
    sheet: bytes, table: bytes, table_part: str, spec: TableRows, cells: Cells
) -> Edited:
    """The sheet and table XML with the table's data rows as `spec` lists them."""
    info = _table_info(table, table_part)
    c0, top, c1, old_last = info.ref
    first = top + info.header_rows
    old_cols = c1
    new_cols = c1 + len(spec.add_columns)
    n = len(spec.rows)
    new_last = first + max(n, 1) - 1
    hi = max(old_last, new_last)
    rows = _sheet_rows(sheet, top, hi)
    kept = {r for r in spec.rows if isinstance(r, int)}
    for r in kept:
        if not first <= r <= old_last:
            raise ValueError(f"row {r} is not a data row of {spec.table}")
    moved: dict[int, int | None] = {r: None for r in range(first, old_last + 1)}
    for pos, listed in enumerate(spec.rows):
        if isinstance(listed, int):
            moved[listed] = first + pos
    for pos, old in spec.origins.items():
        new_values = 0 <= pos < len(spec.rows) and not isinstance(spec.rows[pos], int)
        if new_values and first <= old <= old_last and moved.get(old) is None:
            moved[old] = first + pos
    formulas = bool(info.calculated) and any(not isinstance(r, int) for r in spec.rows)

    memo: dict[int, tuple[dict[int, bytes], dict[int, bytes]]] = {}

    def split_row(number: int) -> tuple[dict[int, bytes], dict[int, bytes]]:
        """A row's cells in the table's columns and beside them (parsed when needed)."""
        found = memo.get(number)
        if found is not None:
            return found
        inside: dict[int, bytes] = {}
        outside: dict[int, bytes] = {}
        xml = rows.rows.get(number)
        if xml is not None:
            for col, cell in _cells(xml):
                (inside if c0 <= col <= new_cols else outside)[col] = cell
        memo[number] = inside, outside
        return inside, outside

    # the cell format of each column in the last old data row
    model_inside, _ = split_row(old_last if old_last >= first else first)
    styles: dict[int, str] = {}
    for col, cell in model_inside.items():
        s = _ATTR_S.search(cell, 0, cell.find(b">"))
        styles[col] = f' s="{s.group(1).decode()}"' if s else ""
    for i in range(len(spec.add_columns)):  # a new column is formatted as its left neighbour
        styles.setdefault(old_cols + 1 + i, styles.get(old_cols, ""))
    for number in range(first, old_last + 1) if spec.add_columns else ():
        for col in range(old_cols + 1, new_cols + 1):  # a new column's cells must be empty
            found = split_row(number)[0].get(col)
            if found is not None and _has_content(found):
                raise _blocked(spec.table, f"{col_letter(col)}{number}")

    # what every new-values row repeats, worked out once per column (measured: rendering
    # column letters and escaping a calculated column's formula once per cell took a
    # fifth of collect's table edit of 15,000 customers)
    columns = [
        (
            col,
            col - c0,
            col_letter(col),
            styles.get(col, ""),
            esc_text(info.calculated[col - c0]) if col - c0 in info.calculated else None,
        )
        for col in range(c0, new_cols + 1)
    ]
    in_table = {col_letter(col).encode() for col in range(c0, new_cols + 1)}

    def beside(number: int) -> dict[int, bytes]:
        """A row's cells outside the table's columns: none when every cell's r names a
        column of the table (found without splitting the row into cells: most rows)."""
        xml = rows.rows.get(number)
        if xml is None:
            return {}
        letters = _CELL_COLUMN.findall(xml)
        if len(letters) == len(_CELL_START.findall(xml)) and in_table.issuperset(letters):
            return {}
        return split_row(number)[1]

    numbers: Iterable[int] = range(top, hi + 1)
    if spec.drop_unlisted and new_last <= old_last:
        # split: below the new last row, a row not kept goes whole, unless its start tag
        # holds something (it stays, emptied): only those and the kept rows are visited,
        # so that a rep's file costs its own rows, not the team's (benchmarks/split.py)
        below = {r for r in kept if r > new_last}
        below.update(r for r in rows.dressed() if r > new_last)
        numbers = chain(range(top, new_last + 1), sorted(below))
        with_formula = rows.formulas(first, old_last)
        if len(with_formula) > len(with_formula & kept):  # a formula among the rows gone
            formulas = True
    out_rows: list[bytes] = []
    inside: dict[int, bytes]
    outside: dict[int, bytes]
    for number in numbers:
        old_xml = rows.rows.get(number)
        pos = number - first
        if (
            not spec.add_columns
            and first <= number <= new_last
            and pos < n
            and spec.rows[pos] == number
        ):  # a row staying where it is: as it is
            if old_xml is not None:
                out_rows.append(old_xml)
            continue
        if first <= number <= old_last and spec.drop_unlisted and moved.get(number) is None:
            inside, outside = {}, {}  # a removed row goes whole: no need to read it
            if old_xml is not None and _FORMULA.search(old_xml):
                formulas = True
        elif first <= number <= min(old_last, new_last) and pos < n:
            # a data row rewritten: only the cells beside the table are kept of it
            inside, outside = {}, beside(number)
        else:
            inside, outside = split_row(number)
        if number < first:  # the header row: new columns' headers
            if not spec.add_columns:
                if old_xml is not None:
                    out_rows.append(old_xml)
                continue
            for i, header in enumerate(spec.add_columns):
                col = old_cols + 1 + i
                if col in outside or (col in inside and _has_content(inside[col])):
                    raise _blocked(spec.table, f"{col_letter(col)}{number}")
                hs = _ATTR_S.search(inside.get(old_cols, b""))
                head_style = f' s="{hs.group(1).decode()}"' if hs else ""
                inside[col] = cells.cell(f"{col_letter(col)}{number}", head_style, header).encode()
            out_rows.append(_row(rows.prefix, number, old_xml, {**outside, **inside}))
            continue
        new_inside: dict[int, bytes] = {}
        if number <= new_last:
            # an emptied table keeps one blank row (a table needs one), formatted
            source = spec.rows[pos] if pos < n else {}
            if isinstance(source, int):
                src_inside, _ = split_row(source)
                for col, cell in src_inside.items():
                    calc = info.calculated.get(col - c0)
                    new_inside[col] = _move_cell(cell, col, number, calc, source != number)
                    if source != number and _FORMULA.search(cell):
                        formulas = True
            else:
                if number > old_last:
                    for col, cell in inside.items():
                        if _has_content(cell):
                            raise _blocked(spec.table, f"{col_letter(col)}{number}")
                for col, offset, letters, style, formula in columns:
                    ref = f"{letters}{number}"
                    if offset in source:
                        xml = cells.cell(ref, style, source[offset])
                        if not xml and style:  # a blank keeps the column's format
                            xml = f'<c r="{ref}"{style}/>'
                    elif formula is not None:
                        xml = f'<c r="{ref}"{style}><f>{formula}</f></c>'
                    else:
                        xml = f'<c r="{ref}"{style}/>' if style else ""
                    if xml:
                        new_inside[col] = xml.encode()
        elif number <= old_last:
            for cell in inside.values():
                if _FORMULA.search(cell):
                    formulas = True
        else:  # below both the old and the new table: untouched
            if old_xml is not None:
                out_rows.append(old_xml)
            continue
        if number <= old_last and moved.get(number) is None and spec.drop_unlisted:
            outside = {}
        if not new_inside and not outside and (old_xml is None or rows.bare(number)):
            continue
        if rows.prefix:
            new_inside = {k: _prefixed(v, rows.prefix) for k, v in new_inside.items()}
        out_rows.append(_row(rows.prefix, number, old_xml, {**outside, **new_inside}))

    sheet_out = b"".join([rows.before, *rows.head, *out_rows, *rows.tail, rows.after])
    sheet_out = _grow_ranges(sheet_out, (c0, old_cols), first, old_last, new_last, new_cols)
    table_out = _table_xml(table, table_part, info, new_last, new_cols, spec.add_columns)
    return Edited(sheet_out, table_out, first, old_last, new_last, (c0, new_cols), moved, formulas)


def _prefixed(cell: bytes, prefix: str) -> bytes:
    """A cell we rendered unprefixed, in a sheet that writes SpreadsheetML with a prefix."""
    p = prefix.encode()
    return re.sub(rb"<(/?)(c|f|v|is|t|r|rPr)\b", lambda m: b"<" + m.group(1) + p + m.group(2), cell)


def _bare(row_xml: bytes) -> bool:
    """A <row> start tag with nothing of its own (but r and spans): an empty one can go."""
    head = _row_head(row_xml)
    return re.fullmatch(rb"<[\w.\-:]+\s*>", head) is not None


_ROWS_CACHE: dict[tuple[int, int, int, int], _SheetRows] = {}
_ROWS_BY_ID: dict[tuple[int, int, int], tuple[bytes, _SheetRows]] = {}


def _sheet_rows(sheet: bytes, lo: int, hi: int) -> _SheetRows:
    """_SheetRows, remembered for the same sheet bytes (split reads the team's sheets
    once for every rep): the very same bytes object first (split's parts are read once:
    no checksum of a sheet of tens of megabytes for every rep), else equal bytes."""
    same = _ROWS_BY_ID.get((id(sheet), lo, hi))
    if same is not None and same[0] is sheet:
        return same[1]
    key = (len(sheet), zlib.crc32(sheet), lo, hi)
    found = _ROWS_CACHE.get(key)
    if found is None:
        if len(_ROWS_CACHE) >= 8:
            _ROWS_CACHE.clear()
            _ROWS_BY_ID.clear()
        found = _ROWS_CACHE[key] = _SheetRows(sheet, lo, hi)
    if len(_ROWS_BY_ID) >= 8:
        _ROWS_BY_ID.clear()
    _ROWS_BY_ID[id(sheet), lo, hi] = (sheet, found)
    return found


def _row(prefix: str, number: int, old_xml: bytes | None, cells: dict[int, bytes]) -> bytes:
    head = _row_head(old_xml) if old_xml is not None else f"<{prefix}row>".encode()
    name_end = len(prefix) + 4
    head = head[:name_end] + f' r="{number}"'.encode() + head[name_end:]
    if not cells:
        return head[:-1] + b"/>"
    body = b"".join(cells[c] for c in sorted(cells))
    return head + body + f"</{prefix}row>".encode()


def _blocked(table: str, where: str) -> Unusable:
    return Unusable(
        f"table {table} cannot grow: {where} beside or below it is not empty. "
        "Nothing was written. Move that cell and run again.",
        f"表 {table} 无法扩展：{where} 不为空，未写入任何内容。请移开该单元格后重试。",
    )


def _grow(
    text: str, cols: tuple[int, int], first: int, old_last: int, new_last: int, new_cols: int
) -> str:
    """Range pieces that cover the table's last row (in its columns) cover its new one;
    one that ended exactly there ends at the new last row (also when the table shrank)."""
    out = []
    for piece in text.split():
        try:
            a, r1, b, r2 = parse_range(piece)
        except ValueError:
            out.append(piece)
            continue
        if first - 1 <= r1 <= old_last <= r2 and a <= cols[1] and b >= cols[0]:
            r2 = max(new_last, r1) if r2 == old_last else max(r2, new_last)
        out.append(_range(a, r1, b, r2))
    return " ".join(out)


def _grow_ranges(
    sheet: bytes, cols: tuple[int, int], first: int, old_last: int, new_last: int, new_cols: int
) -> bytes:
    if new_last == old_last and new_cols == cols[1]:
        return sheet
    close = sheet.rfind(b"sheetData>")  # the tail after </sheetData>: validations, formats
    head, tail = sheet[: close + 10], sheet[close + 10 :]

    def grow(m: re.Match[bytes]) -> bytes:
        text = m.group(2).decode()
        grown = _grow(text, cols, first, old_last, new_last, new_cols)
        return m.group(1) + grown.encode() + m.group(3)

    tail = _SQREF_ATTR.sub(grow, tail)
    tail = _SQREF_ELEM.sub(grow, tail)

    def dimension(m: re.Match[bytes]) -> bytes:
        try:
            a, r1, b, r2 = parse_range(m.group(2).decode())
        except ValueError:
            return m.group()
        return m.group(1) + _range(a, r1, max(b, new_cols), max(r2, new_last)).encode() + m.group(3)

    head = _DIMENSION.sub(dimension, head, count=1)
    return head + tail


def _table_xml(
    data: bytes, part: str, info: _Table, new_last: int, new_cols: int, add: Sequence[str]
) -> bytes:
    from .xmlparts import Edits

    root = parse(data, part)
    edits = Edits(data)
    c0, top, _, _ = info.ref
    ref = _range(c0, top, new_cols, new_last)
    edits.set_attr(root, "ref", ref)
    auto = root.find("autoFilter")
    if auto is not None:
        edits.set_attr(auto, "ref", ref)
    columns = root.find("tableColumns")
    if add and columns is not None:
        edits.set_attr(columns, "count", str(len(columns.findall("tableColumn")) + len(add)))
        p = columns.prefix
        next_id = max(info.ids, default=0)
        xml = ""
        for header in add:
            next_id += 1
            xml += f'<{p}tableColumn id="{next_id}" name="{esc_attr(header)}"/>'
        edits.append_child(columns, xml)
    return edits.apply()
