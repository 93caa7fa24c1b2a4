"""The follow-up schedule (METHOD §4): golden examples worked by hand, then invariants.

Calendar facts used below (chinesecalendar, State Council 2026):
November 2026 has no public holiday; Nov 1 is a Sunday, so the weekends are
7/8, 14/15, 21/22, 28/29. National Day: Oct 1–7 off, Thu Oct 8 back at work,
Sat Oct 10 an adjusted working day; Wed Sep 30 is the last working day before.

Default cadence (policy.py), in calendar days:
grade  remind_before  grace  chase_every  escalate_after
A      2              5      7            21
B      3              3      5            14
C      5              1      3            7
D      7              0      2            3
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huikuan.engine.analysis import analyse
from huikuan.engine.policy import DEFAULT_POLICY, GRADES, Cadence, policy_from
from huikuan.engine.schedule import (
    ACTIONS,
    Action,
    last_contacts,
    schedule,
    tightening_day,
    tighter,
    unpaid,
    with_follow_up,
)
from huikuan.engine.status import StatusRow, status, status_row
from huikuan.engine.workdays import Workdays, workdays_from
from huikuan.model import (
    Book,
    CadenceRow,
    Customer,
    FollowUp,
    Holiday,
    Installment,
    PlanRow,
    Receipt,
)
from huikuan.values import month_end

D = date
NOV = D(2026, 11, 1)
OCT = D(2026, 10, 1)


def customer(cid: str = "K1", grade: str = "B", key: bool = False, rep: str = "李娜") -> Customer:
    return Customer(
        customer_id=cid,
        name=f"{cid} 有限公司",
        rep=rep,
        credit_grade=grade,
        key_account=key,
        contact="陈建国",
        phone="13800000000",
    )


def row(
    cust: Customer,
    month: date,
    target: int,
    installments: list[tuple[date, int]],
    received: int,
    as_of: date,
) -> StatusRow:
    """A Status row built the way status() builds it."""
    return status_row(
        PlanRow(month=month, customer_id=cust.customer_id, target=Decimal(target)),
        cust,
        [
            Installment(customer_id=cust.customer_id, due=due, amount=Decimal(amount))
            for due, amount in installments
        ],
        Decimal(received),
        Decimal(0),
        as_of,
    )


def plan_of(actions: tuple[Action, ...]) -> list[tuple[date, str, Decimal]]:
    return [(a.date, a.action, a.amount_at_stake) for a in actions]


def touches(actions: tuple[Action, ...]) -> int:
    """Contacts about something: each reason of each day's row (an installment, a push)."""
    return sum(len(a.reasons) for a in actions)


# ---- golden: the article's customer who pays half of the first installment --------


def test_c_grade_customer_paying_half_the_first_installment_is_tightened_to_d() -> None:
    # A C-grade customer promised 50,000 on Fri Nov 6 and 50,000 on Tue Nov 24 and paid
    # 25,000 on Nov 6. Seen on Mon Nov 9: the first installment is past due + grace
    # (Nov 6 + 1 day) and short, so the promise is partial.
    k = customer(grade="C")
    r = row(
        k,
        NOV,
        100_000,
        [(D(2026, 11, 6), 50_000), (D(2026, 11, 24), 50_000)],
        25_000,
        D(2026, 11, 9),
    )
    assert r.promise_status == "partial"
    # The tightening day is the first day the installment is short: Nov 6 + 1 + 1 = Sun Nov 8.
    owed = unpaid(r.installments, r.received)
    assert owed == [Decimal(25_000), Decimal(50_000)]
    assert tightening_day(r.installments, owed, grace=1) == D(2026, 11, 8)

    got = schedule([r], D(2026, 11, 9))
    assert plan_of(got) == [
        # installment 1 (due before the tightening day) is chased at C's pace: from
        # as_of, every 3 days after the last chase, Sundays moved to Monday:
        # 9 → 12 → 15 (Sun) → 16 → 19 → 22 (Sun) → 23 → 26 → 29 (Sun) → 30
        (D(2026, 11, 9), "chase", Decimal(25_000)),
        (D(2026, 11, 12), "chase", Decimal(25_000)),
        # C escalates 7 days after due (Nov 13): the first chase from then, Nov 16
        (D(2026, 11, 16), "escalate", Decimal(25_000)),
        # installment 2 (due Nov 24, after the tightening day) follows D: remind 7 days
        # before (Tue Nov 17) instead of C's 5 (Thu Nov 19)
        (D(2026, 11, 17), "remind", Decimal(50_000)),
        (D(2026, 11, 19), "chase", Decimal(25_000)),
        (D(2026, 11, 23), "chase", Decimal(25_000)),
        (D(2026, 11, 24), "due_check", Decimal(50_000)),
        # D's grace is 0: chased from Nov 25 every 2 days (25, 27, 29 → 30) ...
        (D(2026, 11, 25), "chase", Decimal(50_000)),
        (D(2026, 11, 26), "chase", Decimal(25_000)),
        # ... and escalated 3 days after due (Nov 27), on that day's chase
        (D(2026, 11, 27), "escalate", Decimal(50_000)),
        # both installments chased on Mon Nov 30: one row, 25,000 + 50,000 at stake
        (D(2026, 11, 30), "chase", Decimal(75_000)),
    ]
    assert [r.tightened for r in got[3].reasons] == [True]  # the D reminder says so
    assert not any(reason.tightened for reason in got[0].reasons)  # C's own pace
    last = got[-1]
    assert [(x.action, x.installment_due) for x in last.reasons] == [
        ("chase", D(2026, 11, 6)),
        ("chase", D(2026, 11, 24)),
    ]
    assert last.installment_due == D(2026, 11, 6)


def test_the_same_customer_without_the_shortfall_keeps_c_for_the_second_installment() -> None:
    # Had the first installment been paid in full, installment 2 follows C: remind
    # Thu Nov 19 (24 − 5), check Nov 24, grace 1 → chase Thu Nov 26, then 29 (Sun) → 30;
    # escalation (Dec 1) falls after the month.
    k = customer(grade="C")
    r = row(
        k,
        NOV,
        100_000,
        [(D(2026, 11, 6), 50_000), (D(2026, 11, 24), 50_000)],
        50_000,
        D(2026, 11, 9),
    )
    assert r.promise_status == "on_track"
    assert [(d, a) for d, a, _ in plan_of(schedule([r], D(2026, 11, 9)))] == [
        (D(2026, 11, 19), "remind"),
        (D(2026, 11, 24), "due_check"),
        (D(2026, 11, 26), "chase"),
        (D(2026, 11, 30), "chase"),
    ]


def test_the_shortfall_seen_before_it_happens_tightens_from_that_day_on() -> None:
    # Seen on Mon Nov 2 with nothing paid yet, the same plan projects the month:
    # push on Tue Nov 3 (2nd working day, not a key account) for the 100,000 open;
    # installment 1: remind Nov 1 (Sun) → before as_of, so Nov 2; check Fri Nov 6;
    # grace 1 → late from Sun Nov 8 (the tightening day) → chased Mon Nov 9, 12, 16, 19,
    # 23, 26, 30; escalated on the first chase from Nov 13, i.e. Nov 16. Installment 2
    # as in the partial case (remind Nov 17, check 24, chase 25, escalate 27, 30).
    k = customer(grade="C")
    r = row(
        k, NOV, 100_000, [(D(2026, 11, 6), 50_000), (D(2026, 11, 24), 50_000)], 0, D(2026, 11, 2)
    )
    got = plan_of(schedule([r], D(2026, 11, 2)))
    assert [(d, a) for d, a, _ in got] == [
        (D(2026, 11, 2), "remind"),
        (D(2026, 11, 3), "push"),
        (D(2026, 11, 6), "due_check"),
        (D(2026, 11, 9), "chase"),
        (D(2026, 11, 12), "chase"),
        (D(2026, 11, 16), "escalate"),
        (D(2026, 11, 17), "remind"),
        (D(2026, 11, 19), "chase"),
        (D(2026, 11, 23), "chase"),
        (D(2026, 11, 24), "due_check"),
        (D(2026, 11, 25), "chase"),
        (D(2026, 11, 26), "chase"),
        (D(2026, 11, 27), "escalate"),
        (D(2026, 11, 30), "chase"),
    ]
    assert got[1][2] == Decimal(100_000)  # the push is about everything still open


def test_escalation_is_due_until_a_follow_up_is_logged_after_the_escalation_day() -> None:
    # The half-paid C customer seen on Mon Nov 16. Installment 1 (25,000 owed, due Nov 6)
    # reached C's escalation day on Fri Nov 13 (6 + 7).
    k = customer(grade="C")
    as_of = D(2026, 11, 16)
    r = row(k, NOV, 100_000, [(D(2026, 11, 6), 50_000), (D(2026, 11, 24), 50_000)], 25_000, as_of)

    def first_two(day: date) -> list[tuple[int, str]]:
        logged = [FollowUp(date=day, customer_id="K1", result="excuse", excuse_kind="cash")]
        return [(a.date.day, a.action) for a in schedule([r], as_of, logged)][:2]

    # Called on Thu Nov 12, before it: the next chase (12 + 3 = Sun 15 → Mon 16) escalates.
    assert first_two(D(2026, 11, 12)) == [(16, "escalate"), (17, "remind")]
    # Called on Fri Nov 13, on it: escalated then; chases go on from 13 + 3 → Mon 16.
    assert first_two(D(2026, 11, 13)) == [(16, "chase"), (17, "remind")]


# ---- golden: a customer with no commitment --------------------------------------------


def test_no_commitment_means_an_early_push_for_one_then_weekly_touches() -> None:
    # B grade, not a key account, nothing promised, seen on Mon Nov 2: get a commitment
    # at the push on the 2nd working day (Tue Nov 3), then every 7 days: 10, 17, 24
    # (Dec 1 is another month).
    r = row(customer(), NOV, 80_000, [], 0, D(2026, 11, 2))
    assert r.promise_status == "none"
    assert plan_of(schedule([r], D(2026, 11, 2))) == [
        (D(2026, 11, d), "get_commitment", Decimal(80_000)) for d in (3, 10, 17, 24)
    ]


def test_a_key_account_without_commitment_is_pushed_on_the_first_working_day() -> None:
    r = row(customer(key=True), NOV, 80_000, [], 0, D(2026, 11, 2))
    assert [a.date.day for a in schedule([r], D(2026, 11, 2))] == [2, 9, 16, 23, 30]


def test_weekly_touches_count_from_the_last_logged_follow_up() -> None:
    # Seen on Thu Nov 12. Without a logged contact since the push: today, then weekly.
    r = row(customer(), NOV, 80_000, [], 0, D(2026, 11, 12))
    assert [a.date.day for a in schedule([r], D(2026, 11, 12))] == [12, 19, 26]
    # A call logged on Tue Nov 10: the next touch a week after it, Nov 17, then 24.
    called = [FollowUp(date=D(2026, 11, 10), customer_id="K1", result="excuse")]
    assert [a.date.day for a in schedule([r], D(2026, 11, 12), called)] == [17, 24]
    # A call logged today does today's touch.
    today = [FollowUp(date=D(2026, 11, 12), customer_id="K1", result="no_answer")]
    assert [a.date.day for a in schedule([r], D(2026, 11, 12), today)] == [19, 26]
    # A follow-up logged after as_of is not known yet on as_of.
    later = [FollowUp(date=D(2026, 11, 13), customer_id="K1", result="no_answer")]
    assert [a.date.day for a in schedule([r], D(2026, 11, 12), later)] == [12, 19, 26]


def test_no_commitment_and_no_target_means_nothing_to_do() -> None:
    assert schedule([row(customer(), NOV, 0, [], 0, D(2026, 11, 2))], D(2026, 11, 2)) == ()


def test_a_kept_promise_needs_no_follow_up() -> None:
    r = row(customer(), NOV, 50_000, [(D(2026, 11, 20), 50_000)], 50_000, D(2026, 11, 2))
    assert r.promise_status == "kept"
    assert schedule([r], D(2026, 11, 2)) == ()


def test_a_reminder_whose_day_has_passed_is_due_today_until_a_follow_up_is_logged() -> None:
    # B grade, 120,000 due Thu Nov 12: the reminder was due Mon Nov 9 (12 − 3).
    r = row(customer(), NOV, 120_000, [(D(2026, 11, 12), 120_000)], 0, D(2026, 11, 10))
    assert [(a.date.day, a.action) for a in schedule([r], D(2026, 11, 10))][:2] == [
        (10, "remind"),  # not done yet: today
        (12, "due_check"),
    ]
    called = [FollowUp(date=D(2026, 11, 9), customer_id="K1", result="promised")]
    assert [(a.date.day, a.action) for a in schedule([r], D(2026, 11, 10), called)][:2] == [
        (12, "due_check"),
        (16, "chase"),  # grace 3: late from Nov 16
    ]


# ---- holidays ---------------------------------------------------------------------


def test_national_day_moves_the_reminder_before_it_and_the_check_after_it() -> None:
    # B grade key account, 60,000 due Thu Oct 8, seen on Mon Sep 28.
    # remind Oct 8 − 3 = Mon Oct 5 (holiday) → moved earlier to Wed Sep 30;
    # the push (1st working day of October) and the due check are both Oct 8: one row,
    # the check; grace 3 → chase from Mon Oct 12, every 5: 17 (Sat) → 19, 24 (Sat) → 26;
    # escalation from Oct 22 → the Oct 26 chase.
    k = customer(key=True)
    r = row(k, OCT, 60_000, [(D(2026, 10, 8), 60_000)], 0, D(2026, 9, 28))
    got = schedule([r], D(2026, 9, 28))
    assert plan_of(got) == [
        (D(2026, 9, 30), "remind", Decimal(60_000)),
        (D(2026, 10, 8), "due_check", Decimal(60_000)),
        (D(2026, 10, 12), "chase", Decimal(60_000)),
        (D(2026, 10, 19), "chase", Decimal(60_000)),
        (D(2026, 10, 26), "escalate", Decimal(60_000)),
    ]
    assert [x.action for x in got[1].reasons] == ["due_check", "push"]


def test_an_adjusted_working_saturday_gets_actions_and_the_holidays_table_overrides() -> None:
    # D grade, 10,000 due Fri Oct 9, seen on Fri Oct 9. D's grace is 0: chased from
    # Sat Oct 10 — a 调休 working day — then every 2 days: 12, 14, 16, 18 (Sun) → 19,
    # 21, 23, 25 (Sun) → 26, 28, 30; escalated from Oct 12 → that day's chase.
    k = customer(grade="D")
    as_of = D(2026, 10, 9)
    r = row(k, OCT, 10_000, [(D(2026, 10, 9), 10_000)], 0, as_of)
    days = [(a.date.day, a.action) for a in schedule([r], as_of)]
    assert days[:4] == [(9, "due_check"), (10, "chase"), (12, "escalate"), (14, "chase")]
    assert [d for d, _ in days] == [9, 10, 12, 14, 16, 19, 21, 23, 26, 28, 30]
    # The team works no 调休 Saturday and takes Mon Oct 12 off: chase Tue Oct 13 (and
    # escalate there), then 15, 17 (Sat, now off) → 19, ...
    own = workdays_from(
        [Holiday(date=D(2026, 10, 10), working=False), Holiday(date=D(2026, 10, 12))]
    )
    days = [(a.date.day, a.action) for a in schedule([r], as_of, workdays=own)]
    assert days[:4] == [(9, "due_check"), (13, "escalate"), (15, "chase"), (19, "chase")]


def test_an_installment_due_inside_a_holiday_with_no_working_day_before_it() -> None:
    # Seen on Thu Oct 1, an installment due Sat Oct 3: no working day lies between,
    # so there is no reminder at all; the due-day check is the first working day after.
    r = row(customer(), OCT, 10_000, [(D(2026, 10, 3), 10_000)], 0, D(2026, 10, 1))
    got = schedule([r], D(2026, 10, 1))
    assert not any(x.action == "remind" for a in got for x in a.reasons)
    assert got[0].date == D(2026, 10, 8) and got[0].action == "due_check"


# ---- one row per customer per day, order, Status columns ------------------------------


def test_two_months_meeting_on_a_day_make_one_row() -> None:
    # Seen on Wed Oct 28, a D-grade customer still owes 10,000 due Tue Oct 20 (chased
    # every 2 days from as_of: 28, 30) and has 20,000 due Fri Nov 6 (remind 7 days
    # before: Fri Oct 30). Oct 30 is one row about both, 30,000 at stake.
    k = customer(grade="D")
    as_of = D(2026, 10, 28)
    octo = row(k, OCT, 10_000, [(D(2026, 10, 20), 10_000)], 0, as_of)
    nov = row(k, NOV, 20_000, [(D(2026, 11, 6), 20_000)], 0, as_of)
    got = schedule([octo, nov], as_of)
    on_30 = [a for a in got if a.date == D(2026, 10, 30)]
    assert len(on_30) == 1
    assert on_30[0].action == "chase" and on_30[0].amount_at_stake == Decimal(30_000)
    assert [(x.action, x.month) for x in on_30[0].reasons] == [("chase", OCT), ("remind", NOV)]
    assert len({(a.row.customer.customer_id, a.date) for a in got}) == len(got)
    rows = with_follow_up((octo, nov), got, as_of)
    assert [r.next_follow_up for r in rows] == [D(2026, 10, 28), D(2026, 10, 30)]


def test_a_day_lists_key_accounts_first_then_the_larger_amount_at_stake() -> None:
    as_of = D(2026, 11, 12)  # Thursday; nobody has committed: everyone is touched today
    rows = [
        row(customer("S1"), NOV, 10_000, [], 0, as_of),
        row(customer("S2"), NOV, 90_000, [], 0, as_of),
        row(customer("K9", key=True), NOV, 5_000, [], 0, as_of),
        row(customer("K8", key=True), NOV, 6_000, [], 0, as_of),
    ]
    today = [a for a in schedule(rows, as_of) if a.date == as_of]
    assert [a.row.customer.customer_id for a in today] == ["K8", "K9", "S2", "S1"]


def test_priority_ranks_broken_then_partial_then_no_commitment_each_by_amount() -> None:
    as_of = D(2026, 11, 23)  # B grace 3: installments due before Nov 20 are late

    def r(cid: str, rep: str, target: int, inst: list[tuple[date, int]], got: int) -> StatusRow:
        return row(customer(cid, rep=rep), NOV, target, inst, got, as_of)

    rows = (
        r("ON", "李娜", 200_000, [(D(2026, 11, 27), 200_000)], 0),  # on track, 200,000 open
        r("B30", "李娜", 30_000, [(D(2026, 11, 5), 30_000)], 0),  # broken, 30,000 late
        r("KEPT", "李娜", 10_000, [(D(2026, 11, 5), 10_000)], 10_000),
        r("NONE", "李娜", 80_000, [], 0),  # no commitment, target 80,000
        r("B50", "李娜", 50_000, [(D(2026, 11, 6), 50_000)], 0),  # broken, 50,000 late
        r("P10", "李娜", 100_000, [(D(2026, 11, 2), 20_000), (D(2026, 11, 28), 80_000)], 10_000),
        r("W1", "王强", 10_000, [(D(2026, 11, 5), 10_000)], 0),  # another rep: ranked apart
    )
    assert [x.promise_status for x in rows] == [
        "on_track", "broken", "kept", "none", "broken", "partial", "broken",
    ]  # fmt: skip
    ranked = with_follow_up(rows, schedule(rows, as_of), as_of)
    got = {x.customer.customer_id: x.priority for x in ranked}
    assert got == {"B50": 1, "B30": 2, "P10": 3, "NONE": 4, "ON": 5, "KEPT": 6, "W1": 1}
    nxt = {x.customer.customer_id: x.next_follow_up for x in ranked}
    assert nxt["KEPT"] is None and nxt["B50"] == as_of


def test_analyse_uses_the_workbooks_policy_and_holidays() -> None:
    # A Policy row makes B chase every 2 days with no grace; a Holidays row closes Nov 25.
    k = customer()
    book = Book(
        customers=(k,),
        plan=(PlanRow(month=NOV, customer_id="K1", target=Decimal(10_000)),),
        commitments=(Installment(customer_id="K1", due=D(2026, 11, 23), amount=Decimal(10_000)),),
        cadences=(
            CadenceRow(
                credit_grade="B", remind_before=1, grace=0, chase_every=2, escalate_after=30
            ),
        ),
        holidays=(Holiday(date=D(2026, 11, 25)),),
    )
    rows, actions = analyse(book, D(2026, 11, 23))
    # check Mon 23, chase Tue 24, then 26 (2 days), 28 (Sat) → 30
    assert [(a.date.day, a.action) for a in actions] == [
        (23, "due_check"),
        (24, "chase"),
        (26, "chase"),
        (30, "chase"),
    ]
    assert rows[0].next_follow_up == D(2026, 11, 23) and rows[0].priority == 1


def test_tighter_is_one_grade_tighter_and_d_stays_d() -> None:
    assert [tighter(g) for g in "ABCD"] == ["B", "C", "D", "D"]
    assert tighter("?") == "C"  # an unknown grade counts as B


def test_policy_rows_override_their_grade_only() -> None:
    pol = policy_from(
        [CadenceRow(credit_grade="A", remind_before=1, grace=9, chase_every=0, escalate_after=40)]
    )
    assert pol.for_grade("A") == Cadence(1, 9, 1, 40)  # a chase interval is at least a day
    assert pol.for_grade("D") == DEFAULT_POLICY.for_grade("D")


# ---- invariants over random books ---------------------------------------------------

MONTHS = [D(2026, m, 1) for m in (1, 2, 5, 9, 10, 11, 12)]  # holidays, 调休, plain


@st.composite
def installments(draw: st.DrawFn, month: date) -> list[tuple[date, int]]:
    last = month_end(month).day
    n = draw(st.integers(0, 4))
    return [
        (month.replace(day=draw(st.integers(1, last))), draw(st.integers(1, 200)) * 500)
        for _ in range(n)
    ]


@st.composite
def books(draw: st.DrawFn) -> tuple[Book, date]:
    """A few customers over one or two months, with receipts, follow-ups and holidays."""
    month = draw(st.sampled_from(MONTHS))
    months = [month] + ([month_end(month) + timedelta(days=1)] if draw(st.booleans()) else [])
    as_of = month + timedelta(days=draw(st.integers(-12, month_end(month).day + 2)))
    custs, plan, commits, receipts, follow = [], [], [], [], []
    for n in range(draw(st.integers(1, 5))):
        cid = f"C{n}"
        custs.append(
            Customer(
                customer_id=cid,
                name=cid,
                rep=draw(st.sampled_from(["李娜", "王强"])),
                credit_grade=draw(st.sampled_from(GRADES)),
                key_account=draw(st.booleans()),
            )
        )
        for m in months:
            plan.append(
                PlanRow(month=m, customer_id=cid, target=Decimal(draw(st.integers(0, 9)) * 10_000))
            )
            for due, amount in draw(installments(m)):
                commits.append(Installment(customer_id=cid, due=due, amount=Decimal(amount)))
            for _ in range(draw(st.integers(0, 2))):
                day = m.replace(day=draw(st.integers(1, 28)))
                receipts.append(
                    Receipt(
                        date=day, customer_id=cid, amount=Decimal(draw(st.integers(1, 100)) * 500)
                    )
                )
        if draw(st.booleans()):
            day = as_of - timedelta(days=draw(st.integers(-3, 20)))
            follow.append(FollowUp(date=day, customer_id=cid, result="no_answer"))
    span = st.dates(month - timedelta(days=12), month_end(months[-1]))
    holidays = draw(st.dictionaries(span, st.booleans(), max_size=6))
    book = Book(
        customers=tuple(custs),
        plan=tuple(plan),
        commitments=tuple(commits),
        receipts=tuple(receipts),
        followups=tuple(follow),
        holidays=tuple(Holiday(date=d, working=w) for d, w in holidays.items()),
    )
    return book, as_of


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(book: Book, as_of: date) -> tuple[tuple[StatusRow, ...], tuple[Action, ...], Workdays]:
    rows, actions = analyse(book, as_of)
    return rows, actions, workdays_from(book.holidays)


@SETTINGS
@given(books())
def test_nothing_before_as_of_after_the_month_or_on_a_day_off(case: tuple[Book, date]) -> None:
    as_of = case[1]
    _, actions, cal = run(*case)
    for a in actions:
        assert a.date >= as_of
        assert all(a.date <= month_end(r.month) for r in a.reasons)
        assert cal.is_working(a.date), a.date  # a holiday only when the Holidays table says so


@SETTINGS
@given(books())
def test_one_row_per_customer_per_day_in_order(case: tuple[Book, date]) -> None:
    _, actions, _ = run(*case)
    seen = Counter((a.row.customer.customer_id, a.date) for a in actions)
    assert all(n == 1 for n in seen.values())
    keys = [(a.date, not a.row.customer.key_account, -a.amount_at_stake) for a in actions]
    assert keys == sorted(keys)
    for a in actions:
        assert a.action == min((x.action for x in a.reasons), key=ACTIONS.index)
        assert a.amount_at_stake > 0
        per_inst = Counter((x.month, x.installment) for x in a.reasons if x.installment >= 0)
        assert all(n == 1 for n in per_inst.values())  # the most urgent reason per installment


@SETTINGS
@given(books())
def test_every_unpaid_installment_due_after_as_of_is_reminded_by_its_due_day(
    case: tuple[Book, date],
) -> None:
    """Reminded on a working day in [as_of, due]. On the due day itself the reminder is the
    due-day check (one reason per installment a day). Two exceptions: no working day lies
    between as_of and the due day (both included) — then there is no reminder and the
    check is the first working day after; or the customer's last logged follow-up is on or
    after the reminder's day — it did the reminder. (No reminder day is before the
    working day on or before due − 7 days, 7 being the longest default lead.)"""
    book, as_of = case
    rows, actions, cal = run(*case)
    for r in rows:
        if month_end(r.month) < as_of:
            continue
        for index, (inst, owed) in enumerate(
            zip(r.installments, unpaid(r.installments, r.received), strict=True)
        ):
            if owed <= 0 or inst.due <= as_of:
                continue
            found = [
                (a.date, x.action)
                for a in actions
                if a.row.customer.customer_id == r.customer.customer_id
                for x in a.reasons
                if (x.month, x.installment) == (r.month, index)
                and x.action in ("remind", "due_check")
            ]
            last = last_contacts(book.followups, as_of).get(r.customer.customer_id)
            if last is not None and last >= cal.on_or_before(inst.due - timedelta(days=7)):
                continue  # a follow-up since the reminder's day may have done it
            if cal.any_between(as_of, inst.due):
                assert any(
                    d <= inst.due and (act == "remind" or d == inst.due) for d, act in found
                ), (inst, found)
            else:
                assert all(act == "due_check" and d > inst.due for d, act in found)


@SETTINGS
@given(books())
def test_chases_only_after_the_grace_and_only_for_money_still_owed(case: tuple[Book, date]) -> None:
    rows, actions, _ = run(*case)
    by_key = {(r.month, r.customer.customer_id): r for r in rows}
    for a in actions:
        for x in a.reasons:
            if x.action not in ("chase", "escalate"):
                continue
            r = by_key[x.month, a.row.customer.customer_id]
            assert unpaid(r.installments, r.received)[x.installment] == x.amount > 0
            tightest = DEFAULT_POLICY.for_grade(tighter(r.customer.credit_grade)).grace
            assert a.date > x.installment_due + timedelta(days=tightest)


@st.composite
def one_customer(
    draw: st.DrawFn,
) -> tuple[date, list[tuple[date, int]], int, date, bool, date | None, dict[date, bool]]:
    month = draw(st.sampled_from(MONTHS))
    inst = draw(installments(month))
    committed = sum(a for _, a in inst)
    received = draw(st.integers(0, committed // 500 + 4)) * 500 if draw(st.booleans()) else 0
    as_of = month + timedelta(days=draw(st.integers(-12, month_end(month).day + 1)))
    last = as_of - timedelta(days=draw(st.integers(0, 25))) if draw(st.booleans()) else None
    span = st.dates(month - timedelta(days=12), month_end(month))
    holidays = draw(st.dictionaries(span, st.booleans(), max_size=6))
    return month, inst, received, as_of, draw(st.booleans()), last, holidays


def count_for(case, grade: str, logged: bool) -> tuple[int, int]:
    """(touches, chases and escalations) of one customer at `grade`."""
    month, inst, received, as_of, key, last, holidays = case
    followups = [FollowUp(date=last, customer_id="K1", result="no_answer")] if logged else []
    r = row(customer(grade=grade, key=key), month, 100_000, inst, received, as_of)
    got = schedule([r], as_of, followups, workdays=Workdays(holidays))
    chases = sum(x.action in ("chase", "escalate") for a in got for x in a.reasons)
    return touches(got), chases


@settings(max_examples=600, deadline=None)
@given(one_customer(), st.sampled_from("ABC"))
def test_a_tighter_grade_never_gets_fewer_touches_for_the_same_installments(
    case, grade: str
) -> None:
    """Touches are the reasons of the customer's rows: a day about two installments is two
    contacts (rows per day can merge differently when reminders move earlier). Each
    installment's reminder and check only move earlier, its chases start no later and come
    no less often, so the count can only grow with the grade."""
    assert count_for(case, grade, logged=False)[0] <= count_for(case, tighter(grade), False)[0]


@settings(max_examples=600, deadline=None)
@given(one_customer().filter(lambda c: c[5] is not None), st.sampled_from("ABC"))
def test_after_a_logged_follow_up_a_tighter_grade_never_gets_fewer_chases(case, grade) -> None:
    """A logged follow-up does the actions due by its day: a tighter grade, whose reminder
    came earlier, may have one less reminder left to do, but never fewer chases."""
    assert count_for(case, grade, logged=True)[1] <= count_for(case, tighter(grade), True)[1]


@SETTINGS
@given(books())
def test_the_schedule_of_a_team_is_the_schedules_of_its_customers(case: tuple[Book, date]) -> None:
    book, as_of = case
    _, actions, cal = run(*case)
    policy = policy_from(book.cadences)
    rows = status(book, as_of, policy)
    alone = [
        a
        for c in book.customers
        for a in schedule([r for r in rows if r.customer == c], as_of, book.followups, policy, cal)
    ]

    def key(a: Action) -> tuple[date, str, str, Decimal]:
        return a.date, a.row.customer.customer_id, a.action, a.amount_at_stake

    assert sorted(map(key, alone)) == sorted(map(key, actions))
