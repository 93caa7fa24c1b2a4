"""Why a rep is behind: the six causes of METHOD with their figures (SPEC "Diagnosis").

Pure functions over Status rows and the follow-up log. Each cause gets its
figure (a share), the money at stake, the customers concerned and whether it
crosses its threshold; the remedy text is rendered by the output layer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from ..model import FollowUp, Installment, Receipt
from .excuses import is_excuse
from .policy import DEFAULT_POLICY, Policy
from .schedule import unpaid
from .status import ZERO, StatusRow, days, last_late_due

CAUSES = (
    "no_joint_plan",
    "gap_uncovered",
    "no_commitment",
    "not_followed",
    "demands_low",
    "weak_negotiation",
)

# A cause is flagged when its figure is above this share (editable in the Thresholds table).
DEFAULT_THRESHOLDS: Mapping[str, Decimal] = {
    "no_joint_plan": Decimal("0.2"),
    "gap_uncovered": Decimal("0.3"),
    "no_commitment": Decimal("0.1"),
    "not_followed": Decimal("0"),
    "demands_low": Decimal("0.05"),
    "weak_negotiation": Decimal("0.2"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One cause for one rep (rep None = the team)."""

    rep: str | None
    cause: str
    figure: Decimal  # the cause's share, see each function
    amount: Decimal  # money at stake
    flagged: bool
    customers: tuple[str, ...] = ()  # customer ids concerned, most money first
    details: Mapping[str, Decimal | int] = field(default_factory=dict)
    rank: int = 0  # 1 = most money at stake within the rep


# a cause's (figure, money at stake, customers concerned, details)
Found = tuple[Decimal, Decimal, tuple[str, ...], Mapping[str, Decimal | int]]


def share(part: Decimal, whole: Decimal) -> Decimal:
    return ZERO if whole == 0 else part / whole


def _ids(pairs: Iterable[tuple[str, Decimal]]) -> tuple[str, ...]:
    """Customer ids by money at stake, largest first, each once."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for cid, amount in pairs:
        totals[cid] += amount
    # by ID, then (a stable sort) by money, largest first: the order of the key
    # (−money, ID) without a negated Decimal per key (half the time, measured)
    return tuple(sorted(sorted(totals), key=totals.__getitem__, reverse=True))


def no_joint_plan(rows: Sequence[StatusRow]) -> Found:
    """Target whose plan was not agreed with the customer ÷ target."""
    alone = [(r.customer.customer_id, r.target) for r in rows if not r.agreed_jointly]
    amount = sum((a for _, a in alone), ZERO)
    target = sum((r.target for r in rows), ZERO)
    return share(amount, target), amount, _ids(alone), {"customers": len(alone)}


def gap_uncovered(rows: Sequence[StatusRow]) -> Found:
    """Remaining gap ÷ gap (0 when there is no gap)."""
    left = [(r.customer.customer_id, r.remaining_gap) for r in rows if r.remaining_gap > 0]
    amount = sum((a for _, a in left), ZERO)
    gap = sum((r.gap for r in rows), ZERO)
    return share(amount, gap), amount, _ids(left), {"gap": gap}


def no_commitment(rows: Sequence[StatusRow]) -> Found:
    """Target of customers with no commitment ÷ target; and how many customers."""
    none = [(r.customer.customer_id, r.target) for r in rows if r.committed == 0]
    amount = sum((a for _, a in none), ZERO)
    target = sum((r.target for r in rows), ZERO)
    return share(amount, target), amount, _ids(none), {"customers": len(none)}


def paid_by_due(row: StatusRow, receipts: Sequence[Receipt]) -> list[bool]:
    """Per installment of the row: was it paid in full by its due day?

    The month's receipts dated on or before the due day pay the row's installments
    earliest first, as everywhere (schedule.unpaid). `receipts` may hold any
    customer's and month's: only the row's customer's in the row's month count.
    """
    cid, month = row.customer.customer_id, row.month
    mine = [
        (r.date, r.amount)
        for r in receipts
        if r.customer_id == cid and r.date.replace(day=1) == month
    ]
    return [_paid_in_full(row.installments, n, mine) for n in range(len(row.installments))]


def _paid_in_full(
    installments: Sequence[Installment], n: int, receipts: Sequence[tuple[date, Decimal]]
) -> bool:
    """paid_by_due of installment n; `receipts` are the row's own (day, amount).

    (Only installments 0..n take part: receipts pay the earliest first, so the later
    ones cannot change what is left for n.)
    """
    due = installments[n].due
    by_then = sum((amount for day, amount in receipts if day <= due), ZERO)
    return unpaid(installments[: n + 1], by_then)[n] == 0


class _Followed(NamedTuple):
    """One row's part of not_followed (a row is counted alike in its rep's and the team's).

    (A named tuple: made for every row, and half the cost of a frozen dataclass.)
    """

    due: int  # installments due by as_of and not paid by their due days
    unfollowed: int  # of those, with no follow-up in the policy's window
    stake: tuple[tuple[str, Decimal], ...]  # (customer, money) at stake


_NOTHING_DUE = _Followed(0, 0, ())


def _followed_row(
    row: StatusRow,
    contacts: Sequence[date],
    receipts: Sequence[tuple[date, Decimal]],
    as_of: date,
    policy: Policy,
) -> _Followed:
    """not_followed's count for one row; `contacts` and `receipts` (day, amount) are the
    row's customer's, the receipts only those of the row's month (in the book's order)."""
    installments = row.installments
    if not installments or installments[0].due > as_of:  # (earliest first) nothing due yet
        return _NOTHING_DUE
    counted = [
        n
        for n, inst in enumerate(installments)
        if inst.due <= as_of and not _paid_in_full(installments, n, receipts)
    ]
    if not counted:  # every installment due was paid by its due day
        return _NOTHING_DUE
    cad = policy.for_grade(row.customer.credit_grade)
    cid = row.customer.customer_id
    owed = unpaid(installments, row.received)
    before, grace = days(cad.remind_before), days(cad.grace)
    late = last_late_due(as_of, cad.grace)  # is_late(due, as_of, grace) ⇔ due <= late
    unfollowed = 0
    stake: list[tuple[str, Decimal]] = []
    for n in counted:
        due, rest = installments[n].due, owed[n]
        start, end = due - before, min(as_of, due + grace)
        followed = False
        for day in contacts:
            if start <= day <= end:
                followed = True
                break
        if not followed:
            unfollowed += 1
        if not followed or (rest > 0 and due <= late):
            stake.append((cid, rest))
    return _Followed(len(counted), unfollowed, tuple(stake))


def _followed_rows(
    rows: Sequence[StatusRow],
    followups: Iterable[FollowUp],
    as_of: date,
    policy: Policy,
    receipts: Iterable[Receipt],
) -> list[_Followed]:
    """_followed_row of each row, the follow-ups and receipts grouped by customer once.

    Only those dated on or before as_of can count: a follow-up window ends by as_of,
    and an installment counted is due by as_of (receipts after its due day pay nothing).
    """
    contacts: dict[str, list[date]] = defaultdict(list)
    for fu in followups:
        if fu.date <= as_of:
            contacts[fu.customer_id].append(fu.date)
    paid: dict[tuple[str, date], list[tuple[date, Decimal]]] = defaultdict(list)
    months: dict[date, date] = {}  # day → its month (the same few days come up again and again)
    for rec in receipts:
        if rec.date <= as_of:
            month = months.get(rec.date) or months.setdefault(rec.date, rec.date.replace(day=1))
            paid[rec.customer_id, month].append((rec.date, rec.amount))
    return [
        _followed_row(
            r,
            contacts.get(r.customer.customer_id, ()),
            paid.get((r.customer.customer_id, r.month), ()),
            as_of,
            policy,
        )
        for r in rows
    ]


def not_followed(
    rows: Sequence[StatusRow],
    followups: Sequence[FollowUp],
    as_of: date,
    policy: Policy,
    receipts: Sequence[Receipt],
) -> Found:
    """Installments due so far (and not paid by their due days) with no follow-up in the
    policy's window ÷ those installments.

    The window runs from the reminder day (due − remind_before) to the end of the
    grace (due + grace). An installment paid in full by its due day (by `receipts`)
    needed no follow-up: it is left out altogether, so a customer who paid every
    installment on time is never named here. Money at stake: what is unpaid on the
    unfollowed installments, and the overdue part of broken and partial promises.
    Customers concerned: those with an unfollowed installment (even one paid late)
    or an overdue unpaid one.
    """
    return _not_followed(rows, _followed_rows(rows, followups, as_of, policy, receipts))


def _not_followed(rows: Sequence[StatusRow], followed: Sequence[_Followed]) -> Found:
    """not_followed from each row's count (`followed`, in the order of `rows`)."""
    due = sum(f.due for f in followed)
    unfollowed = sum(f.unfollowed for f in followed)
    stake = [pair for f in followed for pair in f.stake]
    amount = sum((a for _, a in stake), ZERO)
    details = {
        "installments_due": due,
        "unfollowed": unfollowed,
        "broken": sum(r.promise_status == "broken" for r in rows),
        "partial": sum(r.promise_status == "partial" for r in rows),
    }
    return share(Decimal(unfollowed), Decimal(due)), amount, _ids(stake), details


def demands_low(rows: Sequence[StatusRow], followups: Sequence[FollowUp], as_of: date) -> Found:
    """Amount deferred by accepted excuses this month ÷ target (any result: is_excuse)."""
    months = {r.month for r in rows}
    ids = {r.customer.customer_id for r in rows}
    accepted = [
        (fu.customer_id, fu.deferred or ZERO)
        for fu in followups
        if fu.excuse_accepted
        and is_excuse(fu)
        and fu.date <= as_of
        and fu.date.replace(day=1) in months
        and fu.customer_id in ids
    ]
    amount = sum((a for _, a in accepted), ZERO)
    target = sum((r.target for r in rows), ZERO)
    return share(amount, target), amount, _ids(accepted), {"accepted": len(accepted)}


def weak_negotiation(rows: Sequence[StatusRow]) -> Found:
    """Share of expected where the ask is at or below it (no anchor).

    Details: Σask ÷ Σexpected and Σcommitted ÷ Σexpected over the rows with an
    expectation and an ask. Money at stake: expected − committed of the no-anchor rows.
    """
    known = [r for r in rows if r.expected and r.ask is not None]
    expected = sum((r.expected or ZERO for r in known), ZERO)
    weak = [r for r in known if (r.ask or ZERO) <= (r.expected or ZERO)]
    stake = [(r.customer.customer_id, max(ZERO, (r.expected or ZERO) - r.committed)) for r in weak]
    details: dict[str, Decimal | int] = {
        "ask_to_expected": share(sum((r.ask or ZERO for r in known), ZERO), expected),
        "committed_to_expected": share(sum((r.committed for r in known), ZERO), expected),
        "customers": len(weak),
    }
    figure = share(sum((r.expected or ZERO for r in weak), ZERO), expected)
    return figure, sum((a for _, a in stake), ZERO), _ids(stake), details


def diagnose_rows(
    rows: Sequence[StatusRow],
    followups: Sequence[FollowUp],
    as_of: date,
    rep: str | None,
    policy: Policy = DEFAULT_POLICY,
    thresholds: Mapping[str, Decimal] = DEFAULT_THRESHOLDS,
    *,
    receipts: Sequence[Receipt],
) -> tuple[Finding, ...]:
    """The six findings for one group of rows (a rep's, or the team's), ranked by money.

    `receipts` (the book's) tell which installments were paid by their due days.
    """
    followed = _followed_rows(rows, followups, as_of, policy, receipts)
    return _findings(rows, followed, followups, as_of, rep, thresholds)


def _findings(
    rows: Sequence[StatusRow],
    followed: Sequence[_Followed],
    followups: Sequence[FollowUp],
    as_of: date,
    rep: str | None,
    thresholds: Mapping[str, Decimal],
) -> tuple[Finding, ...]:
    """diagnose_rows, each row's not_followed count given (`followed`, in row order)."""
    results = {
        "no_joint_plan": no_joint_plan(rows),
        "gap_uncovered": gap_uncovered(rows),
        "no_commitment": no_commitment(rows),
        "not_followed": _not_followed(rows, followed),
        "demands_low": demands_low(rows, followups, as_of),
        "weak_negotiation": weak_negotiation(rows),
    }
    by_money = sorted(CAUSES, key=lambda c: (-results[c][1], CAUSES.index(c)))
    findings = []
    for cause in CAUSES:
        figure, amount, customers, details = results[cause]
        flagged = figure > thresholds.get(cause, DEFAULT_THRESHOLDS[cause])
        if cause == "not_followed":  # a broken or partial promise is always worth a flag
            flagged = flagged or bool(details["broken"] or details["partial"])
        rank = by_money.index(cause) + 1
        findings.append(Finding(rep, cause, figure, amount, flagged, customers, details, rank))
    return tuple(findings)


def diagnose(
    rows: Iterable[StatusRow],
    followups: Sequence[FollowUp],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    thresholds: Mapping[str, Decimal] = DEFAULT_THRESHOLDS,
    *,
    receipts: Sequence[Receipt],
) -> tuple[Finding, ...]:
    """Findings for every rep (by name) and then the team, for the month of as_of.

    Each row's follow-up count (not_followed) is made once and read by its rep's
    findings and the team's; the follow-ups and receipts are grouped by customer once
    (every rep's findings reading all of them was quadratic: reps × receipts).
    """
    month = as_of.replace(day=1)
    current = [r for r in rows if r.month == month]
    followed = _followed_rows(current, followups, as_of, policy, receipts)
    by_rep: dict[str, list[int]] = defaultdict(list)  # each rep's rows, by index
    for n, row in enumerate(current):
        by_rep[row.customer.rep].append(n)
    # each rep's follow-ups only (demands_low reads only its own customers' ones)
    rep_of = {r.customer.customer_id: r.customer.rep for r in current}
    logged: dict[str, list[FollowUp]] = defaultdict(list)
    for fu in followups:
        if fu.customer_id in rep_of:
            logged[rep_of[fu.customer_id]].append(fu)
    out: list[Finding] = []
    for rep in sorted(by_rep):
        mine = by_rep[rep]
        out.extend(
            _findings(
                [current[n] for n in mine],
                [followed[n] for n in mine],
                logged[rep],
                as_of,
                rep,
                thresholds,
            )
        )
    out.extend(_findings(current, followed, followups, as_of, None, thresholds))
    return tuple(out)
