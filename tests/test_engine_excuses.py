"""Excuses (METHOD §5): by rep and kind, counts, acceptances and deferred money, worked by hand.

Month 2026-11, as of 2026-11-23. Each kind of excuse also has its counter-measure in
both languages (workbook/remedies.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from huikuan import contract
from huikuan.engine.diagnosis import diagnose
from huikuan.engine.excuses import KINDS, ExcuseSummary, summarise
from huikuan.engine.status import status
from huikuan.model import Book, Customer, FollowUp, PlanRow
from huikuan.workbook.remedies import COUNTER_MEASURES, pick

NOV = date(2026, 11, 1)
AS_OF = date(2026, 11, 23)
D = Decimal

CUSTOMERS = {
    "K1": Customer(customer_id="K1", name="甲", rep="王强"),
    "K2": Customer(customer_id="K2", name="乙", rep="王强"),
    "K3": Customer(customer_id="K3", name="丙", rep="李娜"),
}


def heard(
    cid: str,
    day: date,
    kind: str | None,
    accepted: bool,
    deferred: int | None,
    result: str = "excuse",
) -> FollowUp:
    return FollowUp(
        date=day,
        customer_id=cid,
        result=result,
        excuse_kind=kind,
        excuse_accepted=accepted,
        deferred=None if deferred is None else D(deferred),
    )


def nov(day: int) -> date:
    return date(2026, 11, day)


FOLLOWUPS = [
    # counted: excuses of November up to 11-23 from known customers
    heard("K1", nov(2), "quality", True, 20_000),
    heard("K2", nov(6), "quality", False, 15_000),
    heard("K1", nov(9), "quality", True, 5_000),
    heard("K1", nov(11), None, True, None),  # no kind recorded → "other"
    heard("K3", nov(12), "downstream", True, 40_000),
    heard("K3", nov(13), "quality", False, None),
    # an excuse logged on a contact whose result is not 推脱 counts all the same (issue 13)
    heard("K1", nov(10), "personal", True, 9_000, result="promised"),
    # not counted
    heard("K1", date(2026, 10, 30), "cash", True, 70_000),  # October
    heard("K3", nov(24), "cash", True, 80_000),  # after as_of
    heard("K9", nov(14), "dispute", True, 60_000),  # no such customer
]


def test_excuses_are_summarised_by_rep_and_kind_then_for_the_team() -> None:
    # 李娜 (K3): downstream 1 heard, 1 accepted, 40,000 deferred, all accepted;
    #            quality 1 heard, 0 accepted, nothing deferred.
    # 王强 (K1, K2): quality heard 3 times (K1 11-02, K2 11-06, K1 11-09), accepted 2;
    #            deferred 20,000 + 15,000 + 5,000 = 40,000, of which accepted 20,000 + 5,000
    #            = 25,000; personal 1 heard (result 承诺), accepted, 9,000 deferred;
    #            other (no kind given) 1 heard, 1 accepted, no amount.
    # Team: quality 3 + 1 = 4 heard, 2 accepted, 40,000 deferred, 25,000 accepted;
    #       downstream as 李娜's; personal and other as 王强's.
    # Order: reps by name (李 before 王), then the team; kinds in KINDS order.
    got = summarise(FOLLOWUPS, CUSTOMERS, NOV, AS_OF)
    assert got == (
        ExcuseSummary("李娜", "quality", 1, 0, D(0), D(0), ("K3",)),
        ExcuseSummary("李娜", "downstream", 1, 1, D(40_000), D(40_000), ("K3",)),
        ExcuseSummary("王强", "quality", 3, 2, D(40_000), D(25_000), ("K1", "K2")),
        ExcuseSummary("王强", "personal", 1, 1, D(9_000), D(9_000), ("K1",)),
        ExcuseSummary("王强", "other", 1, 1, D(0), D(0), ("K1",)),
        ExcuseSummary(None, "quality", 4, 2, D(40_000), D(25_000), ("K1", "K2", "K3")),
        ExcuseSummary(None, "personal", 1, 1, D(9_000), D(9_000), ("K1",)),
        ExcuseSummary(None, "downstream", 1, 1, D(40_000), D(40_000), ("K3",)),
        ExcuseSummary(None, "other", 1, 1, D(0), D(0), ("K1",)),
    )


def test_the_team_rows_are_the_sums_of_the_reps_rows() -> None:
    got = summarise(FOLLOWUPS, CUSTOMERS, NOV, AS_OF)
    for kind in KINDS:
        reps = [e for e in got if e.rep is not None and e.kind == kind]
        team = [e for e in got if e.rep is None and e.kind == kind]
        if not reps:
            assert not team
            continue
        (t,) = team
        assert t.count == sum(e.count for e in reps)
        assert t.accepted == sum(e.accepted for e in reps)
        assert t.deferred == sum(e.deferred for e in reps)
        assert t.deferred_accepted == sum(e.deferred_accepted for e in reps)


def test_a_later_as_of_takes_in_the_excuses_heard_since() -> None:
    # As of 11-30 K3's cash excuse of 11-24 (accepted, 80,000) counts too.
    got = summarise(FOLLOWUPS, CUSTOMERS, NOV, date(2026, 11, 30))
    cash = [e for e in got if e.kind == "cash"]
    assert cash == [
        ExcuseSummary("李娜", "cash", 1, 1, D(80_000), D(80_000), ("K3",)),
        ExcuseSummary(None, "cash", 1, 1, D(80_000), D(80_000), ("K3",)),
    ]


def test_a_month_without_excuses_has_no_rows() -> None:
    assert summarise(FOLLOWUPS, CUSTOMERS, date(2026, 12, 1), date(2026, 12, 31)) == ()


def test_the_kinds_are_the_contracts_and_each_has_a_counter_measure_in_both_languages() -> None:
    assert tuple(c.key for c in contract.EXCUSE_KINDS) == KINDS
    assert tuple(COUNTER_MEASURES) == KINDS
    for kind in KINDS:
        en, zh = pick(COUNTER_MEASURES[kind], "en"), pick(COUNTER_MEASURES[kind], "zh")
        assert en and zh and en != zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)


def test_the_counter_measures_are_the_articles_answers() -> None:
    # METHOD / issue 4: downstream arrears → collect together; quality → apart from payment;
    # personal reasons → hold the date.
    assert "retailers" in pick(COUNTER_MEASURES["downstream"], "en")
    assert "陪同客户" in pick(COUNTER_MEASURES["downstream"], "zh")
    assert "apart from payment" in pick(COUNTER_MEASURES["quality"], "en")
    assert "与回款分开" in pick(COUNTER_MEASURES["quality"], "zh")
    assert "hold the date" in pick(COUNTER_MEASURES["personal"], "en")
    assert "坚持原定回款日期" in pick(COUNTER_MEASURES["personal"], "zh")


def test_demands_low_is_the_money_deferred_by_accepted_excuses_in_the_excuse_summary() -> None:
    # With a November plan for each customer, the accepted deferrals of the summary are
    # the demands_low money: 王强 20,000 + 5,000 + 9,000 (the excuse on a 承诺 contact)
    # = 34,000; 李娜 40,000; team 74,000.
    # Targets 王强 100,000 + 150,000 = 250,000 → 0.136; 李娜 400,000 → 0.1; team 74,000 ÷
    # 650,000 = 74/650.
    book = Book(
        customers=tuple(CUSTOMERS.values()),
        plan=(
            PlanRow(month=NOV, customer_id="K1", target=D(100_000)),
            PlanRow(month=NOV, customer_id="K2", target=D(150_000)),
            PlanRow(month=NOV, customer_id="K3", target=D(400_000)),
        ),
        followups=tuple(FOLLOWUPS),
    )
    found = diagnose(status(book, AS_OF), book.followups, AS_OF, receipts=book.receipts)
    low = {f.rep: (f.amount, f.figure) for f in found if f.cause == "demands_low"}
    assert low == {
        "王强": (D(34_000), D("0.136")),
        "李娜": (D(40_000), D("0.1")),
        None: (D(74_000), D(74) / D(650)),
    }
    summary = summarise(FOLLOWUPS, CUSTOMERS, NOV, AS_OF)
    for rep, (amount, _) in low.items():
        assert amount == sum(e.deferred_accepted for e in summary if e.rep == rep)
