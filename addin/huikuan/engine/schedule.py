"""The follow-up schedule of a month as of a date (METHOD §4), and Status's priority.

Cadence follows credit grade (policy.py), tightens one grade after a missed
installment, starts early in the month with key accounts first, and never
lands on a non-working day: reminders move earlier, checks and chases later.
One Action per customer per day, its reasons merged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..model import FollowUp, Installment
from ..values import month_end
from .policy import DEFAULT_POLICY, GRADES, Cadence, Policy
from .status import ZERO, StatusRow, evolve
from .workdays import CHINA, Workdays

# Actions, most urgent first: a day's row carries the most urgent of its reasons.
ACTIONS = ("escalate", "chase", "due_check", "remind", "get_commitment", "push")
_URGENCY = {action: rank for rank, action in enumerate(ACTIONS)}
PRIORITY_ORDER = ("broken", "partial", "none", "on_track", "kept")


@dataclass(frozen=True)
class Reason:
    """Why a customer is contacted on a day; rendered in the workbook's language later."""

    action: str
    installment_due: date | None = None
    amount: Decimal = ZERO
    tightened: bool = False
    installment: int = -1  # index into the row's installments; -1 for none


@dataclass(frozen=True)
class Action:
    """One Schedule row: whom to contact on which day, what to do and why."""

    date: date
    row: StatusRow
    action: str
    installment_due: date | None
    amount_at_stake: Decimal
    reasons: tuple[Reason, ...]


def tighter(grade: str) -> str:
    """One grade tighter: A → B → C → D → D."""
    index = GRADES.index(grade) if grade in GRADES else 1
    return GRADES[min(index + 1, len(GRADES) - 1)]


def unpaid(installments: Sequence[Installment], received: Decimal) -> list[Decimal]:
    """What is still owed on each installment, receipts paying the earliest first."""
    left, owed = received, []
    for inst in installments:
        paid = min(left, inst.amount)
        left -= paid
        owed.append(inst.amount - paid)
    return owed


def missed(row: StatusRow, as_of: date, grace: int) -> bool:
    """Was an installment not fully paid by its due date plus grace?"""
    owed = unpaid(row.installments, row.received)
    return any(
        rest > 0 and inst.due + timedelta(days=grace) < as_of
        for inst, rest in zip(row.installments, owed, strict=True)
    )


def _customer_reasons(
    row: StatusRow,
    as_of: date,
    policy: Policy,
    workdays: Workdays,
    last_contact: date | None,
) -> dict[date, list[Reason]]:
    grade = row.customer.credit_grade
    tightened = missed(row, as_of, policy.for_grade(grade).grace)
    cad: Cadence = policy.for_grade(tighter(grade) if tightened else grade)
    end = month_end(row.month)
    days: dict[date, list[Reason]] = defaultdict(list)

    def add(day: date, reason: Reason) -> None:
        if as_of <= day <= end and workdays.is_working(day):
            days[day].append(reason)

    # early-month push, key accounts first; then weekly touches while there is no promise
    push = workdays.nth(row.month, 1 if row.customer.key_account else 2)
    outstanding = row.committed - min(row.received, row.committed)
    if row.committed == 0:
        add(push, Reason("get_commitment", amount=row.target))
        start = max(as_of, push + timedelta(days=1))
        if last_contact:
            start = max(start, last_contact + timedelta(days=7))
        day = workdays.on_or_after(start)
        while day <= end:
            add(day, Reason("get_commitment", amount=row.target))
            day = workdays.on_or_after(day + timedelta(days=7))
        return days
    if outstanding > 0:
        add(push, Reason("push", amount=outstanding))

    owed = unpaid(row.installments, row.received)
    for index, (inst, rest) in enumerate(zip(row.installments, owed, strict=True)):
        if rest <= 0:
            continue
        due = inst.due
        why = {"installment_due": due, "amount": rest, "installment": index}
        if due >= as_of:  # a reminder on or before the due day, never before as_of
            remind = workdays.on_or_before(due - timedelta(days=cad.remind_before))
            if remind < as_of:
                remind = workdays.on_or_after(as_of)
            if remind <= due:
                add(remind, Reason("remind", tightened=tightened, **why))
            add(workdays.on_or_after(due), Reason("due_check", tightened=tightened, **why))
        first_chase = due + timedelta(days=cad.grace + 1)
        day = max(first_chase, as_of)
        if last_contact and day > first_chase:
            day = max(day, last_contact + timedelta(days=cad.chase_every))
        day = workdays.on_or_after(day)
        while day <= end:
            add(day, Reason("chase", tightened=tightened, **why))
            day = workdays.on_or_after(day + timedelta(days=cad.chase_every))
        escalate = workdays.on_or_after(max(due + timedelta(days=cad.escalate_after), as_of))
        add(escalate, Reason("escalate", tightened=tightened, **why))
    return days


def _merge(day: date, row: StatusRow, reasons: list[Reason]) -> Action:
    """One action for the day: the most urgent reason per installment, most urgent first."""
    reasons.sort(key=lambda r: (_URGENCY[r.action], r.installment_due or day))
    kept: list[Reason] = []
    seen: set[int] = set()
    for reason in reasons:
        if reason.installment >= 0:
            if reason.installment in seen:
                continue
            seen.add(reason.installment)
        kept.append(reason)
    reasons = kept
    dues = {r.installment: (r.installment_due, r.amount) for r in reasons if r.installment >= 0}
    stake = (
        sum((amount for _, amount in dues.values()), ZERO)
        if dues
        else max(r.amount for r in reasons)
    )
    first = min((d for d, _ in dues.values() if d), default=None)
    return Action(day, row, reasons[0].action, first, stake, tuple(reasons))


def schedule(
    rows: Iterable[StatusRow],
    as_of: date,
    followups: Iterable[FollowUp] = (),
    policy: Policy = DEFAULT_POLICY,
    workdays: Workdays = CHINA,
) -> tuple[Action, ...]:
    """Every follow-up action from `as_of` to the end of each row's month.

    Ordered by date, then key accounts first, then amount at stake (largest first).
    """
    last: dict[str, date] = {}
    for fu in followups:
        if fu.date <= as_of and fu.date > last.get(fu.customer_id, date.min):
            last[fu.customer_id] = fu.date
    actions = []
    for row in rows:
        if month_end(row.month) < as_of:
            continue
        by_day = _customer_reasons(row, as_of, policy, workdays, last.get(row.customer.customer_id))
        actions.extend(_merge(day, row, reasons) for day, reasons in by_day.items())
    actions.sort(
        key=lambda a: (
            a.date,
            not a.row.customer.key_account,
            -a.amount_at_stake,
            a.row.customer.customer_id,
        )
    )
    return tuple(actions)


def at_stake(row: StatusRow, as_of: date, grace: int) -> Decimal:
    """Money a customer's follow-up is about: overdue when broken/partial, else what is open."""
    if row.promise_status == "none":
        return row.target
    if row.promise_status in ("broken", "partial"):
        late = as_of - timedelta(days=grace)
        owed = sum((i.amount for i in row.installments if i.due < late), ZERO)
        return max(ZERO, owed - row.received)
    return max(ZERO, row.committed - row.received)


def follow_up(
    rows: Sequence[StatusRow],
    actions: Iterable[Action],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> list[tuple[date | None, int]]:
    """Each row's next follow-up day and priority (rank within the rep, 1 = first)."""
    nxt: dict[tuple[date, str], date] = {}
    for act in actions:
        key = (act.row.month, act.row.customer.customer_id)
        nxt[key] = min(nxt.get(key, act.date), act.date)
    ranked: dict[tuple[date, str], list[StatusRow]] = defaultdict(list)
    for row in rows:
        ranked[row.month, row.customer.rep].append(row)
    rank: dict[int, int] = {}
    for group in ranked.values():
        group.sort(
            key=lambda r: (
                PRIORITY_ORDER.index(r.promise_status),
                -at_stake(r, as_of, policy.for_grade(r.customer.credit_grade).grace),
                r.customer.customer_id,
            )
        )
        for n, row in enumerate(group, start=1):
            rank[id(row)] = n
    return [(nxt.get((row.month, row.customer.customer_id)), rank[id(row)]) for row in rows]


def with_follow_up(
    rows: Sequence[StatusRow],
    actions: Iterable[Action],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> tuple[StatusRow, ...]:
    """Status rows with next_follow_up and priority (rank within the rep, 1 = first)."""
    return tuple(
        evolve(row, next_follow_up=day, priority=priority)
        for row, (day, priority) in zip(rows, follow_up(rows, actions, as_of, policy), strict=True)
    )
