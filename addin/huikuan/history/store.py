"""The history store: push a workbook's months, read a team's history back, export it.

One code path for both engines (SQLAlchemy Core 2.x): an embedded SQLite file by
default, PostgreSQL (psycopg 3) for a shared server. Writes are upserts
(INSERT … ON CONFLICT … DO UPDATE, from each dialect's insert construct), one
transaction per push: a push that fails half-way leaves the store as it was.

A push mirrors the workbook for the months it holds (the months of its plan
rows, installments, receipts and follow-ups): rows are upserted by their keys
(schema.py) and rows of those months that the workbook no longer has are
deleted; other months stay as they are (a rolled workbook that dropped its old
months keeps them in the store). Customers are upserted and never deleted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, create_engine, delete, make_url, select, true, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from ..engine.policy import DEFAULT_POLICY, Policy
from ..engine.record import row_outcomes, with_history  # noqa: F401 (with_history: re-exported)
from ..errors import Unusable
from ..model import Book, Customer, FollowUp, Installment, PlanRow, Receipt
from . import DEFAULT_FILE, ENV
from . import schema as s

Rec = TypeVar("Rec", Customer, PlanRow, Installment, Receipt, FollowUp)

# ---- where the store is -------------------------------------------------------------


def resolve(
    db: str | None,
    beside: Path | None = None,
    must_exist: bool = False,
    setting: str | None = None,
) -> str | None:
    """The store's URL: --db, else $HUIKUAN_DB, else the workbook's Settings row
    history_db (`setting`), else huikuan-history.db beside the workbook.

    A plain path (no "://") is a SQLite file; a relative one given by the workbook,
    as a path or as sqlite:///relative.db, is beside the workbook. With `must_exist`,
    the default file beside the workbook counts only when it is there (None otherwise);
    a store named by --db, $HUIKUAN_DB or the workbook is used (a new SQLite file made).
    """
    given = db or os.environ.get(ENV) or None
    if given:
        return given if "://" in given else sqlite_url(Path(given))
    if setting:
        if "://" not in setting:
            path = Path(setting).expanduser()
        elif setting.startswith("sqlite:///") and not setting.startswith("sqlite:////"):
            path = Path(setting.removeprefix("sqlite:///"))
        else:
            return setting
        if not path.is_absolute():
            if beside is None:  # a book never saved: no folder for a relative path
                return None
            path = beside.parent / path
        return sqlite_url(path)
    if beside is None:
        return None
    path = beside.parent / DEFAULT_FILE
    if must_exist and not path.exists():
        return None
    return sqlite_url(path)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.partition("://")
    if sep and "@" in tail:
        auth, _, host = tail.rpartition("@")
        user = auth.split(":", 1)[0]
        return f"{head}://{user}:***@{host}" if ":" in auth else url
    return url


def connect(url: str) -> Engine:
    """An engine for the URL, its schema migrated; Unusable (exit 2) when it cannot be used."""
    try:
        if url.startswith("postgresql") and "+" not in url.split("://", 1)[0]:
            url = url.replace("postgresql", "postgresql+psycopg", 1)  # psycopg 3, the dependency
        backend = make_url(url).get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise Unusable(
                f"{shown(url)}: {backend} is not supported: use SQLite or PostgreSQL",
                f"{shown(url)}：不支持 {backend} 数据库，请用 SQLite 或 PostgreSQL",
            )
        args: dict[str, Any] = {}
        if backend == "postgresql":
            args["connect_timeout"] = 10
        engine = create_engine(url, connect_args=args)
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
        raise Unusable(
            f"not a database URL: {shown(url)} ({exc}); use sqlite:///path/file.db or "
            "postgresql+psycopg://user:password@host/database",
            f"数据库地址无效：{shown(url)}（{exc}）；请用 sqlite:///路径/文件.db 或 "
            "postgresql+psycopg://用户:密码@主机/数据库",
        ) from None
    try:
        with engine.begin() as conn:
            s.migrate(conn)
    except s.NewerSchema as exc:
        engine.dispose()
        raise Unusable(
            f"{shown(url)}: the history store has schema version {exc.found}, newer than this "
            f"huikuan's {s.VERSION}: update huikuan",
            f"{shown(url)}：历史库的版本（{exc.found}）比本程序（{s.VERSION}）新，请升级 huikuan",
        ) from None
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise unreachable(url, exc) from None
    return engine


def unreachable(url: str, exc: BaseException) -> Unusable:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return Unusable(
        f"cannot use the history database {shown(url)}: {reason}",
        f"无法连接或打开历史数据库 {shown(url)}：{reason}",
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction; a database error becomes Unusable (the transaction rolled back)."""
    try:
        with engine.begin() as conn:
            yield conn
    except (DBAPIError, SQLAlchemyError) as exc:
        raise unreachable(str(engine.url), exc) from None


# ---- push -----------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def _seq(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """Number rows with the same key 0, 1, … in their workbook order (the `seq` column)."""
    seen: dict[tuple[Any, ...], int] = defaultdict(int)
    out = []
    for row in rows:
        k = tuple(row[c] for c in key)
        row["seq"] = seen[k]
        seen[k] += 1
        out.append(row)
    return out


def rows_of(
    book: Book, team: str, as_of: date, policy: Policy = DEFAULT_POLICY
) -> dict[str, list[dict[str, Any]]]:
    """The store's rows for a workbook, by table name (outcomes as of `as_of`)."""
    customers = [
        {
            "team": team,
            "customer_id": c.customer_id,
            "name": c.name,
            "rep": c.rep,
            "credit_grade": c.credit_grade,
            "key_account": c.key_account,
        }
        for c in book.customers
    ]
    plans = [
        {
            "team": team,
            "month": p.month,
            "customer_id": p.customer_id,
            "target": p.target,
            "expected": p.expected,
            "ask": p.ask,
            "agreed_jointly": p.agreed_jointly,
        }
        for p in book.plan
    ]
    found = row_outcomes(book, as_of, policy)
    installments = []
    for inst, o in zip(book.commitments, found, strict=True):
        installments.append(
            {
                "team": team,
                "customer_id": inst.customer_id,
                "due": inst.due,
                "origin": inst.carried_from or inst.due,
                "month": month_of(inst.due),
                "amount": inst.amount,
                "promised_on": inst.promised_on,
                "carried_from": inst.carried_from,
                "outcome": o.status if o else "carried",
                "days_late": o.days_late if o else None,
                "short": o.short if o else Decimal(0),
                "as_of": as_of,
            }
        )
    receipts = [
        {
            "team": team,
            "customer_id": r.customer_id,
            "date": r.date,
            "month": month_of(r.date),
            "amount": r.amount,
            "reference": r.reference,
        }
        for r in book.receipts
    ]
    followups = [
        {
            "team": team,
            "customer_id": f.customer_id,
            "date": f.date,
            "month": month_of(f.date),
            "channel": f.channel,
            "result": f.result,
            "excuse_kind": f.excuse_kind,
            "excuse_accepted": f.excuse_accepted,
            "deferred": f.deferred,
            "note": f.note,
        }
        for f in book.followups
    ]
    return {
        s.CUSTOMERS.name: customers,
        s.PLANS.name: plans,
        s.INSTALLMENTS.name: _seq(installments, ("customer_id", "due", "origin")),
        s.RECEIPTS.name: _seq(receipts, ("customer_id", "date")),
        s.FOLLOWUPS.name: _seq(followups, ("customer_id", "date")),
    }


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    when: Sequence[str] | None = None,
    update: bool = True,
) -> None:
    """INSERT … ON CONFLICT (primary key) DO UPDATE SET every other column.

    `when`: update only when one of these (non-null) columns differs, so a row
    written again as it was keeps its timestamps. `update=False`: DO NOTHING.
    """
    if not rows:
        return
    keys = [c.name for c in table.primary_key.columns]
    others = [c.name for c in table.columns if c.name not in keys]
    stmt = _insert(conn, table)
    if not others or not update:
        stmt = stmt.on_conflict_do_nothing(index_elements=keys)
    else:
        where = None
        for name in when or ():
            differs = table.c[name] != stmt.excluded[name]
            where = differs if where is None else where | differs
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_={n: stmt.excluded[n] for n in others}, where=where
        )
    for start in range(0, len(rows), 500):
        conn.execute(stmt, list(rows[start : start + 500]))


def _prune(conn: Connection, table: Table, team: str, months: set[date], rows: list[dict]) -> int:
    """Delete the team's rows of `months` that are not among `rows`; how many."""
    if not months:
        return 0
    keys = [c for c in table.primary_key.columns]
    names = [c.name for c in keys]
    kept = {tuple(r[n] for n in names) for r in rows}
    found = conn.execute(
        select(*keys).where(table.c.team == team, table.c.month.in_(sorted(months)))
    ).all()
    gone = [tuple(row) for row in found if tuple(row) not in kept]
    for start in range(0, len(gone), 500):
        conn.execute(delete(table).where(tuple_(*keys).in_(gone[start : start + 500])))
    return len(gone)


def _digest(rows: Mapping[str, list[dict[str, Any]]], month: date) -> str:
    h = hashlib.sha256()
    for name in sorted(rows):
        if name == s.CUSTOMERS.name:
            continue
        for row in sorted(repr(sorted(r.items())) for r in rows[name] if r["month"] == month):
            h.update(name.encode() + b"\0" + row.encode() + b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class Pushed:
    team: str
    months: tuple[date, ...]
    rows: Mapping[str, int]  # table → rows pushed
    deleted: int  # rows of those months no longer in the workbook
    changed: tuple[date, ...]  # months whose rows differ from the last push


def push(
    engine: Engine,
    team: str,
    book: Book,
    as_of: date,
    source: str,
    months: Iterable[date] | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Pushed:
    """Write the workbook's months (or only `months`) into the store, in one transaction."""
    rows = rows_of(book, team, as_of, policy)
    held = {r["month"] for t in s.MONTHLY for r in rows[t.name]}
    if months is not None:
        wanted = {month_of(m) for m in months}
        held &= wanted
        for t in s.MONTHLY:
            rows[t.name] = [r for r in rows[t.name] if r["month"] in held]
    now = datetime.now(timezone.utc)
    deleted = 0
    with transaction(engine) as conn:
        previous = dict(
            conn.execute(
                select(s.PUSHES.c.month, s.PUSHES.c.digest).where(s.PUSHES.c.team == team)
            ).all()
        )
        upsert(conn, s.TEAMS, [{"team": team, "created_at": now}], update=False)
        upsert(conn, s.CUSTOMERS, rows[s.CUSTOMERS.name])
        for table in s.MONTHLY:
            deleted += _prune(conn, table, team, held, rows[table.name])
            upsert(conn, table, rows[table.name])
        log = [
            {
                "team": team,
                "month": m,
                "digest": _digest(rows, m),
                "source": source,
                "pushed_at": now,
            }
            for m in sorted(held)
        ]
        upsert(conn, s.PUSHES, log, when=("digest", "source"))
    changed = tuple(r["month"] for r in log if previous.get(r["month"]) != r["digest"])
    counts = {name: len(v) for name, v in rows.items()}
    return Pushed(team, tuple(sorted(held)), counts, deleted, changed)


# ---- read back ------------------------------------------------------------------------


def _where(table: Table, team: str | None) -> Any:
    return table.c.team == team if team is not None else true()


def teams(engine: Engine) -> list[str]:
    with transaction(engine) as conn:
        return [r[0] for r in conn.execute(select(s.TEAMS.c.team).order_by(s.TEAMS.c.team))]


def load(engine: Engine, team: str | None) -> Book:
    """A team's stored history as a Book (every team's with team None: IDs may then repeat)."""
    with transaction(engine) as conn:

        def fetch(table: Table, order: Sequence[str]) -> list[Any]:
            query = select(table).where(_where(table, team)).order_by(*(table.c[o] for o in order))
            return list(conn.execute(query).mappings())

        customers = fetch(s.CUSTOMERS, ("team", "customer_id"))
        plans = fetch(s.PLANS, ("team", "month", "customer_id"))
        installments = fetch(s.INSTALLMENTS, ("team", "customer_id", "due", "origin", "seq"))
        receipts = fetch(s.RECEIPTS, ("team", "customer_id", "date", "seq"))
        followups = fetch(s.FOLLOWUPS, ("team", "customer_id", "date", "seq"))
    return Book(
        customers=_records(Customer, customers),
        plan=_records(PlanRow, plans),
        commitments=_records(Installment, installments),
        receipts=_records(Receipt, receipts),
        followups=_records(FollowUp, followups),
    )


def _records(cls: type[Rec], rows: Sequence[Any]) -> tuple[Rec, ...]:
    """Records from stored rows: each field the table stores, the record's default for the rest."""
    names = [f.name for f in dataclasses.fields(cls)]
    return tuple(cls(**{n: r[n] for n in names if n in r}) for r in rows)


def table_rows(engine: Engine, team: str | None) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's (column names, rows) of a team (all teams with None), for export."""
    out = {}
    with transaction(engine) as conn:
        for table in (s.TEAMS, s.CUSTOMERS, *s.MONTHLY, s.PUSHES):
            keys = [c for c in table.primary_key.columns]
            query = select(table).where(_where(table, team)).order_by(*keys)
            out[table.name] = (
                [c.name for c in table.columns],
                [tuple(r) for r in conn.execute(query)],
            )
    return out
