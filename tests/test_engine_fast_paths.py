"""The engine's shortcuts (issue 15) give what its definitions give, on real books.

Each shortcut is checked against the plain definition it stands for, row by row, on
the demo team's three months, on a generated 300-customer book read from its .xlsx
file (benchmarks/generate.py, as the benchmarks make them) and on the engine
benchmark's book (benchmarks/schedule.py), at several days.
"""

from __future__ import annotations

import sys
from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

from generate import generate  # noqa: E402
from huikuan.demo import demo_book  # noqa: E402
from huikuan.engine.analysis import analyse  # noqa: E402
from huikuan.engine.diagnosis import diagnose, diagnose_rows, paid_by_due  # noqa: E402
from huikuan.engine.negotiation import advise, suggested_ask  # noqa: E402
from huikuan.engine.policy import policy_from  # noqa: E402
from huikuan.engine.record import by_customer, outcomes  # noqa: E402
from huikuan.engine.schedule import customer_reasons, last_contacts, schedule, unpaid  # noqa: E402
from huikuan.engine.status import (  # noqa: E402
    ZERO,
    StatusRow,
    completed,
    is_late,
    last_late_due,
    late_from,
    owed_by,
    promise_status,
    status,
    total,
)
from huikuan.engine.workdays import workdays_from  # noqa: E402
from huikuan.model import Book, Customer, Installment, PlanRow, Receipt  # noqa: E402
from huikuan.workbook.files import FileTables  # noqa: E402
from huikuan.workbook.reader import read_book  # noqa: E402
from schedule import team  # noqa: E402  (benchmarks/schedule.py: amounts in thirds)

D = Decimal
DAYS = (date(2026, 11, 3), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Book:
    path = tmp_path_factory.mktemp("fast") / "team-300.xlsx"
    generate(300, path)
    book, problems = read_book(FileTables(path))
    assert not [p for p in problems if p.is_error]
    return book


@pytest.fixture(scope="module", params=["demo", "generated", "thirds"])
def book(request: pytest.FixtureRequest, generated: Book) -> Book:
    """The demo team; the generated book; the engine benchmark's 300 customers, whose
    installments are thirds of a target (sums rounded at 28 digits: a shortcut that
    holds only for exact sums shows here)."""
    if request.param == "thirds":
        return team(300)
    return demo_book() if request.param == "demo" else generated


def test_last_late_due_is_the_last_day_is_late_says_yes_to() -> None:
    as_of = date(2026, 11, 16)
    for grace in range(0, 12):
        last = last_late_due(as_of, grace)
        for n in range(-40, 40):
            due = as_of + timedelta(days=n)
            assert (due <= last) == is_late(due, as_of, grace)


@pytest.mark.parametrize("as_of", DAYS)
def test_status_rows_in_one_pass_agree_with_the_definitions(book: Book, as_of: date) -> None:
    policy = policy_from(book.cadences)
    rows = status(book, as_of, policy)
    assert rows
    for r in rows:
        grace = policy.for_grade(r.customer.credit_grade).grace
        assert r.committed == sum((i.amount for i in r.installments), ZERO)
        assert r.due_to_date == sum((i.amount for i in r.installments if i.due <= as_of), ZERO)
        assert r.promise_status == promise_status(r.installments, r.received, as_of, grace)
        owed = sum((i.amount for i in r.installments if is_late(i.due, as_of, grace)), ZERO)
        assert owed_by(r.installments, as_of, grace) == owed
    assert {r.promise_status for r in rows} >= {"kept", "partial", "on_track"}


def test_totals_in_one_pass_are_the_sums_of_the_rows(book: Book) -> None:
    rows = status(book, date(2026, 11, 23))
    found = total(rows, "all")
    for name in ("target", "committed", "gap", "contribution", "remaining_gap", "received"):
        assert getattr(found, name) == sum((getattr(r, name) for r in rows), ZERO), name
    assert found.customers == len({r.customer.customer_id for r in rows})
    assert sum(found.promises.values()) == len(rows)


def _paid_by_due_plainly(row: StatusRow, receipts: tuple[Receipt, ...]) -> list[bool]:
    """The definition as written: per installment, the month's receipts by its due day
    paying the installments earliest first (schedule.unpaid)."""
    cid, month = row.customer.customer_id, row.month
    mine = [r for r in receipts if r.customer_id == cid and r.date.replace(day=1) == month]
    out = []
    for n, inst in enumerate(row.installments):
        by_then = sum((r.amount for r in mine if r.date <= inst.due), ZERO)
        out.append(unpaid(row.installments, by_then)[n] == 0)
    return out


def test_paid_by_due_in_one_pass_agrees_with_paying_the_earliest_first(book: Book) -> None:
    rows = status(book, date(2026, 11, 30))
    answers = [paid_by_due(r, book.receipts) for r in rows]
    assert answers == [_paid_by_due_plainly(r, book.receipts) for r in rows]
    flat = [a for found in answers for a in found]
    assert True in flat and False in flat


@pytest.mark.parametrize("as_of", DAYS)
def test_outcomes_agree_with_is_late_and_paying_the_earliest_first(book: Book, as_of: date) -> None:
    """outcomes() tells late installments by last_late_due and reuses one unpaid() per
    receipt day: each outcome is still the definition's, installment by installment."""
    policy = policy_from(book.cadences)
    grades = {c.customer_id: c.credit_grade for c in book.customers}
    seen = set()
    for cid, (insts, recs) in by_customer(book.commitments, book.receipts, as_of).items():
        grace = policy.for_grade(grades.get(cid, "B")).grace
        for n, o in enumerate(outcomes(insts, recs, as_of, grace)):
            received = sum((r.amount for r in recs if r.date <= as_of), ZERO)
            assert o.unpaid == unpaid(insts, received)[n]
            if not is_late(o.due, as_of, grace):
                assert (o.status, o.short) == ("open", ZERO)
                continue
            by_grace = sum((r.amount for r in recs if r.date < late_from(o.due, grace)), ZERO)
            assert o.short == unpaid(insts, by_grace)[n]
            seen.add(o.status)
    assert seen  # some installment was late and checked


def test_paid_by_due_with_a_zero_installment_and_receipts_out_of_order() -> None:
    nov = date(2026, 11, 1)
    customer = Customer(customer_id="A", name="A", rep="R")
    insts = [
        Installment(customer_id="A", due=date(2026, 11, d), amount=D(a))
        for d, a in ((5, 100), (10, 0), (15, 100), (20, 50))
    ]
    receipts = tuple(
        Receipt(date=date(2026, m, d), customer_id=c, amount=D(a))
        for m, d, c, a in (
            (11, 14, "A", 60),
            (11, 4, "A", 90),
            (10, 30, "A", 500),
            (11, 1, "B", 500),
        )
    )
    book = Book(
        customers=(customer,),
        plan=(PlanRow(month=nov, customer_id="A", target=D(250)),),
        commitments=tuple(insts),
        receipts=receipts,
    )
    (row,) = status(book, date(2026, 11, 30))
    # by 11-05: 90 of 100 (not in full); the zero installment owes nothing whatever was
    # paid; by 11-15: 150 of 200; by 11-20: 150 of 250
    assert paid_by_due(row, receipts) == [False, True, False, False]
    assert paid_by_due(row, receipts) == _paid_by_due_plainly(row, receipts)


@pytest.mark.parametrize("as_of", DAYS)
def test_the_reps_findings_equal_a_diagnosis_of_each_reps_rows_alone(
    book: Book, as_of: date
) -> None:
    policy = policy_from(book.cadences)
    rows = analyse(book, as_of)[0]
    found = diagnose(rows, book.followups, as_of, policy, receipts=book.receipts)
    month = as_of.replace(day=1)
    current = [r for r in rows if r.month == month]
    for rep in {r.customer.rep for r in current}:
        mine = [r for r in current if r.customer.rep == rep]
        alone = diagnose_rows(mine, book.followups, as_of, rep, policy, receipts=book.receipts)
        assert tuple(f for f in found if f.rep == rep) == alone
    team = diagnose_rows(current, book.followups, as_of, None, policy, receipts=book.receipts)
    assert tuple(f for f in found if f.rep is None) == team
    if as_of >= date(2026, 11, 16):  # by then some installment due went unfollowed
        assert any(f.cause == "not_followed" and f.figure > 0 for f in found)


@pytest.mark.parametrize("as_of", DAYS)
def test_the_rows_the_schedule_leaves_out_have_no_reason_at_all(book: Book, as_of: date) -> None:
    policy = policy_from(book.cadences)
    workdays = workdays_from(book.holidays)
    rows = status(book, as_of, policy)
    last = last_contacts(book.followups, as_of)
    actions = schedule(rows, as_of, book.followups, policy, workdays)
    scheduled = {
        (reason.month, a.row.customer.customer_id) for a in actions for reason in a.reasons
    }
    left_out = [r for r in rows if (r.month, r.customer.customer_id) not in scheduled]
    assert any(r.promise_status == "kept" for r in left_out)
    for r in left_out:
        cid = r.customer.customer_id
        assert customer_reasons(r, as_of, policy, workdays, last.get(cid)) == {}


def test_a_completed_row_keeps_every_field_of_its_status_row(book: Book) -> None:
    as_of = date(2026, 11, 23)
    extras = {
        "next_follow_up": as_of,
        "priority": 3,
        "settle_ratio": D("0.8"),
        "suggested_ask": D(1000),
        "no_anchor": True,
        "suggested_grade": "C",
        "grade_was": "B",
    }
    assert set(extras) | {"month"} <= {f.name for f in fields(StatusRow)}
    for row in status(book, as_of):
        assert completed(row, **extras) == replace(row, **extras)


def test_each_rows_suggested_ask_is_its_own_target_at_its_ratio(book: Book) -> None:
    advice = advise(book)
    assert len(advice) == len(book.plan)
    for plan in book.plan:
        found = advice[plan.month, plan.customer_id]
        plain = suggested_ask(plan.target, found.settle_ratio)
        assert (found.suggested_ask, str(found.suggested_ask)) == (plain, str(plain))
    assert len({a.suggested_ask for a in advice.values()}) > 10
