"""Each customer's promise record: how its installments turned out, and a suggested grade.

Pure functions over the records of model.py: no I/O. The rules are Status's own:

- receipts pay a customer's earliest installments first (schedule.unpaid), here
  across months: every receipt up to the as-of day against every installment;
- an installment is *owed* by a day once that day is past its due date plus the
  grace days of the customer's credit grade (status.is_late). Its **outcome** is
  fixed then, from what was still unpaid at the end of its last grace day:
  **kept** (nothing), **partial** (some), **broken** (all of it); `short` is that
  amount. An installment not owed yet is **open**;
- **days late**: days from the due date to the day the installment was paid in
  full (0 when paid by its due date; None while unpaid). The customer's
  **average days late** weighs each part paid by its amount: Σ part × days after
  due it was paid ÷ Σ parts (parts paid early count 0 days; unpaid parts are
  not in it: they show as partial and broken outcomes);
- an installment that `roll` carried into a new month (Carried from 结转自)
  restates the unpaid rest of the one it came from. It is counted once: at its
  origin when the origin is in the book (the promise, and the day lateness runs
  from), otherwise the first carried row of that origin stands for it, dated on
  the origin's due date.

Kept rate = kept ÷ installments owed; partial rate likewise; broken recently =
broken installments due in the last N months (the as-of month and N − 1 before).
A **suggested credit grade** follows from the record by the grade rules of the
Thresholds table (GRADE_DEFAULTS when the table has no such row).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from ..model import Book, Installment, Receipt
from .policy import DEFAULT_POLICY, GRADES, Policy
from .schedule import unpaid
from .status import ZERO, last_late_due, ratio
from .status import days as n_days  # (outcomes has a list named days)

OUTCOMES = ("kept", "partial", "broken", "open")
ONE_DAY = timedelta(days=1)

# The grade rules (Thresholds table keys) and their defaults. Rates are shares,
# days are days, counts are installments.
GRADE_DEFAULTS: Mapping[str, Decimal] = {
    "grade_min_installments": Decimal(4),  # fewer owed installments: no suggestion
    "grade_a_kept_rate": Decimal("0.9"),  # A: kept rate at least this …
    "grade_a_days_late": Decimal(3),  # … and average days late at most this
    "grade_b_kept_rate": Decimal("0.75"),  # B: likewise
    "grade_b_days_late": Decimal(10),
    "grade_c_kept_rate": Decimal("0.5"),  # C: kept rate at least this; D below
    "grade_months": Decimal(6),  # N: the months "broken recently" looks back
    "grade_d_broken": Decimal(3),  # this many broken in the last N months: D
}


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one installment turned out as of a day."""

    installment: Installment  # as counted (a carried chain's head is dated at its origin)
    status: str  # kept / partial / broken / open
    short: Decimal  # unpaid at the end of its grace (0 while open)
    days_late: int | None  # due → paid in full; None while unpaid
    unpaid: Decimal  # still owed as of the day
    parts: tuple[tuple[date, Decimal], ...]  # (day, amount) paid toward it

    @property
    def due(self) -> date:
        return self.installment.due

    @property
    def amount(self) -> Decimal:
        return self.installment.amount


@dataclass(frozen=True, slots=True)
class PromiseRecord:
    """A customer's record as of a day (rates None when nothing was owed yet)."""

    customer_id: str
    owed: int  # installments owed (kept + partial + broken)
    kept: int
    partial: int
    broken: int
    short: Decimal  # amount short at the end of the grace, summed
    kept_rate: Decimal | None
    partial_rate: Decimal | None
    avg_days_late: Decimal | None  # amount-weighted; None when nothing was paid
    broken_recent: int  # broken installments due in the last N months
    months: int  # N


def counted(commitments: Iterable[Installment]) -> list[Installment]:
    """The installments as counted: each carried amount once (see the module's rules)."""
    commitments = list(commitments)
    if all(inst.carried_from is None for inst in commitments):
        return commitments  # nothing carried: every row counts as it is
    return [inst for _, inst in counted_rows(commitments)]


def counted_rows(commitments: Iterable[Installment]) -> list[tuple[int, Installment]]:
    """(index in `commitments`, installment as counted) of each row that counts."""
    commitments = list(commitments)
    origins = {(i.customer_id, i.due) for i in commitments if i.carried_from is None}
    chains: dict[tuple[str, date], list[tuple[int, Installment]]] = defaultdict(list)
    out = []
    for n, inst in enumerate(commitments):
        if inst.carried_from is None:
            out.append((n, inst))
        elif (inst.customer_id, inst.carried_from) not in origins:
            chains[inst.customer_id, inst.carried_from].append((n, inst))
    for (_, origin), rows in chains.items():
        first = min(r.due for _, r in rows)
        out.extend((n, r.updated({"due": origin})) for n, r in rows if r.due == first)
    return out


def row_outcomes(book: Book, as_of: date, policy: Policy = DEFAULT_POLICY) -> list[Outcome | None]:
    """The outcome of each row of book.commitments, in its order (None: a carried row that
    restates an origin counted elsewhere)."""
    grades = {c.customer_id: c.credit_grade for c in book.customers}
    rows: dict[str, list[tuple[int, Installment]]] = defaultdict(list)
    for n, inst in counted_rows(book.commitments):
        rows[inst.customer_id].append((n, inst))
    receipts: dict[str, list[Receipt]] = defaultdict(list)
    for rec in sorted(book.receipts, key=lambda r: r.date):
        receipts[rec.customer_id].append(rec)
    out: list[Outcome | None] = [None] * len(book.commitments)
    for cid, pairs in rows.items():
        pairs.sort(key=lambda p: p[1].due)
        grace = policy.for_grade(grades.get(cid, "B")).grace
        found = outcomes([i for _, i in pairs], receipts[cid], as_of, grace)
        for (n, _), o in zip(pairs, found, strict=True):
            out[n] = o
    return out


def by_customer(
    commitments: Iterable[Installment], receipts: Iterable[Receipt], as_of: date
) -> dict[str, tuple[list[Installment], list[Receipt]]]:
    """Each customer's counted installments (earliest due first) and receipts up to as_of."""
    out: dict[str, tuple[list[Installment], list[Receipt]]] = defaultdict(lambda: ([], []))
    for inst in counted(commitments):
        out[inst.customer_id][0].append(inst)
    for rec in receipts:
        if rec.date <= as_of:
            out[rec.customer_id][1].append(rec)
    for insts, recs in out.values():
        if len(insts) > 1:  # (most of a team's lists are short: no sort, no key calls)
            insts.sort(key=lambda i: i.due)
        if len(recs) > 1:
            recs.sort(key=lambda r: r.date)
    return dict(out)


def outcomes(
    installments: Sequence[Installment], receipts: Sequence[Receipt], as_of: date, grace: int
) -> tuple[Outcome, ...]:
    """Each installment's outcome as of a day (installments earliest due first).

    Receipts after `as_of` are not seen. What is unpaid on each installment after
    each receipt day comes from schedule.unpaid (earliest installments first).
    """
    days: list[date] = []
    cumulative: list[Decimal] = []
    total = ZERO
    for rec in receipts:
        if rec.date > as_of:
            continue
        total += rec.amount
        if days and days[-1] == rec.date:
            cumulative[-1] = total
        else:
            days.append(rec.date)
            cumulative.append(total)
    # is_late(due, as_of, grace) ⇔ due <= last (status.last_late_due): one subtraction
    # per customer, not a late_from per installment; its grace ends on due + grace
    last, grace_days = last_late_due(as_of, grace), n_days(grace)
    before = [inst.amount for inst in installments]
    owed_after = [before]  # owed_after[k + 1]: unpaid on each after receipts of days[k]
    for paid in cumulative:
        owed_after.append(unpaid(installments, paid))
    steps = range(len(days))
    out = []
    # owed: one installment's unpaid amount before the first receipt day and after each
    for inst, owed in zip(installments, zip(*owed_after, strict=True), strict=True):
        due = inst.due
        parts = (
            tuple([(days[k], owed[k] - owed[k + 1]) for k in steps if owed[k] != owed[k + 1]])
            if days
            else ()
        )
        left = owed[-1]
        days_late = None
        if left == ZERO:  # paid in full (by its last part; a zero installment: 0)
            days_late = max(0, (parts[-1][0] - due).days) if parts else 0
        if due <= last:  # status.is_late(due, as_of, grace)
            short = owed[bisect_right(days, due + grace_days)]  # at the end of the grace
            status = "kept" if short == ZERO else "broken" if short == inst.amount else "partial"
        else:
            short, status = ZERO, "open"
        out.append(Outcome(inst, status, short, days_late, left, parts))
    return tuple(out)


@lru_cache(maxsize=256)  # a record per customer asks it the same question (issue 15)
def months_back(as_of: date, months: int) -> date:
    """The first day of the month `months − 1` before as_of's month."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


@lru_cache(maxsize=1024)  # a team's records share a few (count, owed) pairs (issue 15)
def _rate(count: int, owed: int) -> Decimal | None:
    """count ÷ owed installments: a rate of the record (None when nothing was owed)."""
    return ratio(Decimal(count), Decimal(owed))


def record(
    customer_id: str, found: Sequence[Outcome], as_of: date, months: int = 6
) -> PromiseRecord:
    """A customer's promise record from its outcomes as of a day."""
    since = months_back(as_of, months)
    count = dict.fromkeys(OUTCOMES, 0)
    short = weighted = paid = ZERO
    broken_recent = 0
    for o in found:  # one pass (the sums add in the outcomes' order, as ever)
        status, due = o.status, o.installment.due
        count[status] += 1
        if status != "open":
            short += o.short
            if status == "broken" and due >= since:
                broken_recent += 1
        for day, part in o.parts:
            late = (day - due).days
            weighted += part * (late if late > 0 else 0)  # parts paid early: 0 days
            paid += part
    owed = len(found) - count["open"]
    return PromiseRecord(
        customer_id=customer_id,
        owed=owed,
        kept=count["kept"],
        partial=count["partial"],
        broken=count["broken"],
        short=short,
        kept_rate=_rate(count["kept"], owed),
        partial_rate=_rate(count["partial"], owed),
        avg_days_late=ratio(weighted, paid),
        broken_recent=broken_recent,
        months=months,
    )


def by_month(
    label: str, found: Iterable[Outcome], as_of: date, months: int = 6
) -> dict[date, PromiseRecord]:
    """The record of the installments due in each month (labelled `label`), months ascending."""
    grouped: dict[date, list[Outcome]] = defaultdict(list)
    for o in found:
        grouped[o.due.replace(day=1)].append(o)
    return {m: record(label, grouped[m], as_of, months) for m in sorted(grouped)}


def grade_rules(thresholds: Mapping[str, Decimal] | None = None) -> dict[str, Decimal]:
    """The grade rules: the Thresholds table's rows over GRADE_DEFAULTS."""
    rules = dict(GRADE_DEFAULTS)
    for key, value in (thresholds or {}).items():
        if key in rules:
            rules[key] = value
    return rules


def suggested_grade(
    rec: PromiseRecord, rules: Mapping[str, Decimal] = GRADE_DEFAULTS
) -> str | None:
    """The credit grade the record suggests; None with fewer owed installments than the minimum.

    A: kept rate ≥ grade_a_kept_rate and average days late ≤ grade_a_days_late;
    B: likewise with the B rules; C: kept rate ≥ grade_c_kept_rate; D otherwise,
    and D whenever grade_d_broken or more were broken in the last N months. A
    customer that paid nothing at all has no average days late: it cannot be A or B.
    """
    if rec.owed < rules["grade_min_installments"] or rec.owed == 0:
        return None
    kept = rec.kept_rate if rec.kept_rate is not None else ZERO
    late = rec.avg_days_late
    if rec.broken_recent >= rules["grade_d_broken"]:
        return "D"
    for grade in ("a", "b"):
        if (
            kept >= rules[f"grade_{grade}_kept_rate"]
            and late is not None
            and late <= rules[f"grade_{grade}_days_late"]
        ):
            return grade.upper()
    return "C" if kept >= rules["grade_c_kept_rate"] else "D"


def records(
    book: Book,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    months: int | None = None,
    thresholds: Mapping[str, Decimal] | None = None,
) -> dict[str, tuple[PromiseRecord, tuple[Outcome, ...]]]:
    """Every customer's record and outcomes as of a day (customers of the book, in its order).

    The grace is the customer's credit grade's, as Status's.
    """
    rules = grade_rules(thresholds)
    n = int(months if months is not None else rules["grade_months"])
    grouped = by_customer(book.commitments, book.receipts, as_of)
    graces = {g: policy.for_grade(g).grace for g in {c.credit_grade for c in book.customers}}
    out = {}
    for cust in book.customers:
        insts, recs = grouped.get(cust.customer_id, ((), ()))
        found = outcomes(insts, recs, as_of, graces[cust.credit_grade])
        out[cust.customer_id] = (record(cust.customer_id, found, as_of, n), found)
    return out


def suggestion_text(current: str, suggested: str | None, lang: str, applied: bool = False) -> str:
    """'建议 B→C' (or 'suggested B→C'); empty when there is none or it is the same grade."""
    if suggested is None or suggested == current:
        return ""
    if lang == "zh":
        return f"建议 {current}→{suggested}" + ("（已采用）" if applied else "")
    return f"suggested {current}→{suggested}" + (" (in use)" if applied else "")


def is_grade(grade: str) -> bool:
    return grade in GRADES


def months_held(book: Book) -> set[date]:
    """The months a workbook holds rows of (plan, installments, receipts, follow-ups)."""
    return (
        {p.month for p in book.plan}
        | {i.due.replace(day=1) for i in book.commitments}
        | {r.date.replace(day=1) for r in book.receipts}
        | {f.date.replace(day=1) for f in book.followups}
    )


def with_history(book: Book, stored: Book | None) -> Book:
    """The workbook with the stored installments and receipts of the months it does not hold:
    what promise records and the forecast look back on (Status and the rest stay the
    workbook's own)."""
    if stored is None:
        return book
    held = months_held(book)
    old_insts = tuple(i for i in stored.commitments if i.due.replace(day=1) not in held)
    old_receipts = tuple(r for r in stored.receipts if r.date.replace(day=1) not in held)
    if not old_insts and not old_receipts:
        return book
    return book.updated(
        {
            "commitments": (*old_insts, *book.commitments),
            "receipts": (*old_receipts, *book.receipts),
        }
    )
