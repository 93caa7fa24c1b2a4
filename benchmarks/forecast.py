"""Backtest the month-end forecast: as of the 10th and the 20th of each month, what the team
was expected to receive by the month's end against what it actually received.

For each as-of day t of month M (end E), from the fourth month on (three months of record
first), every method sees only receipts up to t:

- **huikuan**: engine/forecast.py (Kaplan–Meier curve of days from due to payment,
  credibility-weighted toward the team's);
- **(a) due day**: every open installment is paid on its due day: what is unpaid on those
  due in (t, E] (an overdue one's due day has passed: not expected);
- **(a′) all open**: everything open by E is paid by E (the optimist's reading of (a));
- **(b) due + delay**: each customer pays on its due day plus its own amount-weighted
  average delay so far, in whole days truncated (the team's when it has none): what is
  unpaid on installments whose day so moved falls in (t, E].

"Actually received" for a customer is what it paid in (t, E], at most its `open`. The
table gives, per method, the mean absolute error of the team's total over the as-of days
(and as a share of the mean actual), the mean error (bias) and the customer-level MAE.

    python benchmarks/forecast.py                         # 120 customers, 18 months
    python benchmarks/forecast.py --customers 300 --months 24 --seed 3
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from huikuan.engine.forecast import forecast
from huikuan.engine.record import records
from huikuan.model import Book
from huikuan.values import month_end
from payers import history

ZERO = Decimal(0)
METHODS = ("huikuan", "(a) due day", "(a') all open", "(b) due + delay")


def _month(start: date, n: int) -> date:
    index = start.year * 12 + start.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def backtest(book: Book, days: Sequence[int] = (10, 20), warm: int = 3) -> dict[str, list]:
    """Per as-of day: {method: (team expected, team actual, customer-level abs errors)}."""
    months = sorted({p.month for p in book.plan})
    paid_by: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for r in book.receipts:
        paid_by[r.customer_id].append((r.date, r.amount))
    out: dict[str, list] = {m: [] for m in METHODS}
    out["as_of"] = []
    for month in months[warm:]:
        end = month_end(month)
        for day in days:
            t = month.replace(day=day)
            known = records(book, t)
            rows = {f.customer.customer_id: f for f in forecast(book, t, known=known)}
            # the team's average delay so far (for customers with none): parts by amount
            weighted: dict[str, Decimal] = defaultdict(lambda: ZERO)
            paid: dict[str, Decimal] = defaultdict(lambda: ZERO)
            for cid, (_, found) in known.items():
                for o in found:
                    for when, part in o.parts:
                        weighted[cid] += part * max(0, (when - o.due).days)
                        paid[cid] += part
            team_delay = sum(weighted.values(), ZERO) / max(sum(paid.values(), ZERO), Decimal(1))
            totals = dict.fromkeys(METHODS, ZERO)
            actual_total = ZERO
            errors: dict[str, list[Decimal]] = {m: [] for m in METHODS}
            for cid, (_, found) in known.items():
                open_ = sum((o.unpaid for o in found if o.due <= end), ZERO)
                if open_ <= 0:
                    continue
                came = sum((a for d, a in paid_by[cid] if t < d <= end), ZERO)
                actual = min(came, open_)
                delay = weighted[cid] / paid[cid] if paid[cid] else team_delay
                shift = timedelta(days=math.floor(delay))
                guess = {
                    "huikuan": rows[cid].expected if cid in rows else ZERO,
                    "(a) due day": sum(
                        (o.unpaid for o in found if t < o.due <= end and o.unpaid > 0), ZERO
                    ),
                    "(a') all open": open_,
                    "(b) due + delay": sum(
                        (
                            o.unpaid
                            for o in found
                            if o.due <= end and o.unpaid > 0 and t < o.due + shift <= end
                        ),
                        ZERO,
                    ),
                }
                actual_total += actual
                for m in METHODS:
                    totals[m] += guess[m]
                    errors[m].append(abs(guess[m] - actual))
            out["as_of"].append(t)
            for m in METHODS:
                out[m].append((totals[m], actual_total, errors[m]))
    return out


def table(result: dict[str, list], days: Sequence[int]) -> list[str]:
    lines = []
    head = (
        f"{'method':<18}{'as of':>7}{'team MAE':>14}{'MAE/actual':>12}{'bias':>14}{'cust MAE':>12}"
    )
    lines.append(head)
    for day in [*days, None]:
        picks = [i for i, t in enumerate(result["as_of"]) if day is None or t.day == day]
        mean_actual = sum(float(result["huikuan"][i][1]) for i in picks) / len(picks)
        for m in METHODS:
            errs = [float(result[m][i][0] - result[m][i][1]) for i in picks]
            mae = sum(abs(e) for e in errs) / len(errs)
            bias = sum(errs) / len(errs)
            cust = [float(e) for i in picks for e in result[m][i][2]]
            cust_mae = sum(cust) / max(1, len(cust))
            label = "all" if day is None else f"{day}th"
            lines.append(
                f"{m:<18}{label:>7}{mae:>14,.0f}{mae / mean_actual:>12.1%}{bias:>14,.0f}"
                f"{cust_mae:>12,.0f}"
            )
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--customers", type=int, default=120)
    p.add_argument("--months", type=int, default=18)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    book, kinds = history(args.customers, args.months, args.seed)
    started = time.perf_counter()
    result = backtest(book)
    took = time.perf_counter() - started
    n = len(result["as_of"])
    print(
        f"backtest: {args.customers} customers ({', '.join(sorted(set(kinds.values())))}), "
        f"{args.months} months, {len(book.commitments)} installments, "
        f"{len(book.receipts)} receipts; {n} as-of days (10th and 20th from month 4); "
        f"{took:.1f} s"
    )
    print("\n".join(table(result, (10, 20))))
    overall = {m: sum(abs(float(a - b)) for a, b, _ in result[m]) / len(result[m]) for m in METHODS}
    best = min(overall, key=lambda m: overall[m])
    beaten = [m for m in METHODS if m != "huikuan" and overall["huikuan"] < overall[m]]
    print(f"best team MAE: {best}; huikuan beats: {', '.join(beaten) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
