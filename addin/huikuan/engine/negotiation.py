"""Negotiation help (METHOD §6): how much to ask for, from the customer's own habit.

Customers knock a share off whatever is asked. Their settle ratio is what
they committed ÷ what we asked, over past months; the ask that lands on a
wanted amount is want ÷ ratio, rounded up to a unit a person would say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from ..model import Book, Installment, PlanRow

DEFAULT_SETTLE = Decimal("0.75")  # when neither the customer nor the team has history
ZERO = Decimal(0)
ONE = Decimal(1)
FEN = Decimal("0.01")


def settle_ratio(asked: Iterable[Decimal], settled: Iterable[Decimal]) -> Decimal | None:
    """Σ settled ÷ Σ asked over the months that had an ask; None without history."""
    total_ask = total_settled = ZERO
    for ask, got in zip(asked, settled, strict=True):
        if ask > 0:
            total_ask += ask
            total_settled += got
    return None if total_ask == 0 else total_settled / total_ask


def round_unit(amount: Decimal) -> Decimal:
    """A unit a rep would name: 100 below 1万, 1,000 below 10万, 5,000 below 100万, else 1万."""
    for limit, unit in _UNITS:
        if amount < limit:
            return unit
    return _TOP_UNIT


_UNITS = tuple(
    (Decimal(limit), Decimal(unit))
    for limit, unit in ((10_000, 100), (100_000, 1_000), (1_000_000, 5_000))
)
_TOP_UNIT = Decimal(10_000)


def suggested_ask(
    want: Decimal, ratio: Decimal = DEFAULT_SETTLE, round_to: Decimal | None = None
) -> Decimal:
    """The opening ask that settles at `want`: want ÷ ratio, rounded up to a sensible unit.

    A ratio above 1 (a customer who committed more than asked) counts as 1: never
    suggest asking for less than is wanted.
    """
    if ratio <= 0:
        raise ValueError("settle ratio must be above 0")
    raw = (want / min(ratio, ONE)).quantize(FEN)  # drop division noise: 1/3 → 0.333…
    unit = round_to or round_unit(raw)
    return (raw / unit).to_integral_value(rounding=ROUND_CEILING) * unit


def no_anchor(plan: PlanRow) -> bool:
    """The rep asks no more than they expect: nothing left to give in the negotiation."""
    return plan.ask is not None and plan.expected is not None and plan.ask <= plan.expected


@dataclass(frozen=True, slots=True)
class Advice:
    """Negotiation advice for one plan row."""

    settle_ratio: Decimal
    source: str  # "customer", "team" or "default": where the ratio came from
    suggested_ask: Decimal
    no_anchor: bool


def _committed(installments: Iterable[Installment]) -> Mapping[tuple[str, date], Decimal]:
    out: dict[tuple[str, date], Decimal] = defaultdict(lambda: ZERO)
    months: dict[date, date] = {}  # due day → its month (the same few days recur)
    for inst in installments:
        month = months.get(inst.due) or months.setdefault(inst.due, inst.due.replace(day=1))
        out[inst.customer_id, month] += inst.amount
    return out


def _history(
    book: Book, committed: Mapping[tuple[str, date], Decimal]
) -> tuple[dict[str, list[PlanRow]], list[tuple[date, Decimal, Decimal]]]:
    """Each customer's plan rows with an ask, and the team's (month, Σ ask, Σ committed)."""
    own: dict[str, list[PlanRow]] = defaultdict(list)
    team: dict[date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for p in book.plan:
        if p.ask:
            own[p.customer_id].append(p)
            team[p.month][0] += p.ask
            team[p.month][1] += committed[p.customer_id, p.month]
    return own, [(m, ask, got) for m, (ask, got) in sorted(team.items())]


def advise(book: Book) -> dict[tuple[date, str], Advice]:
    """Advice for every plan row, each from the history of the months before it.

    The ratio is the customer's own (Σ committed ÷ Σ ask over its earlier months
    with an ask); without one (or when it is 0), the team's over the same
    earlier months; without that, 0.75.
    """
    committed = _committed(book.commitments)
    own, team = _history(book, committed)
    team_before: dict[date, Decimal | None] = {}  # the team's ratio before each month
    # suggested_ask by (target, ratio): targets are round sums and most rows share the
    # team's ratio, so the same few asks come up again and again (equal Decimals give
    # equal asks: the division is quantized to the fen)
    asks: dict[tuple[Decimal, Decimal], Decimal] = {}
    advice = {}
    for plan in book.plan:
        past = [p for p in own.get(plan.customer_id, ()) if p.month < plan.month]
        ratio = (
            settle_ratio(
                (p.ask or ZERO for p in past), (committed[p.customer_id, p.month] for p in past)
            )
            if past
            else None  # no earlier month with an ask (a book of one month: every row)
        )
        source = "customer"
        if not ratio:
            if plan.month not in team_before:
                earlier = [t for t in team if t[0] < plan.month]
                team_before[plan.month] = settle_ratio(
                    (t[1] for t in earlier), (t[2] for t in earlier)
                )
            ratio, source = team_before[plan.month], "team"
        if not ratio:
            ratio, source = DEFAULT_SETTLE, "default"
        ask = asks.get((plan.target, ratio))
        if ask is None:
            ask = asks[plan.target, ratio] = suggested_ask(plan.target, ratio)
        advice[plan.month, plan.customer_id] = Advice(ratio, source, ask, no_anchor(plan))
    return advice
