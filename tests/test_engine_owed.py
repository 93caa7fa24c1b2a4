""" "Owed by a day, given grace": one definition (engine/status.py) behind the promise
status, the amount at stake, the diagnosis and the schedule's tightening day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from huikuan.engine.diagnosis import not_followed
from huikuan.engine.policy import DEFAULT_POLICY
from huikuan.engine.schedule import at_stake, tightening_day, unpaid
from huikuan.engine.status import is_late, late_from, overdue, owed_by, status_row
from huikuan.model import Customer, FollowUp, Installment, PlanRow

D = Decimal
NOV = date(2026, 11, 1)


def test_late_the_day_after_the_grace() -> None:
    # due Tuesday 11-10 with 5 days' grace: owed on 11-16, not on 11-15
    assert late_from(date(2026, 11, 10), 5) == date(2026, 11, 16)
    assert not is_late(date(2026, 11, 10), date(2026, 11, 15), 5)
    assert is_late(date(2026, 11, 10), date(2026, 11, 16), 5)
    # no grace: owed the day after the due day
    assert not is_late(date(2026, 11, 10), date(2026, 11, 10), 0)
    assert is_late(date(2026, 11, 10), date(2026, 11, 11), 0)


def test_owed_and_overdue_by_hand() -> None:
    insts = [
        Installment(customer_id="A", due=date(2026, 11, 5), amount=D(60000)),
        Installment(customer_id="A", due=date(2026, 11, 20), amount=D(40000)),
    ]
    # as of 11-23, grace 3: the 11-05 one is owed (from 11-09), the 11-20 one is not (11-24)
    assert owed_by(insts, date(2026, 11, 23), 3) == D(60000)
    assert owed_by(insts, date(2026, 11, 24), 3) == D(100000)
    assert overdue(insts, D(50000), date(2026, 11, 23), 3) == D(10000)
    assert overdue(insts, D(70000), date(2026, 11, 23), 3) == 0


dues = st.dates(date(2026, 10, 20), date(2026, 11, 30))
amounts = st.integers(1, 9).map(lambda n: D(n * 10000))


@given(
    st.lists(st.tuples(dues, amounts), min_size=1, max_size=4),
    st.integers(0, 12).map(lambda n: D(n * 5000)),
    st.dates(date(2026, 11, 1), date(2026, 12, 10)),
    st.sampled_from("ABCD"),
)
def test_every_use_of_owed_agrees(
    pairs: list[tuple[date, Decimal]], received: Decimal, as_of: date, grade: str
) -> None:
    grace = DEFAULT_POLICY.for_grade(grade).grace
    insts = sorted(
        (Installment(customer_id="A", due=d, amount=a) for d, a in pairs), key=lambda i: i.due
    )
    cust = Customer(customer_id="A", name="A", rep="R", credit_grade=grade)
    plan = PlanRow(month=NOV, customer_id="A", target=D(100000))
    row = status_row(plan, cust, insts, received, D(0), as_of, DEFAULT_POLICY)
    late_money = overdue(insts, received, as_of, grace)
    # promise status: broken or partial exactly when something owed by as_of is unpaid
    assert (row.promise_status in ("broken", "partial")) == (late_money > 0)
    # the money at stake of a broken or partial promise is what is overdue
    if row.promise_status in ("broken", "partial"):
        assert at_stake(row, as_of, grace) == late_money
    # the schedule tightens from the first day an unpaid installment is owed
    turn = tightening_day(insts, unpaid(insts, received), grace)
    assert (turn is not None and as_of >= turn) == (late_money > 0)
    # the diagnosis: with every installment followed on its due day, the money at stake is
    # what is unpaid on the installments owed by as_of
    calls = [FollowUp(date=i.due, customer_id="A", result="promised") for i in insts]
    # (no receipt records: no installment counts as paid by its due day; one that was
    # would have nothing unpaid, so the money at stake is the same either way)
    _, stake, _, _ = not_followed([row], calls, as_of, DEFAULT_POLICY, ())
    rests = zip(insts, unpaid(insts, received), strict=True)
    assert stake == sum((r for i, r in rests if as_of > i.due + timedelta(grace)), D(0))
