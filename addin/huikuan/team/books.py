"""Books written as fresh, refreshed workbooks: the template filled with records plus outputs."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from .. import contract as ct
from ..engine.analysis import analyse_all
from ..engine.schedule import Action
from ..engine.status import StatusRow
from ..fileio import write_atomic
from ..model import Book, Problem, Rep
from ..workbook.fastwrite import expand_tables
from ..workbook.outputs import OutputTable, output_tables
from ..workbook.template import BOOK_FIELDS, build_template, cell_value, plan_formulas
from ..workbook.writer import put_table

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}
MAX_NAME = 80  # characters of a file's stem (a CJK character is 3 bytes of a 255-byte name)


def refreshed_workbook(
    book: Book,
    as_of: date,
    problems: Sequence[Problem] = (),
    extra: Iterable[OutputTable] = (),
) -> tuple[Workbook, tuple[StatusRow, ...], tuple[Action, ...]]:
    """The template in the book's language filled with its records, with every output
    table (and `extra` tables) computed as of `as_of` — what `refresh` would write."""
    wb = build_template(book.lang, book)
    found = analyse_all(book, as_of)
    for out in (*output_tables(found, list(problems), book.lang, as_of), *extra):
        put_table(wb, out)
    return wb, found.rows, found.actions


def _input_rows(book: Book, table: ct.Table) -> list[list[object]]:
    """A table's records as the template writes its cells (Plan with its formula columns)."""
    lang = book.lang
    formulas = ["=" + f for f in plan_formulas(lang).values()] if table is ct.PLAN else []
    return [
        [cell_value(col, getattr(r, col.key), lang) for col in table.columns] + formulas
        for r in getattr(book, BOOK_FIELDS[table.name])
    ]


def save_refreshed(
    book: Book,
    as_of: date,
    dest: Path,
    problems: Sequence[Problem] = (),
    extra: Iterable[OutputTable] = (),
) -> tuple[tuple[StatusRow, ...], tuple[Action, ...]]:
    """`refreshed_workbook`, saved atomically at dest — fast for big books.

    openpyxl lays out the workbook with one row per input and output table; the
    rows are then written as XML (workbook/fastwrite.py).
    """
    fields = {BOOK_FIELDS[t.name]: getattr(book, BOOK_FIELDS[t.name])[:1] for t in ct.INPUT_TABLES}
    small = book.model_copy(update=fields)
    wb = build_template(book.lang, small)
    found = analyse_all(book, as_of)
    rows, actions = found.rows, found.actions
    outputs = [*output_tables(found, list(problems), book.lang, as_of), *extra]
    full = {t.name: _input_rows(book, t) for t in ct.INPUT_TABLES}
    for out in outputs:
        if out.charts:  # charts refer to the table's rows: written whole (a few rows)
            put_table(wb, out)
        else:
            put_table(wb, replace(out, rows=out.rows[:1]))
            full[out.table.name] = out.rows
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(dest, expand_tables(buf.getvalue(), full))
    return rows, actions


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
