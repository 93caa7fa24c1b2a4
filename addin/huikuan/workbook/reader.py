"""Contract tables → records and problems (SPEC "Input tables").

`read_book(source)` turns the raw tables of a workbook into a Book of good
records plus a Problem for every bad value, duplicate key or unknown
customer, each naming sheet, A1 cell, value and reason in the workbook's
language. Structural faults (a required table or column missing) raise
Unusable: nothing can be computed.

How, fast (issue 15): every table's header first (a source's `heading`, when it
has one), then one table's cells at a time, column by column — each column's
distinct raw values parsed once (`ColumnParser.outcomes`, memoised across the
book), mapped back onto its cells, and the rows zipped back into dicts that
pydantic validates in one call per table (`Record.parsed_many`). Rows with a
bad or blank required cell take the per-cell path that words their problems.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import repeat
from operator import itemgetter
from typing import Any, Protocol

from .. import contract
from ..contract import Column, Kind, Table
from ..errors import Unusable
from ..model import (
    Book,
    CadenceRow,
    Customer,
    FollowUp,
    Holiday,
    Installment,
    Measure,
    PlanRow,
    Problem,
    Receipt,
    Record,
    Rep,
    Setting,
    Threshold,
)
from ..values import (
    BadValue,
    normalize,
    parse_amount,
    parse_choice,
    parse_date,
    parse_days,
    parse_month,
    parse_ratio,
    parse_text,
    parse_yesno,
)


@dataclass(frozen=True)
class RawTable:
    """A table as found in a workbook: where it is, its header and its cell values."""

    name: str
    sheet: str
    header_row: int  # 1-based row of the header
    first_col: int  # 1-based column of the table's first column
    headers: tuple[str, ...]
    rows: Sequence[Sequence[Any]]  # cell values; None or "" for an empty cell
    # non-empty cells just below / right of the table and in no table: (A1 address, value)
    nearby: tuple[tuple[str, Any], ...] = ()


class TableSource(Protocol):
    """Anything that can hand over a workbook's tables by name (file, live Excel, memory).

    A source may also offer `heading(name)`: the table without its cells (rows empty),
    and `done_with(name)`: its cells are not needed any more. read_book then reads the
    headers first and the cells one table at a time (memory, issue 15)."""

    def table(self, name: str) -> RawTable | None: ...


def _heading(source: TableSource) -> Callable[[str], RawTable | None]:
    """The source's way to a table without its cells, else the table itself."""
    heading: Callable[[str], RawTable | None] | None = getattr(source, "heading", None)
    return heading if heading is not None else source.table


def col_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(col: int, row: int) -> str:
    return f"{col_letter(col)}{row}"


def shown(value: object) -> str:
    """A cell value as a person would recognise it in a message."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def detect_lang(source: TableSource) -> str:
    """'en' when the headers are mostly English labels or keys, else 'zh'."""
    zh = en = 0
    heading = _heading(source)
    for table in contract.INPUT_TABLES:
        raw = heading(table.name)
        if raw is None:
            continue
        for header in raw.headers:
            h = normalize(header)
            for col in table.columns:
                if h == normalize(col.zh):
                    zh += 1
                elif h in (normalize(col.en), normalize(col.key)):
                    en += 1
    return "en" if en > zh else "zh"


_PARSERS: dict[Kind, Callable[[object], object]] = {
    Kind.TEXT: parse_text,
    Kind.AMOUNT: parse_amount,
    Kind.DATE: parse_date,
    Kind.MONTH: parse_month,
    Kind.YESNO: parse_yesno,
    Kind.INTEGER: parse_days,
    Kind.RATIO: parse_ratio,
}

_MESSAGES = {
    "required": ("{col} is required", "{col}不能为空"),
    "missing_table": (
        "table {table} is missing (an Excel table named {table} on a sheet)",
        "缺少表 {table}（工作表上名为 {table} 的 Excel 表格）",
    ),
    "missing_column": ("column {col} is missing in table {table}", "表 {table} 缺少列“{col}”"),
    "duplicate": ("duplicate {col}: also in row {row}", "{col}重复：第 {row} 行已有"),
    "unknown_customer": ("unknown customer: not in Customers", "未知客户：客户表中没有"),
    "not_positive": ("{col} must be more than 0", "{col}必须大于 0"),
    "excuse_missing": ("an excuse result needs an excuse kind", "结果为推脱时须填写理由类型"),
    "optional_bad": (
        "{col}: {bad} (read as blank; the rest of the row is used)",
        "{col}：{bad}（此格按空白处理，本行其余数据照常计算）",
    ),
    "not_read": (
        "customer {id} was not read: {why} ({where}); this row is left out",
        "客户 {id} 因{why}未读入（{where}），本行未计入",
    ),
    "empty": ("{col} is empty", "{col}为空"),
    "invalid": ("{col} is not valid ({value})", "{col}无效（{value}）"),
    "near_miss": (
        "{header} — is it {label}? (header not recognised: the column is not read)",
        "{header} — 是否为 {label}？（未识别此表头，该列未读入）",
    ),
    "defaulted": (
        "column {col} is missing: every row takes the default {default}",
        "缺少列“{col}”：每行均按默认值“{default}”计",
    ),
    "nearby": (
        "a value next to table {table} but in no table: it is not read "
        "(if it belongs to the table, extend the table over it)",
        "表 {table} 旁的单元格有值，但不在任何表内，未读入（如属于该表，请把表的区域扩展到此行/列）",
    ),
    "text_amount": (
        "{col} typed as text: huikuan reads {read}, but the template's formulas skip text "
        "(type it as a number)",
        "{col}是文字：huikuan 读作 {read}，但模板中的公式不计文字（请输入为数字）",
    ),
    "text_more": (
        "{col}: {n} more cell(s) from this one down are text too (the template's formulas "
        "skip them; huikuan reads them)",
        "{col}：从本格起往下另有 {n} 个单元格也是文字（模板公式不计，huikuan 照常读入）",
    ),
    "text_date": (
        "{col} typed as text: huikuan reads {read}, but the template's formulas skip text "
        "(type it as a date)",
        "{col}是文字：huikuan 读作 {read}，但模板中的公式不计文字（请输入为日期）",
    ),
}

TEXT_WARNINGS_PER_COLUMN = 20  # then one warning counts the rest of the column

# The input cells the template's own formulas (the Plan formula columns) read: text typed
# there is read by huikuan but skipped by SUMIFS and EOMONTH, so they are warned about.
FORMULA_INPUTS = {
    contract.PLAN.name: ("month", "target"),
    contract.MEASURES.name: ("month", "contribution"),
    contract.COMMITMENTS.name: ("due", "amount"),
    contract.RECEIPTS.name: ("date", "amount"),
}

# Every label any contract table uses: a header equal to one is not a misspelling.
_KNOWN_LABELS = {
    normalize(word)
    for table in (
        *contract.INPUT_TABLES,
        *contract.SETTING_TABLES,
        *contract.OUTPUT_TABLES,
        contract.COLLECT,
    )
    for col in table.columns
    for word in (col.key, col.en, col.zh)
}
NEAR_MISS = 0.5  # difflib ratio from which an unknown header is taken for a known label


def message(key: str, lang: str, **kw: object) -> str:
    en, zh = _MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kw)


def near_miss(header: str, columns: Sequence[Column]) -> Column | None:
    """The column whose label `header` most probably misspells (信用登记 → 信用等级)."""
    h = normalize(header)
    if not h or h in _KNOWN_LABELS:
        return None
    best: tuple[float, Column] | None = None
    for col in columns:
        for word in (col.zh, col.en, col.key):
            ratio = difflib.SequenceMatcher(None, h, normalize(word)).ratio()
            if ratio >= NEAR_MISS and (best is None or ratio > best[0]):
                best = (ratio, col)
    return best[1] if best else None


def default_shown(col: Column, lang: str) -> str:
    if col.kind is Kind.YESNO:
        return contract.choice_label(contract.YES_NO, "yes" if col.default else "no", lang)
    if col.kind is Kind.CHOICE:
        return contract.choice_label(col.choices, str(col.default), lang)
    return str(col.default)


# the record each contract table's rows become
RECORDS: dict[str, type[Record]] = {
    contract.CUSTOMERS.name: Customer,
    contract.PLAN.name: PlanRow,
    contract.MEASURES.name: Measure,
    contract.COMMITMENTS.name: Installment,
    contract.RECEIPTS.name: Receipt,
    contract.FOLLOWUPS.name: FollowUp,
    contract.POLICY.name: CadenceRow,
    contract.THRESHOLDS.name: Threshold,
    contract.HOLIDAYS.name: Holiday,
    contract.REPS.name: Rep,
    contract.SETTINGS.name: Setting,
}

_MEMO_LIMIT = 100_000  # parsed values remembered per column kind (bounds the memory)
_MISSING = object()


class Parsers:
    """One memoised parser per column kind (and choice list), for one reading of a book.

    A cell's clean value depends only on its raw value, and the raw values of a
    column repeat (choices, yes/no, dates, customer IDs, round amounts), so each
    distinct value is parsed once — and once for the whole book: a customer ID
    parsed in Customers is found again, the same object, in every other table.
    Keys carry the value's type: 1, 1.0 and True are equal in a dict but parse
    differently. Failures are not remembered: the parser raises its BadValue again
    for every bad cell.
    """

    def __init__(self) -> None:
        self._parsers: dict[tuple[Kind, tuple[contract.Choice, ...]], ColumnParser] = {}

    def __call__(self, col: Column) -> ColumnParser:
        key = (col.kind, col.choices)
        parser = self._parsers.get(key)
        if parser is None:
            parser = self._parsers[key] = ColumnParser(col)
        return parser


class ColumnParser:
    """The memoised parser of one column kind: called on one value, it returns the clean
    value or raises BadValue; `outcomes` parses a column's distinct values at once."""

    __slots__ = ("_base", "_date", "_memo")

    def __init__(self, col: Column) -> None:
        if col.kind is Kind.CHOICE:
            choices = col.choices

            def base(value: Any) -> Any:
                return parse_choice(value, choices)

            self._base: Callable[[Any], Any] = base
        else:
            self._base = _PARSERS[col.kind]
        self._date = col.kind is Kind.DATE  # a date cell is its own clean value
        # raw value → clean value; the key is the value itself for a str (no other type
        # equals a str) and (type, value) for the rest, whose equal values of different
        # types (1, 1.0, True) parse differently
        self._memo: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        if self._date and value.__class__ is date:
            return value
        key = value if value.__class__ is str else (value.__class__, value)
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = self._base(value)
            if len(self._memo) < _MEMO_LIMIT:
                self._memo[key] = found
        return found

    def outcomes(self, distinct: Iterable[Any]) -> tuple[dict[Any, Any], bool, bool]:
        """Each of a column's distinct raw values → its clean value, _BLANK or _BAD; and
        whether any is blank, any bad.

        The same as calling the parser on each (after the blank test), in one loop:
        a big book's columns hold some hundred thousand distinct values (IDs, names,
        amounts), and the calls per value were a third of reading them (measured at
        10,000 customers). (The flags spare a search for the markers among the clean
        values: comparing a Decimal with another object is slow.)"""
        memo, base, dates = self._memo, self._base, self._date
        out: dict[Any, Any] = {}
        blank = bad = False
        for value in distinct:
            cls = value.__class__
            if cls is str:
                if not value.strip():
                    out[value] = _BLANK
                    blank = True
                    continue
                found = memo.get(value, _MISSING)
                if found is not _MISSING:
                    out[value] = found
                    continue
                key: Any = value
            elif value is None:
                out[value] = _BLANK
                blank = True
                continue
            elif dates and cls is date:
                out[value] = value
                continue
            else:
                key = (cls, value)
                found = memo.get(key, _MISSING)
                if found is not _MISSING:
                    out[value] = found
                    continue
            try:
                found = base(value)
            except BadValue:
                out[value] = _BAD
                bad = True
                continue
            if len(memo) < _MEMO_LIMIT:
                memo[key] = found
            out[value] = found
        return out, blank, bad


def _blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


class _TableReader:
    """Reads one contract table into dicts of clean values, collecting problems."""

    def __init__(
        self, table: Table, raw: RawTable, lang: str, parsers: Parsers | None = None
    ) -> None:
        self.table, self.raw, self.lang = table, raw, lang
        self.parsers = parsers or Parsers()
        self.problems: list[Problem] = []
        self.positions: dict[str, int] = {}
        for pos, header in enumerate(raw.headers):
            h = normalize(header)
            for col in table.columns:
                if col.key not in self.positions and h in (
                    normalize(col.key),
                    normalize(col.en),
                    normalize(col.zh),
                ):
                    self.positions[col.key] = pos
        # headers that match no column but look like one of the columns not found
        unmatched = [c for c in table.columns if c.key not in self.positions]
        taken = set(self.positions.values())
        self.near: dict[str, str] = {}  # column key → the header that probably meant it
        self.warnings: list[Problem] = []
        for pos, header in enumerate(raw.headers):
            if pos in taken or not unmatched:
                continue
            meant = near_miss(str(header), unmatched)
            if meant is None:
                continue
            self.near.setdefault(meant.key, str(header))
            self.warnings.append(
                Problem(
                    sheet=raw.sheet,
                    cell=cell_ref(raw.first_col + pos, raw.header_row),
                    value=str(header),
                    message=message("near_miss", lang, header=header, label=self.label(meant)),
                    severity="warning",
                )
            )
        # optional columns missing, so that their default applies to every row
        for col in unmatched:
            if col.required or col.default is None:
                continue
            self.warnings.append(
                Problem(
                    sheet=raw.sheet,
                    cell=cell_ref(raw.first_col, raw.header_row),
                    value="",
                    message=message(
                        "defaulted", lang, col=self.label(col), default=default_shown(col, lang)
                    ),
                    severity="warning",
                )
            )
        self.dropped: dict[int, tuple[str, str, str]] = {}  # sheet row → (why en, why zh, cell)

    def label(self, col: Column) -> str:
        return col.label(self.lang)

    def problem(self, pos: int, row: int, value: object, msg: str, severity: str = "error") -> None:
        cell = cell_ref(self.raw.first_col + pos, row)
        self.problems.append(
            Problem(
                sheet=self.raw.sheet, cell=cell, value=shown(value), message=msg, severity=severity
            )
        )

    def raw_value(self, row_no: int, key: str) -> Any:
        """The cell of column `key` in sheet row `row_no`, as the table holds it."""
        cells = self.raw.rows[row_no - self.raw.header_row - 1]
        pos = self.positions[key]
        return cells[pos] if pos < len(cells) else None

    def missing_columns(self) -> list[Column]:
        return [c for c in self.table.columns if c.required and c.key not in self.positions]

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """(sheet row, values) for every row whose required cells all parse; blank rows skipped.

        Column by column, which is what makes reading fast: a column's distinct raw
        values are parsed once each, then mapped onto its cells; rows are zipped
        back together only at the end. A blank optional cell takes the column's
        default (None unless the contract says otherwise: the records' defaults are
        the contract's, a test holds them equal) — left out of the values, the record
        fills it in; so does a bad one — a bad optional
        cell costs only that cell: it is an error in Problems, and the row is kept.
        Rows with a bad or missing required cell are left out and go through the
        per-cell path that words their problems, in row order and, within a row,
        column order.
        """
        rows = self.raw.rows
        plan = [
            (col, self.positions[col.key], self.parsers(col))
            for col in self.table.columns
            if col.key in self.positions
        ]
        watched = FORMULA_INPUTS.get(self.table.name, ())
        keys = [col.key for col, _, _ in plan]
        columns: list[list[Any]] = []
        finals: list[dict[Any, Any] | None] = []  # per column: raw value → value kept
        blank_rows: set[int] | None = None  # rows blank in every column so far
        bad_rows: set[int] = set()
        soft: dict[int, list[tuple[Column, int]]] = {}  # row → its bad optional cells
        texts: list[tuple[Column, int, int, Any]] = []  # (column, pos, row, value): text read
        try:  # every column at once (a third of the time of one column at a time)
            transposed: list[tuple[Any, ...]] | None = list(zip(*rows, strict=True))
        except ValueError:  # rows of different lengths (not from calamine): column by column
            transposed = None
        for col, pos, parse in plan:
            raw: Sequence[Any] = (
                transposed[pos]
                if transposed is not None and pos < len(transposed)
                else _column(rows, pos)
            )
            mapping: dict[Any, Any] | None
            found = _outcomes(raw, parse)
            if found is None:  # values that a dict cannot tell apart (True and 1)
                mapping = None
                values = [_parse_one(v, parse) for v in raw]
                has_blank = any(v is _BLANK for v in values)
                has_bad = any(v is _BAD for v in values)
            else:
                mapping, has_blank, has_bad = found
                values = list(map(mapping.__getitem__, raw))
            if blank_rows is None or blank_rows:
                blanks = {i for i, v in enumerate(values) if v is _BLANK} if has_blank else set()
                blank_rows = blanks if blank_rows is None else blank_rows & blanks
            if col.required and (has_bad or has_blank):
                bad_rows.update(i for i, v in enumerate(values) if v is _BAD or v is _BLANK)
            elif has_bad:
                for i, v in enumerate(values):
                    if v is _BAD:
                        soft.setdefault(i, []).append((col, pos))
            if col.key in watched and (
                mapping is None
                or any(k.__class__ is str and v is not _BLANK for k, v in mapping.items())
            ):
                texts.extend(
                    (col, pos, i, v)
                    for i, (r, v) in enumerate(zip(raw, values, strict=True))
                    if r.__class__ is str and v is not _BLANK and v is not _BAD
                )
            if not col.required and (has_blank or has_bad):
                default = col.default
                if mapping is None:
                    values = [default if v is _BLANK or v is _BAD else v for v in values]
                else:  # the default put in the few distinct values, then mapped again
                    mapping = {
                        k: default if v is _BLANK or v is _BAD else v for k, v in mapping.items()
                    }
                    values = list(map(mapping.__getitem__, raw))
            columns.append(values)
            finals.append(mapping)
        blank = blank_rows or set()
        skip = blank | bad_rows
        first_row = self.raw.header_row + 1
        for offset in sorted((bad_rows | soft.keys()) - blank):
            if offset in bad_rows:
                self._row_problems(offset, plan)
            else:
                self._soft_problems(offset, soft[offset])
        shown_per_column: dict[str, int] = {}
        more: dict[str, tuple[int, int, int]] = {}  # column → (pos, first offset, count)
        for col, pos, offset, value in texts:
            if offset in skip:
                continue
            n = shown_per_column.get(col.key, 0)
            if n < TEXT_WARNINGS_PER_COLUMN:
                shown_per_column[col.key] = n + 1
                self._text_warning(col, pos, offset, value)
            else:
                _, first, count = more.get(col.key, (pos, offset, 0))
                more[col.key] = (pos, first, count + 1)
        for key, (pos, first, count) in more.items():
            col = self.table.column(key)
            self.problem(
                pos,
                self.raw.header_row + 1 + first,
                self._cell(first, pos),
                message("text_more", self.lang, col=self.label(col), n=count),
                severity="warning",
            )
        # A cell holding its column's default is left out of its row's values, and so
        # are the defaults of absent columns: the record fills in the same defaults (the
        # contract's) and the values handed to validation stay few (issue 15; records
        # are slotted now, so no per-record set of names is kept either way). A column
        # at its default in every row is left out altogether.
        sometimes: list[tuple[str, set[int]]] = []
        for index, (col, _, _) in enumerate(plan):
            if col.required:
                continue
            at = _at_default(columns[index], col.default, finals[index])
            if at is None or len(at) == len(rows):
                keys[index] = ""
            elif at:
                sometimes.append((col.key, at))
        if "" in keys:
            columns = [c for k, c in zip(keys, columns, strict=True) if k]
            keys = [k for k in keys if k]
        # the rows zipped back together: one dict per row, built in C (map, zip, dict),
        # then the cells at their default taken out of the few rows that hold them
        good = list(map(dict, map(zip, repeat(keys), zip(*columns, strict=True))))
        for key, at in sometimes:
            for offset in at:
                del good[offset][key]
        if skip:
            return [(first_row + i, values) for i, values in enumerate(good) if i not in skip]
        return list(zip(range(first_row, first_row + len(good)), good, strict=True))

    def _cell(self, offset: int, pos: int) -> Any:
        cells = self.raw.rows[offset]
        return cells[pos] if pos < len(cells) else None

    def _soft_problems(self, offset: int, bad: list[tuple[Column, int]]) -> None:
        """A kept row's bad optional cells: each an error, read as blank."""
        row_no = self.raw.header_row + 1 + offset
        for col, pos in bad:
            raw_value = self._cell(offset, pos)
            try:
                self.parsers(col)(raw_value)
                continue  # cannot happen: the cell was found bad
            except BadValue as exc:
                why = exc.message(self.lang)
            self.problem(
                pos,
                row_no,
                raw_value,
                message("optional_bad", self.lang, col=self.label(col), bad=why),
            )

    def _text_warning(self, col: Column, pos: int, offset: int, value: Any) -> None:
        """Text in a cell the template's formulas read: they skip it, huikuan does not."""
        read = value.isoformat() if isinstance(value, date) else f"{value:f}"
        if col.kind is Kind.MONTH:
            read = f"{value:%Y-%m}"
        kind = "text_amount" if col.kind is Kind.AMOUNT else "text_date"
        self.problem(
            pos,
            self.raw.header_row + 1 + offset,
            self._cell(offset, pos),
            message(kind, self.lang, col=self.label(col), read=read),
            severity="warning",
        )

    def _row_problems(
        self, offset: int, plan: Sequence[tuple[Column, int, Callable[[Any], Any]]]
    ) -> None:
        """The problems of one row left out, cell by cell, as a person would read them;
        the first required cell at fault is remembered as why the row was not read."""
        cells = self.raw.rows[offset]
        row_no = self.raw.header_row + 1 + offset
        for col, pos, parse in plan:
            raw_value = cells[pos] if pos < len(cells) else None
            if _blank(raw_value):
                if col.required:
                    self._drop(row_no, pos, "empty", col, raw_value)
                    self.problem(
                        pos, row_no, raw_value, message("required", self.lang, col=self.label(col))
                    )
                continue
            try:
                parse(raw_value)
            except BadValue as bad:
                if col.required:
                    self._drop(row_no, pos, "invalid", col, raw_value)
                self.problem(
                    pos,
                    row_no,
                    raw_value,
                    f"{self.label(col)}: {bad.message(self.lang)}"
                    if self.lang == "en"
                    else f"{self.label(col)}：{bad.message('zh')}",
                )

    def _drop(self, row_no: int, pos: int, why: str, col: Column, value: Any) -> None:
        if row_no not in self.dropped:
            cell = cell_ref(self.raw.first_col + pos, row_no)
            self.dropped[row_no] = (
                message(why, "en", col=col.en, value=shown(value)),
                message(why, "zh", col=col.zh, value=shown(value)),
                f"{self.raw.sheet}!{cell}",
            )


_BLANK = object()  # a blank cell
_BAD = object()  # a cell that does not parse


def _at_default(values: list[Any], default: Any, final: dict[Any, Any] | None) -> set[int] | None:
    """The offsets of the values that are the default (None, or equal and of its type);
    None when every value is. `final`: the column's raw value → value, when known (the
    answer is then often found among its few distinct values, without a look at each
    cell)."""
    kind = default.__class__

    def is_default(v: Any) -> bool:
        return v is None if default is None else v.__class__ is kind and v == default

    if final is not None:
        hits = sum(1 for v in final.values() if is_default(v))
        if not hits:
            return set()
        if hits == len(final):
            return None
    if default is None:
        return {i for i, v in enumerate(values) if v is None}
    return {i for i, v in enumerate(values) if v.__class__ is kind and v == default}


def _column(rows: Sequence[Sequence[Any]], pos: int) -> list[Any]:
    """One column's raw values (None where a short row has no such cell)."""
    try:
        return list(map(itemgetter(pos), rows))
    except IndexError:
        return [row[pos] if pos < len(row) else None for row in rows]


def _parse_one(value: Any, parse: Callable[[Any], Any]) -> Any:
    if _blank(value):
        return _BLANK
    try:
        return parse(value)
    except BadValue:
        return _BAD


def _outcomes(raw: Sequence[Any], parse: ColumnParser) -> tuple[dict[Any, Any], bool, bool] | None:
    """ColumnParser.outcomes of a column's distinct raw values; None when a dict would
    confuse two of them (True == 1 == 1.0 as keys, but they parse differently)."""
    try:
        distinct = set(raw)
    except TypeError:  # an unhashable cell value (not from calamine, but a source may)
        return None
    if True in distinct or False in distinct:
        types = {v.__class__ for v in distinct}
        if bool in types and types & {int, float}:
            return None
    return parse.outcomes(distinct)


def _unique(
    reader: _TableReader, rows: list[tuple[int, dict[str, Any]]], keys: tuple[str, ...]
) -> list[tuple[int, dict[str, Any]]]:
    seen: dict[Any, int] = {}
    kept = []
    last = reader.table.column(keys[-1])
    key_of = itemgetter(*keys)  # the key cells' values (a tuple when there are several)
    for row_no, values in rows:
        key = key_of(values)
        if key in seen:
            pos = reader.positions[last.key]
            reader.problem(
                pos,
                row_no,
                reader.raw_value(row_no, last.key),
                message("duplicate", reader.lang, col=reader.label(last), row=seen[key]),
            )
            continue
        seen[key] = row_no
        kept.append((row_no, values))
    return kept


_VALUES = itemgetter(1)  # (sheet row, values) → values
_CUSTOMER = itemgetter("customer_id")


def _known(
    reader: _TableReader,
    rows: list[tuple[int, dict[str, Any]]],
    customers: set[str],
    not_read: dict[str, tuple[str, str, str]] | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """Rows of known customers; the others are problems, naming why a customer that is in
    the Customers table was not read (its own row's fault) rather than calling it unknown."""
    if customers.issuperset(map(_CUSTOMER, map(_VALUES, rows))):  # the usual case, in C
        return rows
    kept = []
    for row_no, values in rows:
        customer = values["customer_id"]
        if customer not in customers:
            gone = (not_read or {}).get(customer)
            reader.problem(
                reader.positions["customer_id"],
                row_no,
                reader.raw_value(row_no, "customer_id"),
                message("unknown_customer", reader.lang)
                if gone is None
                else message(
                    "not_read",
                    reader.lang,
                    id=customer,
                    why=gone[1] if reader.lang == "zh" else gone[0],
                    where=gone[2],
                ),
            )
            continue
        kept.append((row_no, values))
    return kept


def _positive(
    reader: _TableReader, rows: list[tuple[int, dict[str, Any]]], key: str
) -> list[tuple[int, dict[str, Any]]]:
    if not rows or min(map(itemgetter(key), map(_VALUES, rows))) > 0:  # the usual case, in C
        return rows
    kept = []
    for row_no, values in rows:
        if values[key] <= 0:
            col = reader.table.column(key)
            reader.problem(
                reader.positions[key],
                row_no,
                reader.raw_value(row_no, key),
                message("not_positive", reader.lang, col=reader.label(col)),
            )
            continue
        kept.append((row_no, values))
    return kept


def read_book(source: TableSource, lang: str | None = None) -> tuple[Book, list[Problem]]:
    """Every contract table of `source` → (Book of good records, problems)."""
    lang = lang or detect_lang(source)
    problems: list[Problem] = []
    readers: dict[str, _TableReader] = {}
    parsers = Parsers()
    heading = _heading(source)
    apart = hasattr(source, "heading")  # headers first, each table's cells when parsed
    for table in (*contract.INPUT_TABLES, *contract.SETTING_TABLES):
        raw = heading(table.name)
        if raw is None:
            if table.required:
                en, zh = _MESSAGES["missing_table"]
                raise Unusable(en.format(table=table.name), zh.format(table=table.name))
            continue
        reader = _TableReader(table, raw, lang, parsers)
        missing = reader.missing_columns()
        if missing:
            hint_en = "".join(
                f" (is {reader.near[c.key]!r} meant to be {c.en!r}?)"
                for c in missing
                if c.key in reader.near
            )
            hint_zh = "".join(
                f"（“{reader.near[c.key]}”是否为“{c.zh}”？）"
                for c in missing
                if c.key in reader.near
            )
            names = ", ".join(reader.label(c) for c in missing)
            msg = message("missing_column", lang, col=names, table=table.name)
            msg += hint_zh if lang == "zh" else hint_en
            if table.required:
                raise Unusable(
                    message(
                        "missing_column",
                        "en",
                        col=", ".join(c.en for c in missing),
                        table=table.name,
                    )
                    + hint_en,
                    message(
                        "missing_column",
                        "zh",
                        col="、".join(c.zh for c in missing),
                        table=table.name,
                    )
                    + hint_zh,
                )
            header = cell_ref(raw.first_col, raw.header_row)
            problems.append(Problem(sheet=raw.sheet, cell=header, value="", message=msg))
            continue
        readers[table.name] = reader

    def rows(table: Table) -> list[tuple[int, dict[str, Any]]]:
        reader = readers.get(table.name)
        if reader is None:
            return []
        if apart:  # the header was read alone: now the cells
            raw = source.table(table.name)
            assert raw is not None  # the source had the table a moment ago
            reader.raw = raw
        return reader.rows()

    # A table's records are made as soon as its rows are checked, and then its cells
    # are let go (done_with), so that a big book's cells, row dicts and records are not
    # all held at once (memory, issue 15).
    done_with = getattr(source, "done_with", None)

    def done(table: Table) -> None:
        reader = readers.get(table.name)
        if reader is not None:
            reader.raw = replace(reader.raw, rows=())
        if done_with is not None:
            done_with(table.name)

    customer_rows = _unique(readers["Customers"], rows(contract.CUSTOMERS), contract.CUSTOMERS.keys)
    ids = {values["customer_id"] for _, values in customer_rows}
    not_read = _not_read(readers["Customers"], ids)
    done(contract.CUSTOMERS)
    customers = Customer.parsed_many(v for _, v in customer_rows)
    del customer_rows
    plan = readers["Plan"]
    plan_rows = _unique(plan, _known(plan, rows(contract.PLAN), ids, not_read), contract.PLAN.keys)
    done(contract.PLAN)
    plans = PlanRow.parsed_many(v for _, v in plan_rows)
    del plan_rows

    def checked(table: Table, positive: str | None = None) -> list[dict[str, Any]]:
        reader = readers.get(table.name)
        if reader is None:
            return []
        good = _known(reader, rows(table), ids, not_read)
        if positive:
            good = _positive(reader, good, positive)
        done(table)
        return [values for _, values in good]

    followup_rows = []
    if "FollowUps" in readers:
        fu = readers["FollowUps"]
        for row_no, values in _known(fu, rows(contract.FOLLOWUPS), ids, not_read):
            # a kind typed but not one of the list is already an error at its cell, read
            # as blank: the row is kept (an excuse of no known kind counts as other)
            if values["result"] == "excuse" and not values.get("excuse_kind"):
                typed = "excuse_kind" in fu.positions and not _blank(
                    fu.raw_value(row_no, "excuse_kind")
                )
                if not typed:
                    fu.problem(
                        fu.positions["result"],
                        row_no,
                        fu.raw_value(row_no, "result"),
                        message("excuse_missing", lang),
                    )
                    continue
            followup_rows.append(values)
        done(contract.FOLLOWUPS)
    followups = FollowUp.parsed_many(followup_rows)
    del followup_rows

    def settings(table: Table) -> list[dict[str, Any]]:
        reader = readers.get(table.name)
        if reader is None:
            return []
        good = _unique(reader, rows(table), table.keys)
        if table is contract.POLICY:
            good = _positive(reader, good, "chase_every")
        done(table)
        return [values for _, values in good]

    # every value below came out of values.py's parsers: validated strictly (Record.parsed)
    book = Book.parsed(
        {
            "customers": customers,
            "plan": plans,
            "measures": Measure.parsed_many(checked(contract.MEASURES)),
            "commitments": Installment.parsed_many(checked(contract.COMMITMENTS, "amount")),
            "receipts": Receipt.parsed_many(checked(contract.RECEIPTS, "amount")),
            "followups": followups,
            "cadences": CadenceRow.parsed_many(settings(contract.POLICY)),
            "thresholds": Threshold.parsed_many(settings(contract.THRESHOLDS)),
            "holidays": Holiday.parsed_many(settings(contract.HOLIDAYS)),
            "reps": Rep.parsed_many(settings(contract.REPS)),
            "settings": Setting.parsed_many(settings(contract.SETTINGS)),
            "lang": lang,
        }
    )
    seen: set[tuple[str, str]] = set()
    for reader in readers.values():
        problems.extend(reader.warnings)
        problems.extend(reader.problems)
        for cell, value in reader.raw.nearby:
            if (reader.raw.sheet, cell) in seen:
                continue
            seen.add((reader.raw.sheet, cell))
            problems.append(
                Problem(
                    sheet=reader.raw.sheet,
                    cell=cell,
                    value=shown(value),
                    message=message("nearby", lang, table=reader.raw.name),
                    severity="warning",
                )
            )
    return book, problems


def _not_read(reader: _TableReader, ids: set[str]) -> dict[str, tuple[str, str, str]]:
    """Customer ID → why its Customers row was left out (en, zh, where), for the IDs of
    rows left out whose ID itself is there (a blank rep, say) and no other row has."""
    gone: dict[str, tuple[str, str, str]] = {}
    for row_no, why in sorted(reader.dropped.items()):
        raw = reader.raw_value(row_no, "customer_id")
        if _blank(raw):
            continue
        customer = parse_text(raw)
        if customer not in ids:
            gone.setdefault(customer, why)
    return gone
