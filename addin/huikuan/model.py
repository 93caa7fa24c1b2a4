"""The records of SPEC: one frozen record per input row, plus Problem.

Records are built only from values that parsed cleanly (see values.py), so
the engine never sees a bad row. Money is Decimal throughout. The reader builds
them with `Record.parsed_many` (strict validation in one call per table).

Every record is a frozen, slotted pydantic dataclass: about
100 bytes a row instead of a model's ~1 KB (its `__dict__` and fields-set), which
is what keeps a 50,000-customer refresh under 500 MB (issue 15). Copies with
changed fields: `record.updated({...})` (validated again, as a new record).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import ConfigDict, Strict, TypeAdapter
from pydantic.dataclasses import dataclass

R = TypeVar("R", bound="Record")
_ADAPTERS: dict[type[Record], TypeAdapter[Any]] = {}
# defer_build: a record's validator is built the first time it validates, not at import
_CONFIG = ConfigDict(extra="forbid", defer_build=True)
# Strict field types: a value must already be of its field's exact type (a date, a
# Decimal, ...). Pydantic's call-level strict mode would also want every dataclass given
# as an instance, not as its values, so strictness sits on the fields instead.
Text = Annotated[str, Strict()]
Money = Annotated[Decimal, Strict()]
Day = Annotated[dt.date, Strict()]  # also spares `date: date` (a slot would shadow the type)
Flag = Annotated[bool, Strict()]
Count = Annotated[int, Strict()]


class Record:
    """The base of every record: no slots of its own, so its subclasses' stay the only ones."""

    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        """The record's fields and values, in field order (records inside stay records)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def updated(self: R, changes: Mapping[str, Any]) -> R:
        """A copy with `changes` applied, validated like a record built by hand."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    @classmethod
    def validated(cls: type[R], values: Mapping[str, Any]) -> R:
        """A record from loose values (JSON-like: a date as ISO text, an amount as text)."""
        return _adapter(cls, single=True).validate_python(values)  # type: ignore[no-any-return]

    @classmethod
    def validated_json(cls: type[R], text: str | bytes) -> R:
        """A record from one JSON object's text."""
        return _adapter(cls, single=True).validate_json(text)  # type: ignore[no-any-return]

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
        records: tuple[R, ...] = _adapter(cls).validate_python(tuple(rows))
        return records


_ONE: dict[type[Record], TypeAdapter[Any]] = {}


def _adapter(cls: type[Record], single: bool = False) -> TypeAdapter[Any]:
    """The cached TypeAdapter of a tuple of `cls` records (of one, when `single`)."""
    cache = _ONE if single else _ADAPTERS
    adapter = cache.get(cls)
    if adapter is None:
        kind: Any = cls if single else tuple[cls, ...]  # type: ignore[valid-type]
        adapter = cache[cls] = TypeAdapter(kind)
    return adapter


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Customer(Record):
    customer_id: Text
    name: Text
    rep: Text
    credit_grade: Text = "B"  # A (best) .. D (worst)
    key_account: Flag = False
    contact: Text | None = None
    phone: Text | None = None
    email: Text | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
class PlanRow(Record):
    """Our plan for one customer in one month (month is its first day)."""

    month: Day
    customer_id: Text
    target: Money
    expected: Money | None = None
    ask: Money | None = None
    agreed_jointly: Flag = False
    agreed_on: Day | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Measure(Record):
    """A measure aimed at the gap; contribution is its estimated extra collection."""

    month: Day
    customer_id: Text
    kind: Text
    contribution: Money
    description: Text | None = None
    owner: Text | None = None
    due: Day | None = None
    status: Text = "planned"  # planned / done / dropped


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Installment(Record):
    """One committed installment (a row of Commitments)."""

    customer_id: Text
    due: Day
    amount: Money
    promised_on: Day | None = None
    carried_from: Day | None = None  # roll: the due date of the unpaid installment carried


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Receipt(Record):
    date: Day
    customer_id: Text
    amount: Money
    reference: Text | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
class FollowUp(Record):
    date: Day
    customer_id: Text
    result: Text
    channel: Text = "call"
    excuse_kind: Text | None = None
    excuse_accepted: Flag = False
    deferred: Money | None = None
    note: Text | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Problem(Record):
    """A bad input: where it is (sheet, A1 cell), what was there, and why.

    severity "error": a value that is wrong (exit 1); "warning": something that would
    otherwise pass silently — a default, a skipped cell — while every figure is computed
    (exit 0 when there are only warnings).
    """

    sheet: Text
    cell: Text
    value: Text
    message: Text
    severity: Text = "error"  # "error" | "warning" (a warning alone leaves the exit code 0)

    @property
    def is_error(self) -> bool:
        return self.severity != "warning"

    @property
    def where(self) -> str:
        """ "Sheet!A1", or the sheet alone when the problem is of no one cell."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


@dataclass(frozen=True, slots=True, config=_CONFIG)
class CadenceRow(Record):
    """A Policy row: the follow-up cadence of one credit grade, in days."""

    credit_grade: Text
    remind_before: Count
    grace: Count
    chase_every: Count
    escalate_after: Count
    use_suggested: Flag = False  # follow this grade's customers at their suggested grade


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Holiday(Record):
    """A Holidays row: a day off (working=False) or an adjusted working day (True)."""

    date: Day
    working: Flag = False
    note: Text | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Threshold(Record):
    """A Thresholds row: a diagnosis cause is flagged above this share."""

    cause: Text
    threshold: Money


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Rep(Record):
    """A Reps row: where a rep's workbook is mailed, and their manager."""

    rep: Text
    email: Text | None = None
    manager: Text | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
class Setting(Record):
    """A Settings row: one workbook-wide setting (contract.SETTING_KEYS) and its value."""

    setting: Text
    value: Text | None = None


@dataclass(frozen=True, slots=True, config=_CONFIG)
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
    lang: Text = "zh"

    def setting(self, key: str) -> str | None:
        """The Settings row `key`'s value (trimmed), None when blank or absent."""
        for s in self.settings:
            if s.setting == key:
                return (s.value or "").strip() or None
        return None
