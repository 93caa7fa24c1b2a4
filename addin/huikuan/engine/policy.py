"""Follow-up policy: cadence by credit grade, A loosest … D tightest (METHOD §4).

The built-in defaults apply where the workbook has no Policy table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import CadenceRow


@dataclass(frozen=True, slots=True)
class Cadence:
    """How tightly one credit grade is followed up, in calendar days."""

    remind_before: int  # remind this many days before an installment is due
    grace: int  # an installment is late only this many days after its due date
    chase_every: int  # chase this often while it stays unpaid after the grace
    escalate_after: int  # tell the manager when still unpaid this long after due


DEFAULT_CADENCE = {
    "A": Cadence(remind_before=2, grace=5, chase_every=7, escalate_after=21),
    "B": Cadence(remind_before=3, grace=3, chase_every=5, escalate_after=14),
    "C": Cadence(remind_before=5, grace=1, chase_every=3, escalate_after=7),
    "D": Cadence(remind_before=7, grace=0, chase_every=2, escalate_after=3),
}

GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True, slots=True)
class Policy:
    cadence: dict[str, Cadence] = field(default_factory=lambda: dict(DEFAULT_CADENCE))

    def for_grade(self, grade: str) -> Cadence:
        return self.cadence.get(grade, self.cadence["B"])


DEFAULT_POLICY = Policy()


def policy_from(rows: Iterable[CadenceRow]) -> Policy:
    """The workbook's Policy rows over the built-in defaults (grades not listed keep theirs)."""
    cadence = dict(DEFAULT_CADENCE)
    for row in rows:
        cadence[row.credit_grade] = Cadence(
            remind_before=row.remind_before,
            grace=row.grace,
            chase_every=max(1, row.chase_every),
            escalate_after=row.escalate_after,
        )
    return Policy(cadence)
