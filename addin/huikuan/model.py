"""The records of SPEC: one frozen model per input row, plus Problem.

Records are built only from values that parsed cleanly (see values.py), so
the engine never sees a bad row. Money is Decimal throughout.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

R = TypeVar("R", bound="Record")
_set = object.__setattr__
_TRUSTED: dict[type, tuple[dict[str, Any], frozenset[str], tuple[str, ...]]] = {}


class Record(BaseModel):
    # defer_build: a model's validator is built the first time it validates, not at import
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def trusted(cls: type[R], values: dict[str, Any]) -> R:
        """A record from values huikuan's own parsers produced, without validating them again.

        Only for values that values.py has parsed (through the reader) or that are
        records and tuples of records already: each is of its field's exact type, so
        pydantic's validation would only repeat the work (it was about half of the time
        of reading a 10,000-customer workbook). Field names are still checked; defaults
        are filled in as the constructor would.
        """
        return cls.trusted_many([values])[0]

    @classmethod
    def trusted_many(cls: type[R], rows: Iterable[dict[str, Any]]) -> tuple[R, ...]:
        """`trusted` for many rows at once (the per-row work hoisted out of the loop)."""
        spec = _TRUSTED.get(cls)
        if spec is None:
            fields = cls.model_fields
            defaults = {n: f.default for n, f in fields.items() if not f.is_required()}
            spec = _TRUSTED[cls] = (defaults, frozenset(fields), tuple(fields))
        defaults, names, order = spec
        new = cls.__new__
        out = []
        for values in rows:
            keys = values.keys()
            if not keys <= names:
                raise TypeError(f"{cls.__name__} has no field {sorted(keys - names)}")
            record = new(cls)
            # in field order, as the constructor lays them out (reprs and dumps alike)
            _set(record, "__dict__", {n: values[n] if n in values else defaults[n] for n in order})
            _set(record, "__pydantic_fields_set__", set(keys))
            _set(record, "__pydantic_extra__", None)
            _set(record, "__pydantic_private__", None)
            out.append(record)
        return tuple(out)


class Customer(Record):
    customer_id: str
    name: str
    rep: str
    credit_grade: str = "B"  # A (best) .. D (worst)
    key_account: bool = False
    contact: str | None = None
    phone: str | None = None
    email: str | None = None


class PlanRow(Record):
    """Our plan for one customer in one month (month is its first day)."""

    month: date
    customer_id: str
    target: Decimal
    expected: Decimal | None = None
    ask: Decimal | None = None
    agreed_jointly: bool = False
    agreed_on: date | None = None


class Measure(Record):
    """A measure aimed at the gap; contribution is its estimated extra collection."""

    month: date
    customer_id: str
    kind: str
    contribution: Decimal
    description: str | None = None
    owner: str | None = None
    due: date | None = None
    status: str = "planned"  # planned / done / dropped


class Installment(Record):
    """One committed installment (a row of Commitments)."""

    customer_id: str
    due: date
    amount: Decimal
    promised_on: date | None = None
    carried_from: date | None = None  # roll: the due date of the unpaid installment carried


class Receipt(Record):
    date: date
    customer_id: str
    amount: Decimal
    reference: str | None = None


class FollowUp(Record):
    date: date
    customer_id: str
    result: str
    channel: str = "call"
    excuse_kind: str | None = None
    excuse_accepted: bool = False
    deferred: Decimal | None = None
    note: str | None = None


class Problem(Record):
    """A bad input: where it is (sheet, A1 cell), what was there, and why.

    severity "error": a value that is wrong (exit 1); "warning": something that would
    otherwise pass silently — a default, a skipped cell — while every figure is computed
    (exit 0 when there are only warnings).
    """

    sheet: str
    cell: str
    value: str
    message: str
    severity: str = "error"  # "error" | "warning"

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"


class CadenceRow(Record):
    """A Policy row: the follow-up cadence of one credit grade, in days."""

    credit_grade: str
    remind_before: int
    grace: int
    chase_every: int
    escalate_after: int


class Holiday(Record):
    """A Holidays row: a day off (working=False) or an adjusted working day (True)."""

    date: date
    working: bool = False
    note: str | None = None


class Threshold(Record):
    """A Thresholds row: a diagnosis cause is flagged above this share."""

    cause: str
    threshold: Decimal


class Rep(Record):
    """A Reps row: where a rep's workbook is mailed, and their manager."""

    rep: str
    email: str | None = None
    manager: str | None = None


class Book(Record):
    """Every good record read from one workbook."""

    customers: tuple[Customer, ...] = ()
    plan: tuple[PlanRow, ...] = ()
    measures: tuple[Measure, ...] = ()
    commitments: tuple[Installment, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    followups: tuple[FollowUp, ...] = ()
    cadences: tuple[CadenceRow, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    reps: tuple[Rep, ...] = ()
    lang: str = "zh"
