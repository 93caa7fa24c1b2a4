"""How long the engine takes to schedule a big team: 10,000 customers × 3 installments.

The records are built in memory (no workbook, no reading); only the engine is
timed: `analyse()` (status, follow-up schedule, next follow-up and priority,
negotiation advice) and, inside it, `schedule()` alone. Each figure is the
best of a few runs, in one process, after a warm-up run that fills the
working-day caches the way a refresh's first customers would.

    python benchmarks/schedule.py                 # 10,000 customers, as of Nov 2 and Nov 23
    python benchmarks/schedule.py --customers 50000 --runs 3

Target: under 1 s for 10,000 customers on 2 cores (the engine uses one).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from huikuan.engine.analysis import analyse, gc_paused
from huikuan.engine.policy import policy_from
from huikuan.engine.schedule import schedule
from huikuan.engine.status import status
from huikuan.engine.workdays import workdays_from
from huikuan.model import Book, Customer, FollowUp, Installment, PlanRow, Receipt

MONTH = date(2026, 11, 1)
PAST = date(2026, 10, 1)


def team(n: int, seed: int = 3) -> Book:
    """n customers, 20 per rep: this month's plan with 3 installments each, about half
    partly paid, a follow-up for a third, and last month's ask and promise (history)."""
    rng = random.Random(seed)
    customers, plan, commits, receipts, follow = [], [], [], [], []
    for i in range(n):
        cid = f"K{i:06d}"
        customers.append(
            Customer(
                customer_id=cid,
                name=f"客户{i}",
                rep=f"业务员{i // 20}",
                credit_grade=rng.choice("AABBBCCD"),
                key_account=rng.random() < 0.25,
                phone=f"138{rng.randrange(10**8):08d}",
            )
        )
        target = Decimal(rng.randrange(10, 500) * 1000)
        plan.append(PlanRow(month=MONTH, customer_id=cid, target=target, ask=target * 2))
        plan.append(PlanRow(month=PAST, customer_id=cid, target=target, ask=target * 2))
        commits.append(Installment(customer_id=cid, due=PAST.replace(day=15), amount=target))
        for day in sorted(rng.sample(range(1, 31), 3)):
            due = MONTH.replace(day=day)
            commits.append(Installment(customer_id=cid, due=due, amount=target / 3))
        if rng.random() < 0.5:
            paid = Decimal(rng.randrange(1, 300) * 1000)
            receipts.append(Receipt(date=MONTH.replace(day=10), customer_id=cid, amount=paid))
        if rng.random() < 0.33:
            day = MONTH + timedelta(days=rng.randrange(0, 20))
            follow.append(FollowUp(date=day, customer_id=cid, result="promised"))
    return Book(
        customers=tuple(customers),
        plan=tuple(plan),
        commitments=tuple(commits),
        receipts=tuple(receipts),
        followups=tuple(follow),
    )


def best(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    """The fastest of `runs` timed calls (wall time), and the last result."""
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - start)
    return min(times), out


def calibrate() -> float:
    """Seconds this Python takes for 10 million additions in a loop: a yardstick for
    the machine (about 0.4 s on a 2023 laptop with Python 3.11; more on a busy or
    shared machine). Best of three."""

    def loop() -> int:
        total = 0
        for n in range(10_000_000):
            total += n
        return total

    return best(3, loop)[0]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    book = team(args.customers)
    print(
        f"{args.customers:,} customers, {len(book.commitments):,} installments "
        f"({args.customers * 3:,} this month), best of {args.runs} runs"
    )
    print(f"machine yardstick: 10M-addition loop {calibrate():.2f} s")
    for as_of in (date(2026, 11, 2), date(2026, 11, 23)):
        analyse(book, as_of)  # warm-up
        took, (rows, actions) = best(args.runs, lambda as_of=as_of: analyse(book, as_of))
        policy, cal = policy_from(book.cadences), workdays_from(book.holidays)
        month_rows = status(book, as_of, policy)

        def alone(rows=month_rows, as_of=as_of, policy=policy, cal=cal) -> object:
            with gc_paused():  # as inside analyse()
                return schedule(rows, as_of, book.followups, policy, cal)

        took_alone, _ = best(args.runs, alone)
        print(
            f"as of {as_of}: analyse() {took:.3f} s, of which schedule() {took_alone:.3f} s — "
            f"{len(rows):,} status rows, {len(actions):,} actions"
        )


if __name__ == "__main__":
    main()
