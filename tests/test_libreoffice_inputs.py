"""Workbooks re-saved by LibreOffice (whose XML differs from openpyxl's) read the same."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from huikuan.engine.status import status
from huikuan.jobs import load
from libreoffice import recalculate

pytestmark = pytest.mark.libreoffice

AS_OF = "2026-11-23"


def huikuan(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *map(str, args)], capture_output=True, text=True
    )


def table_rows(path: Path, name: str) -> list[tuple[object, ...]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[name]
    ref = ws.tables[name].ref
    return [tuple(c.value for c in row) for row in ws[ref]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_libreoffice_resaved_demo_reads_and_refreshes_the_same(
    lang: str, tmp_path: Path, lo_profile: Path, soffice: str
) -> None:
    ours = tmp_path / "demo.xlsx"
    done = huikuan("demo", "-o", ours, "--lang", lang, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    resaved = recalculate(ours, tmp_path / "lo", lo_profile, soffice)
    assert resaved.read_bytes() != ours.read_bytes()

    book_ours, problems_ours = load(ours)
    book_lo, problems_lo = load(resaved)
    assert problems_ours == problems_lo == []
    assert book_lo == book_ours
    assert len(book_lo.plan) >= 30

    # refresh in place on the LibreOffice file: same Status as ours
    done = huikuan("refresh", resaved, "--as-of", AS_OF)
    assert done.returncode == 0, done.stderr
    assert table_rows(resaved, "Status") == table_rows(ours, "Status")
    day = date.fromisoformat(AS_OF)
    assert len(status(book_lo, day)) == len(table_rows(resaved, "Status")) - 1


def test_libreoffice_resaved_bad_values_give_the_same_problems(
    tmp_path: Path, lo_profile: Path, soffice: str
) -> None:
    book = tmp_path / "bad.xlsx"
    assert huikuan("template", "-o", book).returncode == 0
    wb = openpyxl.load_workbook(book)
    customers, plan = wb["Customers"], wb["Plan"]
    customers.append(["K1", "甲公司", "李娜", "Z", "是"])
    customers.append(["K2", "乙公司", "李娜", "A", "否"])
    plan["A2"], plan["B2"], plan["C2"] = "2026-11", "K2", "待定"
    plan.append(["2026年11月", "K2", "12.5万"])
    for ws in (customers, plan):
        table = next(iter(ws.tables.values()))
        table.ref = f"{table.ref.split(':')[0]}:{table.ref.split(':')[1][0]}{ws.max_row}"
    wb.save(book)
    resaved = recalculate(book, tmp_path / "lo", lo_profile, soffice)
    ours, lo = load(book), load(resaved)
    assert [(p.sheet, p.cell, p.value) for p in lo[1]] == [
        (p.sheet, p.cell, p.value) for p in ours[1]
    ]
    assert {p.cell for p in lo[1]} >= {"D3", "C2"}
    assert lo[0].plan == ours[0].plan
