"""The workbook's Settings table naming the history store (history_db, history_team), the
ribbon's Refresh and New month using the store, and `huikuan diagnose` naming the reps
likely to miss. Real files, real SQLite stores, the CLI as a subprocess; the ribbon on the
xlwings stand-in against the real jobs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

import xlwings_standin as xs
from books import Tab, sample_tabs, table_rows, write_book
from huikuan import jobs, macros
from huikuan.history import store
from huikuan.model import Book, Customer, Installment, PlanRow, Receipt, Setting
from postgres import free_port
from test_history import golden_book, write

AS_OF = date(2026, 11, 23)
NO_ENV = {k: v for k, v in os.environ.items() if k not in ("HUIKUAN_DB", "HUIKUAN_TEAM")}


def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**NO_ENV, **(env or {})},
    )


def with_settings(book: Book, **values: str) -> Book:
    return book.updated({"settings": tuple(Setting(setting=k, value=v) for k, v in values.items())})


def teams_in(path: Path) -> list[str]:
    engine = store.connect(store.sqlite_url(path))
    try:
        return store.teams(engine)
    finally:
        engine.dispose()


def test_where_a_setting_points(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("HUIKUAN_DB", raising=False)
    book = tmp_path / "东区.xlsx"
    here = f"sqlite:///{tmp_path.resolve() / 'h.db'}"
    assert store.resolve(None, book, setting="h.db") == here
    assert store.resolve(None, book, setting="sqlite:///h.db") == here
    assert store.resolve(None, book, setting=str(tmp_path / "h.db")) == here
    pg = "postgresql+psycopg://hk:pw@db.example/huikuan"
    assert store.resolve(None, book, setting=pg) == pg
    # a book never saved has no folder for a relative path; an absolute one still counts
    assert store.resolve(None, None, setting="h.db") is None
    assert store.resolve(None, None, setting=str(tmp_path / "h.db")) == here
    assert store.resolve("other.db", book, setting="h.db") == store.sqlite_url(Path("other.db"))


# ---- the command line ---------------------------------------------------------------


def test_the_settings_table_names_the_store_and_the_team(tmp_path: Path):
    book = write(
        with_settings(golden_book(), history_db="历史.db", history_team="东区"),
        tmp_path / "东区-3月.xlsx",
    )
    # the template writes the setting's label; it reads back as the key
    _, headers, rows = table_rows(book, "Settings")
    assert headers == ["设置项", "值"]
    assert sorted(rows) == [["历史库团队名", "东区"], ["历史数据库", "历史.db"]]
    done = run("history", "push", book)
    assert done.returncode == 0, done.stderr
    # a relative path is beside the workbook, not in the current folder
    assert teams_in(tmp_path / "历史.db") == ["东区"]
    assert not (tmp_path / store.DEFAULT_FILE).exists()


def test_db_then_environment_then_settings_then_the_default_file(tmp_path: Path):
    def pushed_to(book: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
        before = {p.name for p in tmp_path.glob("*.db")}
        done = run("history", "push", book, *args, env=env)
        assert done.returncode == 0, done.stderr
        return {p.name for p in tmp_path.glob("*.db")} - before

    named = write(
        with_settings(golden_book(), history_db="sqlite:///设置.db"), tmp_path / "甲.xlsx"
    )
    env = {"HUIKUAN_DB": str(tmp_path / "环境.db")}
    assert pushed_to(named, "--db", str(tmp_path / "参数.db"), env=env) == {"参数.db"}
    assert pushed_to(named, env=env) == {"环境.db"}
    assert pushed_to(named) == {"设置.db"}
    plain = write(golden_book(), tmp_path / "乙.xlsx")
    assert pushed_to(plain) == {store.DEFAULT_FILE}


def test_refresh_and_roll_use_the_store_the_workbook_names(tmp_path: Path):
    (tmp_path / "db").mkdir()
    engine = store.connect(store.sqlite_url(tmp_path / "db" / "h.db"))
    store.push(engine, "东区", golden_book(), date(2026, 3, 31), "东区.xlsx")
    engine.dispose()
    march = golden_book()
    march = march.updated(
        {
            "plan": tuple(p for p in march.plan if p.month == date(2026, 3, 1)),
            "commitments": tuple(i for i in march.commitments if i.due >= date(2026, 3, 10)),
            "receipts": tuple(r for r in march.receipts if r.date >= date(2026, 3, 10)),
        }
    )

    def basis(book: Book, name: str) -> str:
        path = write(book, tmp_path / name)
        done = run("refresh", path, "--as-of", "2026-03-25")
        assert done.returncode == 0, done.stderr
        rows = list(openpyxl.load_workbook(path)["Forecast"].iter_rows(values_only=True))
        return next(r[-1] for r in rows[1:] if r[1] == "A")

    named = with_settings(march, history_db="db/h.db", history_team="东区")
    # A's three installments: March's in the workbook, January's and February's stored
    assert basis(march, "东区.xlsx").startswith("1 期记录")
    assert basis(named, "东区-3月.xlsx").startswith("3 期记录")

    # roll pushes the closing month (March) to the same store, under the same team
    path = write(named, tmp_path / "东区-3月.xlsx")
    done = run("roll", path, "--to", "2026-04", "--as-of", "2026-04-01")
    assert done.returncode == 0, done.stderr
    assert "历史库：已写入 2026年3月" in done.stdout
    assert teams_in(tmp_path / "db" / "h.db") == ["东区"]


def test_a_password_in_the_workbook_is_never_printed(tmp_path: Path):
    url = f"postgresql+psycopg://hk:s3cret@127.0.0.1:{free_port()}/huikuan"  # nobody listens
    path = write(with_settings(golden_book(), history_db=url), tmp_path / "东区.xlsx")
    for args in (("refresh", path), ("history", "push", path), ("diagnose", path)):
        done = run(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "s3cret" not in done.stdout + done.stderr
        assert "hk:***@127.0.0.1" in done.stderr and "Traceback" not in done.stderr


def test_split_keeps_the_settings_with_the_team(tmp_path: Path):
    tabs = [*sample_tabs("en"), Tab("Settings", ["Setting", "Value"], [["history_db", "h.db"]])]
    team = write_book(tmp_path / "team.xlsx", tabs)
    done = run("split", team, "--out", tmp_path / "out", "--as-of", "2026-11-23")
    assert done.returncode == 0, done.stderr
    files = sorted((tmp_path / "out").glob("*.xlsx"))
    assert [f.name for f in files] == ["Li.xlsx", "Wang.xlsx"]
    assert jobs.load(team)[0].setting("history_db") == "h.db"
    for f in files:
        assert jobs.load(f)[0].settings == ()


# ---- huikuan diagnose -------------------------------------------------------------------


def test_diagnose_prints_the_reps_likely_to_miss(tmp_path: Path):
    demo = tmp_path / "demo.xlsx"
    done = run("demo", "-o", demo, "--as-of", "2026-11-18")
    assert done.returncode == 0, done.stderr
    # the reps the Diagnosis sheet names as likely to miss (cause 预计月底未达标)
    _, headers, rows = table_rows(demo, "Diagnosis")
    rep, cause = headers.index("业务员"), headers.index("原因")
    want = [r[rep] for r in rows if r[cause] == "预计月底未达标" and r[rep] != "全部"]
    assert want, "the demo has a rep likely to miss"
    done = run("diagnose", demo, "--as-of", "2026-11-18")
    assert done.returncode == 0, done.stderr
    tail = done.stdout.split("【预计月底未达标】", 1)[1]
    got = [ln.split()[1] for ln in tail.splitlines() if ln.startswith("⚠")]
    assert got == want
    one = run("diagnose", demo, "--as-of", "2026-11-18", "--rep", want[0])
    assert [
        ln.split()[1]
        for ln in one.stdout.split("【预计月底未达标】")[1].splitlines()
        if ln.startswith("⚠")
    ] == [want[0]]


# ---- the ribbon ---------------------------------------------------------------------------


def ribbon_team(tmp_path: Path, settings: list[list[str]]) -> tuple[xs.Book, Path]:
    """The sample team (Nov 2026) saved as 团队.xlsx with a Settings table, open in the stand-in."""
    tabs = [*sample_tabs("zh"), Tab("Settings", ["设置项", "值"], settings)]
    path = write_book(tmp_path / "团队.xlsx", tabs)
    book = xs.book_from_tabs(tabs)
    book.path = str(path)
    return book, path


def october(engine_url: str) -> None:
    """C1's October installment, paid on its due day, in the store under team 团队."""
    engine = store.connect(engine_url)
    past = Book(
        customers=(Customer(customer_id="C1", name="Acme", rep="Wang"),),
        plan=(PlanRow(month=date(2026, 10, 1), customer_id="C1", target=Decimal(1000)),),
        commitments=(Installment(customer_id="C1", due=date(2026, 10, 12), amount=Decimal(1000)),),
        receipts=(Receipt(date=date(2026, 10, 12), customer_id="C1", amount=Decimal(1000)),),
    )
    store.push(engine, "团队", past, date(2026, 10, 31), "团队.xlsx")
    engine.dispose()


def c1_basis(book: xs.Book) -> str:
    _, headers, rows = xs.table_values(book, "Forecast")
    return next(r[headers.index("依据")] for r in rows if r[headers.index("客户编号")] == "C1")


def records(basis: str) -> int:
    return int(basis.split(" 期记录")[0])


def test_ribbon_refresh_reads_the_store_the_settings_name(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("HUIKUAN_DB", raising=False)
    monkeypatch.delenv("HUIKUAN_TEAM", raising=False)
    alone, _ = ribbon_team(tmp_path, [])
    macros.refresh(alone, AS_OF)
    without = records(c1_basis(alone))
    book, _ = ribbon_team(tmp_path, [["历史数据库", "历史.db"]])
    october(store.sqlite_url(tmp_path / "历史.db"))
    macros.refresh(book, AS_OF)
    assert "内部错误" not in book.app.alerts[0][0]
    assert records(c1_basis(book)) == without + 1  # October's installment, from the store


def test_ribbon_new_month_pushes_the_month_it_closes(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("HUIKUAN_DB", raising=False)
    monkeypatch.delenv("HUIKUAN_TEAM", raising=False)
    book, path = ribbon_team(tmp_path, [["历史数据库", "历史.db"], ["历史库团队名", "东区"]])
    macros.new_month(book, AS_OF)
    prompt = book.app.alerts[-1][0]
    assert "已生成2026年12月的计划" in prompt and "历史库：已写入 2026年11月" in prompt
    engine = store.connect(store.sqlite_url(tmp_path / "历史.db"))
    stored = store.load(engine, "东区")
    engine.dispose()
    assert {p.month for p in stored.plan} == {date(2026, 11, 1)}
    assert {c.customer_id for c in stored.customers} == {"C1", "C2", "C3"}
    # the copy made for December names the same store: its New month would push there too
    copy = path.with_name("团队-2026-12.xlsx")
    _, _, rows = table_rows(copy, "Settings")
    assert ["历史数据库", "历史.db"] in rows


def test_ribbon_new_month_without_a_store_pushes_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("HUIKUAN_DB", raising=False)
    book, _ = ribbon_team(tmp_path, [])
    macros.new_month(book, AS_OF)
    assert "历史库" not in book.app.alerts[-1][0]
    assert not list(tmp_path.glob("*.db"))
