"""A generated payment history with customers of known behaviour, for the forecast's backtest.

Four kinds of payer, a quarter each (the kind is the truth the forecast does not see):

- **reliable**: pays each installment in full, on its due day or up to 2 days after
  (1 in 20 a week late);
- **late**: pays in full, always late, around its own habit of 6–20 days (± 4);
- **partial**: pays 40–80 % within 3 days of the due date and the rest 20–50 days later,
  or (1 in 4) never;
- **erratic**: per installment, 40 % on time, 30 % 5–45 days late, 30 % 60–150 days late.

Each customer promises 1–3 installments a month (due on days 1–28, 1,000–50,000 yuan in
whole hundreds) over `months` months; the receipts are dated as the behaviour says
(some fall after the last month: not yet known, like any future). Deterministic for a seed.

    from payers import history
    book = history(customers=120, months=18, seed=7)
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from huikuan.model import Book, Customer, Installment, PlanRow, Receipt

KINDS = ("reliable", "late", "partial", "erratic")


def _month(start: date, n: int) -> date:
    index = start.year * 12 + start.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _payments(kind: str, habit: int, rng: random.Random) -> list[tuple[int, float]]:
    """(days after due, share of the amount) of one installment's payments."""
    if kind == "reliable":
        return [(7 if rng.random() < 0.05 else rng.randint(0, 2), 1.0)]
    if kind == "late":
        return [(max(1, habit + rng.randint(-4, 4)), 1.0)]
    if kind == "partial":
        first = rng.uniform(0.4, 0.8)
        out = [(rng.randint(0, 3), first)]
        if rng.random() >= 0.25:
            out.append((rng.randint(20, 50), 1 - first))
        return out
    roll = rng.random()
    if roll < 0.4:
        return [(rng.randint(0, 2), 1.0)]
    if roll < 0.7:
        return [(rng.randint(5, 45), 1.0)]
    return [(rng.randint(60, 150), 1.0)]


def history(
    customers: int = 120, months: int = 18, seed: int = 7, start: date = date(2025, 1, 1)
) -> tuple[Book, dict[str, str]]:
    """The book (customers, a plan row a month, installments, receipts) and each customer's kind."""
    rng = random.Random(seed)
    custs, plan, insts, receipts = [], [], [], []
    kinds: dict[str, str] = {}
    for n in range(customers):
        cid = f"K{n + 1:04d}"
        kind = KINDS[n % len(KINDS)]
        kinds[cid] = kind
        custs.append(
            Customer(
                customer_id=cid,
                name=f"客户{n + 1}",
                rep=f"业务员{n % 6 + 1}",
                credit_grade=rng.choice("ABBC"),
            )
        )
        habit = rng.randint(6, 20)
        for m in range(months):
            month = _month(start, m)
            total = Decimal(0)
            for _ in range(rng.randint(1, 3)):
                due = month + timedelta(days=rng.randint(0, 27))
                amount = Decimal(rng.randint(10, 500) * 100)
                total += amount
                insts.append(Installment(customer_id=cid, due=due, amount=amount))
                paid = Decimal(0)
                pays = _payments(kind, habit, rng)
                for k, (days, share) in enumerate(pays):
                    part = (
                        amount - paid
                        if k == len(pays) - 1 and share < 1 and len(pays) > 1
                        else (amount * Decimal(repr(round(share, 4)))).quantize(Decimal(1))
                    )
                    part = min(part, amount - paid)
                    if part <= 0:
                        continue
                    paid += part
                    receipts.append(
                        Receipt(date=due + timedelta(days=days), customer_id=cid, amount=part)
                    )
            plan.append(PlanRow(month=month, customer_id=cid, target=total))
    book = Book(
        customers=tuple(custs),
        plan=tuple(plan),
        commitments=tuple(insts),
        receipts=tuple(sorted(receipts, key=lambda r: r.date)),
    )
    return book, kinds
