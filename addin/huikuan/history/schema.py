"""The history store's tables (SQLAlchemy Core), one definition for SQLite and PostgreSQL.

Every table is keyed by the team first, so many teams share one database and a
team reads and writes only its own rows. Rows of the workbook are keyed by what
identifies them in the workbook (a customer's ID; a plan row's month and
customer; an installment's customer, due date, carried-from date and its
ordinal among identical keys), so pushing the same workbook again updates the
same rows (upsert) instead of adding new ones.

The schema is versioned in the table `hk_schema` (one row: the version) and
migrated in code (MIGRATIONS), each step in the same transaction as the version
bump. Alembic was not used: the add-in runs in the users' own Python (xlwings),
where a migrations folder, an env.py and an ini file would have to ship and be
found; the store has a handful of tables and both engines take the same DDL
from SQLAlchemy, so a list of steps run at connect is enough and runs the same
on an embedded file and on a shared server.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    select,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeEngine


class Money(TypeDecorator[Decimal]):
    """An exact Decimal: NUMERIC on PostgreSQL, text on SQLite (which has no exact decimal)."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return str(value) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


metadata = MetaData()

SCHEMA = Table("hk_schema", metadata, Column("version", Integer, nullable=False))

TEAMS = Table(
    "hk_teams",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

CUSTOMERS = Table(
    "hk_customers",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("customer_id", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("rep", Text, nullable=False),
    Column("credit_grade", String(10), nullable=False),
    Column("key_account", Boolean, nullable=False),
)

PLANS = Table(
    "hk_plans",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("customer_id", String(200), primary_key=True),
    Column("target", Money, nullable=False),
    Column("expected", Money),
    Column("ask", Money),
    Column("agreed_jointly", Boolean, nullable=False),
)

INSTALLMENTS = Table(
    "hk_installments",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("customer_id", String(200), primary_key=True),
    Column("due", Date, primary_key=True),
    Column("origin", Date, primary_key=True),  # carried_from, or due when promised as such
    Column("seq", Integer, primary_key=True),  # ordinal among rows with the same key
    Column("month", Date, nullable=False),  # the month of its due date
    Column("amount", Money, nullable=False),
    Column("promised_on", Date),
    Column("carried_from", Date),
    # its outcome as of the push (record.py): kept / partial / broken / open
    Column("outcome", String(10), nullable=False),
    Column("days_late", Integer),
    Column("short", Money, nullable=False),
    Column("as_of", Date, nullable=False),
)

RECEIPTS = Table(
    "hk_receipts",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("customer_id", String(200), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("month", Date, nullable=False),
    Column("amount", Money, nullable=False),
    Column("reference", Text),
)

FOLLOWUPS = Table(
    "hk_followups",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("customer_id", String(200), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("month", Date, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("result", String(20), nullable=False),
    Column("excuse_kind", String(20)),
    Column("excuse_accepted", Boolean, nullable=False),
    Column("deferred", Money),
    Column("note", Text),
)

PUSHES = Table(
    "hk_pushes",
    metadata,
    Column("team", String(200), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("digest", String(64), nullable=False),  # of the month's rows as pushed
    Column("source", Text, nullable=False),  # the workbook's file name
    Column("pushed_at", DateTime(timezone=True), nullable=False),
)

MONTHLY = (PLANS, INSTALLMENTS, RECEIPTS, FOLLOWUPS)  # rows that belong to a month


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t is not SCHEMA])


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1,)  # step n makes version n + 1
VERSION = len(MIGRATIONS)


def version(conn: Connection) -> int:
    """The store's schema version (0: empty)."""
    SCHEMA.create(conn, checkfirst=True)
    found = conn.execute(select(SCHEMA.c.version)).scalar()
    return int(found or 0)


def migrate(conn: Connection) -> int:
    """Bring the schema up to VERSION in the caller's transaction; the version before."""
    before = version(conn)
    if before > VERSION:
        raise NewerSchema(before)
    for step in MIGRATIONS[before:]:
        step(conn)
    if before == 0:
        conn.execute(SCHEMA.insert().values(version=VERSION))
    elif before < VERSION:
        conn.execute(SCHEMA.update().values(version=VERSION))
    return before


class NewerSchema(Exception):
    """The store was made by a newer huikuan."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found
