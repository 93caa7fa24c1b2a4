"""One pass over a book as of a date: status, schedule and negotiation advice together."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from ..model import Book, Problem
from .diagnosis import DEFAULT_THRESHOLDS, Finding, diagnose
from .excuses import ExcuseSummary, summarise
from .forecast import ForecastRow, forecast
from .negotiation import advise
from .policy import policy_from
from .record import grade_rules, records, suggested_grade, with_history
from .schedule import Action, next_follow_ups, priorities, schedule
from .status import StatusRow, completed, status
from .workdays import calendar_warnings, workdays_from


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything refresh writes, computed once."""

    rows: tuple[StatusRow, ...]
    actions: tuple[Action, ...]
    findings: tuple[Finding, ...]
    excuses: tuple[ExcuseSummary, ...]
    warnings: tuple[Problem, ...] = ()  # years whose calendar was estimated (calendar_problems)
    forecast: tuple[ForecastRow, ...] = ()


def analyse_all(book: Book, as_of: date, history: Book | None = None) -> Analysis:
    """Status, schedule, diagnosis, excuses and the month-end forecast of a book as of a date.

    Each customer's promise record suggests a credit grade (record.py); where the
    Policy row of its grade says "use suggested", the customer is followed up at
    the suggested grade, and Status says so beside the grade. `history`: the team's
    stored months (the history store), which records and the forecast also look back on.
    """
    policy = policy_from(book.cadences)
    thresholds = {**DEFAULT_THRESHOLDS, **{t.cause: t.threshold for t in book.thresholds}}
    with gc_paused():
        looked = with_history(book, history)
        known = records(looked, as_of, policy, thresholds=thresholds)
        predicted = forecast(looked, as_of, policy, known)
    rules = grade_rules(thresholds)
    suggested = {cid: suggested_grade(rec, rules) for cid, (rec, _) in known.items()}
    switched = {r.credit_grade for r in book.cadences if r.use_suggested}
    was: dict[str, str] = {}
    if switched:
        customers = []
        for c in book.customers:
            new = suggested.get(c.customer_id)
            if c.credit_grade in switched and new is not None and new != c.credit_grade:
                was[c.customer_id] = c.credit_grade
                c = c.updated({"credit_grade": new})
            customers.append(c)
        book = book.updated({"customers": tuple(customers)})
    rows, actions = analyse(book, as_of, suggested=suggested, grade_was=was)
    findings = diagnose(rows, book.followups, as_of, policy, thresholds, receipts=book.receipts)
    customers_by_id = {c.customer_id: c for c in book.customers}
    excuses = summarise(book.followups, customers_by_id, as_of.replace(day=1), as_of)
    warnings = calendar_problems(book, as_of, actions)
    return Analysis(rows, actions, findings, excuses, tuple(warnings), predicted)


def calendar_problems(
    book: Book, as_of: date | None, actions: Sequence[Action] = ()
) -> list[Problem]:
    """A warning for each year the computation touched whose calendar had to be estimated.

    Touched: the as-of day, every scheduled follow-up, and every installment's due day
    and plan month of the book (the working days around them decide reminders, chases
    and where roll puts a carried installment). See workdays.calendar_warnings.
    """
    days = [i.due for i in book.commitments] + [p.month for p in book.plan]
    days += [a.date for a in actions]
    if as_of is not None:
        days.append(as_of)
    return calendar_warnings(days, book.holidays, book.lang)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the engine builds its results.

    A big team's analysis makes a few hundred thousand small objects that all
    survive, each batch of which would otherwise set off a collection walking
    every record of the book (a third of the time, measured). Nothing made here
    forms a cycle; the collector's previous state comes back on the way out.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # what was made while paused stays out of the collector's view: re-enabled
            # with every object of a big book in its youngest generation, its first
            # collection would walk them all (10% of a refresh, measured: issue 15)
            gc.freeze()
            gc.enable()


def analyse(
    book: Book,
    as_of: date,
    *,
    suggested: Mapping[str, str | None] | None = None,
    grade_was: Mapping[str, str] | None = None,
) -> tuple[tuple[StatusRow, ...], tuple[Action, ...]]:
    """Status rows (with next follow-up, priority and advice) and the schedule from as_of.

    The policy and working days come from the book's Policy and Holidays tables over
    the built-in defaults. `suggested` and `grade_was` (by customer ID, from
    analyse_all): the grade each customer's promise record suggests, and the
    workbook's grade where the suggestion is in use.
    """
    with gc_paused():
        return _analyse(book, as_of, suggested or {}, grade_was or {})


def _analyse(
    book: Book,
    as_of: date,
    suggested: Mapping[str, str | None],
    grade_was: Mapping[str, str],
) -> tuple[tuple[StatusRow, ...], tuple[Action, ...]]:
    policy = policy_from(book.cadences)
    workdays = workdays_from(book.holidays)
    rows = status(book, as_of, policy)
    actions = schedule(rows, as_of, book.followups, policy, workdays)
    nxt = next_follow_ups(actions)
    rank = priorities(rows, as_of, policy)
    advice = advise(book)
    done = []
    for row in rows:
        cid = row.customer.customer_id
        key = (row.month, cid)
        a = advice.get(key)
        done.append(
            completed(
                row,
                next_follow_up=nxt.get(key),
                priority=rank[id(row)],
                settle_ratio=a.settle_ratio if a else None,
                suggested_ask=a.suggested_ask if a else None,
                no_anchor=a.no_anchor if a else None,
                suggested_grade=suggested.get(cid),
                grade_was=grade_was.get(cid),
            )
        )
    return tuple(done), actions
