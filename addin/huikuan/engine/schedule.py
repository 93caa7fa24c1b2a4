"""The follow-up schedule of a month as of a date (METHOD §4), and Status's priority.

For each plan row whose month is not over, from `as_of` to the month's end:

- **push**: an early-month push on the month's 1st working day for key
  accounts, the 2nd for the others. A customer with no commitment gets
  **get_commitment** instead, then again every 7 days (never sooner than 7 days
  after its last logged follow-up) until it commits.
- For each installment still unpaid (receipts pay the earliest first):
  **remind** `remind_before` days before its due day; **due_check** on the due
  day; **chase** from the first day after the grace (and after the due-day
  check), then every `chase_every` days after the previous chase, never sooner
  than `chase_every` days after the customer's last logged follow-up; the first
  chase on or after `escalate_after` days past the due day is an **escalate**
  (to the manager) instead, unless a follow-up was logged since that day.
- The cadence is the credit grade's (policy.py). The *tightening day* is the
  first day an installment is short (due + grace + 1, still owed). Every
  installment due on or after it is followed one grade tighter for the rest of
  the month: earlier reminder, shorter grace, faster chases, sooner escalation.
  The installment that fell short keeps its grade's own pace, so every number
  of the Policy table is used by its own grade. A tighter reminder never falls
  before the tightening day, nor later than the grade's own reminder.
- Nothing on a non-working day: reminders move earlier, everything else later.
  Nothing before `as_of`, nothing after the month's end. A reminder whose day
  has passed is due on `as_of`, unless a follow-up was logged since that day.
- A follow-up logged in FollowUps (the customer's latest on or before `as_of`)
  does the actions due by its day; chases and weekly touches resume from it.
- One Action per customer per day, its reasons merged (the most urgent reason
  per installment kept), ordered by date, then key accounts first, then amount
  at stake, largest first.

Because each installment's reminder, check and chases only move earlier (and
chases come more often) when the grade is tighter, a tighter grade never gets
fewer touches (reasons) for the same installments; tests hold it to that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..model import FollowUp, Installment
from ..values import month_end
from .policy import DEFAULT_POLICY, GRADES, Cadence, Policy
from .status import ZERO, StatusRow
from .workdays import CHINA, ONE_DAY, Workdays

# Actions, most urgent first: a day's row carries the most urgent of its reasons.
ACTIONS = ("escalate", "chase", "due_check", "remind", "get_commitment", "push")
_URGENCY = {action: n for n, action in enumerate(ACTIONS)}
PRIORITY_ORDER = ("broken", "partial", "none", "on_track", "kept")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Reason:
    """Why a customer is contacted on a day; rendered in the workbook's language later."""

    action: str
    month: date  # the plan month the reason belongs to
    installment_due: date | None = None
    amount: Decimal = ZERO
    tightened: bool = False  # followed one grade tighter after a missed installment
    installment: int = -1  # index into the row's installments; -1 for none


@dataclass(frozen=True)
class Action:
    """One Schedule row: whom to contact on which day, what to do and why."""

    date: date
    row: StatusRow  # the plan row of the most urgent reason
    action: str
    installment_due: date | None
    amount_at_stake: Decimal
    reasons: tuple[Reason, ...]


def tighter(grade: str) -> str:
    """One grade tighter: A → B → C → D → D (an unknown grade counts as B)."""
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


def tightening_day(
    installments: Sequence[Installment], owed: Sequence[Decimal], grace: int
) -> date | None:
    """The first day an installment is short (due + grace + 1, still owed); None if none is."""
    return min(
        (
            i.due + timedelta(days=grace + 1)
            for i, rest in zip(installments, owed, strict=True)
            if rest > 0
        ),
        default=None,
    )


@dataclass
class _Plan:
    """One customer-month's reasons, kept only on working days in [as_of, month end]."""

    row: StatusRow
    as_of: date
    workdays: Workdays
    last: date | None  # the customer's last logged follow-up, on or before as_of
    out: list[tuple[date, Reason]]

    def __post_init__(self) -> None:
        self.end = month_end(self.row.month)

    def add(self, day: date, reason: Reason) -> None:
        """Keep `reason` on `day` when it is in [as_of, month end] and not done already
        (a follow-up logged on as_of does today's actions)."""
        if self.as_of <= day <= self.end and (self.last is None or day > self.last):
            self.out.append((day, reason))

    def every(self, start: date, step: int, reason: Reason) -> list[date]:
        """`reason` on the first working day on or after `start`, then `step` days after
        each previous one (moved to a working day again); returns the days."""
        gap, days = timedelta(days=step), []
        day = self.workdays.on_or_after(start)
        while day <= self.end:
            self.add(day, reason)
            days.append(day)
            day = self.workdays.on_or_after(day + gap)
        return days


def _push_day(row: StatusRow, workdays: Workdays) -> date:
    """Key accounts on the month's first working day, the others on its second."""
    return workdays.nth(row.month, 1 if row.customer.key_account else 2)


def _uncommitted(plan: _Plan) -> None:
    """No promise yet: get one at the early push, then weekly until there is one."""
    row, as_of = plan.row, plan.as_of
    if row.target <= 0:
        return
    why = Reason("get_commitment", row.month, amount=row.target)
    push = _push_day(row, plan.workdays)
    plan.add(push, why)
    start = push + WEEK if as_of <= push else as_of
    if plan.last is not None:
        start = max(start, plan.last + WEEK)
    plan.every(start, 7, why)


def _reminder(
    due: date, base: Cadence, tight: Cadence | None, turn: date | None, wd: Workdays
) -> date:
    """The working day to remind of an installment due on `due` (as_of not yet applied).

    The grade's lead, moved earlier to a working day; when the installment is
    followed tighter from `turn` on, the tighter lead, but not before `turn`
    and never later than the grade's own reminder.
    """
    day = wd.on_or_before(due - timedelta(days=base.remind_before))
    if tight is not None and turn is not None:
        early = wd.on_or_before(due - timedelta(days=tight.remind_before))
        day = min(day, max(early, wd.on_or_after(turn)))
    return day


def _installment(plan: _Plan, due: date, why: dict[str, Any], cad: Cadence, remind: date) -> None:
    """Reminder, due-day check, chases and escalation of one unpaid installment."""
    wd, as_of, month, last = plan.workdays, plan.as_of, plan.row.month, plan.last
    # a reminder on or before the due day, never before as_of: one whose day has passed
    # is due today, unless a follow-up was logged since that day
    if due >= as_of and (last is None or last < remind):
        remind = max(remind, wd.on_or_after(as_of))
        if remind <= due:
            plan.add(remind, Reason("remind", month, **why))
    check = wd.on_or_after(due)
    plan.add(check, Reason("due_check", month, **why))
    # late after the grace, chased only after the due-day check (a due day on a holiday),
    # never before as_of, and no sooner than a pace after the customer's last follow-up
    start = max(due + timedelta(days=cad.grace + 1), check + ONE_DAY, as_of)
    if last is not None:
        start = max(start, last + timedelta(days=cad.chase_every))
    days = plan.every(start, cad.chase_every, Reason("chase", month, **why))
    # the first chase on or after the escalation day goes to the manager instead, unless
    # a follow-up was logged since that day (the escalation was then due and is done)
    escalate = due + timedelta(days=cad.escalate_after)
    day = next((d for d in days if d >= escalate), None)
    if day is not None and (last is None or last < escalate):
        plan.add(day, Reason("escalate", month, **why))


def _committed(plan: _Plan, policy: Policy) -> None:
    """A promise: the early push, then each unpaid installment at the right tightness."""
    row, wd = plan.row, plan.workdays
    owed = unpaid(row.installments, row.received)
    outstanding = sum(owed, ZERO)
    if outstanding <= 0:
        return
    plan.add(_push_day(row, wd), Reason("push", row.month, amount=outstanding))
    grade = row.customer.credit_grade
    base, tight = policy.for_grade(grade), policy.for_grade(tighter(grade))
    turn = tightening_day(row.installments, owed, base.grace)
    for index, (inst, rest) in enumerate(zip(row.installments, owed, strict=True)):
        if rest <= 0:
            continue
        tightens = turn is not None and inst.due >= turn
        remind = _reminder(inst.due, base, tight if tightens else None, turn, wd)
        why = {
            "installment_due": inst.due,
            "amount": rest,
            "installment": index,
            "tightened": tightens and tight != base,
        }
        _installment(plan, inst.due, why, tight if tightens else base, remind)


def customer_reasons(
    row: StatusRow,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    workdays: Workdays = CHINA,
    last_contact: date | None = None,
) -> list[tuple[date, Reason]]:
    """Every (day, reason) of one plan row from as_of to its month's end, unmerged."""
    plan = _Plan(row, as_of, workdays, last_contact, [])
    if row.committed == 0:
        _uncommitted(plan)
    else:
        _committed(plan, policy)
    return plan.out


def _stake(reasons: Sequence[Reason]) -> Decimal:
    """Money a day's contact is about: per month, its installments owed or its push amount."""
    per_month: dict[date, tuple[Decimal, Decimal]] = {}
    for r in reasons:
        owed, other = per_month.get(r.month, (ZERO, ZERO))
        if r.installment >= 0:
            owed += r.amount
        else:
            other = max(other, r.amount)
        per_month[r.month] = (owed, other)
    return sum((max(owed, other) for owed, other in per_month.values()), ZERO)


def merge(day: date, found: Sequence[tuple[StatusRow, Reason]]) -> Action:
    """One action for a customer's day: the most urgent reason per installment, urgent first."""
    ordered = sorted(
        found, key=lambda f: (_URGENCY[f[1].action], f[1].installment_due or day, f[1].month)
    )
    kept: list[tuple[StatusRow, Reason]] = []
    seen: set[tuple[date, int]] = set()
    for row, reason in ordered:
        if reason.installment >= 0:
            key = (reason.month, reason.installment)
            if key in seen:
                continue
            seen.add(key)
        kept.append((row, reason))
    reasons = tuple(r for _, r in kept)
    first_due = min((r.installment_due for r in reasons if r.installment_due), default=None)
    return Action(day, kept[0][0], reasons[0].action, first_due, _stake(reasons), reasons)


def last_contacts(followups: Iterable[FollowUp], as_of: date) -> dict[str, date]:
    """Each customer's latest logged follow-up on or before as_of."""
    last: dict[str, date] = {}
    for fu in followups:
        if fu.date <= as_of and fu.date > last.get(fu.customer_id, date.min):
            last[fu.customer_id] = fu.date
    return last


def schedule(
    rows: Iterable[StatusRow],
    as_of: date,
    followups: Iterable[FollowUp] = (),
    policy: Policy = DEFAULT_POLICY,
    workdays: Workdays = CHINA,
) -> tuple[Action, ...]:
    """Every follow-up action from `as_of` to the end of each row's month.

    One action per customer per day (even when two months' rows meet on a day),
    ordered by date, then key accounts first, then amount at stake (largest first).
    """
    last = last_contacts(followups, as_of)
    by_day: dict[tuple[str, date], list[tuple[StatusRow, Reason]]] = defaultdict(list)
    for row in rows:
        if month_end(row.month) < as_of:
            continue
        cid = row.customer.customer_id
        for day, reason in customer_reasons(row, as_of, policy, workdays, last.get(cid)):
            by_day[cid, day].append((row, reason))
    actions = [merge(day, found) for (_, day), found in by_day.items()]
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


def next_follow_ups(actions: Iterable[Action]) -> dict[tuple[date, str], date]:
    """The first scheduled day of each (month, customer)."""
    nxt: dict[tuple[date, str], date] = {}
    for act in actions:
        cid = act.row.customer.customer_id
        for reason in act.reasons:
            key = (reason.month, cid)
            if key not in nxt or act.date < nxt[key]:
                nxt[key] = act.date
    return nxt


def priorities(
    rows: Sequence[StatusRow], as_of: date, policy: Policy = DEFAULT_POLICY
) -> dict[int, int]:
    """Rank (1 = first) of each row within its rep and month, by id(row).

    Broken promises first, then partial, then no commitment, then on track and
    kept; within each, the larger amount at stake first.
    """
    groups: dict[tuple[date, str], list[StatusRow]] = defaultdict(list)
    for row in rows:
        groups[row.month, row.customer.rep].append(row)
    rank: dict[int, int] = {}
    for group in groups.values():
        group.sort(
            key=lambda r: (
                PRIORITY_ORDER.index(r.promise_status),
                -at_stake(r, as_of, policy.for_grade(r.customer.credit_grade).grace),
                r.customer.customer_id,
            )
        )
        for n, row in enumerate(group, start=1):
            rank[id(row)] = n
    return rank


def with_follow_up(
    rows: Sequence[StatusRow],
    actions: Iterable[Action],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> tuple[StatusRow, ...]:
    """Status rows with next_follow_up and priority (rank within the rep, 1 = first)."""
    nxt = next_follow_ups(actions)
    rank = priorities(rows, as_of, policy)
    return tuple(
        replace(
            row,
            next_follow_up=nxt.get((row.month, row.customer.customer_id)),
            priority=rank[id(row)],
        )
        for row in rows
    )
