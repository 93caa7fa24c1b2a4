"""Status: the one definition of every per-customer number of SPEC ("Definitions").

Pure functions over the records of model.py: no I/O, no spreadsheet library.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from operator import attrgetter

from ..model import Book, Customer, Installment, PlanRow
from .policy import DEFAULT_POLICY, Policy

ZERO = Decimal(0)
ONE = Decimal(1)


def gap(target: Decimal, committed: Decimal) -> Decimal:
    """Target − committed, never below zero."""
    return max(ZERO, target - committed)


def remaining_gap(gap_: Decimal, contribution: Decimal) -> Decimal:
    """Gap − measure contributions, never below zero."""
    return max(ZERO, gap_ - contribution)


def coverage(gap_: Decimal, contribution: Decimal) -> Decimal:
    """Contribution ÷ gap; 1 when there is no gap; not capped above 1."""
    return ONE if gap_ == 0 else contribution / gap_


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole; None (an empty cell) when whole is 0."""
    return None if whole == 0 else part / whole


# ---- owed by a day, given grace: the one definition --------------------------------------


@cache
def days(n: int) -> timedelta:
    """timedelta(days=n), made once per n: building a timedelta costs five times the date
    addition itself, and a big team's status and schedule add a few hundred thousand."""
    return timedelta(days=n)


def late_from(due: date, grace: int) -> date:
    """The first day an installment due on `due` is late: the day after its grace days."""
    return due + days(grace + 1)


def is_late(due: date, as_of: date, grace: int) -> bool:
    """Is an installment due on `due` owed by `as_of`, given `grace` days? (as_of is past
    its due date plus the grace days.)"""
    return as_of >= late_from(due, grace)


def last_late_due(as_of: date, grace: int) -> date:
    """The last due day that is late by `as_of` given `grace` days: is_late(due, as_of,
    grace) exactly when due <= this day (one subtraction for a customer's installments,
    instead of one addition each)."""
    return as_of - days(grace + 1)


def owed_by(installments: Iterable[Installment], as_of: date, grace: int) -> Decimal:
    """What was owed by `as_of`, given `grace` days: the late installments, summed."""
    last = last_late_due(as_of, grace)
    return sum((i.amount for i in installments if i.due <= last), ZERO)


def overdue(
    installments: Iterable[Installment], received: Decimal, as_of: date, grace: int
) -> Decimal:
    """What was owed by `as_of` (given grace) and not received (receipts pay the earliest
    installments first), never below zero."""
    return max(ZERO, owed_by(installments, as_of, grace) - received)


def promise_status(
    installments: Sequence[Installment], received: Decimal, as_of: date, grace: int
) -> str:
    """none / kept / broken / partial / on_track, receipts paying the earliest installments first.

    An installment is late once as_of is past its due date plus the grace days (`is_late`).
    """
    committed = sum((i.amount for i in installments), ZERO)
    return status_of(committed, owed_by(installments, as_of, grace), received)


def status_of(committed: Decimal, owed: Decimal, received: Decimal) -> str:
    """promise_status from the sums: what was committed, what was owed by the day
    (owed_by) and what was received."""
    if committed == 0:
        return "none"
    if received >= committed:
        return "kept"
    if owed <= received:  # nothing overdue (overdue() is 0)
        return "on_track"
    return "broken" if received == 0 else "partial"


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One Status row: a plan row's numbers for its month as of a date (SPEC keys)."""

    month: date
    customer: Customer
    target: Decimal
    committed: Decimal
    gap: Decimal
    contribution: Decimal
    remaining_gap: Decimal
    coverage: Decimal
    received: Decimal
    due_to_date: Decimal
    fulfilment: Decimal | None
    completion: Decimal | None
    promise_status: str
    installments: tuple[Installment, ...] = ()  # earliest due first
    expected: Decimal | None = None
    ask: Decimal | None = None
    agreed_jointly: bool = False
    next_follow_up: date | None = None
    priority: int | None = None
    settle_ratio: Decimal | None = None
    suggested_ask: Decimal | None = None
    no_anchor: bool | None = None
    suggested_grade: str | None = None  # the grade the promise record suggests (record.py)
    grade_was: str | None = None  # the workbook's grade when the suggestion is in use


def completed(
    row: StatusRow,
    *,
    next_follow_up: date | None,
    priority: int | None,
    settle_ratio: Decimal | None,
    suggested_ask: Decimal | None,
    no_anchor: bool | None,
    suggested_grade: str | None,
    grade_was: str | None,
) -> StatusRow:
    """`row` with what the schedule, the priorities, the negotiation advice and the
    promise record add to it.

    One constructor call naming every field: dataclasses.replace, which looks each
    field up by name, took twice as long (0.065 s against 0.03 s for 10,000 rows).
    """
    return StatusRow(
        month=row.month,
        customer=row.customer,
        target=row.target,
        committed=row.committed,
        gap=row.gap,
        contribution=row.contribution,
        remaining_gap=row.remaining_gap,
        coverage=row.coverage,
        received=row.received,
        due_to_date=row.due_to_date,
        fulfilment=row.fulfilment,
        completion=row.completion,
        promise_status=row.promise_status,
        installments=row.installments,
        expected=row.expected,
        ask=row.ask,
        agreed_jointly=row.agreed_jointly,
        next_follow_up=next_follow_up,
        priority=priority,
        settle_ratio=settle_ratio,
        suggested_ask=suggested_ask,
        no_anchor=no_anchor,
        suggested_grade=suggested_grade,
        grade_was=grade_was,
    )


def _month(day: date) -> date:
    return day.replace(day=1)


def status_row(
    plan: PlanRow,
    customer: Customer,
    installments: Sequence[Installment],
    received: Decimal,
    contribution: Decimal,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> StatusRow:
    """Every SPEC definition for one plan row, from that month's inputs."""
    ordered = tuple(sorted(installments, key=_due))
    grace = policy.for_grade(customer.credit_grade).grace
    # committed, due to date and owed by as_of (promise_status) in one pass
    last = last_late_due(as_of, grace)
    committed = due_to_date = owed = ZERO
    for inst in ordered:
        committed += inst.amount
        if inst.due <= as_of:
            due_to_date += inst.amount
        if inst.due <= last:
            owed += inst.amount
    gap_ = gap(plan.target, committed)
    return StatusRow(
        month=plan.month,
        customer=customer,
        target=plan.target,
        committed=committed,
        gap=gap_,
        contribution=contribution,
        remaining_gap=remaining_gap(gap_, contribution),
        coverage=coverage(gap_, contribution),
        received=received,
        due_to_date=due_to_date,
        fulfilment=ratio(received, due_to_date),
        completion=ratio(received, plan.target),
        promise_status=status_of(committed, owed, received),
        installments=ordered,
        expected=plan.expected,
        ask=plan.ask,
        agreed_jointly=plan.agreed_jointly,
    )


_due = attrgetter("due")


def status(
    book: Book,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    month: date | None = None,
) -> tuple[StatusRow, ...]:
    """One StatusRow per plan row (of `month` when given), in plan order."""
    customers = {c.customer_id: c for c in book.customers}
    months: dict[date, date] = {}  # day → its month (the same few days come up again and again)
    installments: dict[tuple[str, date], list[Installment]] = defaultdict(list)
    for inst in book.commitments:
        month_of = months.get(inst.due) or months.setdefault(inst.due, _month(inst.due))
        installments[inst.customer_id, month_of].append(inst)
    received: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    for rec in book.receipts:
        month_of = months.get(rec.date) or months.setdefault(rec.date, _month(rec.date))
        received[rec.customer_id, month_of] += rec.amount
    contribution: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    for mea in book.measures:
        if mea.status != "dropped":
            contribution[mea.customer_id, mea.month] += mea.contribution
    rows = []
    for plan in book.plan:
        if month is not None and plan.month != month:
            continue
        customer = customers.get(plan.customer_id)
        if customer is None:  # the reader reports it; the engine skips it
            continue
        key = (plan.customer_id, plan.month)
        rows.append(
            status_row(
                plan,
                customer,
                installments.get(key, ()),
                received[key],
                contribution[key],
                as_of,
                policy,
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums of a group of Status rows (a rep, or the team); ratios from the sums."""

    rep: str | None  # None for the whole team
    customers: int
    target: Decimal
    committed: Decimal
    gap: Decimal
    contribution: Decimal
    remaining_gap: Decimal
    received: Decimal
    due_to_date: Decimal
    promises: Mapping[str, int] = field(default_factory=dict)  # rows per promise status

    @property
    def coverage(self) -> Decimal:
        return coverage(self.gap, self.contribution)

    @property
    def covered(self) -> Decimal:
        """The part of the gap the measures cover (each customer's capped at its gap)."""
        return self.gap - self.remaining_gap

    @property
    def fulfilment(self) -> Decimal | None:
        return ratio(self.received, self.due_to_date)

    @property
    def completion(self) -> Decimal | None:
        return ratio(self.received, self.target)


def total(rows: Iterable[StatusRow], rep: str | None = None) -> Totals:
    """The sums of `rows` (one pass, every sum at once)."""
    target = committed = gap_ = contribution = remaining = received = due_to_date = ZERO
    ids = set()
    promises: Counter[str] = Counter()
    for r in rows:
        target += r.target
        committed += r.committed
        gap_ += r.gap
        contribution += r.contribution
        remaining += r.remaining_gap
        received += r.received
        due_to_date += r.due_to_date
        ids.add(r.customer.customer_id)
        promises[r.promise_status] += 1
    return Totals(
        rep=rep,
        customers=len(ids),
        target=target,
        committed=committed,
        gap=gap_,
        contribution=contribution,
        remaining_gap=remaining,
        received=received,
        due_to_date=due_to_date,
        promises=dict(promises),
    )


def month_target(plan: Iterable[PlanRow], month: date) -> Decimal:
    """The targets of `month`'s plan rows, summed (of a rep's book: the rep's target)."""
    return sum((p.target for p in plan if p.month == month), ZERO)


def totals_by_rep(rows: Iterable[StatusRow]) -> tuple[Totals, ...]:
    """One Totals per rep (sorted by name), then the team's."""
    rows = list(rows)
    by_rep: dict[str, list[StatusRow]] = defaultdict(list)
    for row in rows:
        by_rep[row.customer.rep].append(row)
    return (*(total(by_rep[rep], rep) for rep in sorted(by_rep)), total(rows))
