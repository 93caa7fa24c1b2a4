"""Contract tables → records and problems (SPEC "Input tables").

`read_book(source)` turns the raw tables of a workbook into a Book of good
records plus a Problem for every bad value, duplicate key or unknown
customer, each naming sheet, A1 cell, value and reason in the workbook's
language. Structural faults (a required table or column missing) raise
Unusable: nothing can be computed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
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


class TableSource(Protocol):
    """Anything that can hand over a workbook's tables by name (file, live Excel, memory)."""

    def table(self, name: str) -> RawTable | None: ...


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
    for table in contract.INPUT_TABLES:
        raw = source.table(table.name)
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
}


def message(key: str, lang: str, **kw: object) -> str:
    en, zh = _MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kw)


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
}

_MEMO_LIMIT = 100_000  # parsed values remembered per column (bounds the memory)
_MISSING = object()


class Parsers:
    """One memoised parser per column kind (and choice list), for one reading of a book.

    A cell's clean value depends only on its raw value, and the raw values of a
    column repeat (choices, yes/no, dates, customer IDs, round amounts), so each
    distinct value is parsed once. Keys carry the value's type: 1, 1.0 and True
    are equal in a dict but parse differently. Failures are not remembered: the
    parser raises its BadValue again for every bad cell.
    """

    def __init__(self) -> None:
        self._parsers: dict[tuple[Kind, tuple[contract.Choice, ...]], Callable[[Any], Any]] = {}

    def __call__(self, col: Column) -> Callable[[Any], Any]:
        key = (col.kind, col.choices)
        parser = self._parsers.get(key)
        if parser is None:
            parser = self._parsers[key] = _memoised(col)
        return parser


def _memoised(col: Column) -> Callable[[Any], Any]:
    if col.kind is Kind.CHOICE:
        choices = col.choices

        def base(value: Any) -> Any:
            return parse_choice(value, choices)
    else:
        base = _PARSERS[col.kind]  # type: ignore[assignment]
    memo: dict[tuple[type, Any], Any] = {}

    def parse(value: Any) -> Any:
        key = (value.__class__, value)
        found = memo.get(key, _MISSING)
        if found is _MISSING:
            found = base(value)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = found
        return found

    if col.kind is Kind.DATE:

        def parse_date_cell(value: Any) -> Any:
            return value if value.__class__ is date else parse(value)

        return parse_date_cell
    return parse


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

    def label(self, col: Column) -> str:
        return col.label(self.lang)

    def problem(self, pos: int, row: int, value: object, msg: str) -> None:
        cell = cell_ref(self.raw.first_col + pos, row)
        self.problems.append(
            Problem(sheet=self.raw.sheet, cell=cell, value=shown(value), message=msg)
        )

    def raw_value(self, row_no: int, key: str) -> Any:
        """The cell of column `key` in sheet row `row_no`, as the table holds it."""
        cells = self.raw.rows[row_no - self.raw.header_row - 1]
        pos = self.positions[key]
        return cells[pos] if pos < len(cells) else None

    def missing_columns(self) -> list[Column]:
        return [c for c in self.table.columns if c.required and c.key not in self.positions]

    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """(sheet row, values) for every row whose cells all parse; blank rows skipped.

        Column by column, which is what makes reading fast: a column's distinct raw
        values are parsed once each, then mapped onto its cells; rows are zipped
        back together only at the end. A blank optional cell takes the column's
        default (None unless the contract says otherwise: the records' defaults are
        the contract's, a test holds them equal). Rows with a bad or missing
        required cell go through the per-cell path that words their problems, in
        row order and, within a row, column order.
        """
        rows = self.raw.rows
        plan = [
            (col, self.positions[col.key], self.parsers(col))
            for col in self.table.columns
            if col.key in self.positions
        ]
        defaults = {
            col.key: col.default
            for col in self.table.columns
            if col.key not in self.positions and col.default is not None
        }
        keys = [col.key for col, _, _ in plan]
        columns: list[list[Any]] = []
        blank_rows: set[int] | None = None  # rows blank in every column so far
        bad_rows: set[int] = set()
        for col, pos, parse in plan:
            raw = _column(rows, pos)
            mapping = _parse_distinct(raw, parse)
            if mapping is None:  # values that a dict cannot tell apart (True and 1)
                values = [_parse_one(v, parse) for v in raw]
            else:
                values = (
                    [mapping[v] for v in raw]
                    if len(mapping) > 1 or not raw
                    else ([next(iter(mapping.values()))] * len(raw))
                )
            has_blank = mapping is None or any(v is _BLANK for v in mapping.values())
            if blank_rows is None or blank_rows:
                found = {i for i, v in enumerate(values) if v is _BLANK} if has_blank else set()
                blank_rows = found if blank_rows is None else blank_rows & found
            if (
                mapping is None
                or any(v is _BAD for v in mapping.values())
                or (col.required and has_blank)
            ):
                bad_rows.update(
                    i for i, v in enumerate(values) if v is _BAD or (v is _BLANK and col.required)
                )
            if has_blank and not col.required:
                values = [col.default if v is _BLANK else v for v in values]
            columns.append(values)
        skip = (blank_rows or set()) | bad_rows
        first_row = self.raw.header_row + 1
        for offset in sorted(bad_rows - (blank_rows or set())):
            self._row_problems(offset, plan)
        good = []
        for offset, cells in enumerate(zip(*columns, strict=True)):
            if skip and offset in skip:
                continue
            record = dict(zip(keys, cells, strict=True))
            if defaults:
                record.update(defaults)
            good.append((first_row + offset, record))
        return good

    def _row_problems(
        self, offset: int, plan: list[tuple[Column, int, Callable[[Any], Any]]]
    ) -> None:
        """The problems of one row, cell by cell, as a person would read them."""
        cells = self.raw.rows[offset]
        row_no = self.raw.header_row + 1 + offset
        for col, pos, parse in plan:
            raw_value = cells[pos] if pos < len(cells) else None
            if _blank(raw_value):
                if col.required:
                    self.problem(
                        pos, row_no, raw_value, message("required", self.lang, col=self.label(col))
                    )
                continue
            try:
                parse(raw_value)
            except BadValue as bad:
                self.problem(
                    pos,
                    row_no,
                    raw_value,
                    f"{self.label(col)}: {bad.message(self.lang)}"
                    if self.lang == "en"
                    else f"{self.label(col)}：{bad.message('zh')}",
                )


_BLANK = object()  # a blank cell
_BAD = object()  # a cell that does not parse


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


def _parse_distinct(raw: list[Any], parse: Callable[[Any], Any]) -> dict[Any, Any] | None:
    """Each distinct raw value → its clean value, _BLANK or _BAD; None when a dict would
    confuse two of them (True == 1 == 1.0 as keys, but they parse differently)."""
    try:
        distinct = set(raw)
    except TypeError:  # an unhashable cell value (not from calamine, but a source may)
        return None
    if True in distinct or False in distinct:
        types = {v.__class__ for v in distinct}
        if bool in types and types & {int, float}:
            return None
    return {v: _parse_one(v, parse) for v in distinct}


def _unique(
    reader: _TableReader, rows: list[tuple[int, dict[str, Any]]], keys: tuple[str, ...]
) -> list[tuple[int, dict[str, Any]]]:
    seen: dict[tuple[Any, ...], int] = {}
    kept = []
    last = reader.table.column(keys[-1])
    for row_no, values in rows:
        key = tuple(values[k] for k in keys)
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


def _known(
    reader: _TableReader, rows: list[tuple[int, dict[str, Any]]], customers: set[str]
) -> list[tuple[int, dict[str, Any]]]:
    kept = []
    for row_no, values in rows:
        if values["customer_id"] not in customers:
            reader.problem(
                reader.positions["customer_id"],
                row_no,
                reader.raw_value(row_no, "customer_id"),
                message("unknown_customer", reader.lang),
            )
            continue
        kept.append((row_no, values))
    return kept


def _positive(
    reader: _TableReader, rows: list[tuple[int, dict[str, Any]]], key: str
) -> list[tuple[int, dict[str, Any]]]:
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
    for table in (*contract.INPUT_TABLES, *contract.SETTING_TABLES):
        raw = source.table(table.name)
        if raw is None:
            if table.required:
                en, zh = _MESSAGES["missing_table"]
                raise Unusable(en.format(table=table.name), zh.format(table=table.name))
            continue
        reader = _TableReader(table, raw, lang, parsers)
        missing = reader.missing_columns()
        if missing:
            names = ", ".join(reader.label(c) for c in missing)
            msg = message("missing_column", lang, col=names, table=table.name)
            if table.required:
                raise Unusable(
                    message(
                        "missing_column",
                        "en",
                        col=", ".join(c.en for c in missing),
                        table=table.name,
                    ),
                    message(
                        "missing_column",
                        "zh",
                        col="、".join(c.zh for c in missing),
                        table=table.name,
                    ),
                )
            header = cell_ref(raw.first_col, raw.header_row)
            problems.append(Problem(sheet=raw.sheet, cell=header, value="", message=msg))
            continue
        readers[table.name] = reader

    def rows(table: Table) -> list[tuple[int, dict[str, Any]]]:
        reader = readers.get(table.name)
        return reader.rows() if reader else []

    customers = _unique(readers["Customers"], rows(contract.CUSTOMERS), contract.CUSTOMERS.keys)
    ids = {values["customer_id"] for _, values in customers}
    plan = readers["Plan"]
    plan_rows = _unique(plan, _known(plan, rows(contract.PLAN), ids), contract.PLAN.keys)

    def checked(table: Table, positive: str | None = None) -> list[dict[str, Any]]:
        reader = readers.get(table.name)
        if reader is None:
            return []
        good = _known(reader, rows(table), ids)
        if positive:
            good = _positive(reader, good, positive)
        return [values for _, values in good]

    followups = []
    if "FollowUps" in readers:
        fu = readers["FollowUps"]
        for row_no, values in _known(fu, rows(contract.FOLLOWUPS), ids):
            if values["result"] == "excuse" and not values.get("excuse_kind"):
                fu.problem(
                    fu.positions["result"],
                    row_no,
                    fu.raw_value(row_no, "result"),
                    message("excuse_missing", lang),
                )
                continue
            followups.append(values)

    def settings(table: Table) -> list[dict[str, Any]]:
        reader = readers.get(table.name)
        if reader is None:
            return []
        good = _unique(reader, rows(table), table.keys)
        if table is contract.POLICY:
            good = _positive(reader, good, "chase_every")
        return [values for _, values in good]

    # every value below came out of values.py's parsers: validated strictly (Record.parsed)
    book = Book.parsed(
        {
            "customers": Customer.parsed_many(v for _, v in customers),
            "plan": PlanRow.parsed_many(v for _, v in plan_rows),
            "measures": Measure.parsed_many(checked(contract.MEASURES)),
            "commitments": Installment.parsed_many(checked(contract.COMMITMENTS, "amount")),
            "receipts": Receipt.parsed_many(checked(contract.RECEIPTS, "amount")),
            "followups": FollowUp.parsed_many(followups),
            "cadences": CadenceRow.parsed_many(settings(contract.POLICY)),
            "thresholds": Threshold.parsed_many(settings(contract.THRESHOLDS)),
            "holidays": Holiday.parsed_many(settings(contract.HOLIDAYS)),
            "reps": Rep.parsed_many(settings(contract.REPS)),
            "lang": lang,
        }
    )
    for reader in readers.values():
        problems.extend(reader.problems)
    return book, problems
