"""The Forecast sheet, the Dashboard's forecast columns, the Diagnosis's likely misses and the
suggested grade in Status, written by a real `huikuan refresh` into a real workbook.

The books are small and every figure is worked by hand in the comments
(test_engine_record.py works the same curves step by step).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from books import table_rows
from huikuan import contract
from huikuan.engine.policy import DEFAULT_CADENCE
from huikuan.fileio import write_atomic
from huikuan.model import Book, CadenceRow, Customer, Installment, PlanRow, Receipt
from huikuan.workbook.template import build_template

D = Decimal
MAR = date(2026, 3, 1)


def huikuan(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def write(book: Book, path: Path, lang: str) -> Path:
    write_atomic(path, build_template(lang, book.updated({"lang": lang})).save)
    return path


def x_and_z() -> Book:
    """X (rep 甲): on time, 10 days late, Mar 5 unpaid; Z (rep 乙): always on time."""

    def inst(cid: str, m: int, d: int) -> Installment:
        return Installment(customer_id=cid, due=date(2026, m, d), amount=D(1000))

    def rec(cid: str, m: int, d: int) -> Receipt:
        return Receipt(date=date(2026, m, d), customer_id=cid, amount=D(1000))

    return Book(
        customers=(
            Customer(customer_id="X", name="客户X", rep="甲"),
            Customer(customer_id="Z", name="客户Z", rep="乙"),
        ),
        plan=(
            PlanRow(month=MAR, customer_id="X", target=D(4000)),
            PlanRow(month=MAR, customer_id="Z", target=D(2000)),
        ),
        commitments=(
            *(inst("X", m, 5) for m in (1, 2, 3)),
            inst("X", 3, 25),
            *(inst("Z", m, 5) for m in (1, 2, 3)),
            inst("Z", 3, 25),
        ),
        receipts=(
            rec("X", 1, 5),
            rec("X", 2, 15),
            *(rec("Z", m, 5) for m in (1, 2, 3)),
        ),
    )


def rows_by_key(path: Path, table: contract.Table) -> list[dict[str, object]]:
    _, headers, rows = table_rows(path, table.name)
    lang = "zh" if headers[0] == table.columns[0].zh else "en"
    assert headers == [c.label(lang) for c in table.columns]
    return [dict(zip((c.key for c in table.columns), r, strict=True)) for r in rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_refresh_writes_the_forecast_dashboard_and_likely_misses(tmp_path: Path, lang: str):
    path = write(x_and_z(), tmp_path / "f.xlsx", lang)
    done = huikuan("refresh", path, "--as-of", "2026-03-10")
    assert done.returncode == 0, done.stderr
    zh = lang == "zh"

    forecast = rows_by_key(path, contract.FORECAST)
    # X: open 2000 (Mar 5 and Mar 25); expected 1000 + 500; Z: open 1000, expected 833.33
    got = [(r["customer_id"], r["rep"], r["open"], r["expected"]) for r in forecast]
    assert got == [("X", "甲", 2000, 1500), ("Z", "乙", 1000, pytest.approx(833.33))]
    assert forecast[0]["month"].date() == MAR  # type: ignore[union-attr]
    # X kept Jan 5 only of three owed (Feb 5 paid 10 days late, Mar 5 unpaid past its grace);
    # days late by amount: (1000 × 0 + 1000 × 10) / 2000 = 5
    assert forecast[0]["kept_rate"] == pytest.approx(1 / 3)
    assert forecast[0]["avg_days_late"] == 5
    assert forecast[1]["kept_rate"] == 1 and forecast[1]["avg_days_late"] == 0
    # 3 installments of record: weight √(3/12) = 50 %, the team's the other half
    assert forecast[0]["basis"] == (
        "3 期记录，团队占 50%" if zh else "3 installments of record, the team's 50%"
    )

    dash = {r["rep"]: r for r in rows_by_key(path, contract.DASHBOARD)}
    everyone = contract.ALL_REPS[lang]
    # 甲: received 0 in March + expected 1500 vs 4000 → 2500 short
    # 乙: received 1000 (Mar 5) + 833.33 vs 2000 → 166.67 short; the team: 6000 − 3333.33
    assert [(k, v["expected"], v["likely"], v["shortfall"]) for k, v in dash.items()] == [
        ("乙", pytest.approx(833.33), pytest.approx(1833.33), pytest.approx(166.67)),
        ("甲", 1500, 1500, 2500),
        (everyone, pytest.approx(2333.33), pytest.approx(3333.33), pytest.approx(2666.67)),
    ]

    diagnosis = rows_by_key(path, contract.DIAGNOSIS)
    miss = contract.choice_label(contract.LIKELY_MISS, "likely_miss", lang)
    likely = [(r["rep"], r["amount"]) for r in diagnosis if r["cause"] == miss]
    # most short first, then the team's row naming them
    assert likely == [
        ("甲", 2500),
        ("乙", pytest.approx(166.67)),
        (everyone, pytest.approx(2666.67)),
    ]
    assert diagnosis[-1]["action"] == ("预计未达标：甲、乙" if zh else "likely to miss: 甲, 乙")


def _w_book(use_suggested: bool) -> Book:
    """W (grade A) promised 100 on Dec 5 and the 5th of Jan–Apr and paid nothing."""
    return Book(
        customers=(Customer(customer_id="W", name="客户W", rep="甲", credit_grade="A"),),
        plan=(PlanRow(month=date(2026, 4, 1), customer_id="W", target=D(400)),),
        commitments=(
            Installment(customer_id="W", due=date(2025, 12, 5), amount=D(100)),
            *(
                Installment(customer_id="W", due=date(2026, m, 5), amount=D(100))
                for m in (1, 2, 3, 4)
            ),
        ),
        cadences=tuple(
            CadenceRow(credit_grade=g, **asdict(c), use_suggested=use_suggested and g == "A")
            for g, c in DEFAULT_CADENCE.items()
        ),
    )


@pytest.mark.parametrize("use", [False, True])
def test_status_shows_the_suggested_grade_and_uses_it_only_when_policy_says(
    tmp_path: Path, use: bool
):
    path = write(_w_book(use), tmp_path / "w.xlsx", "zh")
    done = huikuan("refresh", path, "--as-of", "2026-04-30")
    assert done.returncode == 0, done.stderr
    (status,) = rows_by_key(path, contract.STATUS)
    # five owed, none kept, five broken in the last 6 months (Nov–Apr, ≥ 3) → D
    if use:
        assert (status["credit_grade"], status["suggested_grade"]) == ("D", "建议 A→D（已采用）")
    else:
        assert (status["credit_grade"], status["suggested_grade"]) == ("A", "建议 A→D")


def test_the_suggested_grade_tightens_the_schedule_only_when_switched_on(tmp_path: Path):
    # As of Apr 6, four owed (Dec–Mar; Apr 5 is within A's 5 grace days), all broken → D.
    # Followed at D (no grace, chase every 2 days, escalate after 3) April's installment
    # gets more touches than at A (schedule.py: a tighter grade never gets fewer).
    days = {}
    for use in (False, True):
        path = write(_w_book(use), tmp_path / f"s{use}.xlsx", "en")
        done = huikuan("refresh", path, "--as-of", "2026-04-06")
        assert done.returncode == 0, done.stderr
        days[use] = [(r["date"].date(), r["action"]) for r in rows_by_key(path, contract.SCHEDULE)]  # type: ignore[union-attr]
    assert days[False] != days[True]
    assert len(days[True]) > len(days[False])


def test_the_basis_says_whose_record_the_forecast_rests_on():
    from huikuan.engine.forecast import ForecastRow
    from huikuan.workbook.outputs import forecast_table

    who = Customer(customer_id="N", name="新客户", rep="甲")

    def basis(history: int, weight: float, lang: str) -> str:
        row = ForecastRow(MAR, who, D(100), D(50), None, None, history, weight)
        (cells,) = forecast_table([row], lang).rows
        return cells[-1]

    assert basis(0, 0.0, "zh") == "无记录：按团队"
    assert basis(0, 0.0, "en") == "no record: the team's"
    assert basis(12, 1.0, "zh") == "12 期记录"
    assert basis(3, 0.5, "zh") == "3 期记录，团队占 50%"
    # an old record with nothing in the last 120 days: the team's curve alone, said so
    assert basis(5, 0.0, "zh") == "5 期记录，近期无：按团队"
