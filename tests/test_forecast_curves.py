"""The forecast's shortcuts give what the plain definitions give, on generated team histories
(benchmarks/payers.py): the team curve sorted by day alone (engine/forecast.py pooled_curve)
and the own curve's existence told without making it (has_curve)."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from huikuan.engine.forecast import (
    EXACT,
    has_curve,
    kaplan_meier,
    observations,
    pooled_curve,
)
from huikuan.engine.record import records
from huikuan.model import Book
from payers import history

AS_OF = (date(2025, 5, 10), date(2025, 9, 20), date(2026, 1, 31), date(2026, 6, 5))


def with_cents(book: Book) -> Book:
    """The same history with amounts in yuan and fen (12,300 → 12,300.37, …)."""
    cents = [Decimal("0.37"), Decimal("0.5"), Decimal("0.10"), Decimal("0.01")]
    return book.updated(
        {
            "commitments": tuple(
                i.updated({"amount": i.amount + cents[n % 4]})
                for n, i in enumerate(book.commitments)
            ),
            "receipts": tuple(
                r.updated({"amount": r.amount + cents[n % 3]}) for n, r in enumerate(book.receipts)
            ),
        }
    )


def pooled(book: Book, as_of: date) -> tuple[list[tuple[int, float, bool]], dict[str, list]]:
    """Every customer's observations (in book order, as forecast pools them) and each one's."""
    seen = {cid: observations(found, as_of) for cid, (_, found) in records(book, as_of).items()}
    return [o for obs in seen.values() for o in obs], seen


@pytest.mark.parametrize("seed", [7, 3])
def test_the_team_curve_sorted_by_day_is_kaplan_meier_to_the_bit(seed: int):
    book, _ = history(seed=seed)
    for as_of in AS_OF:
        obs, _ = pooled(book, as_of)
        amounts = [a for _, a, _ in obs]
        # whole yuan: the shortcut applies (and the pool is not already in sorted order)
        assert all(a.is_integer() for a in amounts) and sum(amounts) < EXACT
        assert obs != sorted(obs)
        fast, plain = pooled_curve(obs), kaplan_meier(obs)
        assert plain is not None and len(plain.days) > 10
        assert fast == plain  # the same days, the same floats, the same last day


def test_with_fen_the_team_curve_is_kaplan_meier_itself():
    book, _ = history(seed=7)
    for as_of in AS_OF:
        obs, _ = pooled(with_cents(book), as_of)
        assert not all(a.is_integer() for _, a, _ in obs)  # the shortcut does not apply
        assert pooled_curve(obs) == kaplan_meier(obs)


def test_has_curve_says_whether_kaplan_meier_makes_one():
    book, _ = history(seed=3)
    told = set()
    for as_of in (date(2025, 1, 3), *AS_OF):  # the first days: customers with no record yet
        _, seen = pooled(book, as_of)
        for obs in [*seen.values(), []]:
            told.add(has_curve(obs))
            assert has_curve(obs) == (kaplan_meier(obs) is not None)
    assert told == {True, False}
