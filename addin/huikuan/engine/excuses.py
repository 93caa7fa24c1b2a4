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


def is_excuse(fu: FollowUp) -> bool:
    """Was an excuse heard at this follow-up, whatever its result?

    A rep logs the excuse's kind (or its acceptance) on the row of the contact where
    it was given, and that contact's result may well be 部分 (partial) or 承诺
    (promised): the excuse counts all the same (issue 13). A result of 推脱 (excuse)
    with no kind is an excuse of kind "other".
    """
    return fu.result == "excuse" or fu.excuse_kind is not None or fu.excuse_accepted


def summarise(
    followups: Iterable[FollowUp], customers: Mapping[str, Customer], month: date, as_of: date
) -> tuple[ExcuseSummary, ...]:
    """Per rep (by name) and then the team: one summary per excuse kind heard this month.

    Every follow-up of the month up to as_of where an excuse was heard (is_excuse)
    counts, whatever its result.
    """
    groups: dict[tuple[str | None, str], list[FollowUp]] = defaultdict(list)
    for fu in followups:
        if not is_excuse(fu) or fu.date > as_of or fu.date.replace(day=1) != month:
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
