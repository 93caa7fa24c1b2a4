"""Small real workbooks for tests: openpyxl writes them, huikuan reads them.

A workbook is a list of `Tab`s, each a sheet holding one real Excel table
(ListObject) named as SPEC says, anywhere on the sheet. The sample books'
expected numbers are worked by hand in the tests that use them.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import coordinate_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table


@dataclass
class Tab:
    """One input table: its table name, headers and rows, the sheet tab, the top-left cell."""

    name: str
    headers: Sequence[Any]
    rows: Sequence[Sequence[Any]] = ()
    sheet: str | None = None  # the tab's title; the table name when None
    at: str = "A1"  # where the header row starts
    extra: dict[str, Any] = field(default_factory=dict)  # other cells of the sheet


def write_book(
    path: Path, tabs: Sequence[Tab], more: Callable[[Workbook], None] | None = None
) -> Path:
    """Save `tabs` as real Excel tables in a new workbook at `path`; `more` adds anything else."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for tab in tabs:
        ws = wb.create_sheet(tab.sheet or tab.name)
        for coord, value in tab.extra.items():
            ws[coord] = value
        col_letters, row0 = coordinate_from_string(tab.at)
        col0 = openpyxl.utils.column_index_from_string(col_letters)
        width = len(tab.headers)
        for r, row in enumerate([tab.headers, *tab.rows]):
            assert len(row) == width, f"{tab.name}: row {row} has not {width} cells"
            for c, value in enumerate(row):
                ws.cell(row0 + r, col0 + c, value)
        last_row = row0 + max(1, len(tab.rows))  # Excel tables hold at least one data row
        ref = f"{tab.at}:{get_column_letter(col0 + width - 1)}{last_row}"
        ws.add_table(Table(displayName=tab.name, ref=ref))
    if more:
        more(wb)
    wb.save(path)
    return path


# ---- headers, by language ---------------------------------------------------

HEADERS = {
    "en": {
        "Customers": ["Customer ID", "Customer", "Sales rep", "Credit grade", "Key account"],
        "Plan": ["Month", "Customer ID", "Target", "Agreed jointly"],
        "Measures": ["Month", "Customer ID", "Kind", "Contribution", "Status"],
        "Commitments": ["Customer ID", "Due", "Amount"],
        "Receipts": ["Date", "Customer ID", "Amount", "Reference"],
        "FollowUps": ["Date", "Customer ID", "Channel", "Result", "Excuse", "Excuse accepted"],
    },
    "zh": {
        "Customers": ["客户编号", "客户名称", "业务员", "信用等级", "重点客户"],
        "Plan": ["月份", "客户编号", "我方目标", "共同制定"],
        "Measures": ["月份", "客户编号", "措施类型", "预计增加回款", "状态"],
        "Commitments": ["客户编号", "承诺回款日", "承诺金额"],
        "Receipts": ["回款日期", "客户编号", "回款金额", "凭证号"],
        "FollowUps": ["跟进日期", "客户编号", "方式", "结果", "理由类型", "接受理由"],
    },
}

# ---- the sample team, with numbers worked by hand in test_cli ---------------
# As of 2026-11-23, month 2026-11:
#   C1 (grade A, grace 5): target 200000; installments 60000 due 11-10, 40000 due 11-25;
#       received 50000; measures 30000 planned + 20000 dropped.
#   C2 (grade C, grace 1): target 50000 ("5万"); installment 30000 due 11-05; nothing
#       received; measure 25000 done.
#   C3 (grade D): target 0; no installment; received "1,000" + "234.565".

CLEAN_ROWS: dict[str, list[list[Any]]] = {
    "Customers": [
        ["C1", "Acme Trading", "Wang", "A", "yes"],
        ["C2", "Beta Foods", "Li", "C", "no"],
        ["C3", "Gamma Retail", "Wang", "D", "N"],
    ],
    "Plan": [
        [date(2026, 11, 1), "C1", 200000, "yes"],
        ["2026-11", "C2", "5万", "no"],
        ["2026年11月", "C3", 0, None],
    ],
    "Measures": [
        ["2026-11", "C1", "promotion", 30000, "planned"],
        ["2026-11", "C1", "incentive", "2万", "dropped"],
        ["2026-11", "C2", "training", 25000, "done"],
    ],
    "Commitments": [
        ["C1", date(2026, 11, 10), 60000],
        ["C1", "2026-11-25", "4万"],
        ["C2", "2026/11/5", 30000],
    ],
    "Receipts": [
        [date(2026, 11, 12), "C1", 50000, "R-1"],
        ["2026-11-02", "C3", "1,000", "R-2"],
        ["2026.11.3", "C3", "234.565", "R-3"],
    ],
    "FollowUps": [
        ["2026-11-20", "C2", "visit", "excuse", "cash", "yes"],
    ],
}

# Bad rows added to the sample team: each is one problem; the good rows stay as above.
# (table, row, column index of the bad cell)
BAD_ROWS: list[tuple[str, list[Any], int]] = [
    ("Plan", ["2026-13", "C1", 5, None], 0),  # bad month
    ("Commitments", ["C2", "2026-11-20", "待定"], 2),  # not an amount
    ("Receipts", ["2026-11-15", "C9", 100, None], 1),  # unknown customer
]


def sample_tabs(lang: str = "en", bad: bool = False) -> list[Tab]:
    """The sample team's six tables, each on a sheet named after its table."""
    rows = {name: [list(r) for r in rs] for name, rs in CLEAN_ROWS.items()}
    if bad:
        for name, row, _ in BAD_ROWS:
            rows[name].append(list(row))
    return [Tab(name, HEADERS[lang][name], rows[name]) for name in HEADERS[lang]]


def sample_book(
    path: Path,
    lang: str = "en",
    bad: bool = False,
    more: Callable[[Workbook], None] | None = None,
) -> Path:
    return write_book(path, sample_tabs(lang, bad), more)


# ---- reading back -------------------------------------------------------------


def cells(path: Path, skip: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Every non-empty cell value of every sheet (but `skip`), by sheet and A1 address."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in skip:
            continue
        out[ws.title] = {
            c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None
        }
    return out


def table_refs(path: Path) -> dict[str, dict[str, str]]:
    """Each sheet's tables: {sheet: {table name: ref}}."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: dict(ws.tables.items()) for ws in wb.worksheets}


def table_rows(path: Path, name: str) -> tuple[str, list[str], list[list[Any]]]:
    """(sheet title, header row, data rows) of the table `name`, read with openpyxl."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if name in ws.tables:
            grid = [[c.value for c in row] for row in ws[ws.tables[name].ref]]
            return ws.title, grid[0], grid[1:]
    raise KeyError(name)


def folder(path: Path) -> set[str]:
    """Names in a folder (to see stray temporary files)."""
    return {p.name for p in path.iterdir()}


# ---- the command, for real ------------------------------------------------------


def huikuan(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m huikuan ARGS` in a subprocess; text output."""
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def errors_only(stderr: str) -> str:
    """stderr without its warning lines (warning: / 警告:) — the sample team types amounts
    and dates as text, which huikuan warns about (test_forgiving_input looks at those)."""
    return "".join(
        ln for ln in stderr.splitlines(keepends=True) if not ln.startswith(("warning:", "警告:"))
    )


# ---- packages rewritten part by part ----------------------------------------------


def rezip(
    src: Path,
    dest: Path,
    change: Callable[[str, bytes], bytes | None] = lambda name, data: data,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy the zip package `src` to `dest`, passing each part through `change` (None drops it)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    dest.write_bytes(buf.getvalue())
    return dest


def _patch_entry(path: Path, part: str, patch: Callable[[bytearray, int, int], None]) -> Path:
    """Call patch(data, local header offset, central directory entry offset) for `part`."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        local = zf.getinfo(part).header_offset
        pos = zf.start_dir  # the central directory
        count = len(zf.infolist())
    for _ in range(count):
        assert data[pos : pos + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        if bytes(data[pos + 46 : pos + 46 + n]) == part.encode():
            patch(data, local, pos)
        pos += 46 + n + m + k
    path.write_bytes(data)
    return path


def declare_size(path: Path, part: str, size: int) -> Path:
    """Make `part` claim to be `size` bytes, with the checksum of its first `size` bytes.

    A reader that stops at the declared size sees a consistent, small part.
    """
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
        crc = zlib.crc32(zf.read(part)[:size])

    def patch(data: bytearray, local: int, central: int) -> None:
        struct.pack_into("<III", data, local + 14, crc, info.compress_size, size)
        struct.pack_into("<III", data, central + 16, crc, info.compress_size, size)

    return _patch_entry(path, part, patch)


def mark_encrypted(path: Path, part: str) -> Path:
    """Set the 'encrypted' flag of `part` (its bytes stay as they are)."""

    def patch(data: bytearray, local: int, central: int) -> None:
        for at in (local + 6, central + 8):
            struct.pack_into("<H", data, at, struct.unpack_from("<H", data, at)[0] | 1)

    return _patch_entry(path, part, patch)
