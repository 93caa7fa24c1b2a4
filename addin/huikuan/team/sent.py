"""What `split` sent each rep, kept inside the rep's workbook so `collect` can merge three ways.

Each rep's workbook holds a hidden sheet and table `_huikuan_sent` (contract.SENT):
one row per input row sent to the rep — its table, its row number among that
table's rows in the file as sent (with the table, a stable row key), its
customer, its values in a canonical JSON form and a hash of them — and one
`split` row (the rep, the day split was run for, the time, the number of rows).
The values are records' values, not cell texts (amounts to the fen, dates ISO),
so the snapshot means the same after Excel, WPS or LibreOffice saved the file
again; a row whose hash no longer matches its values, a missing row or a
snapshot of another rep makes the snapshot unusable, and collect then merges
that file two ways (the base against the return) and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import InvalidOperation
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .. import contract as ct
from ..engine.merge import canonical, canonical_text
from ..model import Book, Customer, FollowUp, Installment, Measure, PlanRow, Receipt, Record
from ..workbook.outputs import OutputTable
from ..workbook.reader import TableSource, cell_ref

FORMAT = 1
SPLIT = "split"  # the `table` of the snapshot's own row
# Book field → (contract table name, record type), in the order split writes them
TABLES: dict[str, tuple[str, type[Record]]] = {
    "customers": ("Customers", Customer),
    "plan": ("Plan", PlanRow),
    "measures": ("Measures", Measure),
    "commitments": ("Commitments", Installment),
    "receipts": ("Receipts", Receipt),
    "followups": ("FollowUps", FollowUp),
}
_FIELD = {name: fld for fld, (name, _) in TABLES.items()}
COLUMNS = tuple(c.key for c in ct.SENT.columns)


@dataclass(frozen=True)
class Sent:
    """A rep's snapshot read back: the rows sent (as records) and when."""

    rep: str
    as_of: date
    written: str  # ISO time (UTC) of the split
    book: Book  # customers, plan, measures, commitments, receipts, followups as sent


def row_hash(table: str, text: str) -> str:
    return hashlib.sha256(f"{table}\n{text}".encode()).hexdigest()[:16]


def sent_table(book: Book, rep: str, as_of: date, when: datetime | None = None) -> OutputTable:
    """The hidden table to write into `rep`'s workbook holding `book` (the rep's part)."""
    rows: list[tuple[Any, ...]] = []
    for fld, (name, _) in TABLES.items():
        for n, record in enumerate(getattr(book, fld), start=1):
            text = canonical_text(canonical(record))
            rows.append((name, n, record.customer_id, row_hash(name, text), text))
    stamp = (when or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    meta = canonical_text(
        {
            "format": FORMAT,
            "rep": rep,
            "as_of": as_of.isoformat(),
            "written": stamp,
            "rows": len(rows),
        }
    )
    rows.insert(0, (SPLIT, 0, None, row_hash(SPLIT, meta), meta))
    return OutputTable(ct.SENT, book.lang, tuple(rows), hidden=True)


class Damaged(Exception):
    """The snapshot cannot be trusted; en/zh say why."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


_ADAPTERS: dict[type[Record], TypeAdapter[Any]] = {}


def _records(kind: type[Record], rows: list[tuple[str, Callable[[], str]]]) -> tuple[Record, ...]:
    """The rows' JSON texts as records, validated in one call (a bad one named by its cell)."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(tuple[kind, ...])  # type: ignore[valid-type]
    try:
        records: tuple[Record, ...] = adapter.validate_json(
            "[" + ",".join(t for t, _ in rows) + "]"
        )
        return records
    except (ValueError, ValidationError, InvalidOperation):
        for text, cell in rows:
            try:
                kind.validated_json(text)
            except (ValueError, ValidationError, InvalidOperation):
                raise Damaged(f"{cell()}: row unreadable", f"{cell()}：记录无法读取") from None
        raise Damaged("rows unreadable", "记录无法读取") from None


def read_sent(source: TableSource, rep: str) -> Sent:
    """The snapshot of `source` (a rep's return); Damaged when missing, altered or not `rep`'s."""
    raw = source.table(ct.SENT.name)
    if raw is None:
        raise Damaged(
            "no record of what split sent (a file from before huikuan 0.x, or rebuilt)",
            "没有分发记录（文件由旧版 huikuan 分发或已被重建）",
        )
    where = {h.strip().casefold(): i for i, h in enumerate(raw.headers) if isinstance(h, str)}
    missing = [c for c in COLUMNS if c not in where]
    if missing:
        raise Damaged(
            f"sheet {raw.sheet}: column(s) {', '.join(missing)} missing",
            f"工作表 {raw.sheet}：缺少列 {'、'.join(missing)}",
        )
    meta: dict[str, Any] | None = None
    found: dict[str, tuple[Record, ...]] = {fld: () for fld in TABLES}
    texts: dict[str, list[tuple[str, Callable[[], str]]]] = {fld: [] for fld in TABLES}
    count = 0
    at = [where[c] for c in COLUMNS]
    width = max(at) + 1
    t_at, h_at, v_at = where["table"], where["hash"], where["values"]
    for i, cells in enumerate(raw.rows):
        if len(cells) < width:
            cells = [*cells, *([None] * (width - len(cells)))]
        table, digest, text = cells[t_at], cells[h_at], cells[v_at]
        if all(cells[j] in (None, "") for j in at):
            continue

        def cell(i: int = i) -> str:
            return f"{raw.sheet}!{cell_ref(raw.first_col + h_at, raw.header_row + 1 + i)}"

        if not (isinstance(table, str) and isinstance(text, str) and isinstance(digest, str)):
            raise Damaged(f"{cell()}: row altered", f"{cell()}：记录已被改动")
        if row_hash(table, text) != digest.strip():
            raise Damaged(
                f"{cell()}: row altered (hash {digest} does not match)",
                f"{cell()}：记录已被改动（校验值 {digest} 不符）",
            )
        if table == SPLIT:
            try:
                meta = json.loads(text)
            except ValueError:
                raise Damaged(f"{cell()}: row unreadable", f"{cell()}：记录无法读取") from None
            continue
        if table not in _FIELD:
            raise Damaged(f"{cell()}: row unreadable", f"{cell()}：记录无法读取")
        texts[_FIELD[table]].append((text, cell))
        count += 1
    for fld, rows in texts.items():
        found[fld] = _records(TABLES[fld][1], rows)
    if meta is None or meta.get("format") != FORMAT:
        raise Damaged(
            f"sheet {raw.sheet}: no split row of format {FORMAT}",
            f"工作表 {raw.sheet}：缺少分发信息行（格式 {FORMAT}）",
        )
    if meta.get("rows") != count:
        raise Damaged(
            f"sheet {raw.sheet}: {count} rows, split wrote {meta.get('rows')}",
            f"工作表 {raw.sheet}：现有 {count} 行，分发时为 {meta.get('rows')} 行",
        )
    if meta.get("rep") != rep:
        raise Damaged(
            f"the snapshot is {meta.get('rep')}'s, the file {rep}'s",
            f"分发记录属于 {meta.get('rep')}，文件属于 {rep}",
        )
    try:
        as_of = date.fromisoformat(str(meta.get("as_of")))
    except ValueError:
        raise Damaged(
            f"sheet {raw.sheet}: no split date", f"工作表 {raw.sheet}：缺少分发日期"
        ) from None
    book = Book(**found)  # type: ignore[arg-type]
    return Sent(rep, as_of, str(meta.get("written", "")), book)
