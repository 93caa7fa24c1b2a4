"""benchmarks/forecast.py: the backtest's baselines and actuals on a history worked by hand,
and the generated history's payers behaving as their kinds say."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

from forecast import backtest  # noqa: E402
from huikuan.model import Book, Customer, Installment, PlanRow, Receipt  # noqa: E402
from payers import history  # noqa: E402

D = Decimal


def test_baselines_and_actuals_worked_by_hand():
    pays = [  # due, amount, paid on
        (date(2026, 1, 5), 1000, date(2026, 1, 15)),  # 10 days late
        (date(2026, 2, 5), 1000, date(2026, 2, 20)),  # 15
        (date(2026, 3, 5), 1000, date(2026, 3, 17)),  # 12
        (date(2026, 4, 5), 1000, date(2026, 4, 15)),  # 10
        (date(2026, 4, 25), 500, date(2026, 4, 28)),  # 3
    ]
    book = Book(
        customers=(Customer(customer_id="C", name="C", rep="甲"),),
        plan=tuple(
            PlanRow(month=date(2026, m, 1), customer_id="C", target=D(1000)) for m in (1, 2, 3, 4)
        ),
        commitments=tuple(Installment(customer_id="C", due=d, amount=D(a)) for d, a, _ in pays),
        receipts=tuple(Receipt(date=p, customer_id="C", amount=D(a)) for _, a, p in pays),
    )
    r = backtest(book)  # April only (three months of record first), the 10th and the 20th
    assert r["as_of"] == [date(2026, 4, 10), date(2026, 4, 20)]
    # Apr 10: open 1500; delay so far (10·1000 + 15·1000 + 12·1000) / 3000 = 12.33 → 12 days:
    # Apr 5 + 12 = Apr 17 in the window (1000), Apr 25 + 12 = May 7 not. (a): due in the
    # window: Apr 25's 500. Actual: 1000 on Apr 15 and 500 on Apr 28.
    # Apr 20: open 500 (Apr 25); delay (37,000 + 10·1000) / 4000 = 11.75 → 11: May 6, out.
    assert [(t, a) for t, a, _ in r["(a) due day"]] == [(D(500), D(1500)), (D(500), D(500))]
    assert [t for t, _, _ in r["(b) due + delay"]] == [D(1000), D(0)]
    assert [t for t, _, _ in r["(a') all open"]] == [D(1500), D(500)]
    # huikuan, own record alone with its 4 installments (weight √(4/12)), team = itself:
    # never more than open, never less than 0
    for (t, _, _), open_ in zip(r["huikuan"], (1500, 500), strict=True):
        assert 0 <= t <= open_


def test_the_generated_payers_behave_as_their_kinds():
    book, kinds = history(customers=8, months=6, seed=1)
    assert sorted(set(kinds.values())) == ["erratic", "late", "partial", "reliable"]
    due = {cid: D(0) for cid in kinds}
    for i in book.commitments:
        due[i.customer_id] += i.amount
    paid = {cid: D(0) for cid in kinds}
    for rec in book.receipts:
        paid[rec.customer_id] += rec.amount
    for cid, kind in kinds.items():
        assert paid[cid] <= due[cid]
        if kind in ("reliable", "late"):
            assert paid[cid] == due[cid]  # in full, on time or late
        if kind == "partial":
            assert paid[cid] < due[cid]  # a quarter of the rests never come


def test_the_backtest_prints_its_table():
    done = subprocess.run(
        [sys.executable, str(BENCH / "forecast.py"), "--customers", "12", "--months", "6"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for method in ("huikuan", "(a) due day", "(b) due + delay"):
        assert done.stdout.count(method) >= 3  # the 10th, the 20th and all
    assert "team MAE" in done.stdout and "best team MAE" in done.stdout
