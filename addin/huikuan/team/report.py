"""The collect report: one row per file and per event, in the workbook's language.

The same rows fill the Collect sheet of the team workbook and the lines
`huikuan collect` prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .. import contract as ct
from ..engine.merge import Event
from ..model import PlanRow, Problem, Record
from ..values import format_amount
from ..workbook.outputs import OutputTable

TABLES = {t.name: t for t in (*ct.INPUT_TABLES, *ct.SETTING_TABLES)}
# events that need the manager's eye (collect exits 1 when one is reported)
ATTENTION = {
    "bad_row",
    "quarantined",
    "other_rep",
    "not_taken",
    "target",
    "not_in_base",
    "kept",
    "duplicate",
    "no_return",
    "conflict",
    "deleted",
    "cross_rep",
    "no_snapshot",
}


@dataclass(frozen=True)
class Line:
    """One row of the Collect table (event is a COLLECT_EVENTS key)."""

    file: str
    rep: str | None
    event: str
    table: str | None
    customer_id: str | None
    detail: str
    resolution: str

    @property
    def attention(self) -> bool:
        return self.event in ATTENTION


def _sep(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def shown(value: Any, col: ct.Column, lang: str) -> str:
    if value is None:
        return ""
    if col.kind is ct.Kind.AMOUNT and isinstance(value, Decimal):
        return format_amount(value, "en")
    if col.kind is ct.Kind.MONTH and isinstance(value, date):
        return f"{value:%Y-%m}"
    if isinstance(value, date):
        return value.isoformat()
    if col.kind is ct.Kind.YESNO:
        return ct.choice_label(ct.YES_NO, "yes" if value else "no", lang)
    if col.kind is ct.Kind.CHOICE:
        return ct.choice_label(col.choices, str(value), lang)
    return str(value)


def describe(table: str | None, record: Record | None, lang: str) -> str:
    """A row as the person who typed it would recognise it: label value, … (customer id left out)."""
    if record is None:
        return ""
    spec = TABLES.get(table or "")
    if spec is None:
        return str(record)
    parts = []
    for col in spec.columns:
        if col.key == "customer_id" and table != "Customers":
            continue
        value = getattr(record, col.key, None)
        if value is None:
            continue
        text = shown(value, col, lang)
        parts.append(f"{col.label(lang)} {text}" if lang == "en" else f"{col.label(lang)}{text}")
    return _sep(lang).join(parts)


def table_title(name: str | None, lang: str) -> str | None:
    if name is None:
        return None
    spec = TABLES.get(name)
    return spec.title(lang) if spec else name


def _t(lang: str, en: str, zh: str, **kw: object) -> str:
    return (zh if lang == "zh" else en).format(**kw)


def event_line(ev: Event, lang: str) -> Line:
    """A merge event as a report row."""
    d, r = "", ""
    table = ev.table
    if ev.kind == "other_rep":
        d = _t(
            lang,
            "{name}: a customer of {owner}",
            "{name}：属于 {owner}",
            name=getattr(ev.new, "name", ""),
            owner=ev.owner or "?",
        )
        r = _t(lang, "not taken from this file", "未采用本文件中的该客户")
    elif ev.kind == "not_taken":
        d = describe(table, ev.new, lang)
        r = (
            _t(
                lang,
                "not taken: a return holds only its rep's own Reps row",
                "未采用：回传文件只应含本人的业务员行",
            )
            if table == "Reps"
            else _t(
                lang,
                "not taken: {owner}'s customer",
                "未采用：{owner} 的客户",
                owner=ev.owner or "?",
            )
        )
    elif ev.kind == "not_in_base":
        d = describe(table, ev.new, lang)
        r = _t(
            lang,
            "added as {rep}'s customer: check it",
            "已作为 {rep} 的客户加入，请核实",
            rep=ev.rep,
        )
    elif ev.kind == "target":
        old, new = getattr(ev.old, "target", None), getattr(ev.new, "target", None)
        month = getattr(ev.old, "month", None)
        d = _t(
            lang,
            "{month}: target {old} in the base, {new} in the return",
            "{month}：底表目标 {old}，回传 {new}",
            month=f"{month:%Y-%m}" if month else "",
            old=format_amount(old, "en") if old is not None else "",
            new=format_amount(new, "en") if new is not None else "",
        )
        r = _t(lang, "the base's target kept", "以底表目标为准")
    elif ev.kind == "customer":
        col = ct.CUSTOMERS.column(ev.field or "name")
        d = _t(
            lang,
            "{label}: {old} in the base, {new} in the return",
            "{label}：底表 {old}，回传 {new}",
            label=col.label(lang),
            old=shown(getattr(ev.old, col.key, None), col, lang) or "—",
            new=shown(getattr(ev.new, col.key, None), col, lang) or "—",
        )
        r = (
            _t(lang, "the return's taken", "采用回传")
            if ev.taken
            else _t(lang, "the base's kept", "以底表为准")
        )
    elif ev.kind == "team_changed":
        d, r = _team_changed(ev, lang)
    elif ev.kind == "conflict":
        d, r = _conflict(ev, lang)
    elif ev.kind == "deleted":
        d = describe(table, ev.old, lang)
        r = _t(
            lang,
            "the rep deleted this row: the team book's row kept; check it",
            "业务员删除了该行：保留汇总表中的行，请核实",
        )
    elif ev.kind == "cross_rep":
        what = {
            "Receipts": ("a receipt", "回款"),
            "FollowUps": ("a follow-up", "跟进记录"),
        }.get(table or "", ("a row", "记录"))
        d = _t(
            lang,
            "{rep} logged {what} for {owner}'s customer {cid}: {row}",
            "{rep} 为 {owner} 的客户 {cid} 登记了{what}：{row}",
            rep=ev.rep,
            owner=ev.owner or "?",
            cid=ev.customer_id,
            what=what[0] if lang == "en" else what[1],
            row=describe(table, ev.new, lang),
        )
        r = (
            _t(lang, "taken; check it", "已采用，请核实")
            if ev.taken
            else _t(
                lang,
                "the same row is already there: counted once",
                "已有完全相同的行：只计一次",
            )
        )
    elif ev.kind == "changed":
        d = f"{describe(table, ev.old, lang)} → {describe(table, ev.new, lang)}"
        r = (
            _t(lang, "the rep's version taken", "采用业务员修改后的行")
            if ev.taken
            else _t(lang, "the base's kept", "以底表为准")
        )
    elif ev.kind == "kept":
        d = describe(table, ev.old, lang)
        r = _t(lang, "kept from the base (missing in the return)", "回传中没有，保留底表中的行")
    elif ev.kind == "duplicate":
        d = describe(table, ev.new, lang)
        r = _t(
            lang,
            "identical rows: both kept; delete one if typed twice",
            "完全相同的行：均已保留，如系重复录入请删除一行",
        )
    elif ev.kind == "added":
        d = describe(table, ev.new, lang)
        r = _t(
            lang,
            "taken: a plan row the base lacks (target set by the rep)",
            "已采用：底表没有的计划行（目标由业务员填写）",
        )
    elif ev.kind == "no_return":
        d = _t(lang, "{n} customers", "{n} 个客户", n=ev.field)
        r = _t(
            lang, "no file from this rep: the base's rows kept", "该业务员未回传：保留底表中的行"
        )
    return Line(ev.source, ev.rep, ev.kind, table_title(table, lang), ev.customer_id, d, r)


_WHAT = {
    "added": ("{n} added", "新增 {n}"),
    "changed": ("{n} changed", "修改 {n}"),
    "kept": ("{n} kept from the base", "保留 {n}"),
    "conflict": ("{n} changed by both", "双方均修改 {n}"),
    "cross": ("{n} for other reps' customers", "为他人客户登记 {n}"),
    "not_taken": ("{n} not taken", "未采用 {n}"),
}


def _fields(table: str | None, names: str | None, lang: str) -> str:
    spec = TABLES.get(table or "")
    if spec is None or not names:
        return ""
    return ("、" if lang == "zh" else ", ").join(
        spec.column(n).label(lang) for n in names.split(",")
    )


def _value(table: str | None, record: Record | None, name: str, lang: str) -> str:
    spec = TABLES.get(table or "")
    if spec is None or record is None:
        return "—"
    return shown(getattr(record, name, None), spec.column(name), lang) or "—"


def _team_changed(ev: Event, lang: str) -> tuple[str, str]:
    """The team changed (or removed) a row after split; the rep left it as sent."""
    table = ev.table
    if table == "Customers" and ev.field:
        label = _fields(table, ev.field, lang)
        d = _t(
            lang,
            "{label}: sent {sent}, team book now {now}",
            "{label}：分发时 {sent}，汇总表现为 {now}",
            label=label,
            sent=_value(table, ev.new, ev.field, lang),
            now=_value(table, ev.old, ev.field, lang),
        )
    elif ev.old is None and table == "Customers":
        d = _t(
            lang,
            "{row}: given to {rep} in the team book after split, so not in the file",
            "{row}：分发后才在汇总表中分给 {rep}，文件中没有",
            row=describe(table, ev.new, lang),
            rep=ev.rep,
        )
    elif ev.new is None and table == "Customers":
        d = _t(
            lang,
            "{row}: removed from the team book after split",
            "{row}：分发后已从汇总表删除",
            row=describe(table, ev.old, lang),
        )
    elif table == "Plan" and ev.field:
        parts = [
            _t(
                lang,
                "{label} sent {sent}, team book now {now}",
                "{label}分发时 {sent}，汇总表现为 {now}",
                label=TABLES["Plan"].column(n).label(lang),
                sent=_value(table, ev.old, n, lang),
                now=_value(table, ev.new, n, lang),
            )
            for n in ev.field.split(",")
        ]
        month = getattr(ev.old, "month", None)
        d = (f"{month:%Y-%m}：" if lang == "zh" else f"{month:%Y-%m}: ") + _sep(lang).join(parts)
    elif ev.new is None or (ev.old is None and ev.sent is not None):
        d = _t(
            lang,
            "removed from the team book after split: {row}",
            "分发后已从汇总表删除：{row}",
            row=describe(table, ev.sent or ev.old or ev.new, lang),
        )
    else:
        d = _t(
            lang,
            "sent {sent} → team book now {now}",
            "分发时 {sent} → 汇总表现为 {now}",
            sent=describe(table, ev.old, lang),
            now=describe(table, ev.new, lang),
        )
    r = (
        _t(lang, "the team book's kept", "保留汇总表中的客户")
        if ev.old is None and table == "Customers"
        else _t(
            lang,
            "unchanged by the rep: the team book's kept",
            "业务员未修改：保留汇总表的值",
        )
    )
    return d, r


def _conflict(ev: Event, lang: str) -> tuple[str, str]:
    """Both the team (after split) and the rep changed a row, differently."""
    table = ev.table
    if table in ("Customers", "Plan") and ev.field:
        parts = [
            _t(
                lang,
                "{label}: sent {sent}, team book {now}, rep {rep}",
                "{label}：分发时 {sent}，汇总表 {now}，业务员 {rep}",
                label=TABLES[table].column(n).label(lang),
                sent=_value(table, ev.sent, n, lang),
                now=_value(table, ev.old, n, lang),
                rep=_value(table, ev.new, n, lang),
            )
            for n in ev.field.split(",")
        ]
        d = _sep(lang).join(parts)
        if isinstance(ev.old, PlanRow):
            d = f"{ev.old.month:%Y-%m} " + d
    else:
        gone = _t(lang, "deleted", "已删除")
        d = _t(
            lang,
            "sent: {sent}; team book: {now}; rep: {rep}",
            "分发时：{sent}；汇总表：{now}；业务员：{rep}",
            sent=describe(table, ev.sent, lang),
            now=describe(table, ev.old, lang) or gone,
            rep=describe(table, ev.new, lang) or gone,
        )
    r = _t(
        lang,
        "changed by both since split: the team book's kept; check it",
        "分发后双方均有修改：保留汇总表的值，请核实",
    )
    return d, r


def no_snapshot_line(source: str, rep: str | None, why: tuple[str, str], lang: str) -> Line:
    """A return without a usable record of what split sent: merged two ways."""
    en, zh = why
    return Line(
        source,
        rep,
        "no_snapshot",
        None,
        None,
        zh if lang == "zh" else en,
        _t(
            lang,
            "merged two ways (the base against the return): a row the rep left as it was "
            "may undo a change made in the team book since split; check the changed rows",
            "按两方合并（底表与回传）：业务员未改动的行可能覆盖分发后汇总表中的修改，请核实修改的行",
        ),
    )


def taken_line(
    source: str, rep: str, counts: Counter[tuple[str, str]], customers: int, lang: str
) -> Line:
    """The file's summary: customers taken and each table's added / changed / kept rows."""
    parts = [_t(lang, "{n} customers", "客户 {n} 个", n=customers)]
    for name in ("Plan", "Measures", "Commitments", "Receipts", "FollowUps"):
        what = [
            _t(lang, *_WHAT[key], n=counts[name, key])
            for key in ("added", "changed", "kept", "conflict", "cross", "not_taken")
            if counts[name, key]
        ]
        if what:
            joined = ("、" if lang == "zh" else ", ").join(what)
            parts.append(
                f"{table_title(name, lang)}：{joined}" if lang == "zh" else f"{name}: {joined}"
            )
    resolution = _t(lang, "merged", "已汇总")
    return Line(
        source, rep, "taken", None, None, ("；" if lang == "zh" else "; ").join(parts), resolution
    )


def problem_line(source: str, rep: str | None, problem: Problem, lang: str) -> Line:
    value = f" [{problem.value}]" if problem.value else ""
    return Line(
        source,
        rep,
        "bad_row",
        problem.sheet,
        None,
        f"{problem.cell}{value} {problem.message}",
        _t(
            lang,
            "row not taken: correct it in the rep's file and collect again",
            "该行未采用：请在业务员文件中改正后重新汇总",
        ),
    )


def collect_table(lines: list[Line], lang: str) -> OutputTable:
    rows = tuple(
        (
            ln.file,
            ln.rep,
            ct.choice_label(ct.COLLECT_EVENTS, ln.event, lang),
            ln.table,
            ln.customer_id,
            ln.detail,
            ln.resolution,
        )
        for ln in lines
    )
    return OutputTable(ct.COLLECT, lang, rows)
