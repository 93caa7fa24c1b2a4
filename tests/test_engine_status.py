"""The per-customer numbers of SPEC ("Definitions"), worked by hand.

The running example is the article's: customer A agrees to pay 100,000 this
month, our target is 200,000, so the gap is 100,000 and measures must cover it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.engine.policy import DEFAULT_CADENCE, Cadence, Policy
from huikuan.engine.status import (
    StatusRow,
    coverage,
    gap,
    promise_status,
    ratio,
    remaining_gap,
    status,
    totals_by_rep,
)
from huikuan.model import Book, Customer, Installment, Measure, PlanRow, Receipt

D = Decimal
OCT = date(2026, 10, 1)
NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def customer(cid: str = "A", rep: str = "张三", grade: str = "B") -> Customer:
    return Customer(customer_id=cid, name=f"客户{cid}", rep=rep, credit_grade=grade)


def plan(target: str | int, cid: str = "A", month: date = NOV) -> PlanRow:
    return PlanRow(month=month, customer_id=cid, target=D(target))


def inst(due: date, amount: str | int, cid: str = "A") -> Installment:
    return Installment(customer_id=cid, due=due, amount=D(amount))


def receipt(day: date, amount: str | int, cid: str = "A") -> Receipt:
    return Receipt(date=day, customer_id=cid, amount=D(amount))


def measure(
    amount: str | int, status_: str = "planned", cid: str = "A", month: date = NOV
) -> Measure:
    return Measure(
        month=month, customer_id=cid, kind="incentive", contribution=D(amount), status=status_
    )


def one_row(as_of: date = date(2026, 11, 15), **book: object) -> StatusRow:
    book.setdefault("customers", (customer(),))
    (row,) = status(Book(**book), as_of)
    return row


# ---- the pure definitions -------------------------------------------------


def test_gap_is_target_minus_committed_never_below_zero() -> None:
    assert gap(D(200_000), D(100_000)) == D(100_000)
    assert gap(D(200_000), D(250_000)) == 0
    assert gap(D(200_000), D(0)) == D(200_000)


def test_remaining_gap_is_gap_minus_contribution_never_below_zero() -> None:
    assert remaining_gap(D(100_000), D(60_000)) == D(40_000)
    assert remaining_gap(D(100_000), D(150_000)) == 0


def test_coverage_is_contribution_over_gap_one_when_no_gap_and_not_capped() -> None:
    assert coverage(D(100_000), D(60_000)) == D("0.6")
    assert coverage(D(0), D(0)) == 1
    assert coverage(D(0), D(10_000)) == 1
    assert coverage(D(100_000), D(150_000)) == D("1.5")


def test_ratio_is_empty_when_the_whole_is_zero() -> None:
    assert ratio(D(60_000), D(80_000)) == D("0.75")
    assert ratio(D(60_000), D(0)) is None
    assert ratio(D(0), D(0)) is None


# ---- the article's example through status() -------------------------------


def test_article_example_gap_is_target_minus_what_the_customer_agreed() -> None:
    row = one_row(plan=(plan(200_000),), commitments=(inst(date(2026, 11, 20), 100_000),))
    assert row.target == D(200_000)
    assert row.committed == D(100_000)
    assert row.gap == D(100_000)
    assert row.contribution == 0
    assert row.remaining_gap == D(100_000)
    assert row.coverage == 0


def test_measures_of_60000_leave_40000_uncovered_and_cover_60_percent() -> None:
    row = one_row(
        plan=(plan(200_000),),
        commitments=(inst(date(2026, 11, 20), 100_000),),
        measures=(measure(40_000, "planned"), measure(20_000, "done")),
    )
    assert row.contribution == D(60_000)
    assert row.remaining_gap == D(40_000)
    assert row.coverage == D("0.6")


def test_dropped_measure_does_not_cover_the_gap() -> None:
    row = one_row(
        plan=(plan(200_000),),
        commitments=(inst(date(2026, 11, 20), 100_000),),
        measures=(measure(60_000), measure(50_000, "dropped")),
    )
    assert row.contribution == D(60_000)  # not 110,000
    assert row.remaining_gap == D(40_000)
    assert row.coverage == D("0.6")


def test_measures_of_another_month_or_customer_do_not_count() -> None:
    row = one_row(
        customers=(customer("A"), customer("B")),
        plan=(plan(200_000),),
        commitments=(inst(date(2026, 11, 20), 100_000),),
        measures=(measure(60_000), measure(30_000, month=DEC), measure(20_000, cid="B")),
    )
    assert row.contribution == D(60_000)


def test_commitment_above_target_leaves_no_gap_and_full_coverage() -> None:
    row = one_row(
        plan=(plan(200_000),),
        commitments=(inst(date(2026, 11, 10), 150_000), inst(date(2026, 11, 25), 100_000)),
        measures=(measure(10_000),),
    )
    assert row.committed == D(250_000)
    assert row.gap == 0
    assert row.remaining_gap == 0
    assert row.coverage == 1


def test_measures_beyond_the_gap_give_coverage_above_one_uncapped() -> None:
    row = one_row(
        plan=(plan(200_000),),
        commitments=(inst(date(2026, 11, 20), 100_000),),
        measures=(measure(90_000), measure(60_000)),
    )
    assert row.contribution == D(150_000)
    assert row.remaining_gap == 0
    assert row.coverage == D("1.5")


def test_committed_counts_only_installments_due_in_the_plan_month() -> None:
    row = one_row(
        plan=(plan(200_000),),
        commitments=(
            inst(date(2026, 10, 31), 7_000),
            inst(date(2026, 11, 1), 30_000),
            inst(date(2026, 11, 30), 70_000),
            inst(date(2026, 12, 1), 9_000),
        ),
    )
    assert row.committed == D(100_000)
    assert row.gap == D(100_000)


def test_received_counts_only_receipts_dated_in_the_month() -> None:
    row = one_row(
        as_of=date(2026, 12, 15),
        plan=(plan(200_000),),
        receipts=(
            receipt(date(2026, 10, 31), 5_000),
            receipt(date(2026, 11, 1), 20_000),
            receipt(date(2026, 11, 30), 30_000),
            receipt(date(2026, 12, 1), 8_000),
        ),
    )
    assert row.received == D(50_000)
    assert row.completion == D("0.25")  # 50,000 ÷ 200,000


def test_amounts_of_another_customer_do_not_count() -> None:
    row = one_row(
        customers=(customer("A"), customer("B")),
        plan=(plan(200_000),),
        commitments=(inst(date(2026, 11, 5), 10_000, cid="B"),),
        receipts=(receipt(date(2026, 11, 5), 10_000, cid="B"),),
    )
    assert row.committed == 0
    assert row.received == 0
    assert row.promise_status == "none"


# ---- due to date, fulfilment, completion -----------------------------------

THREE = (
    inst(date(2026, 11, 5), 30_000),
    inst(date(2026, 11, 15), 50_000),
    inst(date(2026, 11, 25), 20_000),
)


def test_installment_due_on_the_as_of_day_counts_as_due_to_date() -> None:
    row = one_row(as_of=date(2026, 11, 15), plan=(plan(200_000),), commitments=THREE)
    assert row.due_to_date == D(80_000)  # 30,000 + 50,000


def test_installment_due_after_the_as_of_day_is_not_yet_due() -> None:
    row = one_row(as_of=date(2026, 11, 14), plan=(plan(200_000),), commitments=THREE)
    assert row.due_to_date == D(30_000)


def test_fulfilment_is_received_over_due_to_date_and_completion_over_target() -> None:
    row = one_row(
        as_of=date(2026, 11, 15),
        plan=(plan(200_000),),
        commitments=THREE,
        receipts=(receipt(date(2026, 11, 6), 30_000), receipt(date(2026, 11, 14), 30_000)),
    )
    assert row.received == D(60_000)
    assert row.fulfilment == D("0.75")  # 60,000 ÷ 80,000
    assert row.completion == D("0.3")  # 60,000 ÷ 200,000


def test_fulfilment_is_empty_when_nothing_is_due_yet() -> None:
    row = one_row(
        as_of=date(2026, 11, 4),
        plan=(plan(200_000),),
        commitments=THREE,
        receipts=(receipt(date(2026, 11, 2), 10_000),),
    )
    assert row.due_to_date == 0
    assert row.fulfilment is None
    assert row.completion == D("0.05")


def test_fulfilment_is_empty_without_any_commitment() -> None:
    row = one_row(plan=(plan(200_000),), receipts=(receipt(date(2026, 11, 2), 10_000),))
    assert row.due_to_date == 0
    assert row.fulfilment is None


def test_completion_is_empty_when_target_is_zero() -> None:
    row = one_row(plan=(plan(0),), receipts=(receipt(date(2026, 11, 2), 10_000),))
    assert row.completion is None
    assert row.gap == 0
    assert row.coverage == 1


# ---- promise status --------------------------------------------------------

FIFTH = date(2026, 11, 5)


def test_no_installments_means_no_promise_even_with_receipts() -> None:
    assert promise_status((), D(50_000), date(2026, 11, 20), grace=3) == "none"


def test_received_at_least_committed_is_kept_even_before_due() -> None:
    installments = (inst(FIFTH, 30_000), inst(date(2026, 11, 25), 20_000))
    assert promise_status(installments, D(50_000), date(2026, 11, 1), grace=3) == "kept"
    assert promise_status(installments, D(60_000), date(2026, 11, 30), grace=3) == "kept"


def test_nothing_received_past_due_plus_grace_is_broken() -> None:
    # due 11-05, grace 3: the last day of grace is 11-08; on 11-09 it is late.
    assert promise_status((inst(FIFTH, 50_000),), D(0), date(2026, 11, 9), grace=3) == "broken"


def test_nothing_received_within_the_grace_is_still_on_track() -> None:
    for day in (date(2026, 11, 1), FIFTH, date(2026, 11, 8)):
        assert promise_status((inst(FIFTH, 50_000),), D(0), day, grace=3) == "on_track"


def test_something_received_but_short_past_grace_is_partial() -> None:
    assert promise_status((inst(FIFTH, 50_000),), D(20_000), date(2026, 11, 9), 3) == "partial"


def test_installments_not_yet_late_are_not_owed() -> None:
    # 30,000 due 11-05 is paid; 50,000 due 11-20 is not late on 11-10.
    installments = (inst(FIFTH, 30_000), inst(date(2026, 11, 20), 50_000))
    assert promise_status(installments, D(30_000), date(2026, 11, 10), grace=3) == "on_track"
    assert promise_status(installments, D(29_999), date(2026, 11, 10), grace=3) == "partial"


def test_receipts_pay_the_earliest_installment_first() -> None:
    # 50,000 received matches the later installment exactly, but it pays the
    # earlier 30,000 first: on 11-10 nothing late is owed any more.
    installments = (inst(date(2026, 11, 20), 50_000), inst(FIFTH, 30_000))
    assert promise_status(installments, D(50_000), date(2026, 11, 10), grace=3) == "on_track"
    # By 11-24 both are late: 80,000 owed, 50,000 received → partial, not broken.
    assert promise_status(installments, D(50_000), date(2026, 11, 24), grace=3) == "partial"
    # 20,000 received does not settle the first 30,000 → partial on 11-10.
    assert promise_status(installments, D(20_000), date(2026, 11, 10), grace=3) == "partial"


def test_status_row_lists_installments_earliest_first() -> None:
    row = one_row(plan=(plan(200_000),), commitments=tuple(reversed(THREE)))
    assert [i.due for i in row.installments] == [i.due for i in THREE]


def test_grace_comes_from_the_credit_grade() -> None:
    assert DEFAULT_CADENCE["A"].grace == 5
    assert DEFAULT_CADENCE["D"].grace == 0
    book = Book(
        customers=(customer("A", grade="A"), customer("D", grade="D")),
        plan=(plan(100_000, "A"), plan(100_000, "D")),
        commitments=(inst(FIFTH, 50_000, "A"), inst(FIFTH, 50_000, "D")),
    )
    # Two days after the same due date, nothing received.
    good, poor = status(book, date(2026, 11, 7))
    assert (good.customer.credit_grade, good.promise_status) == ("A", "on_track")
    assert (poor.customer.credit_grade, poor.promise_status) == ("D", "broken")


@pytest.mark.parametrize(
    ("grade", "as_of", "expected"),
    [
        ("D", date(2026, 11, 5), "on_track"),  # due today: not yet past due
        ("D", date(2026, 11, 6), "broken"),  # grace 0: late the day after
        ("C", date(2026, 11, 6), "on_track"),  # grace 1: 11-06 is the last day
        ("C", date(2026, 11, 7), "broken"),
        ("B", date(2026, 11, 8), "on_track"),  # grace 3: 11-08 is the last day
        ("B", date(2026, 11, 9), "broken"),
        ("A", date(2026, 11, 10), "on_track"),  # grace 5: 11-10 is the last day
        ("A", date(2026, 11, 11), "broken"),
    ],
)
def test_an_installment_is_late_after_due_date_plus_its_grades_grace(
    grade: str, as_of: date, expected: str
) -> None:
    row = one_row(
        as_of=as_of,
        customers=(customer(grade=grade),),
        plan=(plan(100_000),),
        commitments=(inst(FIFTH, 50_000),),
    )
    assert row.promise_status == expected


def test_a_workbook_policy_overrides_the_default_grace() -> None:
    lenient = Policy(cadence={**DEFAULT_CADENCE, "D": Cadence(7, 10, 2, 3)})
    book = Book(
        customers=(customer(grade="D"),),
        plan=(plan(100_000),),
        commitments=(inst(FIFTH, 50_000),),
    )
    (row,) = status(book, date(2026, 11, 15), lenient)
    assert row.promise_status == "on_track"  # 11-05 + 10 days = 11-15, still in grace
    (row,) = status(book, date(2026, 11, 16), lenient)
    assert row.promise_status == "broken"


def test_promise_status_through_status_uses_the_months_receipts() -> None:
    row = one_row(
        as_of=date(2026, 11, 20),
        plan=(plan(100_000),),
        commitments=(inst(FIFTH, 50_000),),
        receipts=(receipt(date(2026, 10, 30), 50_000), receipt(date(2026, 11, 6), 10_000)),
    )
    assert row.received == D(10_000)  # October's 50,000 paid October, not this promise
    assert row.promise_status == "partial"


# ---- rows and their order ---------------------------------------------------


def test_one_row_per_plan_row_in_plan_order_and_month_filter() -> None:
    book = Book(
        customers=(customer("A"), customer("B")),
        plan=(plan(3, "B", DEC), plan(1, "A", NOV), plan(2, "B", NOV), plan(4, "A", OCT)),
    )
    rows = status(book, date(2026, 11, 15))
    assert [(r.customer.customer_id, r.month) for r in rows] == [
        ("B", DEC),
        ("A", NOV),
        ("B", NOV),
        ("A", OCT),
    ]
    november = status(book, date(2026, 11, 15), month=NOV)
    assert [r.target for r in november] == [D(1), D(2)]


def test_plan_row_of_an_unknown_customer_is_skipped() -> None:
    book = Book(customers=(customer("A"),), plan=(plan(1, "A"), plan(2, "ZZ")))
    assert [r.customer.customer_id for r in status(book, NOV)] == ["A"]


# ---- totals -----------------------------------------------------------------


def averaging_book() -> Book:
    """Zhang: X small and done, Y big and empty; Li: Z with no gap at all."""
    return Book(
        customers=(customer("X", "Zhang"), customer("Y", "Zhang"), customer("Z", "Li")),
        plan=(plan(100_000, "X"), plan(900_000, "Y"), plan(50_000, "Z")),
        commitments=(inst(FIFTH, 100_000, "Z"),),
        measures=(measure(100_000, cid="X"),),
        receipts=(receipt(FIFTH, 100_000, "X"), receipt(FIFTH, 30_000, "Z")),
    )


def test_rep_and_team_totals_are_sums_of_the_amounts() -> None:
    rows = status(averaging_book(), date(2026, 11, 15))
    li, zhang, team = totals_by_rep(rows)  # reps sorted by name, then the team
    assert (li.rep, zhang.rep, team.rep) == ("Li", "Zhang", None)
    assert (zhang.customers, li.customers, team.customers) == (2, 1, 3)
    # Zhang: X target 100,000 nothing committed; Y target 900,000 nothing committed.
    assert zhang.target == D(1_000_000)
    assert zhang.committed == 0
    assert zhang.gap == D(1_000_000)
    assert zhang.contribution == D(100_000)
    assert zhang.remaining_gap == D(900_000)  # X 0 + Y 900,000
    assert zhang.received == D(100_000)
    assert zhang.due_to_date == 0
    # Li: Z target 50,000, committed 100,000 due 11-05 → no gap.
    assert li.target == D(50_000)
    assert li.committed == D(100_000)
    assert li.gap == 0
    assert li.due_to_date == D(100_000)
    assert li.received == D(30_000)
    # The team is the two reps together.
    assert team.target == D(1_050_000)
    assert team.committed == D(100_000)
    assert team.gap == D(1_000_000)
    assert team.contribution == D(100_000)
    assert team.remaining_gap == D(900_000)
    assert team.received == D(130_000)
    assert team.due_to_date == D(100_000)
    # The promise mix: X and Y have no commitment; Z's 100,000 was due 11-05 (grade B,
    # grace 3: late from 11-09) and 30,000 of it came in: partial.
    assert zhang.promises == {"none": 2}
    assert li.promises == {"partial": 1}
    assert team.promises == {"none": 2, "partial": 1}


def test_total_ratios_are_recomputed_from_sums_not_averaged() -> None:
    rows = status(averaging_book(), date(2026, 11, 15))
    x, y, _ = rows
    assert (x.completion, y.completion) == (1, 0)  # an average would say 0.5
    assert (x.coverage, y.coverage) == (1, 0)  # an average would say 0.5
    li, zhang, team = totals_by_rep(rows)
    assert zhang.completion == D("0.1")  # 100,000 ÷ 1,000,000
    assert zhang.coverage == D("0.1")  # 100,000 ÷ 1,000,000
    assert zhang.fulfilment is None  # nothing of Zhang's was due
    assert li.coverage == 1  # no gap
    assert li.fulfilment == D("0.3")  # 30,000 ÷ 100,000
    assert li.completion == D("0.6")  # 30,000 ÷ 50,000
    # Team: not the mean of the reps' (0.1 and 0.6) but 130,000 ÷ 1,050,000.
    assert team.completion == D(130_000) / D(1_050_000)
    assert team.completion != (zhang.completion + li.completion) / 2
    assert team.coverage == D("0.1")  # 100,000 ÷ 1,000,000, not mean(0.1, 1)
    assert team.fulfilment == D("1.3")  # 130,000 ÷ 100,000


def test_team_totals_have_empty_ratios_when_their_denominators_are_zero() -> None:
    book = Book(customers=(customer(),), plan=(plan(0),))
    _, team = totals_by_rep(status(book, NOV))
    assert team.target == 0
    assert team.completion is None
    assert team.fulfilment is None
    assert team.coverage == 1


def test_totals_of_no_rows_is_an_empty_team() -> None:
    (team,) = totals_by_rep(())
    assert team.rep is None
    assert team.customers == 0
    assert team.target == 0


# ---- invariants over random books --------------------------------------------

REPS = ("张三", "李四", "Wang")
MONTHS = (OCT, NOV, DEC)
DAYS = st.dates(min_value=date(2026, 9, 20), max_value=date(2027, 1, 10))
AMOUNTS = st.integers(min_value=0, max_value=50_000_000).map(lambda c: D(c).scaleb(-2))
POSITIVE = st.integers(min_value=1, max_value=50_000_000).map(lambda c: D(c).scaleb(-2))


@st.composite
def books(draw: st.DrawFn) -> Book:
    n = draw(st.integers(min_value=1, max_value=6))
    ids = [f"C{i}" for i in range(n)]
    customers = tuple(
        Customer(
            customer_id=cid,
            name=cid,
            rep=draw(st.sampled_from(REPS)),
            credit_grade=draw(st.sampled_from("ABCD")),
            key_account=draw(st.booleans()),
        )
        for cid in ids
    )
    keys = draw(
        st.lists(st.tuples(st.sampled_from(MONTHS), st.sampled_from(ids)), unique=True, max_size=12)
    )
    plans = tuple(PlanRow(month=m, customer_id=cid, target=draw(AMOUNTS)) for m, cid in keys)
    cids = st.sampled_from(ids)
    commitments = draw(
        st.lists(st.builds(Installment, customer_id=cids, due=DAYS, amount=POSITIVE), max_size=15)
    )
    receipts = draw(
        st.lists(st.builds(Receipt, customer_id=cids, date=DAYS, amount=POSITIVE), max_size=15)
    )
    measures = draw(
        st.lists(
            st.builds(
                Measure,
                month=st.sampled_from(MONTHS),
                customer_id=cids,
                kind=st.just("other"),
                contribution=AMOUNTS,
                status=st.sampled_from(("planned", "done", "dropped")),
            ),
            max_size=15,
        )
    )
    return Book(
        customers=customers,
        plan=plans,
        commitments=tuple(commitments),
        receipts=tuple(receipts),
        measures=tuple(measures),
    )


AS_OF = st.dates(min_value=date(2026, 10, 1), max_value=date(2026, 12, 31))


@settings(deadline=None)
@given(books(), AS_OF)
def test_every_row_obeys_the_definitions(book: Book, as_of: date) -> None:
    rows = status(book, as_of)
    for row in rows:
        cid, m = row.customer.customer_id, row.month
        in_month = [
            i for i in book.commitments if i.customer_id == cid and i.due.replace(day=1) == m
        ]
        committed = sum((i.amount for i in in_month), D(0))
        received = sum(
            (
                r.amount
                for r in book.receipts
                if r.customer_id == cid and r.date.replace(day=1) == m
            ),
            D(0),
        )
        contribution = sum(
            (
                x.contribution
                for x in book.measures
                if x.customer_id == cid and x.month == m and x.status != "dropped"
            ),
            D(0),
        )
        assert row.committed == committed
        assert row.received == received
        assert row.contribution == contribution
        assert row.due_to_date == sum((i.amount for i in in_month if i.due <= as_of), D(0))
        assert row.gap >= 0
        assert row.gap == max(D(0), row.target - committed)
        assert 0 <= row.remaining_gap <= row.gap
        if row.gap == 0:
            assert row.coverage == 1
            assert row.remaining_gap == 0
        else:
            assert row.coverage == contribution / row.gap
        assert (row.fulfilment is None) == (row.due_to_date == 0)
        assert (row.completion is None) == (row.target == 0)
        assert (row.promise_status == "none") == (committed == 0)
        assert (row.promise_status == "kept") == (0 < committed <= received)
        assert row.promise_status in {"none", "kept", "broken", "partial", "on_track"}
        if row.promise_status == "broken":
            assert received == 0
        for value in (row.target, row.committed, row.gap, row.remaining_gap, row.received):
            assert type(value) is Decimal


@settings(deadline=None)
@given(books(), AS_OF)
def test_status_rows_follow_plan_order(book: Book, as_of: date) -> None:
    rows = status(book, as_of)
    assert [(r.month, r.customer.customer_id) for r in rows] == [
        (p.month, p.customer_id) for p in book.plan
    ]


@settings(deadline=None)
@given(books(), AS_OF)
def test_rep_totals_sum_their_customers_and_team_sums_the_reps(book: Book, as_of: date) -> None:
    rows = status(book, as_of)
    *reps, team = totals_by_rep(rows)
    amounts = ("target", "committed", "gap", "contribution", "remaining_gap")
    amounts += ("received", "due_to_date")
    by_rep: dict[str, list[StatusRow]] = defaultdict(list)
    for row in rows:
        by_rep[row.customer.rep].append(row)
    assert [t.rep for t in reps] == sorted(by_rep)
    assert team.rep is None
    for t in reps:
        mine = by_rep[t.rep]
        assert t.customers == len({r.customer.customer_id for r in mine})
        for name in amounts:
            assert getattr(t, name) == sum((getattr(r, name) for r in mine), D(0))
        assert t.coverage == coverage(t.gap, t.contribution)
        assert t.completion == ratio(t.received, t.target)
        assert t.fulfilment == ratio(t.received, t.due_to_date)
    for name in amounts:
        assert getattr(team, name) == sum((getattr(t, name) for t in reps), D(0))
    assert team.customers == len({r.customer.customer_id for r in rows})
    assert team.coverage == coverage(team.gap, team.contribution)
    assert team.completion == ratio(team.received, team.target)


@settings(deadline=None)
@given(books(), AS_OF, st.integers(min_value=0, max_value=30))
def test_a_longer_grace_never_makes_a_promise_look_worse(
    book: Book, as_of: date, extra: int
) -> None:
    strict = Policy(cadence={g: Cadence(0, 0, 1, 1) for g in "ABCD"})
    loose = Policy(cadence={g: Cadence(0, extra, 1, 1) for g in "ABCD"})
    for tight, easy in zip(status(book, as_of, strict), status(book, as_of, loose), strict=True):
        if easy.promise_status in ("partial", "broken"):
            assert tight.promise_status == easy.promise_status
        if tight.promise_status in ("none", "kept", "on_track"):
            assert easy.promise_status == tight.promise_status


def test_before_the_month_nothing_is_due_and_long_after_it_unpaid_promises_are_broken() -> None:
    row_early = one_row(as_of=OCT, plan=(plan(200_000),), commitments=THREE)
    row_late = one_row(as_of=DEC + timedelta(days=40), plan=(plan(200_000),), commitments=THREE)
    assert row_early.due_to_date == 0
    assert row_early.promise_status == "on_track"
    assert row_late.due_to_date == D(100_000)
    assert row_late.promise_status == "broken"
