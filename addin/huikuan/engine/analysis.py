"""One pass over a book as of a date: status, schedule and negotiation advice together."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from ..model import Book
from .diagnosis import DEFAULT_THRESHOLDS, Finding, diagnose
from .excuses import ExcuseSummary, summarise
from .negotiation import advise
from .policy import policy_from
from .schedule import Action, schedule, with_follow_up
from .status import StatusRow, status
from .workdays import workdays_from


@dataclass(frozen=True)
class Analysis:
    """Everything refresh writes, computed once."""

    rows: tuple[StatusRow, ...]
    actions: tuple[Action, ...]
    findings: tuple[Finding, ...]
    excuses: tuple[ExcuseSummary, ...]


def analyse_all(book: Book, as_of: date) -> Analysis:
    """Status, schedule, diagnosis and excuses of a book as of a date."""
    rows, actions = analyse(book, as_of)
    policy = policy_from(book.cadences)
    thresholds = {**DEFAULT_THRESHOLDS, **{t.cause: t.threshold for t in book.thresholds}}
    findings = diagnose(rows, book.followups, as_of, policy, thresholds)
    customers = {c.customer_id: c for c in book.customers}
    excuses = summarise(book.followups, customers, as_of.replace(day=1), as_of)
    return Analysis(rows, actions, findings, excuses)


def analyse(book: Book, as_of: date) -> tuple[tuple[StatusRow, ...], tuple[Action, ...]]:
    """Status rows (with next follow-up, priority and advice) and the schedule from as_of.

    The policy and working days come from the book's Policy and Holidays tables over
    the built-in defaults.
    """
    policy = policy_from(book.cadences)
    workdays = workdays_from(book.holidays)
    rows = status(book, as_of, policy)
    actions = schedule(rows, as_of, book.followups, policy, workdays)
    advice = advise(book)
    rows = tuple(
        replace(
            row,
            settle_ratio=a.settle_ratio,
            suggested_ask=a.suggested_ask,
            no_anchor=a.no_anchor,
        )
        if (a := advice.get((row.month, row.customer.customer_id)))
        else row
        for row in with_follow_up(rows, actions, as_of, policy)
    )
    return rows, actions
