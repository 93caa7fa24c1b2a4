"""A team's workbooks written through the one package writer (workbook/package_writer.py).

- `write_book`: a workbook's input and setting tables replaced by a book's records,
  with every output computed as of a day (collect: over the base, or over a fresh
  template built in memory);
- `rep_rows`: which rows of the team workbook's tables are one rep's (split);
- `append_rows`: records written below a table's rows (roll).
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import python_calamine as pc

from .. import contract as ct
from ..engine.analysis import analyse_all
from ..engine.schedule import Action
from ..engine.status import StatusRow
from ..model import Book, Problem, Record, Rep
from ..values import normalize
from ..workbook.outputs import OutputTable, output_tables
from ..workbook.package_writer import Written, write_package
from ..workbook.privacy import Private, WordIndex
from ..workbook.reader import Parsers
from ..workbook.rowedit import TableRows
from ..workbook.template import BOOK_FIELDS, TEMPLATE_TABLES, cell_value

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}
MAX_NAME = 80  # characters of a file's stem (a CJK character is 3 bytes of a 255-byte name)

Raw = tuple[tuple[str, ...], list[list[Any]], int]  # headers, rows as stored, header row


def read_raw(src: Path | bytes) -> dict[str, Raw]:
    """Every table's headers and data rows as python-calamine reads them, by casefold name."""
    if isinstance(src, Path):
        wb = pc.CalamineWorkbook.from_path(str(src), load_tables=True)
    else:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(src), load_tables=True)
    out: dict[str, Raw] = {}
    for name in wb.table_names or []:
        table = wb.get_table_by_name(name)
        start = table.start
        header_row = start[0] if start else 1  # 0-based first data row = 1-based header row
        out[name.casefold()] = (tuple(str(h) for h in table.columns), table.to_python(), header_row)
    return out


def positions(headers: Sequence[str], table: ct.Table) -> dict[str, int]:
    """Contract key → 0-based column of a table, matched as the reader matches headers."""
    out: dict[str, int] = {}
    for pos, header in enumerate(headers):
        h = normalize(header)
        for col in table.columns:
            if col.key not in out and h in (
                normalize(col.key),
                normalize(col.en),
                normalize(col.zh),
            ):
                out[col.key] = pos
    return out


def record_cells(
    records: Sequence[Record], table: ct.Table, where: Mapping[str, int], lang: str
) -> list[dict[int, Any]]:
    """Each record's cells by 0-based table column (labels, 是/否, plain numbers, dates)."""
    return [
        {
            where[col.key]: cell_value(col, getattr(r, col.key, None), lang)
            for col in table.columns
            if col.key in where
        }
        for r in records
    ]


def _missing(
    table: ct.Table, headers: Sequence[str], records: Sequence[Record], lang: str
) -> tuple[dict[str, int], list[str]]:
    """Positions, with the columns the table lacks and a record fills added on its right."""
    where = positions(headers, table)
    added: list[str] = []
    for col in table.columns:
        if col.key not in where and any(getattr(r, col.key, None) is not None for r in records):
            where[col.key] = len(headers) + len(added)
            added.append(col.label(lang))
    return where, added


def append_rows(raw: Raw, table: ct.Table, records: Sequence[Record], lang: str) -> TableRows:
    """`records` written below the table's last filled row (blank rows at its end reused)."""
    headers, rows, header_row = raw
    where, added = _missing(table, headers, records, lang)
    keys = [p for k, p in where.items() if p < len(headers)]
    last = len(rows)
    while last and all(_blank(rows[last - 1][p]) for p in keys):
        last -= 1
    first = header_row + 1
    kept: list[int | Mapping[int, Any]] = list(range(first, first + last))
    return TableRows(table.name, [*kept, *record_cells(records, table, where, lang)], added)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def row_keys(raw: Raw, table: ct.Table, key: str) -> list[tuple[int, Any]]:
    """(sheet row, the `key` cell's value as the reader parses it; None when blank or bad)
    of every data row of a table."""
    headers, rows, header_row = raw
    where = positions(headers, table)
    parse = Parsers()(table.column(key))
    out: list[tuple[int, Any]] = []
    for n, row in enumerate(rows):
        value = row[where[key]] if key in where else None
        try:
            parsed = None if _blank(value) else parse(value)
        except Exception:  # a cell that is not a value of its kind: nobody's
            parsed = None
        out.append((header_row + 1 + n, parsed))
    return out


def rep_rows(
    table: ct.Table, keys: Sequence[tuple[int, Any]], keep: Callable[[Any], bool]
) -> TableRows:
    """The table holding only the rows whose key `keep` accepts (the others removed whole)."""
    kept: list[int | Mapping[int, Any]] = [r for r, v in keys if v is not None and keep(v)]
    return TableRows(table.name, kept, drop_unlisted=True)


def fresh_template(lang: str) -> bytes:
    """An empty template package (openpyxl, in memory) to write a new book into."""
    from ..workbook.template import build_template

    buf = io.BytesIO()
    build_template(lang).save(buf)
    return buf.getvalue()


def write_book(
    src: Path | bytes,
    dest: Path,
    book: Book,
    as_of: date,
    problems: Sequence[Problem] = (),
    extra: Iterable[OutputTable] = (),
) -> tuple[tuple[StatusRow, ...], tuple[Action, ...]]:
    """The workbook `src` with its input and setting tables holding `book`'s records and
    every output (and `extra`) computed as of `as_of`, written at `dest`."""
    raw = read_raw(src)
    specs = []
    for table in TEMPLATE_TABLES:
        if table.name.casefold() not in raw:
            continue
        records = getattr(book, BOOK_FIELDS[table.name])
        if not records and table in (ct.POLICY, ct.THRESHOLDS):
            continue  # none given: the table's own rows (the defaults) stay, as the template's
        headers, _, _ = raw[table.name.casefold()]
        where, added = _missing(table, headers, records, book.lang)
        cells = record_cells(records, table, where, book.lang)
        origins = _origins(raw[table.name.casefold()], table, records)
        specs.append(TableRows(table.name, cells, added, origins=origins))
    found = analyse_all(book, as_of)
    outputs = [*output_tables(found, list(problems), book.lang, as_of), *extra]
    written = write_package(src, dest, outputs, specs, name=dest.name)
    for en, zh in written.dropped:  # never silently: what could not be carried is named
        print(f"{zh} / {en}", file=sys.stderr)
    return found.rows, found.actions


def _origins(raw: Raw, table: ct.Table, records: Sequence[Record]) -> dict[int, int]:
    """Position of a record → the old sheet row it rewrites (so that the row's comments
    follow it): the first unused row holding the same values, else the one row whose
    first column (the key: customer ID, …) is the record's and no other record's."""
    headers, rows, header_row = raw
    where = positions(headers, table)
    cols = [c for c in table.columns if c.key in where and where[c.key] < len(headers)]
    parsers = Parsers()
    miss = object()

    def parsed(col: ct.Column, value: Any) -> Any:
        if _blank(value):
            return None
        try:
            return parsers(col)(value)
        except Exception:  # not a value of its kind: matches no record
            return miss

    old = [tuple(parsed(c, row[where[c.key]]) for c in cols) for row in rows]
    new = [tuple(getattr(r, c.key, None) for c in cols) for r in records]
    free: dict[tuple, list[int]] = {}
    for n, sig in enumerate(old):
        free.setdefault(sig, []).append(n)
    out: dict[int, int] = {}
    for pos, sig in enumerate(new):
        if free.get(sig):
            out[pos] = free[sig].pop(0)
    if cols:  # edited rows: matched by a key that is unique on both sides
        used = set(out.values())
        old_keys = Counter(sig[0] for sig in old)
        new_keys = Counter(sig[0] for sig in new)
        by_key = {sig[0]: n for n, sig in enumerate(old) if n not in used}
        for pos, sig in enumerate(new):
            key = sig[0]
            if pos in out or key is None or old_keys[key] != 1 or new_keys[key] != 1:
                continue
            if key in by_key:
                out[pos] = by_key[key]
    first = header_row + 1
    return {pos: first + n for pos, n in out.items()}


def write_rep_book(
    team: Path,
    dest: Path,
    outputs: Sequence[OutputTable],
    rows: Sequence[TableRows],
    words: set[str],
    parts: dict[str, bytes] | None = None,
    index: WordIndex | None = None,
) -> Written:
    """A rep's workbook: the team's with only the rep's rows and nothing of the others.
    `parts`: the team's parts as read (one dict for every rep: each is inflated once);
    `index`: the team's words, `words` among them (made once for every rep)."""
    drop = tuple(
        t.name for t in (*ct.OUTPUT_TABLES, ct.COLLECT) if t.name not in {o.name for o in outputs}
    )
    private = Private(frozenset(words), drop, index)
    return write_package(team, dest, outputs, rows, private, parts=parts)


def reps_of(book: Book) -> list[str]:
    """The reps that have customers, in the order of their first customer."""
    return list(dict.fromkeys(c.rep for c in book.customers))


def rep_book(book: Book, rep: str) -> Book:
    """Only `rep`'s customers and their rows; Policy and Holidays; Reps only the rep's own row."""
    ids = {c.customer_id for c in book.customers if c.rep == rep}

    def mine(rows: Sequence) -> tuple:
        return tuple(r for r in rows if r.customer_id in ids)

    own = next((r for r in book.reps if r.rep == rep), Rep(rep=rep))
    return Book(
        customers=mine(book.customers),
        plan=mine(book.plan),
        measures=mine(book.measures),
        commitments=mine(book.commitments),
        receipts=mine(book.receipts),
        followups=mine(book.followups),
        cadences=book.cadences,
        holidays=book.holidays,
        reps=(own,),
        lang=book.lang,
    )


def safe_stem(text: str, taken: set[str] | None = None) -> str:
    """A file name stem any file system accepts (Windows' too), unique (case-insensitively)
    among `taken`, which it joins: `a/b` → `a_b`, `CON` → `_CON`, a second `李娜` → `李娜-2`."""
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFC", text)).strip().rstrip(". ")
    stem = stem[:MAX_NAME].rstrip(". ") or "_"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    if taken is None:
        return stem
    unique, n = stem, 1
    while unique.casefold() in taken:
        n += 1
        unique = f"{stem}-{n}"
    taken.add(unique.casefold())
    return unique
