"""The team workflow's pure parts: merging returns (engine/merge.py) and rolling (engine/roll.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from huikuan.engine.merge import Return, merge, merge_rows
from huikuan.engine.roll import MonthHistory, RollError, roll, round_up, suggested_target
from huikuan.engine.workdays import Workdays
from huikuan.model import Book, Customer, FollowUp, Installment, Measure, PlanRow, Receipt, Rep

D = Decimal
NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def base_book() -> Book:
    return Book(
        customers=(
            Customer(customer_id="A1", name="Alpha", rep="Ann", phone="111"),
            Customer(customer_id="A2", name="Apex", rep="Ann"),
            Customer(customer_id="B1", name="Beta", rep="Bob"),
            Customer(customer_id="C1", name="Gamma", rep="Cy"),
        ),
        plan=(
            PlanRow(month=NOV, customer_id="A1", target=D(100000)),
            PlanRow(month=NOV, customer_id="A2", target=D(50000)),
            PlanRow(month=NOV, customer_id="B1", target=D(80000)),
            PlanRow(month=NOV, customer_id="C1", target=D(10000)),
        ),
        commitments=(
            Installment(customer_id="A1", due=date(2026, 11, 10), amount=D(40000)),
            Installment(customer_id="A1", due=date(2026, 11, 20), amount=D(30000)),
            Installment(customer_id="B1", due=date(2026, 11, 5), amount=D(20000)),
        ),
        receipts=(Receipt(date=date(2026, 11, 12), customer_id="A1", amount=D(40000)),),
        reps=(Rep(rep="Ann", email="ann@x.cn"), Rep(rep="Bob"), Rep(rep="Cy")),
        lang="en",
    )


def rep_part(book: Book, rep: str) -> Book:
    ids = {c.customer_id for c in book.customers if c.rep == rep}

    def mine(rows):
        return tuple(r for r in rows if r.customer_id in ids)

    return Book(
        customers=mine(book.customers),
        plan=mine(book.plan),
        measures=mine(book.measures),
        commitments=mine(book.commitments),
        receipts=mine(book.receipts),
        followups=mine(book.followups),
        reps=tuple(r for r in book.reps if r.rep == rep),
        lang=book.lang,
    )


def kinds(events) -> list[tuple[str, str | None, str | None]]:
    return sorted((e.kind, e.table, e.customer_id) for e in events)


# ---- merge ------------------------------------------------------------------------


def test_unchanged_returns_give_back_the_base() -> None:
    base = base_book()
    returns = [Return(f"{r}.xlsx", r, rep_part(base, r)) for r in ("Ann", "Bob", "Cy")]
    merged = merge(base, returns)
    assert merged.book == base
    assert merged.events == []


def test_rows_a_rep_adds_are_taken_and_rows_in_both_count_once() -> None:
    base = base_book()
    ann = rep_part(base, "Ann")
    new_receipt = Receipt(date=date(2026, 11, 21), customer_id="A1", amount=D(5000))
    new_call = FollowUp(date=date(2026, 11, 22), customer_id="A2", result="promised")
    ann = ann.updated({"receipts": (*ann.receipts, new_receipt), "followups": (new_call,)})
    merged = merge(base, [Return("Ann.xlsx", "Ann", ann)])
    assert merged.book.receipts == (*base.receipts, new_receipt)
    assert merged.book.followups == (new_call,)
    assert merged.counts["Ann.xlsx"]["Receipts", "added"] == 1
    assert merged.counts["Ann.xlsx"]["Receipts", "same"] == 1
    # Bob and Cy sent nothing: their rows stay, one event per rep says so
    assert kinds(merged.events) == [
        ("no_return", "Customers", None),
        ("no_return", "Customers", None),
    ]
    assert {e.rep: e.field for e in merged.events} == {"Bob": "1", "Cy": "1"}


def test_the_base_wins_for_targets_and_the_change_is_reported() -> None:
    base = base_book()
    ann = rep_part(base, "Ann")
    edited = ann.plan[0].updated({"target": D(60000), "expected": D(70000)})
    ann = ann.updated({"plan": (edited, ann.plan[1])})
    merged = merge(base, [Return("Ann.xlsx", "Ann", ann)])
    a1 = next(p for p in merged.book.plan if p.customer_id == "A1")
    assert (a1.target, a1.expected) == (D(100000), D(70000))  # the rep's expected is taken
    [event] = [e for e in merged.events if e.kind == "target"]
    assert (event.old.target, event.new.target, event.taken) == (D(100000), D(60000), False)


def test_a_customer_returned_by_two_reps_goes_to_its_owner_in_the_base() -> None:
    base = base_book()
    bob = rep_part(base, "Bob")
    stolen = base.customers[0].updated({"rep": "Bob"})  # Ann's A1 in Bob's file
    extra = Installment(customer_id="A1", due=date(2026, 11, 25), amount=D(9999))
    bob = bob.updated(
        {
            "customers": (*bob.customers, stolen),
            "commitments": (*bob.commitments, extra),
        }
    )
    ann = rep_part(base, "Ann")
    merged = merge(base, [Return("Ann.xlsx", "Ann", ann), Return("Bob.xlsx", "Bob", bob)])
    assert extra not in merged.book.commitments
    assert merged.book.customers == base.customers
    found = kinds(e for e in merged.events if e.source == "Bob.xlsx")
    assert found == [("not_taken", "Commitments", "A1"), ("other_rep", "Customers", "A1")]
    assert all(e.owner == "Ann" for e in merged.events if e.source == "Bob.xlsx")


def test_a_customer_not_in_the_base_is_added_and_reported() -> None:
    base = base_book()
    cy = rep_part(base, "Cy")
    new = Customer(customer_id="C9", name="Newco", rep="Cy")
    cy = cy.updated(
        {
            "customers": (*cy.customers, new),
            "plan": (*cy.plan, PlanRow(month=NOV, customer_id="C9", target=D(1000))),
        }
    )
    merged = merge(base, [Return("Cy.xlsx", "Cy", cy)])
    assert merged.book.customers[-1] == new
    assert merged.book.plan[-1].customer_id == "C9"
    found = kinds(e for e in merged.events if e.source == "Cy.xlsx")
    assert found == [("added", "Plan", "C9"), ("not_in_base", "Customers", "C9")]


def test_rows_missing_in_a_return_are_kept_and_edited_rows_replaced() -> None:
    base = base_book()
    ann = rep_part(base, "Ann")
    fixed = ann.commitments[1].updated({"amount": D(35000)})  # same due: an edit
    ann = ann.updated({"commitments": (fixed,), "receipts": ()})
    merged = merge(base, [Return("Ann.xlsx", "Ann", ann)])
    assert merged.book.commitments == (base.commitments[0], fixed, base.commitments[2])
    assert merged.book.receipts == base.receipts  # missing in the return: kept
    found = {(e.kind, e.table): e for e in merged.events if e.source == "Ann.xlsx"}
    assert set(found) == {("kept", "Commitments"), ("changed", "Commitments"), ("kept", "Receipts")}
    assert found["changed", "Commitments"].old == base.commitments[1]
    assert found["changed", "Commitments"].new == fixed


def test_customer_details_base_fields_win_contact_fields_are_the_reps() -> None:
    base = base_book()
    ann = rep_part(base, "Ann")
    a1 = ann.customers[0].updated({"name": "Alpha Ltd", "phone": "222"})
    ann = ann.updated({"customers": (a1, ann.customers[1])})
    merged = merge(base, [Return("Ann.xlsx", "Ann", ann)])
    got = merged.book.customers[0]
    assert (got.name, got.phone) == ("Alpha", "222")
    events = {e.field: e.taken for e in merged.events if e.kind == "customer"}
    assert events == {"name": False, "phone": True}


def test_identical_rows_typed_twice_both_stay_and_are_reported() -> None:
    base = base_book()
    ann = rep_part(base, "Ann")
    again = Receipt(date=date(2026, 11, 12), customer_id="A1", amount=D(40000))
    ann = ann.updated({"receipts": (*ann.receipts, again)})
    merged = merge(base, [Return("Ann.xlsx", "Ann", ann)])
    assert len(merged.book.receipts) == 2
    assert [e.kind for e in merged.events if e.source] == ["duplicate"]


def test_merge_rows_matches_as_a_multiset() -> None:
    r = Receipt(date=date(2026, 11, 1), customer_id="A", amount=D(1))
    s = Receipt(date=date(2026, 11, 2), customer_id="A", amount=D(2))
    out = merge_rows([r, r, s], [r, s], lambda x: None)
    assert (out.in_place, out.added, out.kept, out.same) == ([r, r, s], [], [r], 2)


def test_without_a_base_the_returns_make_the_team() -> None:
    base = base_book()
    returns = [Return(f"{r}.xlsx", r, rep_part(base, r), n) for n, r in enumerate(("Cy", "Ann"))]
    merged = merge(None, returns)
    assert {c.customer_id for c in merged.book.customers} == {"A1", "A2", "C1"}
    assert sorted(p.customer_id for p in merged.book.plan) == ["A1", "A2", "C1"]
    assert {r.rep for r in merged.book.reps} == {"Ann", "Cy"}
    assert merged.events == []


# ---- roll, worked by hand -----------------------------------------------------------
# November 2026, as the month closes:
#   A1 (target 100,000): installments 40,000 due 11-10 and 30,000 due 11-20; received
#      40,000 + 15,000 = 55,000. Earliest first: 11-10 paid in full, 11-20 gets 15,000,
#      15,000 unpaid → carried, due 2026-12-01 (a Tuesday, a working day).
#   A2 (target 50,000): 20,000 due 11-05, nothing paid → 20,000 carried.
#   B1 (target 80,000): 20,000 due 11-05, paid 20,000 on 11-06 → nothing carried.
# History: A1 had October target 90,000 and received 120,000 (above its target), so its
#   levels are max(90,000, 120,000) = 120,000 and max(100,000, 55,000) = 100,000: mean
#   110,000 (already round) + 15,000 carried = 125,000.
#   A2: November only, level 50,000 + 20,000 carried = 70,000.
#   B1: level 80,000, nothing carried = 80,000.
# Asks: no past ask anywhere → the default settle ratio 0.75: A1 125,000 / 0.75 =
#   166,666.67 → up to 5,000s: 170,000; A2 70,000 / 0.75 = 93,333.33 → up to 1,000s:
#   94,000; B1 80,000 / 0.75 = 106,666.67 → 110,000.
# Measures: A1's planned one is carried (its 11-15 due date cleared), the done and the
#   dropped ones are not.


def roll_book() -> Book:
    oct_ = date(2026, 10, 1)
    return Book(
        customers=(
            Customer(customer_id="A1", name="Alpha", rep="Ann", credit_grade="A"),
            Customer(customer_id="A2", name="Apex", rep="Ann", credit_grade="C"),
            Customer(customer_id="B1", name="Beta", rep="Bob"),
        ),
        plan=(
            PlanRow(month=oct_, customer_id="A1", target=D(90000)),
            PlanRow(month=NOV, customer_id="A1", target=D(100000)),
            PlanRow(month=NOV, customer_id="A2", target=D(50000)),
            PlanRow(month=NOV, customer_id="B1", target=D(80000)),
        ),
        measures=(
            Measure(
                month=NOV,
                customer_id="A1",
                kind="promotion",
                contribution=D(10000),
                due=date(2026, 11, 15),
                description="shop push",
            ),
            Measure(
                month=NOV, customer_id="A1", kind="incentive", contribution=D(5000), status="done"
            ),
            Measure(
                month=NOV, customer_id="A2", kind="training", contribution=D(3000), status="dropped"
            ),
        ),
        commitments=(
            Installment(
                customer_id="A1",
                due=date(2026, 11, 10),
                amount=D(40000),
                promised_on=date(2026, 11, 2),
            ),
            Installment(
                customer_id="A1",
                due=date(2026, 11, 20),
                amount=D(30000),
                promised_on=date(2026, 11, 2),
            ),
            Installment(customer_id="A2", due=date(2026, 11, 5), amount=D(20000)),
            Installment(customer_id="B1", due=date(2026, 11, 5), amount=D(20000)),
        ),
        receipts=(
            Receipt(date=date(2026, 10, 20), customer_id="A1", amount=D(120000)),
            Receipt(date=date(2026, 11, 10), customer_id="A1", amount=D(40000)),
            Receipt(date=date(2026, 11, 25), customer_id="A1", amount=D(15000)),
            Receipt(date=date(2026, 11, 6), customer_id="B1", amount=D(20000)),
        ),
    )


def test_roll_a_month_with_partial_payments_worked_by_hand() -> None:
    rolled = roll(roll_book(), date(2026, 12, 15))
    assert (rolled.from_month, rolled.to_month, rolled.first_day) == (NOV, DEC, DEC)
    assert rolled.commitments == (
        Installment(
            customer_id="A1",
            due=DEC,
            amount=D(15000),
            promised_on=date(2026, 11, 2),
            carried_from=date(2026, 11, 20),
        ),
        Installment(customer_id="A2", due=DEC, amount=D(20000), carried_from=date(2026, 11, 5)),
    )
    assert [(p.customer_id, p.target, p.ask) for p in rolled.plan] == [
        ("A1", D(125000), D(170000)),
        ("A2", D(70000), D(94000)),
        ("B1", D(80000), D(110000)),
    ]
    assert all(p.expected is None and not p.agreed_jointly for p in rolled.plan)
    assert rolled.measures == (
        Measure(
            month=DEC,
            customer_id="A1",
            kind="promotion",
            contribution=D(10000),
            description="shop push",
        ),
    )
    old = roll_book()
    assert rolled.book.plan[: len(old.plan)] == old.plan  # earlier months untouched
    assert rolled.book.commitments[: len(old.commitments)] == old.commitments


def test_rolling_twice_adds_nothing_more() -> None:
    once = roll(roll_book(), DEC)
    twice = roll(once.book, DEC)
    assert (twice.plan, twice.carried, twice.measures) == ((), (), ())
    assert twice.skipped_plan == ("A1", "A2", "B1")
    assert twice.book == once.book


def test_a_carried_installment_carried_again_keeps_its_first_due_date() -> None:
    once = roll(roll_book(), DEC)
    again = roll(once.book, date(2027, 1, 1), Workdays(official=False))
    a2 = [i for i in again.commitments if i.customer_id == "A2"]
    assert a2 == [
        Installment(
            customer_id="A2", due=date(2027, 1, 1), amount=D(20000), carried_from=date(2026, 11, 5)
        ),
    ]
    # A2's December level does not count the 20,000 carried into it twice
    target = next(p.target for p in again.plan if p.customer_id == "A2")
    assert target == round_up(D(50000 + 50000) / 2) + D(20000)


def test_roll_refuses_backwards_and_from_nothing() -> None:
    with pytest.raises(RollError):
        roll(roll_book(), date(2026, 10, 1))  # November is after October
    with pytest.raises(RollError):
        roll(roll_book(), date(2026, 9, 1))  # nothing before September


def test_suggested_target() -> None:
    h = [MonthHistory(date(2026, m, 1), D(100000), D(0)) for m in (7, 8, 9, 10)]
    assert suggested_target(h) == D(100000)
    assert suggested_target(h, D("1234.56")) == D("101234.56")
    assert suggested_target([], D(500)) == D(500)
    assert suggested_target([MonthHistory(NOV, D(0), D(12345))]) == D(13000)
    assert round_up(D("187333.33")) == D(190000)
