"""Negotiation help (METHOD §6): settle ratio from history, suggested ask, no-anchor flag."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.engine.analysis import analyse
from huikuan.engine.negotiation import (
    DEFAULT_SETTLE,
    advise,
    no_anchor,
    round_unit,
    settle_ratio,
    suggested_ask,
)
from huikuan.model import Book, Customer, Installment, PlanRow

SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
M = Decimal


def plan(month: date, cid: str, target: int, ask: int | None = None, expected: int | None = None):
    return PlanRow(
        month=month,
        customer_id=cid,
        target=M(target),
        ask=None if ask is None else M(ask),
        expected=None if expected is None else M(expected),
    )


def promise(cid: str, due: date, amount: int) -> Installment:
    return Installment(customer_id=cid, due=due, amount=M(amount))


def book(plans, promises, ids=("A", "B")) -> Book:
    return Book(
        customers=tuple(Customer(customer_id=i, name=i, rep="李娜") for i in ids),
        plan=tuple(plans),
        commitments=tuple(promises),
    )


def test_the_articles_example_expects_100000_asks_200000_settles_150000() -> None:
    # The rep expects 100,000, opens with 200,000 and the customer settles at 150,000:
    # the customer's habit is 150,000 ÷ 200,000 = 0.75.
    ratio = settle_ratio([M(200_000)], [M(150_000)])
    assert ratio == M("0.75")
    # To land on 150,000 next time, ask 150,000 ÷ 0.75 = 200,000 (a round 5,000 unit).
    assert suggested_ask(M(150_000), ratio) == M(200_000)
    assert no_anchor(plan(OCT, "A", 150_000, ask=200_000, expected=100_000)) is False


def test_settle_ratio_is_the_sum_settled_over_the_sum_asked_not_an_average() -> None:
    # 90/100 and 10/100 average to 0.5 too; but 90/100 and 10/50 is 100/150, not 0.55
    assert settle_ratio([M(100), M(50)], [M(90), M(10)]) == M(100) / M(150)
    assert settle_ratio([M(0), M(100)], [M(999), M(60)]) == M("0.6")  # no ask: ignored
    assert settle_ratio([], []) is None
    assert settle_ratio([M(0)], [M(5)]) is None


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        (M(0), 100),
        (M(9_999), 100),
        (M(10_000), 1_000),
        (M(99_999), 1_000),
        (M(100_000), 5_000),
        (M(999_999), 5_000),
        (M(1_000_000), 10_000),
        (M(12_345_678), 10_000),
    ],
)
def test_round_unit_is_what_a_rep_would_name(amount: Decimal, unit: int) -> None:
    assert round_unit(amount) == unit


def test_suggested_ask_rounds_up_to_the_unit() -> None:
    # 100,000 ÷ 0.75 = 133,333.33 → up to the next 5,000: 135,000
    assert suggested_ask(M(100_000), M("0.75")) == M(135_000)
    # 8,000 ÷ 0.75 = 10,666.67 → 1,000 units: 11,000
    assert suggested_ask(M(8_000), M("0.75")) == M(11_000)
    # 5,000 ÷ 0.8 = 6,250 → 100 units: 6,300
    assert suggested_ask(M(5_000), M("0.8")) == M(6_300)
    # an exact multiple stays: 300,000 ÷ 0.6 = 500,000
    assert suggested_ask(M(300_000), M("0.6")) == M(500_000)
    assert suggested_ask(M(0), M("0.75")) == M(0)
    assert suggested_ask(M(12_345), M(1), round_to=M(10)) == M(12_350)


def test_a_ratio_from_a_division_does_not_round_the_ask_up_a_whole_unit() -> None:
    # asked 300,000, settled 100,000: ratio 1/3 (0.3333…, rounded down in Decimal);
    # 100,000 ÷ ratio must give 300,000, not 310,000
    ratio = settle_ratio([M(300_000)], [M(100_000)])
    assert suggested_ask(M(100_000), ratio) == M(300_000)


def test_a_customer_settling_above_the_ask_is_never_asked_below_the_target() -> None:
    assert suggested_ask(M(100_000), M("1.25")) == M(100_000)


def test_a_ratio_of_zero_or_below_is_refused() -> None:
    with pytest.raises(ValueError):
        suggested_ask(M(100), M(0))


def test_no_anchor_when_the_ask_is_at_or_below_the_expectation() -> None:
    assert no_anchor(plan(NOV, "A", 1, ask=100, expected=100))
    assert no_anchor(plan(NOV, "A", 1, ask=90, expected=100))
    assert not no_anchor(plan(NOV, "A", 1, ask=101, expected=100))
    assert not no_anchor(plan(NOV, "A", 1, ask=None, expected=100))
    assert not no_anchor(plan(NOV, "A", 1, ask=100, expected=None))


def test_advice_uses_the_customers_own_past_months() -> None:
    # A: asked 200,000 in Sep and committed 150,000; asked 100,000 in Oct and committed
    # 90,000 → (150,000 + 90,000) ÷ (200,000 + 100,000) = 0.8. November's target 120,000
    # → ask 120,000 ÷ 0.8 = 150,000.
    b = book(
        [
            plan(SEP, "A", 150_000, ask=200_000, expected=100_000),
            plan(OCT, "A", 90_000, ask=100_000, expected=80_000),
            plan(NOV, "A", 120_000, ask=110_000, expected=120_000),
        ],
        [
            promise("A", date(2026, 9, 10), 100_000),
            promise("A", date(2026, 9, 25), 50_000),
            promise("A", date(2026, 10, 15), 90_000),
            promise("A", date(2026, 11, 20), 99_000),  # November's own: not history
        ],
    )
    got = advise(b)
    nov = got[NOV, "A"]
    assert (nov.settle_ratio, nov.source, nov.suggested_ask) == (M("0.8"), "customer", M(150_000))
    assert nov.no_anchor is True  # asked 110,000, expects 120,000
    oct_ = got[OCT, "A"]  # only September before it: 150,000 ÷ 200,000
    assert (oct_.settle_ratio, oct_.source) == (M("0.75"), "customer")
    sep = got[SEP, "A"]  # nothing before it, nor for the team
    assert (sep.settle_ratio, sep.source) == (DEFAULT_SETTLE, "default")
    assert sep.suggested_ask == M(200_000)  # 150,000 ÷ 0.75


def test_a_customer_without_history_gets_the_teams_ratio() -> None:
    # B has never been asked; the team (A) asked 200,000 and settled 120,000 in October:
    # 0.6. B's November target 60,000 → 60,000 ÷ 0.6 = 100,000.
    b = book(
        [plan(OCT, "A", 100_000, ask=200_000), plan(NOV, "B", 60_000)],
        [promise("A", date(2026, 10, 9), 120_000)],
    )
    adv = advise(b)[NOV, "B"]
    assert (adv.settle_ratio, adv.source, adv.suggested_ask) == (M("0.6"), "team", M(100_000))


def test_a_customer_that_never_committed_falls_back_to_the_team() -> None:
    # A was asked 50,000 in October and promised nothing: ratio 0 says nothing useful
    # about how much to ask; the team's October (A 0 + B 80,000 of 50,000 + 100,000) is
    # 80,000 ÷ 150,000.
    b = book(
        [
            plan(OCT, "A", 50_000, ask=50_000),
            plan(OCT, "B", 80_000, ask=100_000),
            plan(NOV, "A", 40_000),
        ],
        [promise("B", date(2026, 10, 9), 80_000)],
    )
    adv = advise(b)[NOV, "A"]
    assert adv.source == "team" and adv.settle_ratio == M(80_000) / M(150_000)
    assert adv.suggested_ask == M(75_000)  # 40,000 ÷ 0.5333 = 75,000


def test_analyse_puts_the_advice_in_status() -> None:
    b = book(
        [
            plan(OCT, "A", 100_000, ask=200_000),
            plan(NOV, "A", 150_000, ask=100_000, expected=100_000),
        ],
        [promise("A", date(2026, 10, 9), 150_000)],
        ids=("A",),
    )
    rows, _ = analyse(b, date(2026, 11, 2))
    nov = next(r for r in rows if r.month == NOV)
    assert (nov.settle_ratio, nov.suggested_ask, nov.no_anchor) == (M("0.75"), M(200_000), True)


@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.decimals(min_value="0.05", max_value="1.5", places=4),
)
def test_the_ask_settles_at_least_at_the_want_and_within_one_unit(want, ratio) -> None:
    ask = suggested_ask(want, ratio)
    raw = want / min(ratio, Decimal(1))
    assert ask >= raw.quantize(Decimal("0.01"))
    assert ask - raw < round_unit(raw)
    assert ask % round_unit(raw) == 0
    assert ask >= want
