"""The article's remedies in words: each diagnosis cause and each excuse kind (zh/en)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ..engine.diagnosis import Finding
from ..values import format_amount

MAX_NAMED = 6  # customers named in one action; the rest are counted

REMEDIES = {
    "no_joint_plan": (
        "{who}: plan not agreed with the customer — meet each this week and set the "
        "month's collection target together",
        "{who} 未与客户共同制定计划：本周内逐一约谈，与客户共同确定本月回款目标",
    ),
    "gap_uncovered": (
        "{who}: {amount} of the gap has no measure — aim measures at it: potential "
        "analysis, incentives, promotion, new outlets, new products, staff support, "
        "training, collecting together",
        "{who} 尚有 {amount} 差距无措施：针对差距制定措施——回款潜力分析、客户激励、"
        "基层促销、开发网点、新产品、派驻人员、人员培训、陪同收款",
    ),
    "no_commitment": (
        "{who}: no commitment — meet this week and get a promise with dates and amounts",
        "{who} 未承诺：本周内约谈并取得分时段回款承诺",
    ),
    "not_followed": (
        "{who}: promises not followed or not kept ({amount}) — follow up by credit grade, "
        "early in the month and key accounts first; tighten at once after a partial payment",
        "{who} 承诺未跟踪或未兑现（{amount}）：按信用等级跟进，月初先跟、重点客户先跟；"
        "部分兑现立即收紧",
    ),
    "demands_low": (
        "{who}: excuses accepted, {amount} deferred — a debt is a debt: hold the dates and "
        "answer each excuse with its counter-measure (see Excuses)",
        "{who} 接受拖款理由，推迟 {amount}：欠账还钱，坚持回款日期，按理由类型逐一应对（见拖款理由表）",
    ),
    "weak_negotiation": (
        "{who}: asked no more than expected — open above the expectation "
        "(see Suggested ask in Status) and negotiate down to it",
        "{who} 提出的要求不高于预计：谈判时先提出高于预计的要求（见回款状态表“建议要求”），再谈到预计数",
    ),
}

NOTHING = ("no action needed", "无需措施")

COUNTER_MEASURES = {
    "quality": (
        "settle the quality complaint apart from payment; a small defect is no reason to hold money",
        "把质量问题与回款分开处理：小毛病当场协调解决，不作为拖款理由",
    ),
    "personal": (
        "hold the date: a house, a warehouse or a wedding does not defer a debt",
        "坚持原定回款日期：买房、建仓库、结婚都不是拖欠货款的理由",
    ),
    "downstream": (
        "go with the customer to collect from its retailers",
        "陪同客户下去向零售商收款",
    ),
    "cash": (
        "split the payment into dated installments and get each one promised",
        "分时段回款：先小额后大额，取得每一期的承诺",
    ),
    "dispute": (
        "reconcile the accounts now; the undisputed part is paid first",
        "尽快对账，无争议部分先付",
    ),
    "other": (
        "raise the demand: paying on time is the basis of working together",
        "提高要求：按时回款是双方合作的基础",
    ),
}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def name_customers(ids: Sequence[str], lang: str) -> str:
    """'K1003、K1017' — at most MAX_NAMED, then how many more."""
    named = ("、" if lang == "zh" else ", ").join(ids[:MAX_NAMED])
    more = len(ids) - MAX_NAMED
    if more > 0:
        named += f" 等 {len(ids)} 个客户" if lang == "zh" else f" and {more} more"
    return named


def remedy(finding: Finding, lang: str) -> str:
    """The concrete action for a flagged finding, naming the customers concerned."""
    if not finding.flagged or not finding.customers:
        return pick(NOTHING, lang)
    return pick(REMEDIES[finding.cause], lang).format(
        who=name_customers(finding.customers, lang), amount=format_amount(finding.amount, lang)
    )


def detail(finding: Finding, lang: str) -> str:
    """The finding's secondary figures in a sentence."""
    d = finding.details
    zh = lang == "zh"

    def pct(x: object) -> str:
        return f"{Decimal(str(x)):.1%}"

    match finding.cause:
        case "no_joint_plan":
            return (
                f"{d['customers']} 个客户计划未共同制定"
                if zh
                else (f"{d['customers']} customers' plans not agreed jointly")
            )
        case "gap_uncovered":
            gap = format_amount(Decimal(str(d["gap"])), lang)
            return f"目标差距 {gap}" if zh else f"gap {gap}"
        case "no_commitment":
            return (
                f"{d['customers']} 个客户未承诺"
                if zh
                else f"{d['customers']} customers without a commitment"
            )
        case "not_followed":
            return (
                f"到期未按时付清 {d['installments_due']} 期，未跟进 {d['unfollowed']} 期；失约 {d['broken']} 户，部分兑现 {d['partial']} 户"
                if zh
                else f"{d['installments_due']} installments due and not paid on time, {d['unfollowed']} not followed; "
                f"{d['broken']} broken, {d['partial']} partial"
            )
        case "demands_low":
            return f"接受理由 {d['accepted']} 次" if zh else f"{d['accepted']} excuses accepted"
        case _:
            return (
                f"要求÷预计 {pct(d['ask_to_expected'])}，承诺÷预计 {pct(d['committed_to_expected'])}；"
                f"{d['customers']} 个客户未锚定"
                if zh
                else f"ask ÷ expected {pct(d['ask_to_expected'])}, committed ÷ expected "
                f"{pct(d['committed_to_expected'])}; {d['customers']} without an anchor"
            )
