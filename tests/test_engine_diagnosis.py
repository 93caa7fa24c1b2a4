"""The six causes of METHOD ("why a rep missed target"), every figure worked by hand.

Each test builds a small book from model records, runs it through the engine
(status() or analyse()) and then diagnose() / diagnose_rows(). The expected
numbers are derived in the comments, never by calling the code under test.
Month: 2026-11, as of 2026-11-23 unless a test says otherwise.

Default cadence (policy.DEFAULT_CADENCE), in days:
    grade  remind_before  grace
    A      2              5
    B      3              3
    C      5              1
    D      7              0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

import pytest

from huikuan import contract
from huikuan.engine.analysis import analyse
from huikuan.engine.diagnosis import (
    CAUSES,
    DEFAULT_THRESHOLDS,
    Finding,
    diagnose,
    diagnose_rows,
)
from huikuan.engine.status import StatusRow, status
from huikuan.model import Book, Customer, FollowUp, Installment, Measure, PlanRow, Receipt
from huikuan.workbook.remedies import REMEDIES, remedy

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)
AS_OF = date(2026, 11, 23)
D = Decimal


# ---- small books ---------------------------------------------------------------


def cust(cid: str, rep: str = "王强", grade: str = "B", key: bool = False) -> Customer:
    return Customer(
        customer_id=cid, name=f"客户{cid}", rep=rep, credit_grade=grade, key_account=key
    )


def plan(
    cid: str,
    target: int,
    joint: bool = True,
    expected: int | None = None,
    ask: int | None = None,
    month: date = NOV,
) -> PlanRow:
    return PlanRow(
        month=month,
        customer_id=cid,
        target=D(target),
        expected=None if expected is None else D(expected),
        ask=None if ask is None else D(ask),
        agreed_jointly=joint,
    )


def inst(cid: str, day: int, amount: int, month: int = 11) -> Installment:
    return Installment(customer_id=cid, due=date(2026, month, day), amount=D(amount))


def paid(cid: str, day: int, amount: int, month: int = 11) -> Receipt:
    return Receipt(date=date(2026, month, day), customer_id=cid, amount=D(amount))


def measure(cid: str, amount: int, state: str = "planned") -> Measure:
    return Measure(
        month=NOV, customer_id=cid, kind="promotion", contribution=D(amount), status=state
    )


def call(cid: str, day: int, month: int = 11) -> FollowUp:
    return FollowUp(date=date(2026, month, day), customer_id=cid, result="promised")


def excuse(
    cid: str,
    day: int,
    deferred: int | None,
    accepted: bool = True,
    kind: str = "cash",
    month: int = 11,
    result: str = "excuse",
) -> FollowUp:
    return FollowUp(
        date=date(2026, month, day),
        customer_id=cid,
        result=result,
        excuse_kind=kind,
        excuse_accepted=accepted,
        deferred=None if deferred is None else D(deferred),
    )


def book(
    customers: Sequence[Customer],
    plans: Sequence[PlanRow],
    commitments: Sequence[Installment] = (),
    receipts: Sequence[Receipt] = (),
    followups: Sequence[FollowUp] = (),
    measures: Sequence[Measure] = (),
) -> Book:
    return Book(
        customers=tuple(customers),
        plan=tuple(plans),
        commitments=tuple(commitments),
        receipts=tuple(receipts),
        followups=tuple(followups),
        measures=tuple(measures),
    )


def by_status(b: Book, as_of: date = AS_OF) -> tuple[StatusRow, ...]:
    return status(b, as_of)


def by_analyse(b: Book, as_of: date = AS_OF) -> tuple[StatusRow, ...]:
    return analyse(b, as_of)[0]


ENGINES: list[Callable[[Book], tuple[StatusRow, ...]]] = [by_status, by_analyse]


def one_rep(b: Book, rows_of: Callable[[Book], tuple[StatusRow, ...]] = by_analyse, **kw) -> dict:
    """The six findings of the book's November rows as one group, by cause."""
    rows = [r for r in rows_of(b) if r.month == NOV]
    found = diagnose_rows(rows, b.followups, AS_OF, "王强", receipts=b.receipts, **kw)
    return {f.cause: f for f in found}


def pick(findings: Sequence[Finding], rep: str | None, cause: str) -> Finding:
    (hit,) = [f for f in findings if f.rep == rep and f.cause == cause]
    return hit


# ---- 1. no joint plan ------------------------------------------------------------


def test_no_joint_plan_is_the_target_not_agreed_jointly_over_the_target() -> None:
    # K1 300,000 alone, K2 100,000 jointly, K3 500,000 alone, K4 100,000 jointly.
    # Target 300,000 + 100,000 + 500,000 + 100,000 = 1,000,000;
    # not agreed jointly 300,000 + 500,000 = 800,000 → 800,000 ÷ 1,000,000 = 0.8 > 0.2.
    b = book(
        [cust("K1"), cust("K2"), cust("K3"), cust("K4")],
        [plan("K1", 300_000, joint=False), plan("K2", 100_000),
         plan("K3", 500_000, joint=False), plan("K4", 100_000)],
    )  # fmt: skip
    f = one_rep(b)["no_joint_plan"]
    assert f.figure == D("0.8")
    assert f.amount == D(800_000)
    assert f.customers == ("K3", "K1")  # most money first: 500,000 then 300,000
    assert f.details["customers"] == 2
    assert f.flagged


def test_no_joint_plan_exactly_at_the_threshold_is_not_flagged() -> None:
    # 200,000 alone of 200,000 + 800,000 = 1,000,000 → 0.2, not above the default 0.2.
    b = book([cust("K1"), cust("K2")], [plan("K1", 200_000, joint=False), plan("K2", 800_000)])
    f = one_rep(b)["no_joint_plan"]
    assert DEFAULT_THRESHOLDS["no_joint_plan"] == D("0.2")
    assert f.figure == D("0.2")
    assert not f.flagged


def test_a_custom_threshold_mapping_moves_only_its_own_flag() -> None:
    # K1 300,000 alone, no commitment; K2 700,000 jointly, committed in full.
    # no_joint_plan: 300,000 ÷ 1,000,000 = 0.3 → flagged by the default 0.2, not by 0.5.
    # no_commitment: 300,000 ÷ 1,000,000 = 0.3 → the custom map leaves its 0.1: flagged.
    b = book(
        [cust("K1"), cust("K2")],
        [plan("K1", 300_000, joint=False), plan("K2", 700_000)],
        commitments=[inst("K2", 28, 700_000)],
    )
    default = one_rep(b)
    custom = one_rep(b, thresholds={"no_joint_plan": D("0.5")})
    assert default["no_joint_plan"].figure == custom["no_joint_plan"].figure == D("0.3")
    assert default["no_joint_plan"].flagged
    assert not custom["no_joint_plan"].flagged
    assert custom["no_commitment"].figure == D("0.3")
    assert custom["no_commitment"].flagged
    # and a lower custom threshold flags what the default does not: 0.2 > 0.1
    low = one_rep(
        book([cust("K1"), cust("K2")], [plan("K1", 200_000, joint=False), plan("K2", 800_000)]),
        thresholds={"no_joint_plan": D("0.1")},
    )
    assert low["no_joint_plan"].figure == D("0.2")
    assert low["no_joint_plan"].flagged


# ---- 2. gap without measures ----------------------------------------------------


def test_gap_uncovered_is_the_remaining_gap_over_the_gap() -> None:
    # K1: target 200,000, committed 100,000 → gap 100,000; measures 30,000 planned
    #     (+ 20,000 dropped, which does not count) → remaining 70,000.
    # K2: target 50,000, committed 30,000 → gap 20,000; measure 25,000 → remaining 0
    #     (its extra 5,000 does not cover K1's gap).
    # K3: target 80,000 committed in full → gap 0.
    # Gap 100,000 + 20,000 + 0 = 120,000; remaining 70,000 → 70,000 ÷ 120,000 = 7/12 > 0.3.
    b = book(
        [cust("K1"), cust("K2"), cust("K3")],
        [plan("K1", 200_000), plan("K2", 50_000), plan("K3", 80_000)],
        commitments=[inst("K1", 25, 100_000), inst("K2", 26, 30_000), inst("K3", 27, 80_000)],
        measures=[measure("K1", 30_000), measure("K1", 20_000, "dropped"), measure("K2", 25_000)],
    )
    f = one_rep(b)["gap_uncovered"]
    assert f.figure == D(7) / D(12)
    assert f.amount == D(70_000)
    assert f.customers == ("K1",)
    assert f.details["gap"] == D(120_000)
    assert f.flagged


def test_gap_uncovered_is_zero_and_not_flagged_when_everything_is_committed() -> None:
    # K1 commits its 100,000 target; K2 commits 60,000 for a 50,000 target (gap 0, not −10,000).
    b = book(
        [cust("K1"), cust("K2")],
        [plan("K1", 100_000), plan("K2", 50_000)],
        commitments=[inst("K1", 25, 100_000), inst("K2", 26, 60_000)],
    )
    f = one_rep(b)["gap_uncovered"]
    assert f.figure == 0
    assert f.amount == 0
    assert f.customers == ()
    assert f.details["gap"] == 0
    assert not f.flagged


# ---- 3. no commitment ------------------------------------------------------------


def test_no_commitment_is_the_target_of_uncommitted_customers_and_their_number() -> None:
    # K1 300,000 and K3 100,000 have no installment; K2 100,000 has one of 50,000.
    # 300,000 + 100,000 = 400,000 of 500,000 → 0.8 > 0.1; 2 customers.
    b = book(
        [cust("K1"), cust("K2"), cust("K3")],
        [plan("K1", 300_000), plan("K2", 100_000), plan("K3", 100_000)],
        commitments=[inst("K2", 25, 50_000)],
    )
    f = one_rep(b)["no_commitment"]
    assert f.figure == D("0.8")
    assert f.amount == D(400_000)
    assert f.customers == ("K1", "K3")
    assert f.details["customers"] == 2
    assert f.flagged


def test_no_commitment_names_customers_with_equal_money_by_id() -> None:
    # K1017 and K1003 both 100,000 uncommitted; K1001 commits its 300,000.
    # 200,000 ÷ 500,000 = 0.4; equal money → by id: K1003 before K1017.
    b = book(
        [cust("K1017"), cust("K1003"), cust("K1001")],
        [plan("K1017", 100_000), plan("K1003", 100_000), plan("K1001", 300_000)],
        commitments=[inst("K1001", 25, 300_000)],
    )
    f = one_rep(b)["no_commitment"]
    assert f.figure == D("0.4")
    assert f.customers == ("K1003", "K1017")


# ---- 4. commitments not followed up ------------------------------------------------


def _follow_up_book() -> Book:
    """Six customers, one per situation of the policy's window (see the test)."""
    return book(
        [cust("K1", grade="A"), cust("K2", grade="B"), cust("K3", grade="C"),
         cust("K4", grade="B"), cust("K5", grade="B"), cust("K6", grade="C")],
        [plan(c, 100_000) for c in ("K1", "K2", "K3", "K4", "K5", "K6")],
        commitments=[
            inst("K1", 10, 60_000), inst("K1", 25, 40_000),
            inst("K2", 5, 30_000),
            inst("K3", 20, 20_000),
            inst("K4", 22, 15_000),
            inst("K5", 24, 10_000),
            inst("K6", 3, 12_000),
        ],
        receipts=[paid("K1", 12, 50_000), paid("K3", 20, 20_000), paid("K6", 3, 12_000)],
        followups=[
            call("K1", 8),  # the first day of K1's window
            call("K2", 9),  # a day after K2's window
            call("K3", 21),  # the last day of K3's window
            call("K4", 18),  # a day before K4's window
            call("K4", 24),  # inside due + grace, but after as_of
        ],
    )  # fmt: skip


def test_not_followed_counts_installments_due_without_a_follow_up_in_the_grade_window() -> None:
    # Due on or before 11-23 (K1's 11-25 and K5's 11-24 are not due yet):
    # K1 (A) 11-10 60,000: window [11-10 − 2, 11-10 + 5] = [11-08, 11-15]; call 11-08 → followed.
    #     Received 50,000 → 10,000 unpaid; 11-15 < 11-23, late → 10,000 at stake. Partial.
    # K2 (B) 11-05 30,000: window [11-02, 11-08]; call 11-09 → not followed; nothing paid
    #     → 30,000 at stake. Broken.
    # K3 (C) 11-20 20,000: paid in full on 11-20, its due day → needed no follow-up: left
    #     out (the call of 11-21 does not matter). Kept.
    # K4 (B) 11-22 15,000: window [11-19, min(11-23, 11-25)] = [11-19, 11-23]; calls 11-18
    #     and 11-24 both fall outside → not followed; not late yet (11-25 > 11-23), but
    #     unfollowed → 15,000 at stake. On track.
    # K6 (C) 11-03 12,000: no call, but paid in full on the day → left out (issue 13).
    # Counted 3 (K1 paid after its due day, K2, K4); not followed 2 (K2, K4) → 2 ÷ 3.
    # At stake 10,000 + 30,000 + 15,000 = 55,000.
    b = _follow_up_book()
    rows = by_analyse(b)
    assert {r.customer.customer_id: r.promise_status for r in rows} == {
        "K1": "partial", "K2": "broken", "K3": "kept",
        "K4": "on_track", "K5": "on_track", "K6": "kept",
    }  # fmt: skip
    f = one_rep(b)["not_followed"]
    assert f.figure == D(2) / D(3)
    assert f.amount == D(55_000)
    assert f.details == {"installments_due": 3, "unfollowed": 2, "broken": 1, "partial": 1}
    assert f.customers == ("K2", "K4", "K1")  # 30,000, 15,000, 10,000
    assert f.flagged


@pytest.mark.parametrize(
    ("grade", "call_day", "followed"),
    [
        # installment due 11-10; A's window [11-08, 11-15], D's window [11-03, 11-10]
        ("A", 4, False),
        ("D", 4, True),
        ("A", 14, True),
        ("D", 14, False),
        ("D", 3, True),  # D reminds 7 days before: 11-03 is the window's first day
        ("D", 2, False),
    ],
)
def test_the_follow_up_window_follows_the_customers_credit_grade(
    grade: str, call_day: int, followed: bool
) -> None:
    b = book(
        [cust("K1", grade=grade)],
        [plan("K1", 50_000)],
        commitments=[inst("K1", 10, 50_000)],
        # paid the day after its due day: counted, yet kept (no broken or partial flag)
        receipts=[paid("K1", 11, 50_000)],
        followups=[call("K1", call_day)],
    )
    f = one_rep(b)["not_followed"]
    assert f.details["unfollowed"] == (0 if followed else 1)
    assert f.figure == (0 if followed else 1)  # 0 or 1 of 1 installment due
    assert f.flagged is not followed  # threshold 0: any unfollowed installment flags
    assert f.amount == 0  # paid in full


def test_a_partial_promise_flags_not_followed_even_when_every_installment_was_followed() -> None:
    # K1 (B) 30,000 due 11-10, window [11-07, 11-13], called 11-09 → followed: 0 ÷ 1 = 0.
    # Paid 10,000: 11-10 + 3 = 11-13 < 11-23 → partial, 20,000 overdue at stake.
    # Even with a threshold of 0.9 the partial promise flags the cause.
    b = book(
        [cust("K1")],
        [plan("K1", 30_000)],
        commitments=[inst("K1", 10, 30_000)],
        receipts=[paid("K1", 15, 10_000)],
        followups=[call("K1", 9)],
    )
    f = one_rep(b, thresholds={"not_followed": D("0.9")})["not_followed"]
    assert f.figure == 0
    assert f.details["partial"] == 1
    assert f.amount == D(20_000)
    assert f.customers == ("K1",)
    assert f.flagged


def test_a_broken_promise_flags_not_followed() -> None:
    # K1 (C) 40,000 due 11-10, window [11-05, 11-11], called 11-11 → followed; nothing paid;
    # 11-10 + 1 < 11-23 → broken, 40,000 at stake.
    b = book(
        [cust("K1", grade="C")],
        [plan("K1", 40_000)],
        commitments=[inst("K1", 10, 40_000)],
        followups=[call("K1", 11)],
    )
    f = one_rep(b)["not_followed"]
    assert (f.figure, f.amount, f.details["broken"], f.flagged) == (0, D(40_000), 1, True)


def test_followed_and_kept_promises_are_not_flagged() -> None:
    # K1 (B) 30,000 due 11-10 called 11-08 and paid 11-10: followed, kept, nothing at stake.
    b = book(
        [cust("K1")],
        [plan("K1", 30_000)],
        commitments=[inst("K1", 10, 30_000)],
        receipts=[paid("K1", 10, 30_000)],
        followups=[call("K1", 8)],
    )
    f = one_rep(b)["not_followed"]
    assert (f.figure, f.amount, f.customers, f.flagged) == (0, 0, (), False)


# ---- 5. demands too low ----------------------------------------------------------------


def test_demands_low_is_what_accepted_excuses_of_the_month_deferred_over_the_target() -> None:
    # Target 200,000 + 300,000 = 500,000. Counted: accepted excuses of November up to 11-23,
    # whatever the contact's result (issue 13):
    #   11-05 K1 accepted 20,000; 11-12 K2 accepted 30,000; 11-18 K1 accepted, no amount (0);
    #   11-10 K1 a "partial" result with an accepted excuse (5,000).
    # Not counted: 11-15 K2 not accepted (50,000); 10-28 K1 accepted in October (40,000);
    #   11-25 K1 accepted after as_of (10,000); 11-14 K9 accepted but K9 has no plan this
    #   month (60,000).
    # 20,000 + 30,000 + 5,000 = 55,000 → 55,000 ÷ 500,000 = 0.11 > 0.05; 4 accepted.
    b = book(
        [cust("K1"), cust("K2"), cust("K9")],
        [plan("K1", 200_000), plan("K2", 300_000), plan("K9", 90_000, month=OCT)],
        followups=[
            excuse("K1", 5, 20_000, kind="quality"),
            excuse("K2", 12, 30_000, kind="personal"),
            excuse("K1", 18, None),
            excuse("K2", 15, 50_000, accepted=False),
            excuse("K1", 28, 40_000, month=10, kind="downstream"),
            excuse("K1", 25, 10_000, kind="other"),
            excuse("K1", 10, 5_000, result="partial"),
            excuse("K9", 14, 60_000),
        ],
    )
    f = one_rep(b)["demands_low"]
    assert f.figure == D("0.11")
    assert f.amount == D(55_000)
    assert f.details["accepted"] == 4
    assert f.customers == ("K2", "K1")  # 30,000, then 20,000 + 0 + 5,000
    assert f.flagged


def test_excuses_heard_but_not_accepted_do_not_make_demands_low() -> None:
    b = book(
        [cust("K1")],
        [plan("K1", 100_000)],
        followups=[excuse("K1", 5, 80_000, accepted=False), excuse("K1", 6, 20_000, False)],
    )
    f = one_rep(b)["demands_low"]
    assert (f.figure, f.amount, f.details["accepted"], f.flagged) == (0, 0, 0, False)


# ---- 6. weak negotiation -----------------------------------------------------------------


@pytest.mark.parametrize("rows_of", ENGINES, ids=["status", "analyse"])
def test_weak_negotiation_is_the_share_of_expected_asked_at_or_below_it(
    rows_of: Callable[[Book], tuple[StatusRow, ...]],
) -> None:
    # K1 expects 100,000, asks 200,000, settles 150,000: anchored (the article's example).
    # K2 expects 100,000, asks  90,000, settles  80,000: no anchor.
    # K3 expects  50,000, asks  50,000, settles  60,000: no anchor (ask = expected).
    # K4 asks 70,000 with no expectation, K5 expects 40,000 with no ask: not counted.
    # Σexpected (K1–K3) 250,000; no anchor 100,000 + 50,000 = 150,000 → 0.6 > 0.2.
    # ask ÷ expected (200,000 + 90,000 + 50,000) ÷ 250,000 = 340,000 ÷ 250,000 = 1.36.
    # committed ÷ expected (150,000 + 80,000 + 60,000) ÷ 250,000 = 290,000 ÷ 250,000 = 1.16.
    # At stake: K2 100,000 − 80,000 = 20,000; K3 max(0, 50,000 − 60,000) = 0 → 20,000.
    b = book(
        [cust(c) for c in ("K1", "K2", "K3", "K4", "K5")],
        [plan("K1", 200_000, expected=100_000, ask=200_000),
         plan("K2", 150_000, expected=100_000, ask=90_000),
         plan("K3", 60_000, expected=50_000, ask=50_000),
         plan("K4", 80_000, ask=70_000),
         plan("K5", 80_000, expected=40_000)],
        commitments=[inst("K1", 25, 150_000), inst("K2", 25, 80_000), inst("K3", 25, 60_000)],
    )  # fmt: skip
    f = one_rep(b, rows_of)["weak_negotiation"]
    assert f.figure == D("0.6")
    assert f.details["ask_to_expected"] == D("1.36")
    assert f.details["committed_to_expected"] == D("1.16")
    assert f.details["customers"] == 2
    assert f.amount == D(20_000)
    assert f.customers == ("K2", "K3")
    assert f.flagged


@pytest.mark.parametrize("rows_of", ENGINES, ids=["status", "analyse"])
@pytest.mark.parametrize(
    ("ask", "figure", "flagged"),
    [(200_000, 0, False), (100_000, 1, True), (90_000, 1, True)],
)
def test_asking_above_the_expectation_is_an_anchor_and_at_or_below_it_is_not(
    rows_of: Callable[[Book], tuple[StatusRow, ...]], ask: int, figure: int, flagged: bool
) -> None:
    # One customer expected to pay 100,000, nothing committed yet.
    # Ask 200,000 → anchored: 0 of 100,000. Ask 100,000 or 90,000 → 100,000 of 100,000 = 1,
    # and 100,000 − 0 = 100,000 at stake; ask ÷ expected = ask ÷ 100,000.
    b = book([cust("K1")], [plan("K1", 150_000, expected=100_000, ask=ask)])
    f = one_rep(b, rows_of)["weak_negotiation"]
    assert f.figure == figure
    assert f.flagged is flagged
    assert f.amount == (100_000 if flagged else 0)
    assert f.details["ask_to_expected"] == D(ask) / D(100_000)
    assert f.details["committed_to_expected"] == 0


# ---- ranks ------------------------------------------------------------------------------


def test_causes_are_ranked_by_money_at_stake_ties_in_method_order() -> None:
    # K1 (B): target 100,000 planned alone, nothing committed, no measure;
    #   expects 80,000 and asks 80,000; accepted an excuse deferring 90,000 on 11-06.
    # no_joint_plan 100,000; gap_uncovered 100,000 (gap 100,000, no measure);
    # no_commitment 100,000; not_followed 0 (no installment); demands_low 90,000;
    # weak_negotiation 80,000 − 0 = 80,000.
    # By money: 100,000 ×3 (METHOD order: no_joint_plan 1, gap_uncovered 2, no_commitment 3),
    # demands_low 4, weak_negotiation 5, not_followed 6.
    b = book(
        [cust("K1")],
        [plan("K1", 100_000, joint=False, expected=80_000, ask=80_000)],
        followups=[excuse("K1", 6, 90_000)],
    )
    found = diagnose_rows(by_analyse(b), b.followups, AS_OF, "王强", receipts=b.receipts)
    assert [f.cause for f in found] == list(CAUSES)  # listed in METHOD order
    assert {f.cause: f.amount for f in found} == {
        "no_joint_plan": D(100_000),
        "gap_uncovered": D(100_000),
        "no_commitment": D(100_000),
        "not_followed": D(0),
        "demands_low": D(90_000),
        "weak_negotiation": D(80_000),
    }
    assert {f.cause: f.rank for f in found} == {
        "no_joint_plan": 1,
        "gap_uncovered": 2,
        "no_commitment": 3,
        "demands_low": 4,
        "weak_negotiation": 5,
        "not_followed": 6,
    }
    assert {f.rep for f in found} == {"王强"}


# ---- the team -----------------------------------------------------------------------------


def _two_reps() -> Book:
    # 王强: K1 (B) target 100,000 planned alone; 30,000 due 11-05 never followed, unpaid.
    # 李娜: K2 (B) target 300,000 and K3 (B) 100,000 planned jointly; K2 commits
    #   100,000 ×3 due 11-03, 11-10, 11-17, each called two days before and paid the day
    #   after (so each still counts for not_followed: it was not paid by its due day).
    # October's rows must not count: K4 (李娜) 1,000,000 planned alone in October.
    return book(
        [cust("K1", rep="王强"), cust("K2", rep="李娜"), cust("K3", rep="李娜"),
         cust("K4", rep="李娜")],
        [plan("K1", 100_000, joint=False), plan("K2", 300_000), plan("K3", 100_000),
         plan("K4", 1_000_000, joint=False, month=OCT)],
        commitments=[inst("K1", 5, 30_000), inst("K2", 3, 100_000), inst("K2", 10, 100_000),
                     inst("K2", 17, 100_000)],
        receipts=[paid("K2", 4, 100_000), paid("K2", 11, 100_000), paid("K2", 18, 100_000)],
        followups=[call("K2", 1), call("K2", 8), call("K2", 15)],
    )  # fmt: skip


def test_team_rows_come_from_the_sums_of_all_rows_not_the_average_of_the_reps() -> None:
    b = _two_reps()
    found = diagnose(by_analyse(b), b.followups, AS_OF, receipts=b.receipts)
    # reps by name, then the team (rep None), six causes each
    assert [f.rep for f in found] == ["李娜"] * 6 + ["王强"] * 6 + [None] * 6

    # no_joint_plan: 王强 100,000 ÷ 100,000 = 1; 李娜 0 ÷ 400,000 = 0;
    # team 100,000 ÷ 500,000 = 0.2 — not flagged (the reps' average, 0.5, would be).
    assert pick(found, "王强", "no_joint_plan").figure == 1
    assert pick(found, "李娜", "no_joint_plan").figure == 0
    team = pick(found, None, "no_joint_plan")
    assert team.figure == D("0.2") != (D(1) + D(0)) / 2
    assert team.amount == D(100_000)
    assert not team.flagged

    # not_followed: 王强 1 of 1 installments due (11-05, window [11-02, 11-08], no call);
    # 李娜 0 of 3 (each called in [due − 3, due + 3]); team 1 ÷ 4 = 0.25, not (1 + 0) ÷ 2.
    assert pick(found, "王强", "not_followed").figure == 1
    assert pick(found, "李娜", "not_followed").figure == 0
    team = pick(found, None, "not_followed")
    assert team.figure == D("0.25")
    assert team.details == {"installments_due": 4, "unfollowed": 1, "broken": 1, "partial": 0}
    assert team.amount == D(30_000)  # K1's unpaid 30,000
    assert team.customers == ("K1",)

    # no_commitment: 王强 commits 30,000 → 0; 李娜 K3 100,000 of 400,000 = 0.25;
    # team 100,000 ÷ 500,000 = 0.2 (the average would be 0.125).
    assert pick(found, "李娜", "no_commitment").figure == D("0.25")
    assert pick(found, None, "no_commitment").figure == D("0.2")

    # gap_uncovered: 王强 gap 70,000 all uncovered → 1; 李娜 gap 0 + 100,000 → 1;
    # team (70,000 + 100,000) ÷ 170,000 = 1.
    assert pick(found, None, "gap_uncovered").figure == 1
    assert pick(found, None, "gap_uncovered").amount == D(170_000)


def test_the_team_rows_equal_a_diagnosis_of_all_the_months_rows_as_one_group() -> None:
    b = _two_reps()
    rows = by_analyse(b)
    team = [f for f in diagnose(rows, b.followups, AS_OF, receipts=b.receipts) if f.rep is None]
    november = [r for r in rows if r.month == NOV]
    assert tuple(team) == diagnose_rows(november, b.followups, AS_OF, None, receipts=b.receipts)


# ---- the remedy, in words ------------------------------------------------------------------


def _uncommitted(ids: Sequence[str]) -> Finding:
    """no_commitment of a rep whose customers `ids` (100,000 each) have not committed."""
    b = book([cust(c) for c in ids], [plan(c, 100_000) for c in ids])
    return one_rep(b)["no_commitment"]


def test_the_remedy_names_the_customers_concerned() -> None:
    # K1017 and K1003, 100,000 each, no commitment: 200,000 ÷ 200,000 = 1 > 0.1.
    f = _uncommitted(["K1017", "K1003"])
    assert f.flagged
    assert remedy(f, "zh") == "K1003、K1017 未承诺：本周内约谈并取得分时段回款承诺"
    assert remedy(f, "en") == (
        "K1003, K1017: no commitment — meet this week and get a promise with dates and amounts"
    )


@pytest.mark.parametrize(
    ("n", "zh_who", "en_who"),
    [
        (6, "K1001、K1002、K1003、K1004、K1005、K1006", "K1001, K1002, K1003, K1004, K1005, K1006"),
        (
            7,
            "K1001、K1002、K1003、K1004、K1005、K1006 等 7 个客户",
            "K1001, K1002, K1003, K1004, K1005, K1006 and 1 more",
        ),
        (
            8,
            "K1001、K1002、K1003、K1004、K1005、K1006 等 8 个客户",
            "K1001, K1002, K1003, K1004, K1005, K1006 and 2 more",
        ),
    ],
)
def test_the_remedy_names_six_customers_then_counts_the_rest(
    n: int, zh_who: str, en_who: str
) -> None:
    f = _uncommitted([f"K{1000 + i}" for i in range(n, 0, -1)])  # listed backwards on purpose
    assert len(f.customers) == n
    assert remedy(f, "zh") == f"{zh_who} 未承诺：本周内约谈并取得分时段回款承诺"
    assert remedy(f, "en") == (
        f"{en_who}: no commitment — meet this week and get a promise with dates and amounts"
    )


def test_the_remedy_carries_the_money_at_stake() -> None:
    # K1: target 200,000, committed 100,000, measures 30,000 → 70,000 of the gap uncovered.
    b = book(
        [cust("K1")],
        [plan("K1", 200_000)],
        commitments=[inst("K1", 25, 100_000)],
        measures=[measure("K1", 30_000)],
    )
    f = one_rep(b)["gap_uncovered"]
    assert remedy(f, "zh").startswith("K1 尚有 7万 差距无措施：针对差距制定措施")
    assert remedy(f, "en").startswith("K1: 70,000.00 of the gap has no measure — aim measures")


def test_a_finding_that_is_not_flagged_needs_no_action_even_with_customers() -> None:
    # K1 200,000 alone of 1,000,000 = 0.2: not above 0.2, though K1 is concerned.
    b = book([cust("K1"), cust("K2")], [plan("K1", 200_000, joint=False), plan("K2", 800_000)])
    f = one_rep(b)["no_joint_plan"]
    assert f.customers == ("K1",)
    assert not f.flagged
    assert remedy(f, "zh") == "无需措施"
    assert remedy(f, "en") == "no action needed"


def test_every_cause_has_a_remedy_in_chinese_and_in_english() -> None:
    assert tuple(REMEDIES) == CAUSES == tuple(c.key for c in contract.CAUSES)
    for cause in CAUSES:
        f = Finding("王强", cause, D(1), D(12_345), True, ("K1001", "K1002"))
        zh, en = remedy(f, "zh"), remedy(f, "en")
        assert zh.startswith("K1001、K1002 ") and en.startswith("K1001, K1002: ")
        assert "{" not in zh + en and "}" not in zh + en
        assert _has_cjk(zh.removeprefix("K1001、K1002 "))
        assert not _has_cjk(en)
        if "{amount}" in REMEDIES[cause][0]:  # the amount in each language's form
            assert "1.23万" in zh and "12,345.00" in en


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_an_installment_paid_in_full_on_its_due_day_flags_no_cause() -> None:
    # Issue 13, cause 4: C005 (王强, grade B) committed 80,000 due 11-10 and paid 80,000
    # on 11-10; nobody logged a follow-up. Paid in full by its due day, it needed no
    # follow-up: not_followed counts 0 installments, 0 ÷ 0 = 0, nothing at stake, no
    # customer, not flagged. Target 80,000 agreed jointly, committed 80,000 (gap 0,
    # coverage 1); no excuse; no expectation → no cause names C005.
    b = book(
        [cust("C005")],
        [plan("C005", 80_000)],
        commitments=[inst("C005", 10, 80_000)],
        receipts=[paid("C005", 10, 80_000)],
    )
    found = one_rep(b)
    f = found["not_followed"]
    assert (f.figure, f.amount, f.customers, f.flagged) == (0, 0, (), False)
    assert f.details == {"installments_due": 0, "unfollowed": 0, "broken": 0, "partial": 0}
    assert [c for c, f in found.items() if f.flagged or "C005" in f.customers] == []
    assert remedy(f, "zh") == "无需措施"


def test_installments_paid_by_their_due_days_earliest_first_the_late_one_still_counts() -> None:
    # K1 (B, window remind 3 / grace 3): 30,000 due 11-05 and 20,000 due 11-12; received
    # 30,000 on 11-05 and 20,000 on 11-16; never called.
    # By 11-05: 30,000 received pays the 11-05 installment in full → left out.
    # By 11-12: still 30,000 received → the 11-12 one is unpaid on its due day → counted;
    #   no call in [11-09, 11-15] → not followed. Paid since (11-16): 0 at stake.
    # 1 of 1 not followed → 1 > 0 flagged; K1 named; nothing unpaid.
    b = book(
        [cust("K1")],
        [plan("K1", 50_000)],
        commitments=[inst("K1", 5, 30_000), inst("K1", 12, 20_000)],
        receipts=[paid("K1", 5, 30_000), paid("K1", 16, 20_000)],
    )
    f = one_rep(b)["not_followed"]
    assert (f.figure, f.amount, f.customers, f.flagged) == (1, 0, ("K1",), True)
    assert f.details["installments_due"] == 1
    # the flagged cause says whom to follow, not "no action needed"
    assert remedy(f, "zh").startswith("K1 ")
