"""Merge reps' returned workbooks into the team's book (`huikuan collect`).

Pure: books in, one book and a list of events out; no I/O. Each returned
book comes from one rep (the team layer has already picked the newest file
per rep). The rules:

- **Ownership.** A customer belongs to the rep the base's Customers table
  names. A return holding a customer of another rep is not taken for that
  customer: each of its rows is reported (`other_rep`, `not_taken`).
  Without a base, or for a customer the base lacks, the rep whose own row
  of that customer names them wins, then the newest file.
- **Customers.** The base wins for name, rep, credit grade and key account;
  the rep's contact, phone and email are taken. Every difference is
  reported (`customer`). A customer not in the base is added and reported
  (`not_in_base`).
- **Plan.** The base wins for targets (`target` when a rep changed one);
  expected, ask, agreed jointly and agreed on are the rep's. A plan row the
  base lacks is taken and reported.
- **Measures, Commitments, Receipts, FollowUps** belong to the reps: a row
  in both base and return counts once (rows are matched as a multiset, so
  identical rows are deduplicated between the two, but identical rows a rep
  typed beyond the base's both stay, reported as `duplicate`; without a base
  nothing tells a copy from a repeat: they stay unreported); a base row the
  rep edited (same loose key, see `LOOSE`) is replaced by the rep's version
  and reported (`changed`); a base row missing in the return is kept and
  reported (`kept`); a new row is added.
- **Settings.** Policy, Holidays and Reps are the base's (a rep's change to
  their own Reps row is reported); without a base, Policy and Holidays come
  from the newest return and Reps from each return's own row.

No row is dropped without an event saying so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model import Book, Customer, PlanRow, Record, Rep

# Tables owned by the reps, by Book field, and how a row a rep edited is recognised:
# the same customer and this loose key (None: an edited row is a new row).
LOOSE: dict[str, Callable[[Any], Hashable | None]] = {
    "measures": lambda m: (m.month, m.kind),
    "commitments": lambda i: (i.due,),
    "receipts": lambda r: (r.reference,) if r.reference else None,
    "followups": lambda f: (f.date,),
}
TABLE_NAMES = {
    "customers": "Customers",
    "plan": "Plan",
    "measures": "Measures",
    "commitments": "Commitments",
    "receipts": "Receipts",
    "followups": "FollowUps",
    "reps": "Reps",
}
REP_TABLES = tuple(LOOSE)
BASE_CUSTOMER_FIELDS = ("name", "rep", "credit_grade", "key_account")
REP_CUSTOMER_FIELDS = ("contact", "phone", "email")


@dataclass(frozen=True, slots=True)
class Return:
    """One rep's returned book; `order` 0 is the newest file."""

    source: str  # the file's name, for the report
    rep: str
    book: Book
    order: int = 0


@dataclass(frozen=True, slots=True)
class Event:
    """Something the manager should know about a merge (a COLLECT_EVENTS key).

    `old` is the base's version of a row, `new` the return's; `field` names the
    field of a `target` or `customer` event; `owner` the rep a customer belongs to.
    """

    kind: str
    source: str  # file name; "" for the base
    rep: str | None = None
    table: str | None = None  # contract table name
    customer_id: str | None = None
    old: Record | None = None
    new: Record | None = None
    field: str | None = None
    owner: str | None = None
    taken: bool = True  # is the return's version (new) in the merged book?


@dataclass
class Merged:
    book: Book
    events: list[Event] = field(default_factory=list)
    # per source file: (table, what) → rows, what being added / changed / kept / same
    counts: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )


def _by_customer(rows: Sequence[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        out[row.customer_id].append(row)
    return out


@dataclass
class _Rows:
    """The merge of one customer's rows of one table: what goes where."""

    in_place: list[Record]  # aligned with the base rows: the row to write in each one's place
    added: list[Record]
    changed: list[tuple[Record, Record]]
    kept: list[Record]
    duplicates: list[Record]
    same: int


def merge_rows(
    base: Sequence[Record], ret: Sequence[Record], loose: Callable[[Any], Hashable | None]
) -> _Rows:
    """Base rows against a rep's rows of one customer (see the module's rules)."""
    n = len(base)
    new = ret[n:]
    if tuple(ret[:n]) == tuple(base) and len(set(new)) == len(new) and not set(new) & set(base):
        # the usual return: the base's rows as sent, the rep's new ones below
        return _Rows(list(base), list(new), [], [], [], n)
    left = Counter(ret)
    matched: list[bool] = []
    for row in base:
        hit = left[row] > 0
        if hit:
            left[row] -= 1
        matched.append(hit)
    # the return's rows that matched no base row, in the return's order
    used = Counter(row for row, hit in zip(base, matched, strict=True) if hit)
    rest: list[Record] = []
    for row in ret:
        if used[row] > 0:
            used[row] -= 1
        else:
            rest.append(row)
    by_key: dict[Hashable, list[Record]] = defaultdict(list)
    for row in rest:
        key = loose(row)
        if key is not None:
            by_key[key].append(row)
    out = _Rows([], [], [], [], [], sum(matched))
    paired: set[int] = set()
    for row, hit in zip(base, matched, strict=True):
        if hit:
            out.in_place.append(row)
            continue
        key = loose(row)
        if key is not None and by_key.get(key):
            match = by_key[key].pop(0)
            paired.add(id(match))
            out.in_place.append(match)
            out.changed.append((row, match))
        else:
            out.in_place.append(row)
            out.kept.append(row)
    out.added = [row for row in rest if id(row) not in paired]
    seen = Counter(out.in_place)
    for row in out.added:  # a copy of a row already there: reported, kept
        if seen[row]:
            out.duplicates.append(row)
        seen[row] += 1
    return out


def _owners(base: Book | None, returns: Sequence[Return]) -> dict[str, Return | None]:
    """Which return each claimed customer is taken from (None: from none, the base keeps it)."""
    base_rep = {c.customer_id: c.rep for c in base.customers} if base else {}
    claims: dict[str, list[tuple[Return, Customer]]] = defaultdict(list)
    for ret in returns:
        for cust in ret.book.customers:
            claims[cust.customer_id].append((ret, cust))
    owners: dict[str, Return | None] = {}
    for cid, found in claims.items():
        if cid in base_rep:
            owners[cid] = next((r for r, _ in found if r.rep == base_rep[cid]), None)
        else:
            consistent = [r for r, c in found if c.rep == r.rep]
            owners[cid] = min(consistent or [r for r, _ in found], key=lambda r: (r.order, r.rep))
    return owners


def merge(base: Book | None, returns: Sequence[Return]) -> Merged:
    """The team's book: the base (if any) with every return merged in by the module's rules."""
    returns = sorted(returns, key=lambda r: (r.rep, r.source))
    owners = _owners(base, returns)
    base_book = base or Book()
    base_customers = {c.customer_id: c for c in base_book.customers}
    result = Merged(Book())
    events = result.events

    def count(ret: Return, table: str, what: str, n: int = 1) -> None:
        if n:
            result.counts[ret.source][table, what] += n

    # ---- rows of customers a return holds but does not own: reported, not taken
    for ret in returns:
        for cust in ret.book.customers:
            owner = owners[cust.customer_id]
            if owner is ret:
                continue
            owner_rep = (
                base_customers[cust.customer_id].rep if cust.customer_id in base_customers else None
            )
            owner_rep = owner_rep or (owner.rep if owner else None)
            events.append(
                Event(
                    "other_rep",
                    ret.source,
                    ret.rep,
                    "Customers",
                    cust.customer_id,
                    new=cust,
                    owner=owner_rep,
                    taken=False,
                )
            )
            for fld in ("plan", *REP_TABLES):
                for row in getattr(ret.book, fld):
                    if row.customer_id == cust.customer_id:
                        events.append(
                            Event(
                                "not_taken",
                                ret.source,
                                ret.rep,
                                TABLE_NAMES[fld],
                                cust.customer_id,
                                new=row,
                                owner=owner_rep,
                                taken=False,
                            )
                        )
                        count(ret, TABLE_NAMES[fld], "not_taken")

    # each return's rows of the customers it owns
    owned: dict[str, Return] = {cid: r for cid, r in owners.items() if r is not None}
    ret_rows: dict[int, dict[str, dict[str, list[Any]]]] = {
        id(r): {fld: _by_customer(getattr(r.book, fld)) for fld in ("plan", *REP_TABLES)}
        for r in returns
    }

    def rows_of(ret: Return, fld: str, cid: str) -> list[Any]:
        return ret_rows[id(ret)][fld].get(cid, [])

    # ---- customers
    customers: list[Customer] = []
    by_rep_returned = {r.rep for r in returns}
    no_return: Counter[str] = Counter()
    for cust in base_book.customers:
        owner = owned.get(cust.customer_id)
        if owner is None:
            customers.append(cust)
            if cust.rep in by_rep_returned:
                rep_ret = next(r for r in returns if r.rep == cust.rep)
                events.append(
                    Event(
                        "kept", rep_ret.source, rep_ret.rep, "Customers", cust.customer_id, old=cust
                    )
                )
            else:
                no_return[cust.rep] += 1
            continue
        theirs_row = next(c for c in owner.book.customers if c.customer_id == cust.customer_id)
        update: dict[str, Any] = {}
        for name in (*BASE_CUSTOMER_FIELDS, *REP_CUSTOMER_FIELDS):
            theirs, ours = getattr(theirs_row, name), getattr(cust, name)
            if theirs == ours:
                continue
            taken = name in REP_CUSTOMER_FIELDS and theirs is not None
            if taken:
                update[name] = theirs
            events.append(
                Event(
                    "customer",
                    owner.source,
                    owner.rep,
                    "Customers",
                    cust.customer_id,
                    old=cust,
                    new=theirs_row,
                    field=name,
                    taken=taken,
                )
            )
        customers.append(cust.model_copy(update=update) if update else cust)
        count(owner, "Customers", "same")
    for rep, n in sorted(no_return.items()):
        events.append(Event("no_return", "", rep, "Customers", None, field=str(n)))
    for ret in returns:
        for cust in ret.book.customers:
            if owners[cust.customer_id] is not ret or cust.customer_id in base_customers:
                continue
            if base is not None:
                events.append(
                    Event(
                        "not_in_base", ret.source, ret.rep, "Customers", cust.customer_id, new=cust
                    )
                )
            customers.append(
                cust if cust.rep == ret.rep else cust.model_copy(update={"rep": ret.rep})
            )
            count(ret, "Customers", "added")

    # ---- plan: the base's targets, the rep's other columns
    base_plan = _by_customer(base_book.plan)
    plan_out: dict[int, PlanRow] = {}
    plan_added: list[PlanRow] = []
    for cid, ret in owned.items():
        mine = {p.month: p for p in rows_of(ret, "plan", cid)}
        theirs_months = set()
        for p in base_plan.get(cid, []):
            theirs_months.add(p.month)
            new = mine.get(p.month)
            if new is None:
                if cid in base_customers:
                    events.append(Event("kept", ret.source, ret.rep, "Plan", cid, old=p))
                    count(ret, "Plan", "kept")
                continue
            if new.target != p.target:
                events.append(
                    Event(
                        "target",
                        ret.source,
                        ret.rep,
                        "Plan",
                        cid,
                        old=p,
                        new=new,
                        field="target",
                        taken=False,
                    )
                )
            merged_row = new.model_copy(update={"target": p.target})
            plan_out[id(p)] = merged_row
            count(ret, "Plan", "same" if merged_row == p else "changed")
        for p in rows_of(ret, "plan", cid):
            if p.month in theirs_months:
                continue
            plan_added.append(p)
            count(ret, "Plan", "added")
            if base is not None:
                events.append(Event("added", ret.source, ret.rep, "Plan", cid, new=p))
    plan = [plan_out.get(id(p), p) for p in base_book.plan] + plan_added

    # ---- the reps' tables
    tables: dict[str, list[Record]] = {}
    for fld in REP_TABLES:
        name = TABLE_NAMES[fld]
        base_rows = _by_customer(getattr(base_book, fld))
        replacement: dict[int, Record] = {}
        added: list[Record] = []
        for cid, ret in owned.items():
            merged = merge_rows(base_rows.get(cid, []), rows_of(ret, fld, cid), LOOSE[fld])
            for old, new in zip(base_rows.get(cid, []), merged.in_place, strict=True):
                replacement[id(old)] = new
            for old, new in merged.changed:
                events.append(Event("changed", ret.source, ret.rep, name, cid, old=old, new=new))
            for old in merged.kept:
                events.append(Event("kept", ret.source, ret.rep, name, cid, old=old))
            for row in merged.duplicates if base is not None else ():
                events.append(Event("duplicate", ret.source, ret.rep, name, cid, new=row))
            added.extend(merged.added)
            count(ret, name, "added", len(merged.added))
            count(ret, name, "changed", len(merged.changed))
            count(ret, name, "kept", len(merged.kept))
            count(ret, name, "same", merged.same)
        tables[fld] = [replacement.get(id(r), r) for r in getattr(base_book, fld)] + added

    # ---- settings
    newest = min(returns, key=lambda r: (r.order, r.rep), default=None)
    if base is not None:
        cadences, holidays = base.cadences, base.holidays
        reps = list(base.reps)
        known = {r.rep: r for r in base.reps}
    else:
        source = newest.book if newest else Book()
        cadences, holidays = source.cadences, source.holidays
        reps, known = [], {}
    for ret in returns:
        for row in ret.book.reps:
            if row.rep != ret.rep:
                events.append(
                    Event("not_taken", ret.source, ret.rep, "Reps", None, new=row, taken=False)
                )
            elif row.rep not in known:
                reps.append(row)
                known[row.rep] = row
            elif known[row.rep] != row:
                events.append(
                    Event(
                        "changed",
                        ret.source,
                        ret.rep,
                        "Reps",
                        None,
                        old=known[row.rep],
                        new=row,
                        taken=False,
                    )
                )
        if base is None and ret.rep not in known:
            reps.append(Rep(rep=ret.rep))
            known[ret.rep] = reps[-1]

    lang = base.lang if base is not None else (newest.book.lang if newest else "zh")
    result.book = Book(
        customers=tuple(customers),
        plan=tuple(plan),
        measures=tuple(tables["measures"]),  # type: ignore[arg-type]
        commitments=tuple(tables["commitments"]),  # type: ignore[arg-type]
        receipts=tuple(tables["receipts"]),  # type: ignore[arg-type]
        followups=tuple(tables["followups"]),  # type: ignore[arg-type]
        cadences=cadences,
        holidays=holidays,
        reps=tuple(reps),
        lang=lang,
    )
    return result
