"""One pass over a book as of a date: status, schedule and negotiation advice together."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..model import Book
from .negotiation import advise
from .policy import policy_from
from .schedule import Action, schedule, with_follow_up
from .status import StatusRow, status
from .workdays import workdays_from


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
