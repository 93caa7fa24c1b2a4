"""Engine results → output table rows (SPEC "Outputs"), independent of any Excel library.

An OutputTable is headers in the workbook's language plus rows of plain
values (amounts as Decimal rounded to the fen, ratios as float, dates as
date, choices as their label) and each column's kind, so every writer
(openpyxl file, live xlwings book) formats them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import contract
from ..contract import Kind, Table
from ..engine.diagnosis import Finding
from ..engine.excuses import ExcuseSummary
from ..engine.schedule import Action, Reason
from ..engine.status import StatusRow, totals_by_rep
from ..model import Problem
from ..values import fen, format_amount, format_date
from . import advice


@dataclass(frozen=True)
class OutputTable:
    table: Table
    lang: str
    rows: tuple[tuple[Any, ...], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(col.label(self.lang) for col in self.table.columns)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(col.kind for col in self.table.columns)


def _cell(kind: Kind, value: Any, lang: str, choices: tuple[contract.Choice, ...]) -> Any:
    if value is None:
        return None
    if kind is Kind.AMOUNT:
        return fen(value)
    if kind is Kind.RATIO:
        return float(value)
    if kind is Kind.YESNO:
        return contract.choice_label(contract.YES_NO, "yes" if value else "no", lang)
    if kind is Kind.CHOICE and choices:
        return contract.choice_label(choices, value, lang)
    return value


_CUSTOMER_KEYS = ("customer_id", "name", "rep", "credit_grade", "key_account", "phone")


def _value(key: str, row: Any, customer: Any) -> Any:
    return getattr(customer, key) if key in _CUSTOMER_KEYS else getattr(row, key)


def status_table(rows: Iterable[StatusRow], lang: str) -> OutputTable:
    table = contract.STATUS
    out = tuple(
        tuple(_cell(c.kind, _value(c.key, r, r.customer), lang, c.choices) for c in table.columns)
        for r in rows
    )
    return OutputTable(table, lang, out)


_REASONS = {
    "push": ("early-month push: agree this month's payments", "月初推动：落实本月回款安排"),
    "get_commitment": (
        "no commitment yet: meet and get a promise with dates and amounts",
        "尚未承诺：约谈客户，取得分时段回款承诺",
    ),
    "remind": ("{amount} due {due}: remind before it falls due", "{due} 到期 {amount}：提前提醒"),
    "due_check": ("{amount} due {due}: confirm the payment", "{due} 到期 {amount}：确认是否付款"),
    "chase": (
        "{amount} due {due} unpaid past the grace: chase",
        "{due} 到期 {amount} 未付，已过宽限期：催收",
    ),
    "escalate": (
        "{amount} due {due} still unpaid: escalate to the manager",
        "{due} 到期 {amount} 逾期仍未付：上报经理",
    ),
}
_TIGHTENED = (
    "an installment was missed: followed one grade tighter",
    "已有一期未兑现，跟进收紧一级",
)


def reason_text(reason: Reason, lang: str) -> str:
    en, zh = _REASONS[reason.action]
    due = format_date(reason.installment_due, lang) if reason.installment_due else ""
    return (zh if lang == "zh" else en).format(due=due, amount=format_amount(reason.amount, lang))


def reasons_text(reasons: Iterable[Reason], lang: str) -> str:
    """A day's reasons in one cell, most urgent first, the tightening said once."""
    reasons = tuple(reasons)
    parts = list(dict.fromkeys(reason_text(r, lang) for r in reasons))
    if any(r.tightened for r in reasons):
        parts.append(_TIGHTENED[1] if lang == "zh" else _TIGHTENED[0])
    return ("；" if lang == "zh" else "; ").join(parts)


def schedule_table(actions: Iterable[Action], lang: str) -> OutputTable:
    table = contract.SCHEDULE
    out = []
    for act in actions:
        values = {
            "date": act.date,
            "action": act.action,
            "installment_due": act.installment_due,
            "amount_at_stake": act.amount_at_stake,
            "reason": reasons_text(act.reasons, lang),
        }
        cust = act.row.customer
        out.append(
            tuple(
                _cell(
                    c.kind,
                    values[c.key] if c.key in values else getattr(cust, c.key),
                    lang,
                    c.choices,
                )
                for c in table.columns
            )
        )
    return OutputTable(table, lang, tuple(out))


def diagnosis_table(findings: Iterable[Finding], lang: str) -> OutputTable:
    table = contract.DIAGNOSIS
    everyone = contract.ALL_REPS[lang]
    out = []
    for f in findings:
        values = {
            "rep": f.rep or everyone,
            "cause": f.cause,
            "figure": f.figure,
            "amount": f.amount,
            "flagged": f.flagged,
            "action": advice.remedy(f, lang),
            "rank": f.rank,
            "detail": advice.detail(f, lang),
        }
        out.append(tuple(_cell(c.kind, values[c.key], lang, c.choices) for c in table.columns))
    return OutputTable(table, lang, tuple(out))


def excuses_table(summaries: Iterable[ExcuseSummary], lang: str) -> OutputTable:
    table = contract.EXCUSES
    everyone = contract.ALL_REPS[lang]
    out = []
    for e in summaries:
        values = {
            "rep": e.rep or everyone,
            "excuse_kind": e.kind,
            "count": e.count,
            "accepted": e.accepted,
            "deferred": e.deferred,
            "deferred_accepted": e.deferred_accepted,
            "counter_measure": advice.pick(advice.COUNTER_MEASURES[e.kind], lang),
            "customers": advice.name_customers(e.customers, lang),
        }
        out.append(tuple(_cell(c.kind, values[c.key], lang, c.choices) for c in table.columns))
    return OutputTable(table, lang, tuple(out))


def dashboard_table(rows: Iterable[StatusRow], month: date, lang: str) -> OutputTable:
    """Rep and team totals of the month (sums; ratios from the sums) and the promise mix."""
    table = contract.DASHBOARD
    current = [r for r in rows if r.month == month]
    out = []
    for t in totals_by_rep(current):
        group = [r for r in current if t.rep is None or r.customer.rep == t.rep]
        values: dict[str, Any] = {
            "rep": t.rep or contract.ALL_REPS[lang],
            "customers": t.customers,
            **{
                k: getattr(t, k)
                for k in (
                    "target",
                    "committed",
                    "contribution",
                    "remaining_gap",
                    "received",
                    "gap",
                    "completion",
                    "coverage",
                )
            },
            **{
                s.key: sum(r.promise_status == s.key for r in group)
                for s in contract.PROMISE_STATUSES
            },
        }
        out.append(tuple(_cell(c.kind, values[c.key], lang, c.choices) for c in table.columns))
    return OutputTable(table, lang, tuple(out))


def problems_table(problems: Sequence[Problem], lang: str) -> OutputTable:
    rows = tuple((p.sheet, p.cell, p.value, p.message) for p in problems)
    return OutputTable(contract.PROBLEMS, lang, rows)
