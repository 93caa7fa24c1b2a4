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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ..model import FollowUp, Installment
from ..values import month_end
from .policy import DEFAULT_POLICY, GRADES, Cadence, Policy
from .status import ZERO, StatusRow, days, late_from, overdue
from .workdays import CHINA, ONE_DAY, Workdays

# Actions, most urgent first: a day's row carries the most urgent of its reasons.
ACTIONS = ("escalate", "chase", "due_check", "remind", "get_commitment", "push")
_URGENCY = {action: n for n, action in enumerate(ACTIONS)}
PRIORITY_ORDER = ("broken", "partial", "none", "on_track", "kept")
WEEK = timedelta(days=7)
Day = date  # (Action has a field named date)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a customer is contacted on a day; rendered in the workbook's language later.

    (Frozen slotted dataclasses, like every engine result: a big team's schedule makes
    100,000s of them.)
    """

    action: str
    month: date  # the plan month the reason belongs to
    installment_due: date | None = None
    amount: Decimal = ZERO
    tightened: bool = False  # followed one grade tighter after a missed installment
    installment: int = -1  # index into the row's installments; -1 for none


@dataclass(frozen=True, slots=True)
class Action:
    """One Schedule row: whom to contact on which day, what to do and why."""

    date: Day
    row: StatusRow  # the plan row of the most urgent reason
    action: str
    installment_due: Day | None
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
        amount = inst.amount
        # min(left, amount) spelt out (the same pick, left on a tie): called ~60,000
        # times at 10k customers, the builtin call was a third of this function's time
        paid = amount if amount < left else left
        left -= paid
        owed.append(amount - paid)
    return owed


def tightening_day(
    installments: Sequence[Installment], owed: Sequence[Decimal], grace: int
) -> date | None:
    """The first day an installment is short (late, `status.late_from`, and still owed);
    None if none is."""
    return min(
        (late_from(i.due, grace) for i, rest in zip(installments, owed, strict=True) if rest > 0),
        default=None,
    )


# The days of one installment (or of an uncommitted customer), by action
Days = tuple[tuple[str, tuple[date, ...]], ...]


def _by_action(found: Iterable[tuple[date, str]]) -> Days:
    grouped: dict[str, list[date]] = {}
    for day, action in found:
        grouped.setdefault(action, []).append(day)
    return tuple((action, tuple(days)) for action, days in grouped.items())


def _every(start: date, step: int, end: date, wd: Workdays) -> list[date]:
    """The first working day on or after `start`, then `step` days after each previous
    one (moved to a working day again), up to `end`."""
    gap, found = days(step), []
    day = wd.on_or_after(start)
    while day <= end:
        found.append(day)
        day = wd.on_or_after(day + gap)
    return found


def _reminder(
    due: date, base: Cadence, tight: Cadence | None, turn: date | None, wd: Workdays
) -> date:
    """The working day to remind of an installment due on `due` (as_of not yet applied).

    The grade's lead, moved earlier to a working day; when the installment is
    followed tighter from `turn` on, the tighter lead, but not before `turn`
    and never later than the grade's own reminder.
    """
    day = wd.on_or_before(due - days(base.remind_before))
    if tight is not None and turn is not None:
        early = wd.on_or_before(due - days(tight.remind_before))
        day = min(day, max(early, wd.on_or_after(turn)))
    return day


@dataclass
class _Window:
    """What actions are kept: working days in [as_of, end], after the last follow-up
    (a follow-up logged on as_of does today's actions)."""

    as_of: date
    end: date
    last: date | None
    out: list[tuple[date, str]] = field(default_factory=list)

    def keep(self, day: date, action: str) -> None:
        if self.as_of <= day <= self.end and (self.last is None or day > self.last):
            self.out.append((day, action))


def installment_days(
    due: date, cad: Cadence, remind: date, window: _Window, wd: Workdays
) -> list[tuple[date, str]]:
    """Reminder, due-day check, chases and escalation of one unpaid installment."""
    as_of, last = window.as_of, window.last
    # a reminder on or before the due day, never before as_of: one whose day has passed
    # is due today, unless a follow-up was logged since that day
    check = wd.on_or_after(due)
    if due >= as_of and (last is None or last < remind):
        remind = max(remind, wd.on_or_after(as_of))
        if remind < check:  # on the due day itself, the check is the reminder
            window.keep(remind, "remind")
    window.keep(check, "due_check")
    # late after the grace, chased only after the due-day check (a due day on a holiday),
    # never before as_of, and no sooner than a pace after the customer's last follow-up
    start = max(late_from(due, cad.grace), check + ONE_DAY, as_of)
    if last is not None:
        start = max(start, last + days(cad.chase_every))
    chases = _every(start, cad.chase_every, window.end, wd)
    # the first chase on or after the escalation day goes to the manager instead, unless
    # a follow-up was logged since that day (the escalation was then due and is done)
    escalate = due + days(cad.escalate_after)
    first = next((d for d in chases if d >= escalate), None)
    if last is not None and last >= escalate:
        first = None
    for day in chases:
        window.keep(day, "escalate" if day == first else "chase")
    return window.out


def commitment_days(push: date, window: _Window, wd: Workdays) -> list[tuple[date, str]]:
    """No promise yet: get one at the early push, then weekly until there is one."""
    window.keep(push, "get_commitment")
    start = push + WEEK if window.as_of <= push else window.as_of
    if window.last is not None:
        start = max(start, window.last + WEEK)
    for day in _every(start, 7, window.end, wd):
        window.keep(day, "get_commitment")
    return window.out


@dataclass
class _Context:
    """What one schedule() call shares; day plans are memoised, since many customers
    share a due day, a grade and a last follow-up."""

    as_of: date
    policy: Policy
    workdays: Workdays
    memo: dict[tuple[Any, ...], Days] = field(default_factory=dict)
    ends: dict[date, date] = field(default_factory=dict)  # month → its last day
    tight: dict[str, bool] = field(default_factory=dict)  # grade → tightens
    pushes: dict[tuple[date, bool], date] = field(default_factory=dict)  # the push days

    def end(self, month: date) -> date:
        found = self.ends.get(month)
        if found is None:
            found = self.ends[month] = month_end(month)
        return found

    def tightens(self, grade: str) -> bool:
        """Does one grade tighter change anything (not for D, nor for equal Policy rows)?"""
        found = self.tight.get(grade)
        if found is None:
            base = self.policy.for_grade(grade)
            found = self.tight[grade] = self.policy.for_grade(tighter(grade)) != base
        return found

    def push_day(self, month: date, key_account: bool) -> date:
        """Key accounts on the month's first working day, the others on its second."""
        found = self.pushes.get((month, key_account))
        if found is None:
            found = self.workdays.nth(month, 1 if key_account else 2)
            self.pushes[month, key_account] = found
        return found

    def commitment(self, month: date, key_account: bool, last: date | None) -> Days:
        key = ("commit", month, key_account, last)
        found = self.memo.get(key)
        if found is None:
            window = _Window(self.as_of, self.end(month), last)
            on = commitment_days(self.push_day(month, key_account), window, self.workdays)
            found = self.memo[key] = _by_action(on)
        return found

    def installment(
        self, month: date, due: date, grade: str, turn: date | None, last: date | None
    ) -> Days:
        """An installment's days: its grade's cadence, or one tighter from `turn` on."""
        key = (month, due, grade, turn, last)
        found = self.memo.get(key)
        if found is None:
            base = self.policy.for_grade(grade)
            tight = self.policy.for_grade(tighter(grade)) if turn is not None else None
            remind = _reminder(due, base, tight, turn, self.workdays)
            window = _Window(self.as_of, self.end(month), last)
            on = installment_days(due, tight or base, remind, window, self.workdays)
            found = self.memo[key] = _by_action(on)
        return found


def _add(out: dict[date, list[Reason]], days: Days, why: tuple[Any, ...]) -> None:
    """File one installment's (or customer's) days under `out`, one Reason per action."""
    for action, on in days:
        reason = Reason(action, *why)
        for day in on:
            found = out.get(day)
            if found is None:
                out[day] = [reason]
            else:
                found.append(reason)


def _committed_reasons(
    row: StatusRow, ctx: _Context, last: date | None, out: dict[date, list[Reason]]
) -> None:
    """A promise: the early push, then each unpaid installment at the right tightness."""
    owed = unpaid(row.installments, row.received)
    outstanding = sum(owed, ZERO)
    if outstanding <= 0:
        return
    month, grade = row.month, row.customer.credit_grade
    push = ctx.push_day(month, row.customer.key_account)
    if ctx.as_of <= push and (last is None or push > last):  # (within its own month)
        out.setdefault(push, []).append(Reason("push", month, None, outstanding))
    turn = tightening_day(row.installments, owed, ctx.policy.for_grade(grade).grace)
    tightens_at_all = turn is not None and ctx.tightens(grade)
    for index, (inst, rest) in enumerate(zip(row.installments, owed, strict=True)):
        if rest <= 0:
            continue
        tightens = turn is not None and inst.due >= turn
        days = ctx.installment(month, inst.due, grade, turn if tightens else None, last)
        _add(out, days, (month, inst.due, rest, tightens and tightens_at_all, index))


def customer_reasons(
    row: StatusRow,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    workdays: Workdays = CHINA,
    last_contact: date | None = None,
    out: dict[date, list[Reason]] | None = None,
    ctx: _Context | None = None,
) -> dict[date, list[Reason]]:
    """Every reason of one plan row from as_of to its month's end, by day, unmerged.

    Added to `out` when given (a customer's other months' reasons).
    """
    ctx = ctx or _Context(as_of, policy, workdays)
    out = {} if out is None else out
    if row.committed == 0:
        if row.target > 0:
            days = ctx.commitment(row.month, row.customer.key_account, last_contact)
            _add(out, days, (row.month, None, row.target))
    else:
        _committed_reasons(row, ctx, last_contact, out)
    return out


def _stake(reasons: Sequence[Reason]) -> Decimal:
    """Money a day's contact is about: per month, its installments owed or its push amount."""
    per_month: dict[date, list[Decimal]] = {}
    for r in reasons:
        owed_other = per_month.setdefault(r.month, [ZERO, ZERO])
        if r.installment >= 0:
            owed_other[0] += r.amount
        else:
            owed_other[1] = max(owed_other[1], r.amount)
    return sum((max(owed, other) for owed, other in per_month.values()), ZERO)


def _urgency(reason: Reason) -> tuple[int, date, date]:
    return _URGENCY[reason.action], reason.installment_due or reason.month, reason.month


def merge(day: date, reasons: Sequence[Reason], rows: Mapping[date, StatusRow]) -> Action:
    """One action for a customer's day, its reasons most urgent first.

    An installment has at most one reason a day (a reminder on its due day is the
    check; an escalation replaces that day's chase). `rows` maps each plan month of
    the customer to its Status row.
    """
    if len(reasons) == 1:  # most days: one reason
        (r,) = reasons
        return Action(day, rows[r.month], r.action, r.installment_due, r.amount, (r,))
    kept = sorted(reasons, key=_urgency)
    first_due = min((r.installment_due for r in kept if r.installment_due), default=None)
    top = kept[0]
    return Action(day, rows[top.month], top.action, first_due, _stake(kept), tuple(kept))


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
    ctx = _Context(as_of, policy, workdays)
    customers: dict[str, dict[date, StatusRow]] = defaultdict(dict)
    for row in rows:
        # only the rows that can have a reason: a month not over, and a promise or a
        # target to get one for. (A promise received in full has none either, but
        # received >= committed says so only when no Decimal sum was rounded: unpaid()
        # decides, as for every promise.)
        if ctx.end(row.month) >= as_of and (row.committed or row.target > 0):
            customers[row.customer.customer_id][row.month] = row
    actions = []
    for cid, months in customers.items():
        by_day: dict[date, list[Reason]] = {}
        for row in months.values():
            customer_reasons(row, as_of, policy, workdays, last.get(cid), by_day, ctx)
        for day, reasons in by_day.items():
            if len(reasons) == 1:  # most days: one reason
                r = reasons[0]
                row = months[r.month]
                actions.append(Action(day, row, r.action, r.installment_due, r.amount, (r,)))
            else:
                actions.append(merge(day, reasons, months))
    actions.sort(key=_order)
    return tuple(actions)


def _order(act: Action) -> tuple[date, bool, float, str]:
    """Date, then key accounts first, then the larger amount at stake, then customer ID.

    (The amount compares as a float: exact for any amount below 90 trillion yuan.)
    """
    cust = act.row.customer
    return act.date, not cust.key_account, -float(act.amount_at_stake), cust.customer_id


def at_stake(row: StatusRow, as_of: date, grace: int) -> Decimal:
    """Money a customer's follow-up is about: overdue when broken/partial, else what is open."""
    if row.promise_status == "none":
        return row.target
    if row.promise_status in ("broken", "partial"):
        return overdue(row.installments, row.received, as_of, grace)
    return max(ZERO, row.committed - row.received)


def next_follow_ups(actions: Iterable[Action]) -> dict[tuple[date, str], date]:
    """The first scheduled day of each (month, customer)."""
    nxt: dict[tuple[date, str], date] = {}
    for act in actions:
        cid = act.row.customer.customer_id
        for reason in act.reasons:
            key = (reason.month, cid)
            if act.date < nxt.get(key, date.max):
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
