"""The cell functions: exactly the engine's numbers, cell by cell and range by range.

Outside Windows the xlwings decorators do nothing, so each function is called here as
Excel's xlwings would call it: every argument a 2-D list (ndim=2), empty cells None,
error cells as their text ("#N/A", err_to_str). Expected values come from the engine
and values.py — the one definition — or, for the sample team, from refresh itself.
"""

from __future__ import annotations

import ast
import inspect
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from books import sample_book
from huikuan import udfs
from huikuan.engine import negotiation, schedule, status
from huikuan.engine.analysis import analyse
from huikuan.engine.policy import DEFAULT_POLICY
from huikuan.model import Customer, Installment, PlanRow
from huikuan.udfs import (
    AMOUNT,
    ASK,
    COMPLETION,
    COVERAGE,
    FOLLOWUP_DATES,
    FULFILMENT,
    GAP,
    NEXT_FOLLOWUP,
    PROMISE_STATUS,
    REMAINING_GAP,
    SETTLE_RATIO,
)
from huikuan.values import fen, parse_amount
from huikuan.workbook.files import FileTables
from huikuan.workbook.reader import read_book

D = Decimal
NOV = date(2026, 11, 1)
AS_OF = date(2026, 11, 23)


def money(amount: Decimal) -> float:
    """What a cell shows for an engine amount: rounded half-up to the fen."""
    return float(fen(amount))


def col(*values: object) -> list[list[object]]:
    """A one-column range as xlwings hands it over with ndim=2."""
    return [[v] for v in values]


# ---- one cell ------------------------------------------------------------------


def test_gap_is_the_engines_gap_rounded_to_the_fen():
    assert GAP(200000, 100000) == 100000.0
    assert GAP([[200000]], [[250000]]) == 0.0  # a 1×1 range gives one value
    assert GAP("12.5万", "¥12,345.675") == money(status.gap(D(125000), D("12345.675")))


def test_remaining_gap_coverage_fulfilment_completion_are_the_engines():
    assert REMAINING_GAP(200000, 100000, 30000) == money(
        status.remaining_gap(status.gap(D(200000), D(100000)), D(30000))
    )
    assert COVERAGE(100000, 30000) == 0.3
    assert COVERAGE(0, 0) == 1.0  # no gap: fully covered
    assert COVERAGE(10000, 25000) == 2.5  # not capped above 1
    assert FULFILMENT(50000, 60000) == float(D(50000) / D(60000))
    assert COMPLETION("5万", "20万") == 0.25


def test_ratios_are_empty_where_the_spec_says_empty():
    assert FULFILMENT(50000, 0) is None  # nothing due yet
    assert FULFILMENT(50000, None) is None
    assert COMPLETION(1000, 0) is None  # target 0


def test_text_amounts_are_read_as_refresh_reads_them():
    for text in ("12.5万", "12.5万元", "¥125,000", "１２５０００", "十二万五千"):
        assert AMOUNT(text) == money(parse_amount(text)) == 125000.0
    assert AMOUNT("234.565") == 234.57  # half-up to the fen, as refresh writes


@pytest.mark.parametrize("bad", ["待定", "约十来万", "-5", -5, True])
def test_an_amount_that_does_not_parse_is_value_error(bad: object):
    assert AMOUNT(bad) == "#VALUE!"
    assert GAP(bad, 0) == "#VALUE!"
    assert COVERAGE(1000, bad) == "#VALUE!"


def test_an_error_read_from_a_cell_comes_back_as_itself():
    assert GAP("#N/A", 5) == "#N/A"
    assert AMOUNT("#DIV/0!") == "#DIV/0!"
    assert PROMISE_STATUS(col(date(2026, 11, 5)), col("#REF!"), 0, AS_OF) == "#REF!"


def test_blanks_count_as_nothing_and_a_blank_target_gives_an_empty_cell():
    assert GAP(100000, None) == 100000.0  # no commitment yet
    assert GAP(None, 5000) is None  # no target: no gap to speak of
    assert GAP("  ", None) is None
    assert REMAINING_GAP(100000, None, None) == 100000.0
    assert COVERAGE(None, 100) is None
    assert AMOUNT(None) is None


# ---- ranges ---------------------------------------------------------------------


def test_a_range_gives_a_range_of_the_same_shape():
    targets = col(200000, "5万", None, 0)
    committed = col(100000, 30000, None, 10)
    assert GAP(targets, committed) == [[100000.0], [20000.0], [None], [0.0]]


def test_a_single_cell_stretches_over_a_range():
    assert GAP(col(100, 200, 300), 150) == [[0.0], [50.0], [150.0]]
    assert ASK(col(75000, "7.5万"), "50%") == [[150000.0], [150000.0]]


def test_a_row_and_a_column_make_a_table_as_in_excel():
    assert GAP([[100, 200]], col(50, 150)) == [[50.0, 150.0], [0.0, 50.0]]


def test_cells_beyond_the_smaller_range_are_not_available():
    assert GAP(col(100, 200, 300), col(1, 2)) == [[99.0], [198.0], ["#N/A"]]


def test_one_bad_cell_spoils_only_its_own_result():
    assert AMOUNT([["12.5万", "待定", None, "3千"]]) == [[125000.0, "#VALUE!", None, 3000.0]]


@settings(max_examples=200, deadline=None)
@given(
    hs.lists(
        hs.tuples(
            hs.decimals(min_value=0, max_value=10**9, places=3),
            hs.decimals(min_value=0, max_value=10**9, places=3),
        ),
        min_size=2,  # one cell gives one value, not a range
        max_size=12,
    )
)
def test_gap_and_coverage_ranges_agree_with_the_engine_everywhere(pairs):
    targets = col(*(float(t) for t, _ in pairs))
    others = col(*(float(c) for _, c in pairs))
    want_gap = [
        [money(status.gap(parse_amount(t[0]), parse_amount(c[0])))]
        for t, c in zip(targets, others, strict=True)
    ]
    assert GAP(targets, others) == want_gap
    want_cov = [
        [float(status.coverage(parse_amount(g[0]), parse_amount(c[0])))]
        for g, c in zip(targets, others, strict=True)
    ]
    assert COVERAGE(targets, others) == want_cov


# ---- negotiation ------------------------------------------------------------------


def test_ask_is_the_engines_suggested_ask():
    assert ASK(75000) == money(negotiation.suggested_ask(D(75000)))  # the default 75%
    assert ASK(75000, 0.6) == money(negotiation.suggested_ask(D(75000), D("0.6")))
    assert ASK(12345, "80%", 1000) == money(negotiation.suggested_ask(D(12345), D("0.8"), D(1000)))
    assert ASK(None) is None


@pytest.mark.parametrize("ratio", [0, -0.5, "0%"])
def test_an_ask_with_no_settle_ratio_above_zero_is_num_error(ratio: object):
    assert ASK(75000, ratio) == "#NUM!"


def test_ask_rounding_to_zero_is_num_error_and_bad_text_value_error():
    assert ASK(75000, None, 0) == "#NUM!"
    assert ASK(75000, "大概") == "#VALUE!"


def test_settle_ratio_is_the_engines_over_the_months_with_an_ask():
    asks = col(100000, 200000, None, 50000)
    settled = col(80000, 100000, 99999, None)  # a month without an ask does not count
    assert SETTLE_RATIO(asks, settled) == float(
        negotiation.settle_ratio([D(100000), D(200000), D(50000)], [D(80000), D(100000), D(0)])
    )
    assert SETTLE_RATIO(col(None, None), col(5, None)) is None  # no history: empty
    assert SETTLE_RATIO(col(1, 2), col(1)) == "#VALUE!"  # months do not pair up
    assert SETTLE_RATIO(col(100, "x"), col(1, 1)) == "#VALUE!"


def test_ask_from_the_settle_ratio_lands_on_the_want():
    ratio = SETTLE_RATIO(col(100000, 200000), col(75000, 150000))
    assert ratio == 0.75
    assert ASK(90000, ratio) == money(negotiation.suggested_ask(D(90000), D("0.75")))


# ---- promises and follow-ups ---------------------------------------------------------

DUES = col(date(2026, 11, 10), "2026-11-25", None)
AMOUNTS = col(60000, "4万", None)  # the empty third pair is skipped


def engine_installments() -> list[Installment]:
    return [
        Installment(customer_id="", due=date(2026, 11, 10), amount=D(60000)),
        Installment(customer_id="", due=date(2026, 11, 25), amount=D(40000)),
    ]


@pytest.mark.parametrize(
    ("received", "as_of", "grade"),
    [
        (0, AS_OF, "A"),
        (50000, AS_OF, "A"),
        (60000, AS_OF, "A"),
        (100000, AS_OF, "D"),
        (0, date(2026, 11, 12), "A"),
        (0, date(2026, 11, 12), "d"),
    ],
)
def test_promise_status_is_the_engines(received: int, as_of: date, grade: str):
    grace = DEFAULT_POLICY.for_grade(grade.upper()).grace
    want = status.promise_status(engine_installments(), D(received), as_of, grace)
    assert PROMISE_STATUS(DUES, AMOUNTS, received, as_of, grade) == want


def test_promise_status_in_chinese_or_english_and_received_as_a_range():
    receipts = col(20000, "3万", None)
    args = (DUES, AMOUNTS, receipts, datetime(2026, 11, 23, 9, 30))
    assert PROMISE_STATUS(*args, "A") == "partial"
    assert PROMISE_STATUS(*args, "A", "zh") == "部分兑现"
    assert PROMISE_STATUS(*args, "A", "en") == "partial"
    assert PROMISE_STATUS(col(None), col(None), 0, AS_OF) == "none"
    assert PROMISE_STATUS(col(None), col(None), 0, AS_OF, None, "中文") == "未承诺"


@pytest.mark.parametrize(
    "args",
    [
        (col(date(2026, 11, 10)), col(60000, 1), 0, AS_OF),  # ranges of different sizes
        (col(date(2026, 11, 10)), col(None), 0, AS_OF),  # a due date without an amount
        (col("someday"), col(5), 0, AS_OF),
        (DUES, AMOUNTS, 0, None),  # no as-of day
        (DUES, AMOUNTS, 0, AS_OF, "E"),  # no such grade
        (DUES, AMOUNTS, 0, AS_OF, "A", "fr"),
        (DUES, AMOUNTS, 0, col(AS_OF, AS_OF)),  # as_of must be one cell
    ],
)
def test_promise_status_with_bad_input_is_value_error(args: tuple):
    assert PROMISE_STATUS(*args) == "#VALUE!"


def engine_actions(received: int, grade: str, key: bool = False) -> tuple[schedule.Action, ...]:
    plan = PlanRow(month=NOV, customer_id="", target=D(100000))
    customer = Customer(customer_id="", name="", rep="", credit_grade=grade, key_account=key)
    row = status.status_row(plan, customer, engine_installments(), D(received), D(0), AS_OF)
    return schedule.schedule([row], AS_OF)


@pytest.mark.parametrize(
    ("received", "grade", "key"), [(0, "B", False), (50000, "A", True), (60000, "D", False)]
)
def test_next_follow_up_and_the_schedule_are_the_engines(received: int, grade: str, key: bool):
    actions = engine_actions(received, grade, key)
    assert (
        NEXT_FOLLOWUP(DUES, AMOUNTS, received, grade, AS_OF, "是" if key else None)
        == actions[0].date
    )
    spilled = FOLLOWUP_DATES(DUES, AMOUNTS, received, grade, AS_OF, key)
    assert spilled == [
        [a.date, a.action, a.installment_due, money(a.amount_at_stake)] for a in actions
    ]


def test_follow_up_dates_in_chinese_and_only_the_months_installments():
    later = col(date(2026, 11, 10), "2026-11-25", date(2026, 12, 20))
    amounts = col(60000, "4万", 99999)  # December's installment is not this month's business
    rows = FOLLOWUP_DATES(later, amounts, 50000, "A", AS_OF, None, "zh")
    assert rows == FOLLOWUP_DATES(DUES, AMOUNTS, 50000, "A", AS_OF, None, "zh")
    assert rows[0][1] == "催收"


def test_nothing_left_to_do_this_month_is_an_empty_cell():
    dues = col(date(2026, 11, 10))
    assert NEXT_FOLLOWUP(dues, col(60000), 60000, "B", AS_OF) is None
    assert FOLLOWUP_DATES(dues, col(60000), 60000, "B", AS_OF) is None


# ---- the sample team: cell functions and refresh agree ---------------------------------


def test_the_cell_functions_give_refreshs_numbers_for_the_sample_team(tmp_path: Path):
    book, _ = read_book(FileTables(sample_book(tmp_path / "team.xlsx")))
    rows, _ = analyse(book, AS_OF)
    assert rows
    for row in rows:
        cid = row.customer.customer_id
        dues = col(*(c.due for c in book.commitments if c.customer_id == cid), None)
        amounts = col(*(c.amount for c in book.commitments if c.customer_id == cid), None)
        measures = sum(
            (
                m.contribution
                for m in book.measures
                if m.customer_id == cid and m.status != "dropped"
            ),
            D(0),
        )
        grade = row.customer.credit_grade
        assert GAP(float(row.target), float(row.committed)) == money(row.gap)
        assert REMAINING_GAP(float(row.target), float(row.committed), float(measures)) == money(
            row.remaining_gap
        )
        assert COVERAGE(float(row.gap), float(measures)) == float(row.coverage)
        assert FULFILMENT(float(row.received), float(row.due_to_date)) == (
            None if row.fulfilment is None else float(row.fulfilment)
        )
        assert COMPLETION(float(row.received), float(row.target)) == (
            None if row.completion is None else float(row.completion)
        )
        assert (
            PROMISE_STATUS(dues, amounts, float(row.received), AS_OF, grade) == row.promise_status
        )
        last = max((f.date for f in book.followups if f.customer_id == cid), default=None)
        assert (
            NEXT_FOLLOWUP(
                dues,
                amounts,
                float(row.received),
                grade,
                AS_OF,
                row.customer.key_account,
                float(row.target),
                last,
            )
            == row.next_follow_up
        )


# ---- help text -----------------------------------------------------------------------


def decorators(fn: object) -> list[ast.Call]:
    tree = ast.parse(inspect.getsource(udfs))
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == fn.__name__)
    return [d for d in node.decorator_list if isinstance(d, ast.Call)]


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def has_latin(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


@pytest.mark.parametrize("fn", udfs.FUNCTIONS, ids=lambda f: f.__name__)
def test_every_function_has_help_in_chinese_and_english(fn):
    summary = fn.__doc__.strip().splitlines()[0]
    assert has_cjk(fn.__doc__) and has_latin(fn.__doc__)
    assert has_cjk(summary) and len(fn.__doc__) > 40
    docs = {}
    for call in decorators(fn):
        if getattr(call.func, "attr", "") == "arg":
            name = ast.literal_eval(call.args[0])
            docs[name] = next(ast.literal_eval(k.value) for k in call.keywords if k.arg == "doc")
    assert list(docs) == list(inspect.signature(fn).parameters)  # one doc per argument, in order
    for name, doc in docs.items():
        assert has_cjk(doc) and has_latin(doc), name
        assert len(doc) <= 255, name  # Excel's limit for an argument description


def test_the_function_list_is_every_decorated_function():
    names = {
        n.name
        for n in ast.parse(inspect.getsource(udfs)).body
        if isinstance(n, ast.FunctionDef) and n.name.isupper()
    }
    assert names == {f.__name__ for f in udfs.FUNCTIONS}
    assert len(udfs.FUNCTIONS) == 11
