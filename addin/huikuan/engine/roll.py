"""Roll a team's book into the next month (`huikuan roll`): plans, carried promises and measures.

Pure: a book in, the new month's records out. The month being closed is the
latest month with plan rows before the new one. For the new month:

- every customer gets a plan row, its target suggested by `suggested_target`
  and its ask by the customer's settle ratio (negotiation.suggested_ask);
- every installment of the closed month still unpaid — receipts of that month
  paying its installments earliest first — is carried as a new installment
  for the unpaid rest, due on the first working day of the new month, its
  `carried_from` the original due date (the first one, if it had been carried
  before): overdue from day one, and flagged;
- every measure of the closed month still planned is carried (same kind,
  description, contribution and owner; a due date already past is cleared).

Earlier months are never changed. Rolling twice adds nothing the second time:
a plan row, carried installment or measure already there is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from ..model import Book, Installment, Measure, PlanRow
from .negotiation import advise, round_unit
from .schedule import unpaid
from .workdays import Workdays, workdays_from

ZERO = Decimal(0)
HISTORY = 3  # months of history behind a suggested target


class RollError(ValueError):
    """The book cannot be rolled into that month; the reason in both languages."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def month_of(day: date) -> date:
    return day.replace(day=1)


@dataclass(frozen=True, slots=True)
class MonthHistory:
    """One past month of a customer: its target, what was received, what was carried into it."""

    month: date
    target: Decimal
    received: Decimal
    carried_in: Decimal = ZERO


def round_up(amount: Decimal) -> Decimal:
    """Up to a unit a person would say (negotiation.round_unit): 187,333.33 → 190,000."""
    if amount <= 0:
        return ZERO
    unit = round_unit(amount)
    return (amount / unit).to_integral_value(rounding=ROUND_CEILING) * unit


def suggested_target(history: Sequence[MonthHistory], carried: Decimal = ZERO) -> Decimal:
    """Next month's target for a customer: its usual level plus what it still owes.

    The usual level of a month is the larger of its target and what the customer
    actually paid (a customer who pays more than planned raises it), less what
    had been carried into that month from before (so arrears are not counted
    twice). The level is the mean over the last `HISTORY` months with a plan
    row, rounded up to a unit a person would say; the unpaid installments
    carried into the new month are added to it exactly. No history: just the
    carried amount (often 0 — the manager sets it).
    """
    recent = sorted(history, key=lambda h: h.month)[-HISTORY:]
    if not recent:
        return carried
    levels = [max(ZERO, max(h.target, h.received) - h.carried_in) for h in recent]
    return round_up(sum(levels, ZERO) / len(levels)) + carried


@dataclass(frozen=True, slots=True)
class Carried:
    """An installment carried into the new month, with the one it came from."""

    installment: Installment
    source: Installment


@dataclass(frozen=True, slots=True)
class Rolled:
    """The rolled book and what was added to it."""

    book: Book
    from_month: date
    to_month: date
    plan: tuple[PlanRow, ...]
    carried: tuple[Carried, ...]
    measures: tuple[Measure, ...]
    skipped_plan: tuple[str, ...]  # customers that already had a plan row for the new month
    first_day: date  # the first working day of the new month (carried installments' due)

    @property
    def commitments(self) -> tuple[Installment, ...]:
        return tuple(c.installment for c in self.carried)

    @property
    def target(self) -> Decimal:
        """The new month's suggested targets, summed."""
        return sum((p.target for p in self.plan), ZERO)

    @property
    def carried_amount(self) -> Decimal:
        """The unpaid installments carried into the new month, summed."""
        return sum((c.installment.amount for c in self.carried), ZERO)


def _history(book: Book, before: date) -> dict[str, list[MonthHistory]]:
    received: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    for rec in book.receipts:
        received[rec.customer_id, month_of(rec.date)] += rec.amount
    carried_in: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    for inst in book.commitments:
        if inst.carried_from is not None:
            carried_in[inst.customer_id, month_of(inst.due)] += inst.amount
    out: dict[str, list[MonthHistory]] = defaultdict(list)
    for p in book.plan:
        if p.month < before:
            key = (p.customer_id, p.month)
            out[p.customer_id].append(
                MonthHistory(p.month, p.target, received[key], carried_in[key])
            )
    return out


def _carry(book: Book, start: date, end: date, due: date) -> list[Carried]:
    """Unpaid installments due in [start, end), month by month, as new ones due on `due`."""
    installments: dict[tuple[str, date], list[Installment]] = defaultdict(list)
    for inst in book.commitments:
        if start <= inst.due < end:
            installments[inst.customer_id, month_of(inst.due)].append(inst)
    received: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    for rec in book.receipts:
        received[rec.customer_id, month_of(rec.date)] += rec.amount
    out = []
    order = {c.customer_id: n for n, c in enumerate(book.customers)}
    for key in sorted(installments, key=lambda k: (order.get(k[0], len(order)), k[1])):
        ordered = sorted(installments[key], key=lambda i: i.due)
        for inst, rest in zip(ordered, unpaid(ordered, received[key]), strict=True):
            if rest > 0:
                new = Installment(
                    customer_id=inst.customer_id,
                    due=due,
                    amount=rest,
                    promised_on=inst.promised_on,
                    carried_from=inst.carried_from or inst.due,
                )
                out.append(Carried(new, inst))
    return out


def skipped_months(start: date, to: date) -> list[date]:
    """The months strictly between the closed month `start` and the new month `to`."""
    months: list[date] = []
    month = _next_month(start)
    while month < to:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def roll(book: Book, to: date, workdays: Workdays | None = None, skip: bool = False) -> Rolled:
    """The book with the month `to` planned (see the module's rules); raises RollError.

    Rolling past a month (from 2027-01 to 2027-03) would leave February without plan
    rows and carry January's unpaid installments straight into March: refused unless
    `skip` says the gap is meant. The carried installments fall due on the new month's
    first working day, never on a day off (the Holidays table counts).
    """
    to = month_of(to)
    months = {p.month for p in book.plan}
    later = sorted(m for m in months if m > to)
    if later:
        raise RollError(
            f"the workbook already has plans for {later[-1]:%Y-%m}, after {to:%Y-%m}",
            f"工作簿中已有 {later[-1].year}年{later[-1].month}月 的计划，晚于 {to.year}年{to.month}月",
        )
    earlier = [m for m in months if m < to]
    if not earlier:
        raise RollError(
            f"no plan before {to:%Y-%m} to roll from",
            f"{to.year}年{to.month}月 之前没有可结转的计划",
        )
    start = max(earlier)
    gap = skipped_months(start, to)
    if gap and not skip:
        en_gap = ", ".join(f"{m:%Y-%m}" for m in gap)
        zh_gap = "、".join(f"{m.year}年{m.month}月" for m in gap)
        raise RollError(
            f"rolling from {start:%Y-%m} to {to:%Y-%m} skips {en_gap}: roll to "
            f"{gap[0]:%Y-%m} first, or add --skip if {en_gap} is meant to have no plan",
            f"从 {start.year}年{start.month}月 结转到 {to.year}年{to.month}月 会跳过 {zh_gap}："
            f"请先结转到 {gap[0].year}年{gap[0].month}月；如确实不需要 {zh_gap} 的计划，请加 --skip",
        )
    workdays = workdays or workdays_from(book.holidays)
    first_day = workdays.nth(to, 1)

    existing = {(i.customer_id, i.due, i.amount, i.carried_from) for i in book.commitments}
    carried = [
        c
        for c in _carry(book, start, to, first_day)
        if (c.installment.customer_id, first_day, c.installment.amount, c.installment.carried_from)
        not in existing
    ]
    carried_amount: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for c in carried:
        carried_amount[c.installment.customer_id] += c.installment.amount

    planned = {p.customer_id for p in book.plan if p.month == to}
    history = _history(book, to)
    plan = [
        PlanRow(
            month=to,
            customer_id=c.customer_id,
            target=suggested_target(history.get(c.customer_id, ()), carried_amount[c.customer_id]),
        )
        for c in book.customers
        if c.customer_id not in planned
    ]
    skipped = tuple(c.customer_id for c in book.customers if c.customer_id in planned)

    there = {m for m in book.measures if m.month == to}
    measures: list[Measure] = []
    for m in book.measures:
        if m.month != start or m.status != "planned":
            continue
        new = m.updated({"month": to, "due": m.due if m.due and m.due >= to else None})
        if new not in there:
            measures.append(new)
            there.add(new)

    rolled = book.updated(
        {
            "plan": (*book.plan, *plan),
            "commitments": (*book.commitments, *(c.installment for c in carried)),
            "measures": (*book.measures, *measures),
        }
    )
    advice = advise(rolled)
    plan = [p.updated({"ask": advice[to, p.customer_id].suggested_ask}) for p in plan]
    rolled = rolled.updated({"plan": (*book.plan, *plan)})
    return Rolled(
        rolled, start, to, tuple(plan), tuple(carried), tuple(measures), skipped, first_day
    )
