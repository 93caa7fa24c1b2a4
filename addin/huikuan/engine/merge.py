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
- **Three ways.** When a return carries what split sent its rep (team/sent.py) and
  there is a base, each row sent is judged by who changed it since: unchanged by
  the rep → the base's row (whatever the team did to it: `team_changed` when the
  team changed or deleted it); changed by the rep only → the rep's (`changed`);
  changed by both, differently → the base's kept and a `conflict` listed; deleted
  by the rep → the base's kept and listed (`deleted`). Rows the rep added are
  taken (once: a row the base already holds besides the rows sent is not added
  again, so collecting a return twice adds nothing). A row is matched to its sent
  row by its values (amounts to the fen), then by the loose key, then in order.
  Customers and Plan go field by field (the base's fields stay the base's).
- **Other reps' customers.** A receipt or follow-up a rep logged for another rep's
  customer is taken and reported (`cross_rep`), unless the base (or the owner's
  return) holds the same row; the customer's other rows are not taken
  (`not_taken`). `Return.referenced` names the customers a file's rows refer to
  without holding them in its Customers table.
- **Settings.** Policy, Holidays and Reps are the base's (a rep's change to
  their own Reps row is reported); without a base, Policy and Holidays come
  from the newest return and Reps from each return's own row.

No row is dropped without an event saying so.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..model import Book, Customer, PlanRow, Record, Rep
from ..values import fen

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
REP_PLAN_FIELDS = ("expected", "ask", "agreed_jointly", "agreed_on")


@dataclass(frozen=True, slots=True)
class Return:
    """One rep's returned book; `order` 0 is the newest file.

    `sent`: what split sent this rep (the snapshot read back), None when the file
    carries none or a damaged one (merged two ways). `referenced`: customers of
    `book` its rows refer to that the file's own Customers table lacks (another
    rep's customers, added to the book so those rows could be read).
    """

    source: str  # the file's name, for the report
    rep: str
    book: Book
    order: int = 0
    sent: Book | None = None
    referenced: frozenset[str] = frozenset()


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
    sent: Record | None = None  # what split sent (three-way events)


@dataclass
class Merged:
    book: Book
    events: list[Event] = field(default_factory=list)
    # per source file: (table, what) → rows, what being added / changed / kept / same
    counts: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )


def canonical(record: Record) -> dict[str, Any]:
    """A record's values as JSON values: amounts as text to the fen, dates ISO."""
    out: dict[str, Any] = {}
    for name, value in record.as_dict().items():
        if isinstance(value, Decimal):
            out[name] = str(fen(value))
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def canonical_text(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sig(record: Record) -> str:
    return canonical_text(canonical(record))


def same(a: Record | None, b: Record | None) -> bool:
    """Equal as a workbook shows them (amounts to the fen); None only equals None."""
    if a is None or b is None:
        return a is b
    return a == b or (type(a) is type(b) and _sig(a) == _sig(b))


def pair(
    rows: Sequence[Record], sent: Sequence[Record], loose: Callable[[Any], Hashable | None]
) -> tuple[list[int | None], list[int]]:
    """For each sent row the index of its row in `rows` (None: none), and `rows`' others.

    Rows equal to a sent row (to the fen) pair first, as a multiset; then rows of the
    same loose key; then what is left, in order (an edit that changed the key too).
    """
    free: dict[Record, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        free[row].append(i)
    out: list[int | None] = []
    for s in sent:
        hit = free.get(s)
        out.append(hit.pop(0) if hit else None)
    used = {i for i in out if i is not None}
    if len(used) < len(sent):  # equal to the fen but not as records (65000 and 65000.001)
        by_sig: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            if i not in used:
                by_sig[_sig(row)].append(i)
        for n, s in enumerate(sent):
            hit = by_sig.get(_sig(s)) if out[n] is None else None
            if hit:
                out[n] = hit.pop(0)
                used.add(out[n])  # type: ignore[arg-type]
    if len(used) < len(sent) and len(used) < len(rows):
        by_loose: dict[Hashable, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            key = loose(row)
            if i not in used and key is not None:
                by_loose[key].append(i)
        for n, s in enumerate(sent):
            key = loose(s)
            if out[n] is None and key is not None and by_loose.get(key):
                i = by_loose[key].pop(0)
                out[n] = i
                used.add(i)
    rest = [i for i in range(len(rows)) if i not in used]
    for n in range(len(sent)):
        if out[n] is None and rest:
            out[n] = rest.pop(0)
    return out, rest


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
    # three ways (merge_rows3): (sent, base or None) the team changed; (base, return, sent)
    # both changed; base rows the rep deleted (kept)
    team: list[tuple[Record, Record | None]] = field(default_factory=list)
    conflicts: list[tuple[Record | None, Record | None, Record]] = field(default_factory=list)
    deleted: list[Record] = field(default_factory=list)


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


def merge_rows3(
    base: Sequence[Record],
    sent: Sequence[Record],
    ret: Sequence[Record],
    loose: Callable[[Any], Hashable | None],
) -> _Rows:
    """Base rows against a rep's rows of one customer, knowing what was sent (module rules)."""
    n = len(sent)
    if tuple(base) == tuple(sent) and tuple(ret[:n]) == tuple(sent):
        new = ret[n:]
        if len(set(new)) == len(new) and not set(new) & set(base):
            # the usual return: nothing changed since split on either side, new rows below
            return _Rows(list(base), list(new), [], [], [], n)
    at_b, b_rest = pair(base, sent, loose)
    at_r, r_rest = pair(ret, sent, loose)
    out = _Rows(list(base), [], [], [], [], 0)
    for n, s in enumerate(sent):
        b = base[at_b[n]] if at_b[n] is not None else None  # type: ignore[index]
        r = ret[at_r[n]] if at_r[n] is not None else None  # type: ignore[index]
        if same(r, s):
            if same(b, s):
                out.same += 1
            else:
                out.team.append((s, b))
        elif same(b, s):
            assert b is not None
            if r is None:
                out.deleted.append(b)
                out.kept.append(b)
            else:
                out.in_place[at_b[n]] = r  # type: ignore[index]
                out.changed.append((b, r))
        elif same(r, b):  # both made the same change, or both deleted it
            out.same += b is not None
        else:
            out.conflicts.append((b, r, s))
    # rows the rep added: taken, unless the base holds the same row besides those sent
    extra = Counter(base[i] for i in b_rest)
    seen = Counter(out.in_place)
    for i in r_rest:
        row = ret[i]
        if extra[row] > 0:
            extra[row] -= 1
            out.same += 1
            continue
        out.added.append(row)
        if seen[row]:
            out.duplicates.append(row)
        seen[row] += 1
    return out


def _owners(base: Book | None, returns: Sequence[Return]) -> dict[str, Return | None]:
    """Which return each claimed customer is taken from (None: from none, the base keeps it).

    A customer a file only refers to (`referenced`) is claimed by none. A customer
    split sent that the base no longer holds (the team removed it) is taken from none.
    """
    base_rep = {c.customer_id: c.rep for c in base.customers} if base else {}
    claims: dict[str, list[tuple[Return, Customer]]] = defaultdict(list)
    for ret in returns:
        sent_ids = {c.customer_id for c in ret.sent.customers} if ret.sent else set()
        for cust in ret.book.customers:
            if cust.customer_id in ret.referenced:
                continue
            if (
                base is not None
                and cust.customer_id not in base_rep
                and cust.customer_id in sent_ids
            ):
                continue  # removed from the team book after split
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

    owned: dict[str, Return] = {cid: r for cid, r in owners.items() if r is not None}

    # each return's rows, by customer; what split sent it, by customer
    fields = ("plan", *REP_TABLES)
    ret_rows: dict[int, dict[str, dict[str, list[Any]]]] = {
        id(r): {fld: _by_customer(getattr(r.book, fld)) for fld in fields} for r in returns
    }
    sent_rows: dict[int, dict[str, dict[str, list[Any]]]] = {
        id(r): {fld: _by_customer(getattr(r.sent, fld)) for fld in ("customers", *fields)}
        for r in returns
        if r.sent is not None
    }

    sent_ids = {
        id(r): frozenset(c.customer_id for c in r.sent.customers)
        for r in returns
        if r.sent is not None
    }

    def _three(ret: Return, base: Book | None, cid: str) -> bool:
        """Whether this customer's rows of this return are merged three ways."""
        return base is not None and cid in sent_ids.get(id(ret), ())

    def rows_of(ret: Return, fld: str, cid: str) -> list[Any]:
        return ret_rows[id(ret)][fld].get(cid, [])

    def sent_of(ret: Return, fld: str, cid: str) -> list[Any]:
        return sent_rows[id(ret)][fld].get(cid, []) if id(ret) in sent_rows else []

    def crossed(ret: Return, cid: str) -> bool:
        """Whether ret's receipts and follow-ups of cid are another rep's customer's rows."""
        if owners.get(cid) is ret:
            return False
        return cid in base_customers or (cid in ret.referenced and cid in owned)

    def owner_of(cid: str) -> str | None:
        if cid in base_customers:
            return base_customers[cid].rep
        owner = owners.get(cid)
        return owner.rep if owner else None

    # ---- rows of customers a return holds but does not own: reported, not taken
    # (receipts and follow-ups: see "other reps' customers" below)
    for ret in returns:
        for cust in ret.book.customers:
            cid = cust.customer_id
            owner = owners.get(cid)
            if owner is ret:
                continue
            owner_rep = owner_of(cid)
            three = _three(ret, base, cid)
            if base is not None and cid not in base_customers and three:
                # split sent it; the team removed it since: nothing of it is taken back
                events.append(
                    Event(
                        "team_changed",
                        ret.source,
                        ret.rep,
                        "Customers",
                        cid,
                        old=next(iter(sent_of(ret, "customers", cid)), None),
                        taken=False,
                    )
                )
            elif cid not in ret.referenced and not (
                three and same(cust, next(iter(sent_of(ret, "customers", cid)), None))
            ):
                events.append(
                    Event(
                        "other_rep",
                        ret.source,
                        ret.rep,
                        "Customers",
                        cid,
                        new=cust,
                        owner=owner_rep,
                        taken=False,
                    )
                )
            for fld in ("plan", *REP_TABLES):
                if fld in OTHER_REPS_TAKEN and crossed(ret, cid):
                    continue
                rows = rows_of(ret, fld, cid)
                if three:  # only what the rep changed since split
                    at, _ = pair(rows, sent_of(ret, fld, cid), LOOSE.get(fld, _plan_key))
                    unchanged = {
                        i
                        for n, i in enumerate(at)
                        if i is not None and same(rows[i], sent_of(ret, fld, cid)[n])
                    }
                    rows = [row for i, row in enumerate(rows) if i not in unchanged]
                for row in rows:
                    events.append(
                        Event(
                            "not_taken",
                            ret.source,
                            ret.rep,
                            TABLE_NAMES[fld],
                            cid,
                            new=row,
                            owner=owner_rep,
                            taken=False,
                        )
                    )
                    count(ret, TABLE_NAMES[fld], "not_taken")

    # ---- customers
    customers: list[Customer] = []
    by_rep_returned = {r.rep for r in returns}
    no_return: Counter[str] = Counter()
    for cust in base_book.customers:
        found = owned.get(cust.customer_id)
        if found is None:
            customers.append(cust)
            if cust.rep in by_rep_returned:
                rep_ret = next(r for r in returns if r.rep == cust.rep)
                if id(rep_ret) in sent_ids and cust.customer_id not in sent_ids[id(rep_ret)]:
                    # given to the rep in the team book after split: not in the file
                    events.append(
                        Event(
                            "team_changed",
                            rep_ret.source,
                            rep_ret.rep,
                            "Customers",
                            cust.customer_id,
                            new=cust,
                            taken=False,
                        )
                    )
                    continue
                events.append(
                    Event(
                        "kept", rep_ret.source, rep_ret.rep, "Customers", cust.customer_id, old=cust
                    )
                )
            else:
                no_return[cust.rep] += 1
            continue
        ret = found
        mine = next(c for c in ret.book.customers if c.customer_id == cust.customer_id)
        sent = (
            next(iter(sent_of(ret, "customers", cust.customer_id)), None)
            if _three(ret, base, cust.customer_id)
            else None
        )
        update: dict[str, Any] = {}
        for name in (*BASE_CUSTOMER_FIELDS, *REP_CUSTOMER_FIELDS):
            theirs, ours = getattr(mine, name), getattr(cust, name)
            was = getattr(sent, name) if sent is not None else ours
            if theirs == ours:
                continue
            kind, taken = "customer", False
            if theirs == was:  # the rep left it as sent: the team changed it since
                kind = "team_changed"
            elif name in REP_CUSTOMER_FIELDS:
                if ours != was:
                    kind = "conflict"
                else:
                    taken = theirs is not None
            if taken:
                update[name] = theirs
            events.append(
                Event(
                    kind,
                    ret.source,
                    ret.rep,
                    "Customers",
                    cust.customer_id,
                    old=cust,
                    new=mine,
                    field=name,
                    taken=taken,
                    sent=sent,
                )
            )
        customers.append(cust.updated(update) if update else cust)
        count(ret, "Customers", "same")
    for rep, n in sorted(no_return.items()):
        events.append(Event("no_return", "", rep, "Customers", None, field=str(n)))
    for ret in returns:
        for cust in ret.book.customers:
            if owners.get(cust.customer_id) is not ret or cust.customer_id in base_customers:
                continue
            if base is not None:
                events.append(
                    Event(
                        "not_in_base", ret.source, ret.rep, "Customers", cust.customer_id, new=cust
                    )
                )
            customers.append(cust if cust.rep == ret.rep else cust.updated({"rep": ret.rep}))
            count(ret, "Customers", "added")

    # ---- plan: the base's targets, the rep's other columns
    base_plan = _by_customer(base_book.plan)
    plan_out: dict[int, PlanRow] = {}
    plan_added: list[PlanRow] = []
    for cid, ret in owned.items():
        by_month = {p.month: p for p in rows_of(ret, "plan", cid)}
        sent_plan = (
            {p.month: p for p in sent_of(ret, "plan", cid)} if _three(ret, base, cid) else None
        )
        theirs_months = set()
        for p in base_plan.get(cid, []):
            theirs_months.add(p.month)
            new = by_month.get(p.month)
            was = sent_plan.get(p.month) if sent_plan is not None else None
            if new is None:
                if sent_plan is not None and was is None:
                    count(ret, "Plan", "same")  # the team added it after split
                    continue
                if cid in base_customers:
                    kind = "deleted" if was is not None else "kept"
                    events.append(Event(kind, ret.source, ret.rep, "Plan", cid, old=p, sent=was))
                    count(ret, "Plan", "kept")
                continue
            merged_row, taken, conflict, team = _plan3(p, was, new)
            target_changed = new.target != (was.target if was is not None else p.target)
            if target_changed and new.target != p.target:
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
            if conflict:
                events.append(
                    Event(
                        "conflict",
                        ret.source,
                        ret.rep,
                        "Plan",
                        cid,
                        old=p,
                        new=new,
                        field=",".join(conflict),
                        taken=False,
                        sent=was,
                    )
                )
            if team and was is not None:
                events.append(
                    Event(
                        "team_changed",
                        ret.source,
                        ret.rep,
                        "Plan",
                        cid,
                        old=was,
                        new=p,
                        field=",".join(team),
                        taken=False,
                        sent=was,
                    )
                )
            if taken and was is not None:
                events.append(
                    Event("changed", ret.source, ret.rep, "Plan", cid, old=p, new=merged_row)
                )
            plan_out[id(p)] = merged_row
            count(ret, "Plan", "same" if merged_row == p else "changed")
        for p in rows_of(ret, "plan", cid):
            if p.month in theirs_months:
                continue
            was = sent_plan.get(p.month) if sent_plan is not None else None
            if was is not None:  # the team removed this month's plan row after split
                kind = "team_changed" if same(p, was) else "conflict"
                events.append(
                    Event(kind, ret.source, ret.rep, "Plan", cid, new=p, taken=False, sent=was)
                )
                continue
            plan_added.append(p)
            count(ret, "Plan", "added")
            if base is not None:
                events.append(Event("added", ret.source, ret.rep, "Plan", cid, new=p))
    plan = [plan_out.get(id(p), p) for p in base_book.plan] + plan_added

    # ---- the reps' tables
    tables: dict[str, list[Any]] = {}
    for fld in REP_TABLES:
        name = TABLE_NAMES[fld]
        base_rows = _by_customer(getattr(base_book, fld))
        replacement: dict[int, Record] = {}
        added: list[Record] = []
        for cid, ret in owned.items():
            three = _three(ret, base, cid)
            theirs = rows_of(ret, fld, cid)
            if three:
                merged = merge_rows3(
                    base_rows.get(cid, []), sent_of(ret, fld, cid), theirs, LOOSE[fld]
                )
            else:
                merged = merge_rows(base_rows.get(cid, []), theirs, LOOSE[fld])
            for old, new in zip(base_rows.get(cid, []), merged.in_place, strict=True):
                replacement[id(old)] = new
            for old, new in merged.changed:
                events.append(Event("changed", ret.source, ret.rep, name, cid, old=old, new=new))
            for old in merged.kept:
                kind = "deleted" if three else "kept"
                events.append(Event(kind, ret.source, ret.rep, name, cid, old=old, taken=False))
            for was, now in merged.team:
                events.append(
                    Event(
                        "team_changed",
                        ret.source,
                        ret.rep,
                        name,
                        cid,
                        old=was,
                        new=now,
                        taken=False,
                        sent=was,
                    )
                )
            for now, theirs, was in merged.conflicts:
                events.append(
                    Event(
                        "conflict",
                        ret.source,
                        ret.rep,
                        name,
                        cid,
                        old=now,
                        new=theirs,
                        taken=False,
                        sent=was,
                    )
                )
            for row in merged.duplicates if base is not None else ():
                events.append(Event("duplicate", ret.source, ret.rep, name, cid, new=row))
            added.extend(merged.added)
            count(ret, name, "added", len(merged.added))
            count(ret, name, "changed", len(merged.changed))
            count(ret, name, "kept", len(merged.kept))
            count(ret, name, "conflict", len(merged.conflicts))
            count(ret, name, "same", merged.same)
        if fld in OTHER_REPS_TAKEN:
            # ---- rows a rep logged for another rep's customer: taken, reported
            there: Counter[Record] | None = None
            for ret in returns:
                for cid, logged in ret_rows[id(ret)][fld].items():
                    if not crossed(ret, cid):
                        continue
                    if there is None:
                        there = Counter(getattr(base_book, fld))
                        there.update(added)
                    sent_here = Counter(sent_of(ret, fld, cid))
                    for row in logged:
                        if sent_here[row] > 0:  # sent as it is: the owner's already
                            sent_here[row] -= 1
                            continue
                        taken = there[row] == 0
                        if taken:
                            added.append(row)
                            there[row] += 1
                            count(ret, name, "cross")
                        else:
                            there[row] -= 1
                        events.append(
                            Event(
                                "cross_rep",
                                ret.source,
                                ret.rep,
                                name,
                                cid,
                                new=row,
                                owner=owner_of(cid),
                                taken=taken,
                            )
                        )
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
        measures=tuple(tables["measures"]),
        commitments=tuple(tables["commitments"]),
        receipts=tuple(tables["receipts"]),
        followups=tuple(tables["followups"]),
        cadences=cadences,
        holidays=holidays,
        reps=tuple(reps),
        lang=lang,
    )
    return result


def _plan_key(p: PlanRow) -> Hashable:
    return (p.month,)


def _plan3(
    base: PlanRow, sent: PlanRow | None, ret: PlanRow
) -> tuple[PlanRow, bool, list[str], list[str]]:
    """A plan row merged: (row, rep's change taken, fields in conflict, fields the team changed).

    The target is the base's; each of the rep's columns is the rep's when the rep
    changed it (since split, or against the base without a snapshot), else the base's.
    """
    was = sent if sent is not None else base
    update: dict[str, Any] = {"target": base.target}
    taken, conflict, team = False, [], []
    if sent is not None and base.target != sent.target and ret.target == sent.target:
        team.append("target")
    for name in REP_PLAN_FIELDS:
        theirs, ours, sent_value = getattr(ret, name), getattr(base, name), getattr(was, name)
        if theirs == sent_value:
            update[name] = ours
            if ours != sent_value:
                team.append(name)
        elif ours == sent_value or theirs == ours:
            update[name] = theirs
            taken = taken or theirs != ours
        else:
            update[name] = ours
            conflict.append(name)
    return ret.updated(update), taken, conflict, team


# tables whose rows a rep may log for another rep's customer (taken, reported)
OTHER_REPS_TAKEN = ("receipts", "followups")
