"""One pass over a book as of a date: status, schedule and negotiation advice together."""

from __future__ import annotations

from datetime import date

from ..model import Book
from .negotiation import advise
from .policy import policy_from
from .schedule import Action, follow_up, schedule
from .status import StatusRow, evolve, status
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
    out = []
    for row, (day, priority) in zip(rows, follow_up(rows, actions, as_of, policy), strict=True):
        a = advice.get((row.month, row.customer.customer_id))
        if a:
            out.append(
                evolve(
                    row,
                    next_follow_up=day,
                    priority=priority,
                    settle_ratio=a.settle_ratio,
                    suggested_ask=a.suggested_ask,
                    no_anchor=a.no_anchor,
                )
            )
        else:
            out.append(evolve(row, next_follow_up=day, priority=priority))
    return tuple(out), actions
