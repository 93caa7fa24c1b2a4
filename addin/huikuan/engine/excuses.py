"""Excuses (METHOD §5): by kind, accepted or not, and the money they deferred, per rep."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..model import Customer, FollowUp
from .status import ZERO

KINDS = ("quality", "personal", "downstream", "cash", "dispute", "other")


@dataclass(frozen=True, slots=True)
class ExcuseSummary:
    """The excuses of one kind heard by one rep (rep None = the team) in a month."""

    rep: str | None
    kind: str
    count: int
    accepted: int
    deferred: Decimal  # all deferred amounts recorded with these excuses
    deferred_accepted: Decimal  # the part deferred by excuses the rep accepted
    customers: tuple[str, ...]


def summarise(
    followups: Iterable[FollowUp], customers: Mapping[str, Customer], month: date, as_of: date
) -> tuple[ExcuseSummary, ...]:
    """Per rep (by name) and then the team: one summary per excuse kind heard this month."""
    groups: dict[tuple[str | None, str], list[FollowUp]] = defaultdict(list)
    for fu in followups:
        if fu.result != "excuse" or fu.date > as_of or fu.date.replace(day=1) != month:
            continue
        cust = customers.get(fu.customer_id)
        if cust is None:
            continue
        kind = fu.excuse_kind or "other"
        groups[cust.rep, kind].append(fu)
        groups[None, kind].append(fu)
    out = []
    reps = sorted({rep for rep, _ in groups if rep is not None})
    for rep in (*reps, None):
        for kind in KINDS:
            items = groups.get((rep, kind))
            if not items:
                continue
            out.append(
                ExcuseSummary(
                    rep=rep,
                    kind=kind,
                    count=len(items),
                    accepted=sum(fu.excuse_accepted for fu in items),
                    deferred=sum((fu.deferred or ZERO for fu in items), ZERO),
                    deferred_accepted=sum(
                        (fu.deferred or ZERO for fu in items if fu.excuse_accepted), ZERO
                    ),
                    customers=tuple(dict.fromkeys(fu.customer_id for fu in items)),
                )
            )
    return tuple(out)
