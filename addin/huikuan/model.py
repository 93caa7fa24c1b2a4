"""The records of SPEC: one frozen model per input row, plus Problem.

Records are built only from values that parsed cleanly (see values.py), so
the engine never sees a bad row. Money is Decimal throughout. The reader builds
them with `Record.parsed_many` (strict validation in one call per table).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter

R = TypeVar("R", bound="Record")
_ADAPTERS: dict[type[Record], TypeAdapter[Any]] = {}


class Record(BaseModel):
    # defer_build: a model's validator is built the first time it validates, not at import
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def parsed(cls: type[R], values: Mapping[str, Any]) -> R:
        """A record from values huikuan's own parsers produced (values.py, through the reader).

        Validated strictly by pydantic's public API: each value must already be of its
        field's exact type (a date, a Decimal, ...), so a str date or a float amount is
        a bug caught here, never a record. Unknown fields are refused; defaults filled.
        """
        return cls.parsed_many([values])[0]

    @classmethod
    def parsed_many(cls: type[R], rows: Iterable[Mapping[str, Any]]) -> tuple[R, ...]:
        """`parsed` for many rows, validated in one call (a TypeAdapter per record type:
        as fast as skipping validation was, measured on 10,000-customer books)."""
        adapter = _ADAPTERS.get(cls)
        if adapter is None:
            adapter = _ADAPTERS[cls] = TypeAdapter(tuple[cls, ...])  # type: ignore[valid-type]
        records: tuple[R, ...] = adapter.validate_python(tuple(rows), strict=True)
        return records


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
    severity: str = "error"  # "error" | "warning" (a warning alone leaves the exit code 0)

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"

    @property
    def where(self) -> str:
        """ "Sheet!A1", or the sheet alone when the problem is of no one cell."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


class CadenceRow(Record):
    """A Policy row: the follow-up cadence of one credit grade, in days."""

    credit_grade: str
    remind_before: int
    grace: int
    chase_every: int
    escalate_after: int
    use_suggested: bool = False  # follow this grade's customers at their suggested grade


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


class Setting(Record):
    """A Settings row: one workbook-wide setting (contract.SETTING_KEYS) and its value."""

    setting: str
    value: str | None = None


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
    settings: tuple[Setting, ...] = ()
    lang: str = "zh"

    def setting(self, key: str) -> str | None:
        """The Settings row `key`'s value (trimmed), None when blank or absent."""
        for s in self.settings:
            if s.setting == key:
                return (s.value or "").strip() or None
        return None
