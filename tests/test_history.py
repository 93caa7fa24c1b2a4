"""The history store on SQLite and on a real PostgreSQL server (tests/postgres.py), and
`huikuan history push|show|export` run as a real subprocess."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from huikuan.fileio import write_atomic
from huikuan.history import schema, store
from huikuan.model import Book, Customer, Installment, PlanRow, Receipt
from huikuan.workbook.package import Unusable
from huikuan.workbook.template import build_template
from postgres import free_port, server

D = Decimal
TABLES = [t.name for t in schema.metadata.sorted_tables]


@pytest.fixture(scope="session")
def pg_base() -> Iterator[str]:
    with server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'h.db'}"
        return
    base = request.getfixturevalue("pg_base")
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def huikuan(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def contents(url: str) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: what "changes nothing" compares."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted(tuple(map(repr, r)) for r in conn.execute(sa.select(t)))
                for t in schema.metadata.sorted_tables
            }
    finally:
        engine.dispose()


# A: Jan 10 1000 (600 on the 12th, 400 on the 20th: partial, 10 days), Feb 10 1000 (paid
# on the 13th, the last grace day: kept, 3 days), Mar 10 500 (200 on the 20th: broken).
JAN10, FEB10, MAR10 = date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)


def golden_book(lang: str = "zh") -> Book:
    return Book(
        customers=(
            Customer(customer_id="A", name="客户A", rep="甲"),
            Customer(customer_id="B", name="客户B", rep="乙"),
        ),
        plan=tuple(
            PlanRow(month=date(2026, m, 1), customer_id=c, target=D(1000))
            for m in (1, 2, 3)
            for c in "AB"
        ),
        commitments=(
            Installment(customer_id="A", due=JAN10, amount=D(1000)),
            Installment(customer_id="A", due=FEB10, amount=D(1000)),
            Installment(customer_id="A", due=MAR10, amount=D(500)),
            Installment(customer_id="B", due=MAR10, amount=D("123.45")),
        ),
        receipts=(
            Receipt(date=date(2026, 1, 12), customer_id="A", amount=D(600)),
            Receipt(date=date(2026, 1, 20), customer_id="A", amount=D(400)),
            Receipt(date=date(2026, 2, 13), customer_id="A", amount=D(1000)),
            Receipt(date=date(2026, 3, 20), customer_id="A", amount=D(200)),
            Receipt(date=date(2026, 3, 10), customer_id="B", amount=D("123.45")),
        ),
        lang=lang,
    )


def write(book: Book, path: Path) -> Path:
    write_atomic(path, build_template(book.lang, book).save)
    return path


# ---- the store ----------------------------------------------------------------------


def test_pushing_the_same_workbook_twice_changes_nothing(db_url: str):
    engine = store.connect(db_url)
    first = store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    assert first.months == (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    assert first.changed == first.months
    before = contents(db_url)
    assert {t: len(r) for t, r in before.items()} == {
        "hk_schema": 1,
        "hk_teams": 1,
        "hk_customers": 2,
        "hk_plans": 6,
        "hk_installments": 4,
        "hk_receipts": 5,
        "hk_followups": 0,
        "hk_pushes": 3,
    }
    again = store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    assert again.changed == () and again.deleted == 0
    assert contents(db_url) == before  # no row gained, none changed, the push log included
    engine.dispose()


def test_outcomes_are_stored_with_each_installment(db_url: str):
    engine = store.connect(db_url)
    store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    with engine.connect() as conn:
        t = schema.INSTALLMENTS
        got = conn.execute(
            sa.select(t.c.customer_id, t.c.due, t.c.outcome, t.c.days_late, t.c.short).order_by(
                t.c.customer_id, t.c.due
            )
        ).all()
    assert [tuple(r) for r in got] == [
        ("A", JAN10, "partial", 10, D(400)),
        ("A", FEB10, "kept", 3, D(0)),
        ("A", MAR10, "broken", None, D(500)),
        ("B", MAR10, "kept", 0, D(0)),
    ]
    # exact money back on both engines
    assert store.load(engine, "东区").commitments[-1].amount == D("123.45")
    engine.dispose()


def test_a_push_mirrors_its_months_and_keeps_the_others(db_url: str):
    engine = store.connect(db_url)
    book = golden_book()
    store.push(engine, "东区", book, date(2026, 3, 31), "东区.xlsx")
    # the workbook now holds March only (older months dropped) and lost one March receipt
    march = book.updated(
        {
            "plan": tuple(p for p in book.plan if p.month == date(2026, 3, 1)),
            "commitments": tuple(i for i in book.commitments if i.due >= MAR10),
            "receipts": tuple(r for r in book.receipts if r.date >= MAR10 and r.customer_id == "A"),
        }
    )
    done = store.push(engine, "东区", march, date(2026, 3, 31), "东区.xlsx")
    assert done.months == (date(2026, 3, 1),) and done.deleted == 1
    stored = store.load(engine, "东区")
    assert len(stored.plan) == 6  # January's and February's rows stay
    assert [r.amount for r in stored.receipts if r.customer_id == "B"] == []
    assert len([r for r in stored.receipts if r.customer_id == "A"]) == 4
    engine.dispose()


def test_teams_only_see_their_own_rows(db_url: str):
    engine = store.connect(db_url)
    store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    west = golden_book().updated(
        {
            "receipts": golden_book().receipts[:1],
            "commitments": golden_book().commitments[:1],
        }
    )
    store.push(engine, "西区", west, date(2026, 3, 31), "西区.xlsx")
    assert store.teams(engine) == ["东区", "西区"]
    assert len(store.load(engine, "西区").receipts) == 1
    assert len(store.load(engine, "东区").receipts) == 5
    assert len(store.load(engine, None).receipts) == 6  # the whole organisation, when asked
    engine.dispose()


def test_a_push_that_fails_half_way_leaves_the_store_as_it_was(db_url: str):
    engine = store.connect(db_url)
    store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    before = contents(db_url)
    # the database itself refuses one receipt, after customers, plans and installments went in
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(
                sa.text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON hk_receipts WHEN NEW.amount = '777' "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            conn.execute(
                sa.text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.amount = 777 "
                    "THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                sa.text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON hk_receipts "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
    book = golden_book()
    changed = book.updated(
        {
            "customers": (*book.customers, Customer(customer_id="C", name="新客户", rep="甲")),
            "plan": (*book.plan, PlanRow(month=date(2026, 4, 1), customer_id="C", target=D(9))),
            "receipts": (
                *book.receipts,
                Receipt(date=date(2026, 4, 2), customer_id="C", amount=D(777)),
            ),
        }
    )
    with pytest.raises(Unusable) as err:
        store.push(engine, "东区", changed, date(2026, 4, 30), "东区.xlsx")
    assert "refused" in err.value.en and "历史数据库" in err.value.zh
    assert contents(db_url) == before
    engine.dispose()


def test_with_history_adds_the_months_the_workbook_no_longer_holds(db_url: str):
    engine = store.connect(db_url)
    store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    book = golden_book()
    march = book.updated(
        {
            "plan": tuple(p for p in book.plan if p.month == date(2026, 3, 1)),
            "commitments": tuple(i for i in book.commitments if i.due >= MAR10),
            "receipts": tuple(r for r in book.receipts if r.date >= MAR10),
        }
    )
    merged = store.with_history(march, store.load(engine, "东区"))
    assert sorted(merged.commitments, key=lambda i: (i.customer_id, i.due)) == sorted(
        book.commitments, key=lambda i: (i.customer_id, i.due)
    )
    assert sorted(merged.receipts, key=lambda r: (r.customer_id, r.date)) == sorted(
        book.receipts, key=lambda r: (r.customer_id, r.date)
    )
    assert merged.plan == march.plan  # Status stays the workbook's
    engine.dispose()


def test_the_schema_is_versioned(db_url: str):
    store.connect(db_url).dispose()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        assert schema.version(conn) == schema.VERSION
        conn.execute(schema.SCHEMA.update().values(version=schema.VERSION + 1))
    engine.dispose()
    with pytest.raises(Unusable) as err:
        store.connect(db_url)
    assert "newer" in err.value.en and "升级" in err.value.zh


# ---- the commands -------------------------------------------------------------------


def test_push_and_show_a_customers_record(db_url: str, tmp_path: Path):
    book = write(golden_book(), tmp_path / "东区.xlsx")
    done = huikuan("history", "push", book, "--db", db_url, "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    assert "东区" in done.stdout
    done = huikuan(
        "history",
        "show",
        "--db",
        db_url,
        "--customer",
        "A",
        "--as-of",
        "2026-03-31",
        "--lang",
        "en",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    rows = {
        ln.split()[0]: ln.split() for ln in lines[2:] if ln[:4].isdigit() or ln.startswith("total")
    }
    # month, owed, kept, partial, broken, kept rate, days late (amount-weighted), short
    # Jan: (600 × 2 + 400 × 10) / 1000 = 5.2 days; Feb: 3; Mar: 200 paid 10 days late
    assert rows["2026-01"] == ["2026-01", "1", "0", "1", "0", "0.0%", "5.2", "400.00"]
    assert rows["2026-02"] == ["2026-02", "1", "1", "0", "0", "100.0%", "3.0", "0.00"]
    assert rows["2026-03"] == ["2026-03", "1", "0", "0", "1", "0.0%", "10.0", "500.00"]
    # all three: 10,200 / 2,200 = 4.6 days; 900 short
    assert rows["total"] == ["total", "3", "1", "1", "1", "33.3%", "4.6", "900.00"]
    assert lines[-1] == "credit grade B; suggested - (too few installments)"


def test_show_by_rep_and_for_the_team_in_chinese(db_url: str, tmp_path: Path):
    book = write(golden_book(), tmp_path / "东区.xlsx")
    assert huikuan("history", "push", book, "--db", db_url, "--as-of", "2026-03-31").returncode == 0
    done = huikuan("history", "show", "--db", db_url, "--rep", "乙", "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    assert "守约记录：乙" in done.stdout
    (march,) = [ln.split() for ln in done.stdout.splitlines() if ln.startswith("2026-03")]
    assert march[:6] == ["2026-03", "1", "1", "0", "0", "100.0%"]
    team = huikuan("history", "show", "--db", db_url, "--as-of", "2026-03-31")
    (total,) = [ln.split() for ln in team.stdout.splitlines() if ln.startswith("合计")]
    assert total[:5] == ["合计", "4", "2", "1", "1"]


def test_export_xlsx_and_csv(db_url: str, tmp_path: Path):
    book = write(golden_book(), tmp_path / "东区.xlsx")
    assert huikuan("history", "push", book, "--db", db_url, "--as-of", "2026-03-31").returncode == 0
    out = tmp_path / "history.xlsx"
    done = huikuan("history", "export", "--db", db_url, "--format", "xlsx", "-o", out)
    assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(out)["receipts"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("team", "customer_id", "date") and len(rows) == 1 + 5
    folder = tmp_path / "csv"
    done = huikuan("history", "export", "--db", db_url, "--format", "csv", "-o", folder)
    assert done.returncode == 0, done.stderr
    with open(folder / "hk_installments.csv", encoding="utf-8-sig") as fh:
        got = list(csv.DictReader(fh))
    assert [(r["customer_id"], r["outcome"], D(r["short"])) for r in got] == [
        ("A", "partial", 400),
        ("A", "kept", 0),
        ("A", "broken", 500),
        ("B", "kept", 0),
    ]
    again = huikuan("history", "export", "--db", db_url, "--format", "csv", "-o", folder)
    assert again.returncode == 2 and "--force" in again.stderr


def test_roll_pushes_the_closing_month_when_a_store_is_configured(db_url: str, tmp_path: Path):
    book = write(golden_book(), tmp_path / "东区.xlsx")
    done = huikuan(
        "roll", book, "--to", "2026-04", "--as-of", "2026-04-01", env={"HUIKUAN_DB": db_url}
    )
    assert done.returncode == 0, done.stderr
    assert "历史库" in done.stdout
    engine = store.connect(db_url)
    stored = store.load(engine, "东区")
    # March, the month closed: its plan rows, installments and receipts; nothing else
    assert {p.month for p in stored.plan} == {date(2026, 3, 1)}
    assert len(stored.commitments) == 2 and len(stored.receipts) == 2
    engine.dispose()


def test_roll_without_a_store_pushes_nothing(tmp_path: Path):
    book = write(golden_book(), tmp_path / "东区.xlsx")
    env = {k: v for k, v in os.environ.items() if k != "HUIKUAN_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "huikuan", "roll", str(book), "--to", "2026-04"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "历史库" not in done.stdout and not (tmp_path / store.DEFAULT_FILE).exists()


def test_push_defaults_to_a_file_beside_the_workbook(tmp_path: Path):
    book = write(golden_book(), tmp_path / "东区.xlsx")
    env = {k: v for k, v in os.environ.items() if k != "HUIKUAN_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "huikuan", "history", "push", str(book)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / store.DEFAULT_FILE).exists()
    # a copy under another name joins the same team when HUIKUAN_TEAM names it
    other = write(golden_book(), tmp_path / "东区-12月.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "huikuan", "history", "push", str(other)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "HUIKUAN_TEAM": "东区"},
    )
    assert done.returncode == 0, done.stderr
    engine = store.connect(store.sqlite_url(tmp_path / store.DEFAULT_FILE))
    assert store.teams(engine) == ["东区"]
    engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "nonsense://x",
        "mysql://u@localhost/db",
        "sqlite:////no/such/folder/h.db",
        "postgresql+psycopg://nobody@127.0.0.1:{port}/nothing",
    ],
)
def test_a_bad_or_unreachable_database_is_a_clear_message_and_exit_2(url: str, tmp_path: Path):
    url = url.format(port=free_port())  # nothing listens there
    done = huikuan("history", "show", "--db", url)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "数据库" in done.stderr and ("database" in done.stderr or "supported" in done.stderr)
    book = write(golden_book(), tmp_path / "b.xlsx")
    done = huikuan("history", "push", book, "--db", url)
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_show_without_a_store_says_how_to_name_one(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "HUIKUAN_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "huikuan", "history", "show"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "--db" in done.stderr and "HUIKUAN_DB" in done.stderr and "历史数据库" in done.stderr


def test_refresh_looks_back_on_the_stored_months(db_url: str, tmp_path: Path):
    engine = store.connect(db_url)
    store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    engine.dispose()
    book = golden_book()
    march = book.updated(
        {
            "plan": tuple(p for p in book.plan if p.month == date(2026, 3, 1)),
            "commitments": tuple(i for i in book.commitments if i.due >= MAR10),
            "receipts": tuple(r for r in book.receipts if r.date >= MAR10),
        }
    )

    def basis(env: dict[str, str]) -> str:
        path = write(march, tmp_path / "东区.xlsx")
        done = subprocess.run(
            [sys.executable, "-m", "huikuan", "refresh", str(path), "--as-of", "2026-03-25"],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        ws = openpyxl.load_workbook(path)["Forecast"]
        rows = list(ws.iter_rows(values_only=True))
        return next(r[-1] for r in rows[1:] if r[1] == "A")

    alone = {k: v for k, v in os.environ.items() if k != "HUIKUAN_DB"}
    # the workbook alone: March's installment only; with the store: January's and February's too
    assert basis(alone).startswith("1 期记录")
    assert basis({**alone, "HUIKUAN_DB": db_url}).startswith("3 期记录")


def test_messages_never_show_the_password():
    assert store.shown("postgresql+psycopg://hk:s3cret@db.example:5432/huikuan") == (
        "postgresql+psycopg://hk:***@db.example:5432/huikuan"
    )
    assert store.shown("sqlite:////tmp/h.db") == "sqlite:////tmp/h.db"
    port = free_port()
    with pytest.raises(Unusable) as err:
        store.connect(f"postgresql://hk:s3cret@127.0.0.1:{port}/huikuan")
    assert "s3cret" not in err.value.en + err.value.zh
    assert "***" in err.value.en and "无法连接" in err.value.zh


def test_push_with_only_warnings_says_warning_and_exits_0(tmp_path: Path):
    """A stray note below a table is a warning: push labels it 警告 and exits 0 (README)."""
    book = write(golden_book(), tmp_path / "东区.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["Receipts"]
    ws.cell(ws.max_row + 2, 1, "备注：另有一笔待确认")
    wb.save(book)
    done = huikuan("history", "push", book, "--db", tmp_path / "h.db", "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    assert "警告: Receipts!A" in done.stderr and "问题" not in done.stderr
    # the months pushed, listed as Chinese lists them
    assert "2026年1月、2026年2月、2026年3月" in done.stdout, done.stdout


def test_show_in_chinese_lines_up_by_display_width(tmp_path: Path):
    """Chinese headers and 合计 take two columns a character: every line of the table ends
    in the same terminal column, so each figure sits under its heading."""
    from huikuan.text import display_width

    book = write(golden_book(), tmp_path / "东区.xlsx")
    db = tmp_path / "h.db"
    assert huikuan("history", "push", book, "--db", db, "--as-of", "2026-03-31").returncode == 0
    done = huikuan("history", "show", "--db", db, "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    table = [ln for ln in done.stdout.splitlines()[1:] if not ln.startswith("信用等级")]
    assert table[0].startswith("月份") and table[-1].startswith("合计") and len(table) == 5
    assert len({display_width(ln) for ln in table}) == 1, table
    # the last heading 短缺 ends where the amounts end
    assert table[0].endswith("短缺") and table[-1].endswith("元")
