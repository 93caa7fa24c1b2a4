"""Cells in and cells out, for the cell functions (udfs.py): no number is defined here.

A cell function's argument is one cell or a range as xlwings hands it over (ndim=2:
rows of cells; empty cells None; error cells as their text, err_to_str). These
helpers turn cells into the values.py / engine inputs, apply a function element by
element with Excel's broadcasting, and turn each failure into the Excel error that
stands for it: #VALUE! a value that does not parse, #NUM! a number out of range,
#N/A no counterpart in a smaller range; an error read from a cell comes back as is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from . import contract
from .engine.status import ZERO
from .values import BadValue, fen, is_blank, parse_amount, parse_choice, parse_date

VALUE, NUM, NA = "#VALUE!", "#NUM!", "#N/A"
# Excel's error values as xlwings reads them (err_to_str) and as the add-in turns them back.
ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")

Grid = list[list[Any]]


class CellError(Exception):
    """The result of one element is this Excel error."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def grid(value: Any) -> Grid:
    """A cell or range as rows of cells: a scalar is 1×1, a flat list one row."""
    if isinstance(value, (list, tuple)):
        if not value:
            return [[None]]
        if all(isinstance(row, (list, tuple)) for row in value):
            return [list(row) or [None] for row in value]
        return [list(value)]
    return [[value]]


def flat(value: Any) -> list[Any]:
    """Every cell of a range, row by row."""
    return [cell for row in grid(value) for cell in row]


def error_in(values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value in ERRORS:
            return value
    return None


def safe(fn: Callable[..., Any], *values: Any) -> Any:
    """fn(*values), or the Excel error that stands for what went wrong."""
    error = error_in(values)
    if error:
        return error
    try:
        return fn(*values)
    except CellError as err:
        return err.code
    except BadValue:
        return VALUE
    except (InvalidOperation, ArithmeticError):
        return NUM


def elementwise(fn: Callable[..., Any], *args: Any) -> Any:
    """fn over the cells of its arguments, Excel's way: a single row or column
    stretches over the other's size; a cell beyond a smaller range is #N/A."""
    grids = [grid(a) for a in args]
    rows = max(len(g) for g in grids)
    cols = max(max(len(r) for r in g) for g in grids)
    out: Grid = []
    for r in range(rows):
        line = []
        for c in range(cols):
            values = []
            for g in grids:
                row = g[0] if len(g) == 1 else (g[r] if r < len(g) else None)
                if row is None:
                    values.append(NA)
                elif len(row) == 1:
                    values.append(row[0])
                else:
                    values.append(row[c] if c < len(row) else NA)
            line.append(safe(fn, *values))
        out.append(line)
    return out[0][0] if rows == cols == 1 else out


def amount(value: Any, blank: Decimal | None = ZERO) -> Decimal | None:
    """An amount cell (12345.5, '12.5万', '¥12,345' …); `blank` for an empty cell."""
    return blank if is_blank(value) else parse_amount(value)


def money(amount: Decimal | None) -> float | None:
    """An amount as written to a cell: rounded half-up to the fen."""
    return None if amount is None else float(fen(amount))


def share(value: Decimal | None) -> float | None:
    """A ratio as written to a cell: unrounded; empty when there is none."""
    return None if value is None else float(value)


def day(value: Any) -> date:
    if is_blank(value):
        raise CellError(VALUE)
    return parse_date(value)


def grade(value: Any) -> str:
    return "B" if is_blank(value) else parse_choice(value, contract.GRADES)


_LANGS = {"zh": "zh", "中文": "zh", "cn": "zh", "zh-cn": "zh", "en": "en", "english": "en"}


def lang(value: Any) -> str | None:
    """None for the language-neutral keys of SPEC; 'zh' or 'en' for labels."""
    if is_blank(value):
        return None
    found = _LANGS.get(unicodedata.normalize("NFKC", str(value)).strip().casefold())
    if found is None:
        raise CellError(VALUE)
    return found


def label(choices: tuple[contract.Choice, ...], key: str, lang: str | None) -> str:
    return key if lang is None else contract.choice_label(choices, key, lang)


def installments(due_dates: Any, amounts: Any) -> list[tuple[date, Decimal]]:
    """Pairs of a due date and an amount; a pair with both cells empty is skipped."""
    dues, sums = flat(due_dates), flat(amounts)
    if len(dues) != len(sums):
        raise CellError(VALUE)
    error = error_in(dues + sums)
    if error:
        raise CellError(error)
    pairs = []
    for due, amount in zip(dues, sums, strict=True):
        if is_blank(due) and is_blank(amount):
            continue
        if is_blank(due) or is_blank(amount):
            raise CellError(VALUE)
        pairs.append((parse_date(due), parse_amount(amount)))
    return pairs


def total(received: Any) -> Decimal:
    """One amount, or the sum of a range of receipts; empty cells count 0."""
    values = flat(received)
    error = error_in(values)
    if error:
        raise CellError(error)
    return sum((amount(v) or ZERO for v in values), ZERO)


def aggregate(fn: Callable[[], Any]) -> Any:
    """A function of whole ranges: its single result, or the error that stops it."""
    try:
        return fn()
    except CellError as err:
        return err.code
    except BadValue:
        return VALUE
    except (InvalidOperation, ArithmeticError):
        return NUM


def one(value: Any) -> Any:
    """A single-cell argument: its value; an error when a range of several cells came."""
    values = flat(value)
    if len(values) != 1:
        raise CellError(VALUE)
    if isinstance(values[0], str) and values[0] in ERRORS:
        raise CellError(values[0])
    return values[0]
