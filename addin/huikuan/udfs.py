"""Cell functions 单元格函数 (xlwings UDFs): =GAP(B2,C2), =AMOUNT("12.5万"), =ASK(D2) …

Each one reads cells, calls the one definition in the engine or values.py, and
writes cells; nothing is computed here. A range gives a range (elementwise; Excel
spills it), a single cell gives a single value. A bad cell never raises: its
result is an Excel error in its place — #VALUE! for a value that does not parse,
#NUM! for a number out of range, #N/A where ranges of different sizes have no
counterpart, and an error read from an input cell comes back as itself. Errors
travel as xlwings reads them ("#VALUE!" …); the add-in's VBA wrappers turn them
into real error values. Amounts come back rounded half-up to the fen, as
refresh writes them; ratios unrounded. The functions use the built-in follow-up
policy and China's working days: they cannot see the workbook's Policy, Holidays
or FollowUps tables (NEXT_FOLLOWUP and FOLLOWUP_DATES take the last contact as an
argument instead).

Parameters carry no type annotations on purpose: on Windows xlwings turns an
annotation into a converter. On other systems the decorators do nothing and
these are plain Python functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import xlwings as xw

from . import cells as xl
from . import contract
from .engine import negotiation as neg
from .engine import status as st
from .engine.customer import customer_promise_status, customer_schedule
from .engine.status import ZERO
from .values import is_blank, parse_amount, parse_ratio, parse_yesno

CATEGORY = "回款 huikuan"


# ---- gap and coverage ---------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("target", ndim=2, err_to_str=True, doc="我方目标 Our target (yuan; 12.5万 works)")
@xw.arg("committed", ndim=2, err_to_str=True, doc="已承诺 What the customer committed")
def GAP(target, committed):
    """目标差距 = max(0, 目标 − 已承诺)。Gap = max(0, target − committed).

    Empty target: empty. Empty committed: 0. 空目标返回空；空承诺按 0 计。
    """

    def one(t: Any, c: Any) -> float | None:
        t_ = xl.amount(t, None)
        return None if t_ is None else xl.money(st.gap(t_, xl.amount(c) or ZERO))

    return xl.elementwise(one, target, committed)


@xw.func(category=CATEGORY)
@xw.arg("target", ndim=2, err_to_str=True, doc="我方目标 Our target")
@xw.arg("committed", ndim=2, err_to_str=True, doc="已承诺 What the customer committed")
@xw.arg("contribution", ndim=2, err_to_str=True, doc="措施贡献 What the measures add")
def REMAINING_GAP(target, committed, contribution):
    """剩余差距 = max(0, 目标差距 − 措施贡献)。Remaining gap = max(0, gap − measures).

    Empty target: empty. 空目标返回空。
    """

    def one(t: Any, c: Any, m: Any) -> float | None:
        t_ = xl.amount(t, None)
        if t_ is None:
            return None
        return xl.money(st.remaining_gap(st.gap(t_, xl.amount(c) or ZERO), xl.amount(m) or ZERO))

    return xl.elementwise(one, target, committed, contribution)


@xw.func(category=CATEGORY)
@xw.arg("gap", ndim=2, err_to_str=True, doc="目标差距 The gap")
@xw.arg("contribution", ndim=2, err_to_str=True, doc="措施贡献 What the measures add")
def COVERAGE(gap, contribution):
    """覆盖率 = 措施贡献 ÷ 目标差距，无差距为 100%。Coverage = measures ÷ gap; 1 when no gap.

    Not capped above 1. Empty gap: empty. 不封顶；空差距返回空。
    """

    def one(g: Any, m: Any) -> float | None:
        g_ = xl.amount(g, None)
        return None if g_ is None else xl.share(st.coverage(g_, xl.amount(m) or ZERO))

    return xl.elementwise(one, gap, contribution)


@xw.func(category=CATEGORY)
@xw.arg("received", ndim=2, err_to_str=True, doc="已回款 Received")
@xw.arg("due", ndim=2, err_to_str=True, doc="应回款至今 Due to date")
def FULFILMENT(received, due):
    """兑现率 = 已回款 ÷ 应回款至今。Fulfilment = received ÷ due to date.

    Empty when nothing is due yet. 尚无到期金额时返回空。
    """

    def one(r: Any, d: Any) -> float | None:
        return xl.share(st.ratio(xl.amount(r) or ZERO, xl.amount(d) or ZERO))

    return xl.elementwise(one, received, due)


@xw.func(category=CATEGORY)
@xw.arg("received", ndim=2, err_to_str=True, doc="已回款 Received")
@xw.arg("target", ndim=2, err_to_str=True, doc="我方目标 Our target")
def COMPLETION(received, target):
    """完成率 = 已回款 ÷ 我方目标。Completion = received ÷ target.

    Empty when the target is 0 or empty. 目标为 0 或空时返回空。
    """

    def one(r: Any, t: Any) -> float | None:
        return xl.share(st.ratio(xl.amount(r) or ZERO, xl.amount(t) or ZERO))

    return xl.elementwise(one, received, target)


# ---- negotiation ----------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("want", ndim=2, err_to_str=True, doc="想要的金额 The amount you want agreed")
@xw.arg(
    "settle_ratio",
    ndim=2,
    err_to_str=True,
    doc="成交比例，默认 75% Settle ratio: committed ÷ asked (default 75%)",
)
@xw.arg(
    "round_to",
    ndim=2,
    err_to_str=True,
    doc="取整单位，默认自动 Round up to this unit (default: 100 … 1万 by size)",
)
def ASK(want, settle_ratio=None, round_to=None):
    """建议要求 = 想要 ÷ 成交比例，向上取整。Suggested ask = want ÷ settle ratio, rounded up.

    Ask this much to land on what you want. Ratio ≤ 0: #NUM!. 比例须大于 0。
    """

    def one(w: Any, s: Any, u: Any) -> float | None:
        w_ = xl.amount(w, None)
        if w_ is None:
            return None
        r = neg.DEFAULT_SETTLE if is_blank(s) else parse_ratio(s)
        unit = None if is_blank(u) else parse_amount(u)
        if r <= 0 or unit == 0:
            raise xl.CellError(xl.NUM)
        return xl.money(neg.suggested_ask(w_, r, unit))

    return xl.elementwise(one, want, settle_ratio, round_to)


@xw.func(category=CATEGORY)
@xw.arg("asks", ndim=2, err_to_str=True, doc="历月提出要求 What was asked, month by month")
@xw.arg("settled", ndim=2, err_to_str=True, doc="历月承诺 What was committed, same months")
def SETTLE_RATIO(asks, settled):
    """成交比例 = Σ承诺 ÷ Σ要求（只计有要求的月份）。Settle ratio = Σ committed ÷ Σ asked.

    Over the months with an ask; empty without history. 无历史时返回空。
    """

    def run() -> float | None:
        asked, got = xl.flat(asks), xl.flat(settled)
        if len(asked) != len(got):
            raise xl.CellError(xl.VALUE)
        error = xl.error_in(asked + got)
        if error:
            raise xl.CellError(error)
        pairs = [
            (xl.amount(a) or ZERO, xl.amount(s) or ZERO)
            for a, s in zip(asked, got, strict=True)
            if not is_blank(a)
        ]
        return xl.share(neg.settle_ratio((a for a, _ in pairs), (s for _, s in pairs)))

    return xl.aggregate(run)


# ---- promises and follow-ups -------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg("due_dates", ndim=2, err_to_str=True, doc="各期承诺回款日 Due date of each installment")
@xw.arg("amounts", ndim=2, err_to_str=True, doc="各期承诺金额 Amount of each installment")
@xw.arg(
    "received", ndim=2, err_to_str=True, doc="已回款（金额或区域）Received: one amount or a range"
)
@xw.arg("as_of", ndim=2, err_to_str=True, doc="截至日期 As of this day")
@xw.arg("grade", ndim=2, err_to_str=True, doc="信用等级 A–D，默认 B Credit grade (default B)")
@xw.arg("lang", ndim=2, err_to_str=True, doc="zh / en 显示语言；空为代码 Labels; empty: keys")
def PROMISE_STATUS(due_dates, amounts, received, as_of, grade=None, lang=None):
    """承诺状态：none 未承诺 / on_track 正常 / partial 部分兑现 / broken 失约 / kept 已兑现。

    Promise status of one customer's installments; receipts pay the earliest first.
    """

    def run() -> str:
        status = customer_promise_status(
            xl.installments(due_dates, amounts),
            xl.total(received),
            xl.day(xl.one(as_of)),
            xl.grade(xl.one(grade)),
        )
        return xl.label(contract.PROMISE_STATUSES, status, xl.lang(xl.one(lang)))

    return xl.aggregate(run)


def _actions(
    due_dates: Any,
    amounts: Any,
    received: Any,
    grade: Any,
    as_of: Any,
    key: Any,
    target: Any = None,
    last_contact: Any = None,
):
    """One customer's follow-up actions this month, from the cells of NEXT_FOLLOWUP's arguments."""
    key_, last = xl.one(key), xl.one(last_contact)
    return customer_schedule(
        xl.installments(due_dates, amounts),
        xl.total(received),
        xl.day(xl.one(as_of)),
        xl.grade(xl.one(grade)),
        False if is_blank(key_) else parse_yesno(key_),
        target=xl.amount(xl.one(target), None),
        last_contact=None if is_blank(last) else xl.day(last),
    )


@xw.func(category=CATEGORY)
@xw.arg("due_dates", ndim=2, err_to_str=True, doc="各期承诺回款日 Due date of each installment")
@xw.arg("amounts", ndim=2, err_to_str=True, doc="各期承诺金额 Amount of each installment")
@xw.arg("received", ndim=2, err_to_str=True, doc="本月已回款 Received this month")
@xw.arg("grade", ndim=2, err_to_str=True, doc="信用等级 A–D Credit grade")
@xw.arg("as_of", ndim=2, err_to_str=True, doc="截至日期 As of this day")
@xw.arg("key_account", ndim=2, err_to_str=True, doc="重点客户 是/否 Key account (default no)")
@xw.arg(
    "target",
    ndim=2,
    err_to_str=True,
    doc="本月目标，可不填 This month's target (optional; no commitment yet: sizes the action)",
)
@xw.arg(
    "last_contact",
    ndim=2,
    err_to_str=True,
    doc="最近一次跟进日期，可不填 The last logged follow-up (optional; FollowUps)",
)
def NEXT_FOLLOWUP(
    due_dates, amounts, received, grade, as_of, key_account=None, target=None, last_contact=None
):
    """下次跟进日期（本月内，按信用等级节奏）。Next follow-up day this month, by credit grade.

    No commitment yet (no installment this month): the weekly 取得承诺 (get a commitment)
    day, as refresh plans it, unless the target is 0. Empty when nothing is left to do
    this month. 尚无承诺时为每周“取得承诺”的日子；本月无需跟进时返回空。
    """

    def run() -> date | None:
        actions = _actions(
            due_dates, amounts, received, grade, as_of, key_account, target, last_contact
        )
        return actions[0].date if actions else None

    return xl.aggregate(run)


@xw.func(category=CATEGORY)
@xw.arg("due_dates", ndim=2, err_to_str=True, doc="各期承诺回款日 Due date of each installment")
@xw.arg("amounts", ndim=2, err_to_str=True, doc="各期承诺金额 Amount of each installment")
@xw.arg("received", ndim=2, err_to_str=True, doc="本月已回款 Received this month")
@xw.arg("grade", ndim=2, err_to_str=True, doc="信用等级 A–D Credit grade")
@xw.arg("as_of", ndim=2, err_to_str=True, doc="截至日期 As of this day")
@xw.arg("key_account", ndim=2, err_to_str=True, doc="重点客户 是/否 Key account (default no)")
@xw.arg("lang", ndim=2, err_to_str=True, doc="zh / en 显示语言；空为代码 Labels; empty: keys")
@xw.arg(
    "target",
    ndim=2,
    err_to_str=True,
    doc="本月目标，可不填 This month's target (optional; no commitment yet: sizes the action)",
)
@xw.arg(
    "last_contact",
    ndim=2,
    err_to_str=True,
    doc="最近一次跟进日期，可不填 The last logged follow-up (optional; FollowUps)",
)
def FOLLOWUP_DATES(
    due_dates,
    amounts,
    received,
    grade,
    as_of,
    key_account=None,
    lang=None,
    target=None,
    last_contact=None,
):
    """本月跟进计划：日期、动作、承诺回款日、涉及金额（溢出为多行）。One customer's schedule.

    Spills one row per day: date, action, installment due, amount at stake. No
    commitment yet: the weekly 取得承诺 (get a commitment) days, at stake the target
    (empty when no target is given). 尚无承诺时列出每周“取得承诺”的日子。
    """

    def run() -> xl.Grid | None:
        actions = _actions(
            due_dates, amounts, received, grade, as_of, key_account, target, last_contact
        )
        lang_ = xl.lang(xl.one(lang))
        sized = not is_blank(xl.one(target))
        rows: xl.Grid = [
            [
                a.date,
                xl.label(contract.ACTIONS, a.action, lang_),
                a.installment_due,
                xl.money(a.amount_at_stake) if sized or a.action != "get_commitment" else None,
            ]
            for a in actions
        ]
        return rows or None

    return xl.aggregate(run)


# ---- values ----------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@xw.arg(
    "text", ndim=2, err_to_str=True, doc="金额文字，如 12.5万、¥12,345、十二万 An amount as typed"
)
def AMOUNT(text):
    """金额：把 12.5万、¥12,345、3千、十二万 读成数字。An amount typed as text, as a number.

    Rounded to the fen; not an amount or negative: #VALUE!. 无法识别或为负返回 #VALUE!。
    """

    def one(t: Any) -> float | None:
        return xl.money(xl.amount(t, None))

    return xl.elementwise(one, text)


FUNCTIONS = (
    GAP,
    REMAINING_GAP,
    COVERAGE,
    FULFILMENT,
    COMPLETION,
    ASK,
    SETTLE_RATIO,
    PROMISE_STATUS,
    NEXT_FOLLOWUP,
    FOLLOWUP_DATES,
    AMOUNT,
)
