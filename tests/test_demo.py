"""The demo team has the shape the demo promises, computed from its records."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from huikuan.contract import EXCUSE_KINDS, GRADES, MEASURE_KINDS, MEASURE_STATUSES, PROMISE_STATUSES
from huikuan.demo import demo_book
from huikuan.engine.status import status
from huikuan.model import Book

MONTH = date(2026, 11, 1)
AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def book() -> Book:
    return demo_book()


def test_team(book: Book) -> None:
    reps = {c.rep for c in book.customers}
    assert len(reps) >= 3
    assert len(book.customers) >= 30
    assert len({c.customer_id for c in book.customers}) == len(book.customers)
    assert {c.credit_grade for c in book.customers} == {g.key for g in GRADES}
    keys = sum(c.key_account for c in book.customers)
    assert 0 < keys < len(book.customers) / 2
    phones = [c.phone or "" for c in book.customers]
    assert all((p.isdigit() and len(p) == 11) or "-" in p for p in phones)  # text, not numbers
    assert any(c.email for c in book.customers)


def test_three_months_of_plans(book: Book) -> None:
    months = Counter(p.month for p in book.plan)
    assert sorted(months) == [date(2026, 9, 1), date(2026, 10, 1), MONTH]
    assert set(months.values()) == {len(book.customers)}
    assert len({(p.month, p.customer_id) for p in book.plan}) == len(book.plan)
    assert all(p.expected and p.ask and p.target > 0 for p in book.plan)


def test_every_promise_status_this_month(book: Book) -> None:
    rows = status(book, AS_OF, month=MONTH)
    assert len(rows) == len(book.customers)
    assert {r.promise_status for r in rows} == {s.key for s in PROMISE_STATUSES}


def test_history_exists(book: Book) -> None:
    assert any(i.due < MONTH for i in book.commitments)
    assert any(r.date < MONTH for r in book.receipts)
    assert all(r.date <= AS_OF for r in book.receipts)
    assert all(f.date <= AS_OF for f in book.followups)


def test_excuses_and_measures(book: Book) -> None:
    excuses = [f for f in book.followups if f.excuse_kind]
    assert {f.excuse_kind for f in excuses} == {k.key for k in EXCUSE_KINDS}
    accepted = [f for f in excuses if f.excuse_accepted]
    assert accepted and len(accepted) < len(excuses)
    assert all(f.deferred and f.deferred > 0 for f in accepted)
    kinds = {m.kind for m in book.measures}
    assert len(kinds) >= 5 and kinds <= {k.key for k in MEASURE_KINDS}
    assert {m.status for m in book.measures} == {s.key for s in MEASURE_STATUSES}


def test_reps_differ(book: Book) -> None:
    """One rep asks no more than expected; one rarely plans jointly."""
    rep = {c.customer_id: c.rep for c in book.customers}
    low_ask: Counter[str] = Counter()
    joint: Counter[str] = Counter()
    for p in book.plan:
        low_ask[rep[p.customer_id]] += (
            p.ask is not None and p.expected is not None and p.ask <= p.expected
        )
        joint[rep[p.customer_id]] += p.agreed_jointly
    per_rep = len(book.plan) // len(low_ask)
    assert sum(n == per_rep for n in low_ask.values()) == 1  # the weak negotiator
    assert min(joint.values()) < per_rep / 4 < max(joint.values())


def test_amounts_are_decimal(book: Book) -> None:
    amounts = [p.target for p in book.plan] + [r.amount for r in book.receipts]
    amounts += [i.amount for i in book.commitments] + [m.contribution for m in book.measures]
    assert all(isinstance(a, Decimal) and a > 0 for a in amounts)


def test_deterministic() -> None:
    assert demo_book() == demo_book()
    assert demo_book(as_of=date(2026, 11, 10)) != demo_book()


def test_other_month() -> None:
    other = demo_book(date(2027, 3, 15))
    assert {p.month for p in other.plan} == {date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)}
    assert max(r.date for r in other.receipts) <= date(2027, 3, 23)
