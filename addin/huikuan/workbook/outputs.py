"""Engine results → output sheets (SPEC "Outputs"), independent of any Excel library.

An OutputTable is one output sheet: a table of the sheet's name with headers in
the workbook's language, rows of plain values (amounts as Decimal rounded to the
fen, ratios as float, dates as date, choices as their label) and each column's
kind; optionally conditional-format rules over its columns and charts of its
columns. Every writer (the package writer, the openpyxl reference writer, a live
xlwings book) lays them out the same way from what is here: FORMATS,
column_widths, rule_formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import Any

from .. import contract
from ..contract import Kind, Table
from ..engine.analysis import Analysis
from ..engine.diagnosis import Finding
from ..engine.excuses import ExcuseSummary
from ..engine.forecast import ForecastRow, RepForecast, likely_to_miss
from ..engine.forecast import by_rep as forecast_by_rep
from ..engine.record import suggestion_text
from ..engine.schedule import Action, Reason
from ..engine.status import StatusRow, totals_by_rep
from ..model import Problem
from ..text import display_width
from ..values import fen, format_amount, format_date, negative_zero
from . import remedies
from .reader import col_letter
from .styles import Look

# Number format of each column kind, by language (kinds absent here stay General).
FORMATS = {
    Kind.AMOUNT: {"zh": "¥#,##0.00", "en": "#,##0.00"},
    Kind.RATIO: {"zh": "0.0%", "en": "0.0%"},
    Kind.DATE: {"zh": "yyyy-mm-dd", "en": "yyyy-mm-dd"},
    Kind.MONTH: {"zh": "yyyy-mm", "en": "yyyy-mm"},
}
TABLE_STYLE = "TableStyleMedium2"


RED = Look(font_color="9C0006", fill_color="FFC7CE")
AMBER = Look(font_color="9C5700", fill_color="FFEB9C")
GREEN = Look(font_color="006100", fill_color="C6EFCE")

RULE_KINDS = ("cellIs", "containsText", "expression")
OPERATORS = (
    "equal",
    "notEqual",
    "greaterThan",
    "greaterThanOrEqual",
    "lessThan",
    "lessThanOrEqual",
    "between",
    "notBetween",
)


@dataclass(frozen=True)
class FormatRule:
    """A conditional format over the data rows of some columns (an Excel cfRule).

    - cellIs: `operator` and one formula (two for between/notBetween), e.g. ('0.5',);
    - containsText: `text` (matched ignoring case, as Excel's SEARCH does);
    - expression: one formula, true where the look applies.

    In a formula `{key}` stands for that column's cell in the rule's first row with
    the column fixed (`$Q2`), so `{promise_status}="broken"` tests each row's own
    cell; write literal braces doubled. `columns` are column keys; () is every column.
    """

    kind: str
    look: Look
    columns: tuple[str, ...] = ()
    operator: str = ""
    formulas: tuple[str, ...] = ()
    text: str = ""
    stop: bool = False

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"rule kind {self.kind!r} is not one of {RULE_KINDS}")
        if self.kind == "cellIs":
            if self.operator not in OPERATORS:
                raise ValueError(f"cellIs operator {self.operator!r} is not one of {OPERATORS}")
            want = 2 if "etween" in self.operator else 1
            if len(self.formulas) != want:
                raise ValueError(f"cellIs {self.operator} takes {want} formula(s)")
        if self.kind == "expression" and len(self.formulas) != 1:
            raise ValueError("an expression rule takes one formula")
        if self.kind == "containsText" and not self.text:
            raise ValueError("a containsText rule needs its text")


CHART_KINDS = ("bar", "column", "line", "pie")


@dataclass(frozen=True)
class ChartSpec:
    """A native chart of the table's own columns: categories down one column, a series
    per value column (titled by its header), over every data row of the table.

    List `values` in the table's column order: the ribbon's charts (Excel, through
    xlwings) make their series in sheet order. `anchor` is the chart's top-left cell; empty places it
    below the table, two charts a row (chartxml.anchors). Sizes are in centimetres.
    `without_total` leaves out the table's last row (a total row) when there are other rows.
    """

    kind: str
    title: str
    categories: str
    values: tuple[str, ...]
    anchor: str = ""
    width: float = 16.0
    height: float = 7.5
    stacked: bool = False
    y_title: str = ""
    without_total: bool = False
    number_format: str = ""  # the value axis's (empty: the cells')

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart kind {self.kind!r} is not one of {CHART_KINDS}")
        if not self.values:
            raise ValueError("a chart needs at least one value column")


@dataclass(frozen=True)
class OutputTable:
    """One output sheet: a table named as the sheet, and its optional rules and charts."""

    table: Table
    lang: str
    rows: tuple[tuple[Any, ...], ...]
    rules: tuple[FormatRule, ...] = ()
    charts: tuple[ChartSpec, ...] = ()
    hidden: bool = False  # the sheet is hidden (state="hidden"): huikuan's own bookkeeping

    def __post_init__(self) -> None:
        keys = {c.key for c in self.table.columns}
        used = [k for r in self.rules for k in r.columns]
        used += [k for c in self.charts for k in (c.categories, *c.values)]
        unknown = [k for k in used if k not in keys]
        if unknown:
            raise ValueError(f"{self.table.name} has no column {unknown[0]!r}")

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(col.label(self.lang) for col in self.table.columns)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(col.kind for col in self.table.columns)

    @property
    def formats(self) -> tuple[str | None, ...]:
        """Each column's number format (None: General)."""
        return tuple(FORMATS.get(kind, {}).get(self.lang) for kind in self.kinds)

    @property
    def last_row(self) -> int:
        """The table's last sheet row: the header is row 1; an empty table keeps one row."""
        return max(2, len(self.rows) + 1)

    def column(self, key: str) -> int:
        """1-based column of a key."""
        for index, col in enumerate(self.table.columns, start=1):
            if col.key == key:
                return index
        raise KeyError(key)


def rule_formulas(
    out: OutputTable, rule: FormatRule, top: int = 1, left: int = 1
) -> tuple[str, ...]:
    """The rule's formulas with each {key} made that column's first data cell ($Q2), for
    a table whose header starts at row `top`, column `left` (A1 in a written file)."""
    first = top + 1
    cells = {c.key: f"${col_letter(left + i)}{first}" for i, c in enumerate(out.table.columns)}
    if rule.kind == "containsText":
        column = col_letter(left + out.column(rule.columns[0]) - 1) if rule.columns else "A"
        text = rule.text.replace('"', '""')
        return (f'NOT(ISERROR(SEARCH("{text}",{column}{first})))',)
    return tuple(f.format_map(cells) for f in rule.formulas)


def rule_ranges(out: OutputTable, rule: FormatRule, top: int = 1, left: int = 1) -> str:
    """The rule's sqref: its columns over every data row, e.g. 'Q2:Q40 S2:S40' (the
    table's header at row `top`, column `left`)."""
    first, last = top + 1, top + out.last_row - 1

    def letter(index: int) -> str:
        return col_letter(left + index - 1)

    if not rule.columns:
        return f"{letter(1)}{first}:{letter(len(out.table.columns))}{last}"
    return " ".join(
        f"{letter(out.column(k))}{first}:{letter(out.column(k))}{last}" for k in rule.columns
    )


def _display(kind: Kind, value: Any) -> str:
    """Roughly what Excel shows for a value in a column of this kind."""
    if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        if kind is Kind.RATIO:
            return f"{float(value):.1%}"
        if kind is Kind.AMOUNT:
            return f"¥{float(value):,.2f}"
    if isinstance(value, date):
        return f"{value:%Y-%m}" if kind is Kind.MONTH else f"{value:%Y-%m-%d}"
    return str(value)


def column_widths(out: OutputTable, sample: int = 200) -> tuple[float, ...]:
    """Each column's width: its header or widest value among the first rows, 8 to 60."""
    widths = []
    for index, (header, kind) in enumerate(zip(out.headers, out.kinds, strict=True)):
        widest = display_width(header)
        for row in out.rows[:sample]:
            value = row[index]
            if value is not None:
                widest = max(widest, display_width(_display(kind, value)))
        widths.append(float(min(60, max(8, widest + 2))))
    return tuple(widths)


class _Memo(dict[Any, Any]):
    """A converter that remembers: equal values met again give the same converted object.

    Looked up as `memo[value]` (map(memo.__getitem__, column) runs in C): a value met
    before costs a dict look-up instead of a Python call. `convert` must give equal
    results for equal values that `remember` admits; None converts to None.
    """

    def __init__(self, convert: Callable[[Any], Any], remember: Callable[[Any], bool]) -> None:
        super().__init__({None: None})
        self.convert = convert
        self.remember = remember

    def __missing__(self, value: Any) -> Any:
        found = self.convert(value)
        if self.remember(value):
            self[value] = found
        return found


def _always(value: Any) -> bool:
    return True


def _nonzero(value: Any) -> bool:
    """Remembered: not zero (0 and -0 are equal keys but round or print with different
    signs), and equal to itself (a NaN never is: it would only pile up)."""
    return bool(value) and value == value


def _fen_memo(zeros: bool = False) -> _Memo:
    """fen(), remembered per column: equal amounts share one rounded Decimal instead of
    a new one per cell (51 MB of a 50,000-customer refresh: issue 15). With `zeros`
    (the column holds no negative zero) zero is remembered too."""
    return _Memo(fen, _always if zeros else _nonzero)


def _amounts(values: list[Any]) -> list[Any]:
    return list(map(_fen_memo(zeros=not negative_zero(values)).__getitem__, values))


ColumnConverter = Callable[[list[Any]], list[Any]]


def _ratios(values: list[Any]) -> list[Any]:
    if None in values:
        return [None if value is None else float(value) for value in values]
    return list(map(float, values))


def _converter(col: contract.Column, lang: str) -> ColumnConverter | None:
    """How a column's engine values become its cell values (None: as they are), a
    whole column at a time: the common cases map a C function or a memo's look-up
    over the column instead of calling Python once per cell."""
    if col.kind is Kind.AMOUNT:
        return _amounts
    if col.kind is Kind.RATIO:
        return _ratios
    if col.kind is Kind.YESNO:
        yes, no = (contract.choice_label(contract.YES_NO, k, lang) for k in ("yes", "no"))
        # equal values are equally true, so every value can be remembered
        return lambda values: list(
            map(_Memo(lambda value: yes if value else no, _always).__getitem__, values)
        )
    if col.kind is Kind.CHOICE and col.choices:
        labels = {ch.key: contract.choice_label(col.choices, ch.key, lang) for ch in col.choices}
        return lambda values: list(map(labels.get, values, values))  # unknown keys as they are
    return None


Getter = str | Callable[[Any], Any]  # an attribute path ('customer.name') or a function


def _rows(
    sources: Iterable[Any],
    columns: Sequence[contract.Column],
    lang: str,
    getters: Sequence[Getter],
) -> tuple[tuple[Any, ...], ...]:
    """The rows of cell values of `sources`, built column by column: each column's
    getter mapped over every source, then its converter over the column, then the
    columns zipped into rows. Mapping attrgetters and memo look-ups runs in C; a
    loop per cell cost 0.35 s of a 10,000-customer refresh (issue 15)."""
    sources = sources if isinstance(sources, (list, tuple)) else list(sources)
    by_column = []
    for col, get in zip(columns, getters, strict=True):
        values = list(map(attrgetter(get) if isinstance(get, str) else get, sources))
        convert = _converter(col, lang)
        by_column.append(convert(values) if convert is not None else values)
    return tuple(zip(*by_column, strict=True)) if by_column else ((),) * len(sources)


def _by_key(
    table: Table, lang: str, values: Iterable[dict[str, Any]]
) -> tuple[tuple[Any, ...], ...]:
    """The rows of cell values of dicts {column key: engine value}."""
    return _rows(values, table.columns, lang, [itemgetter(c.key) for c in table.columns])


_CUSTOMER_KEYS = ("customer_id", "name", "rep", "credit_grade", "key_account", "phone")


def _suggested(lang: str) -> Callable[[StatusRow], str | None]:
    def text(r: StatusRow) -> str | None:
        if r.grade_was is not None:  # in use: the Policy row of the workbook's grade says so
            return suggestion_text(r.grade_was, r.customer.credit_grade, lang, applied=True)
        return suggestion_text(r.customer.credit_grade, r.suggested_grade, lang) or None

    return text


def status_table(rows: Iterable[StatusRow], lang: str) -> OutputTable:
    table = contract.STATUS
    getters: list[Getter] = [
        _suggested(lang)
        if c.key == "suggested_grade"
        else f"customer.{c.key}"
        if c.key in _CUSTOMER_KEYS
        else c.key
        for c in table.columns
    ]
    return OutputTable(
        table, lang, _rows(rows, table.columns, lang, getters), rules=promise_rules(lang)
    )


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def promise_rules(lang: str) -> tuple[FormatRule, ...]:
    """Status's promise column: broken red, partial amber, kept green."""
    label = {
        s.key: contract.choice_label(contract.PROMISE_STATUSES, s.key, lang)
        for s in contract.PROMISE_STATUSES
    }
    return tuple(
        FormatRule("cellIs", look, ("promise_status",), "equal", (_quoted(label[key]),))
        for key, look in (("broken", RED), ("partial", AMBER), ("kept", GREEN))
    )


def flag_rules(lang: str) -> tuple[FormatRule, ...]:
    """Diagnosis: a flagged cause's name, figure and flag in red."""
    yes = _quoted(contract.choice_label(contract.YES_NO, "yes", lang))
    return (
        FormatRule(
            "expression", RED, ("cause", "figure", "flagged"), formulas=(f"{{flagged}}={yes}",)
        ),
    )


def dashboard_charts(lang: str) -> tuple[ChartSpec, ...]:
    """The Dashboard's native charts: by rep (the team row left out where it would
    dwarf the reps), amounts on a whole-yuan axis."""
    zh = lang == "zh"
    money = "¥#,##0" if zh else "#,##0"
    return (
        ChartSpec(
            "column",
            "目标、承诺与回款（按业务员）" if zh else "Target, committed and received by rep",
            "rep",
            ("target", "committed", "received"),
            without_total=True,
            number_format=money,
        ),
        ChartSpec(
            "column",
            "差距桥：已承诺 → 措施覆盖 → 剩余差距"
            if zh
            else "Bridge: committed → covered by measures → remaining gap",
            "rep",
            ("committed", "covered", "remaining_gap"),
            stacked=True,
            without_total=True,
            number_format=money,
        ),
        ChartSpec(
            "column",
            "承诺状态分布（客户数）" if zh else "Promise status mix (customers)",
            "rep",
            ("kept", "on_track", "partial", "broken", "none"),
            stacked=True,
            without_total=True,
            number_format="0",
        ),
        ChartSpec(
            "bar",
            "完成率与措施覆盖率（按业务员）" if zh else "Completion and coverage by rep",
            "rep",
            ("completion", "coverage"),
            number_format="0%",
        ),
    )


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


class ReasonText:
    """A day's reasons in one cell, in one language: most urgent first, the same text
    said once, the tightening said once.

    The amounts and dates it formats are remembered: a schedule repeats them, and
    formatting each anew was a third of the Schedule sheet's rows (issue 15).
    """

    def __init__(self, lang: str) -> None:
        zh = lang == "zh"
        self.lang = lang
        self.templates = {action: zh_en[1 if zh else 0] for action, zh_en in _REASONS.items()}
        self.tightened = _TIGHTENED[1 if zh else 0]
        self.joiner = "；" if zh else "; "
        self.amounts = _Memo(lambda amount: format_amount(amount, lang), _nonzero)
        self.days = _Memo(lambda day: format_date(day, lang), _always)
        self.days[None] = ""

    def one(self, reason: Reason) -> str:
        return self.templates[reason.action].format(
            due=self.days[reason.installment_due], amount=self.amounts[reason.amount]
        )

    def __call__(self, reasons: Iterable[Reason]) -> str:
        reasons = tuple(reasons)
        if len(reasons) == 1 and not reasons[0].tightened:  # most days: one reason
            return self.one(reasons[0])
        parts = list(dict.fromkeys(map(self.one, reasons)))
        if any(r.tightened for r in reasons):
            parts.append(self.tightened)
        return self.joiner.join(parts)


def reasons_text(reasons: Iterable[Reason], lang: str) -> str:
    """A day's reasons in one cell, most urgent first, the tightening said once."""
    return ReasonText(lang)(reasons)


def schedule_table(actions: Iterable[Action], lang: str) -> OutputTable:
    table = contract.SCHEDULE
    text = ReasonText(lang)
    own: dict[str, Getter] = {
        "date": "date",
        "action": "action",
        "installment_due": "installment_due",
        "amount_at_stake": "amount_at_stake",
        "reason": lambda act: text(act.reasons),
    }
    getters = [own.get(c.key) or f"row.customer.{c.key}" for c in table.columns]
    return OutputTable(table, lang, _rows(actions, table.columns, lang, getters))


def _miss_rows(misses: Sequence[RepForecast], lang: str) -> list[dict[str, Any]]:
    """Diagnosis rows after the six causes: each rep likely to miss, then the team naming them."""
    zh = lang == "zh"
    out: list[dict[str, Any]] = []
    for f in misses:
        amounts = [format_amount(a, lang) for a in (f.received, f.expected, f.likely, f.target)]
        out.append(
            {
                "rep": f.rep,
                "cause": "likely_miss",
                "figure": f.shortfall / f.target if f.target else Decimal(0),
                "amount": f.shortfall,
                "flagged": True,
                "action": (
                    f"预计月底差 {format_amount(f.shortfall, lang)}：先催已逾期和本月到期的承诺，"
                    "再落实新的措施"
                    if zh
                    else f"likely {format_amount(f.shortfall, lang)} short at month end: chase "
                    "what is overdue and due this month first, then agree new measures"
                ),
                "rank": None,
                "detail": (
                    "已回款 {} + 预计 {} = {}，目标 {}"
                    if zh
                    else "received {} + expected {} = {}, target {}"
                ).format(*amounts),
            }
        )
    if misses:
        names = ("、" if zh else ", ").join(f.rep or "" for f in misses)
        short = sum((f.shortfall for f in misses), Decimal(0))
        target = sum((f.target for f in misses), Decimal(0))
        out.append(
            {
                "rep": contract.ALL_REPS[lang],
                "cause": "likely_miss",
                "figure": short / target if target else Decimal(0),
                "amount": short,
                "flagged": True,
                "action": (f"预计未达标：{names}" if zh else f"likely to miss: {names}"),
                "rank": None,
                "detail": (
                    f"{len(misses)} 名业务员预计月底未达标"
                    if zh
                    else f"{len(misses)} rep(s) likely to miss"
                ),
            }
        )
    return out


def diagnosis_table(
    findings: Iterable[Finding], lang: str, misses: Sequence[RepForecast] = ()
) -> OutputTable:
    """The six causes per rep and the team; then the reps the forecast says will likely miss."""
    table = contract.DIAGNOSIS
    everyone = contract.ALL_REPS[lang]
    out: list[dict[str, Any]] = []
    for f in findings:
        out.append(
            {
                "rep": f.rep or everyone,
                "cause": f.cause,
                "figure": f.figure,
                "amount": f.amount,
                "flagged": f.flagged,
                "action": remedies.remedy(f, lang),
                "rank": f.rank,
                "detail": remedies.detail(f, lang),
            }
        )
    out.extend(_miss_rows(misses, lang))
    return OutputTable(table, lang, _by_key(table, lang, out), rules=flag_rules(lang))


def excuses_table(summaries: Iterable[ExcuseSummary], lang: str) -> OutputTable:
    table = contract.EXCUSES
    everyone = contract.ALL_REPS[lang]
    out: list[dict[str, Any]] = []
    for e in summaries:
        out.append(
            {
                "rep": e.rep or everyone,
                "excuse_kind": e.kind,
                "count": e.count,
                "accepted": e.accepted,
                "deferred": e.deferred,
                "deferred_accepted": e.deferred_accepted,
                "counter_measure": remedies.pick(remedies.COUNTER_MEASURES[e.kind], lang),
                "customers": remedies.name_customers(e.customers, lang),
            }
        )
    return OutputTable(table, lang, _by_key(table, lang, out))


def month_forecast(
    rows: Iterable[StatusRow], predicted: Iterable[ForecastRow], month: date
) -> tuple[RepForecast, ...]:
    """Per rep and the team: the month's target and received (Status) and expected (Forecast)."""
    current = [(r.customer.rep, r.target, r.received) for r in rows if r.month == month]
    return forecast_by_rep(current, [f for f in predicted if f.month == month])


def dashboard_table(
    rows: Iterable[StatusRow],
    month: date,
    lang: str,
    predicted: Iterable[ForecastRow] = (),
    forecast: Sequence[RepForecast] | None = None,
) -> OutputTable:
    """Rep and team totals of the month (engine: status.totals_by_rep), the promise mix and
    the month-end forecast (received + expected vs target): `forecast` when the caller
    has it, else month_forecast of `rows` and `predicted`."""
    table = contract.DASHBOARD
    rows = list(rows)
    current = [r for r in rows if r.month == month]
    if forecast is None:
        forecast = month_forecast(current, predicted, month)
    ahead = {f.rep: f for f in forecast}
    out = []
    for t in totals_by_rep(current):
        values: dict[str, Any] = {
            "rep": t.rep or contract.ALL_REPS[lang],
            "customers": t.customers,
            **{
                k: getattr(t, k)
                for k in (
                    "target",
                    "committed",
                    "contribution",
                    "covered",
                    "remaining_gap",
                    "received",
                    "gap",
                    "completion",
                    "coverage",
                )
            },
            **{s.key: t.promises.get(s.key, 0) for s in contract.PROMISE_STATUSES},
        }
        f = ahead.get(t.rep)
        values.update(
            expected=f.expected if f else Decimal(0),
            likely=f.likely if f else t.received,
            shortfall=f.shortfall if f else max(Decimal(0), t.target - t.received),
        )
        out.append(values)
    return OutputTable(table, lang, _by_key(table, lang, out), charts=dashboard_charts(lang))


def _basis(row: ForecastRow, lang: str) -> str:
    """'12 期记录' / '3 期记录，团队占 50%' / '无记录：按团队' (and in English)."""
    zh = lang == "zh"
    if row.history == 0:
        return "无记录：按团队" if zh else "no record: the team's"
    if row.weight == 0:  # nothing due in the curve's window (engine/forecast.py LOOKBACK_DAYS)
        n = row.history
        return (
            f"{n} 期记录，近期无：按团队"
            if zh
            else f"{n} installments of record, none lately: the team's"
        )
    text = f"{row.history} 期记录" if zh else f"{row.history} installments of record"
    if row.weight < 1:
        team = f"{1 - row.weight:.0%}"
        text += f"，团队占 {team}" if zh else f", the team's {team}"
    return text


def forecast_table(predicted: Iterable[ForecastRow], lang: str) -> OutputTable:
    """Forecast (预测): a customer's open commitments and what is expected by month end."""
    table = contract.FORECAST
    own: dict[str, Getter] = {
        "month": "month",
        "open": "open",
        "expected": "expected",
        "kept_rate": "kept_rate",
        "avg_days_late": lambda f: (
            None if f.avg_days_late is None else round(float(f.avg_days_late), 1)
        ),
        "basis": lambda f: _basis(f, lang),
    }
    getters = [own.get(c.key) or f"customer.{c.key}" for c in table.columns]
    return OutputTable(table, lang, _rows(predicted, table.columns, lang, getters))


def problems_table(problems: Sequence[Problem], lang: str) -> OutputTable:
    level = {
        ch.key: contract.choice_label(contract.SEVERITIES, ch.key, lang)
        for ch in contract.SEVERITIES
    }
    rows = tuple((p.sheet, p.cell, p.value, p.message, level[p.severity]) for p in problems)
    return OutputTable(contract.PROBLEMS, lang, rows)


def output_tables(
    found: Analysis, problems: list[Problem], lang: str, as_of: date
) -> list[OutputTable]:
    """Every output table of SPEC, in the workbook's language.

    Problems lists `problems` and then the analysis' calendar warnings not among them.
    """
    problems = [*problems, *(w for w in found.warnings if w not in problems)]
    month = as_of.replace(day=1)
    forecast = month_forecast(found.rows, found.forecast, month)
    misses = likely_to_miss(forecast)
    return [
        status_table(found.rows, lang),
        schedule_table(found.actions, lang),
        diagnosis_table(found.findings, lang, misses),
        excuses_table(found.excuses, lang),
        dashboard_table(found.rows, month, lang, forecast=forecast),
        forecast_table(found.forecast, lang),
        problems_table(problems, lang),
    ]
