"""The memory and speed measures of issue 15 change how things are held, never what is read
or written: a refresh's book lets go of each table's cells once its records are made, a
cell at its column's default is left for the record to fill in, equal amounts share one
rounded Decimal, and the garbage collector comes back without walking the whole book.
"""

from __future__ import annotations

import gc
import io
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tqdm import tqdm

from books import HEADERS, Tab, sample_book, sample_tabs, write_book
from huikuan import contract, jobs
from huikuan.engine.analysis import gc_paused
from huikuan.model import Customer, FollowUp, Installment
from huikuan.team import collect as collect_module
from huikuan.team import commands
from huikuan.team.split import split
from huikuan.values import fen
from huikuan.workbook.book import FileBook
from huikuan.workbook.files import FileTables
from huikuan.workbook.outputs import status_table
from huikuan.workbook.reader import read_book

AS_OF = date(2026, 11, 23)
TABLES = [t.name for t in (*contract.INPUT_TABLES, *contract.SETTING_TABLES)]


def test_a_refresh_book_lets_go_of_the_cells_and_reads_the_same(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "team.xlsx", bad=True)
    kept, kept_problems = read_book(FileTables(path))  # a plain source: nothing let go
    target = FileBook(path)
    book, problems = read_book(target)
    assert book == kept
    assert problems == kept_problems
    assert len(book.customers) == 3
    assert len([p for p in problems if p.severity == "error"]) == 3  # the sample's bad rows
    # every input table was read and then let go: none of their cells is still held
    held = [name for name in TABLES if target._tables._cache.get(name.casefold())]
    assert held == []
    # asked again, a table is read again, whole
    again = target.table("Commitments")
    assert again is not None and len(again.rows) == 4


def test_a_cell_at_its_default_gives_the_same_record(tmp_path: Path) -> None:
    """Blank optional cells, cells holding the default and absent columns all make the
    record the constructor makes from the same values."""
    tabs = sample_tabs()
    by_name = {t.name: t for t in tabs}
    customers = Tab(
        "Customers",
        [*HEADERS["en"]["Customers"], "Phone"],
        [
            ["C1", "Acme Trading", "Wang", "A", "yes", None],
            ["C2", "Beta Foods", "Li", "B", "no", "010-1234"],  # B: the default grade
            ["C3", "Gamma Retail", "Wang", None, "N", None],  # blank grade: the default
        ],
    )
    follow = Tab(
        "FollowUps",
        HEADERS["en"]["FollowUps"],
        [
            ["2026-11-20", "C2", "visit", "excuse", "cash", "yes"],
            ["2026-11-21", "C1", "call", "promised", None, "no"],  # call, no: defaults
        ],
    )
    tabs = [customers, *(by_name[n] for n in HEADERS["en"] if n not in ("Customers", "FollowUps"))]
    tabs.append(follow)
    book, problems = read_book(FileBook(write_book(tmp_path / "team.xlsx", tabs)))
    assert [p for p in problems if p.severity == "error"] == []
    assert book.customers == (
        Customer(
            customer_id="C1", name="Acme Trading", rep="Wang", credit_grade="A", key_account=True
        ),
        Customer(
            customer_id="C2", name="Beta Foods", rep="Li", key_account=False, phone="010-1234"
        ),
        Customer(customer_id="C3", name="Gamma Retail", rep="Wang", credit_grade="B"),
    )
    assert book.followups == (
        FollowUp(
            date=date(2026, 11, 20),
            customer_id="C2",
            result="excuse",
            channel="visit",
            excuse_kind="cash",
            excuse_accepted=True,
        ),
        FollowUp(date=date(2026, 11, 21), customer_id="C1", result="promised"),
    )
    # no Promised-on or Carried-from column: the record's own defaults
    assert book.commitments[0] == Installment(
        customer_id="C1", due=date(2026, 11, 10), amount=Decimal(60000)
    )
    assert book.commitments[0].promised_on is None and book.commitments[0].carried_from is None


def test_equal_amounts_share_one_rounded_decimal_and_each_is_rounded(tmp_path: Path) -> None:
    book, _ = read_book(FileTables(sample_book(tmp_path / "team.xlsx")))
    found = jobs.analyse_all(book, AS_OF)
    table = status_table(found.rows, "en")
    keys = [c.key for c in table.table.columns]
    amounts = [c.key for c in table.table.columns if c.kind is contract.Kind.AMOUNT]
    for row, cells in zip(found.rows, table.rows, strict=True):
        for key in amounts:
            value = getattr(row, key, None)
            if value is None:
                continue
            cell = cells[keys.index(key)]
            assert cell == fen(value) and str(cell) == str(fen(value))
    # an amount met again is the same object, not a new Decimal (zero aside: 0 and -0)
    twice = status_table((*found.rows, *found.rows), "en").rows
    half = len(found.rows)
    shared = 0
    for first, again in zip(twice[:half], twice[half:], strict=True):
        for key in amounts:
            cell = first[keys.index(key)]
            if cell:
                assert again[keys.index(key)] is cell
                shared += 1
    assert shared >= 10


def test_the_collector_comes_back_and_still_collects_cycles() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    with gc_paused():
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]  # made while paused: frozen on the way out
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle made afterwards is still collected
    del a, b
    assert gc.collect() >= 2


def test_collects_progress_bar_is_there_first_and_advances_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar is made before the first file is read, each file is read only when the bar
    hands it on, and the bar's count ends at the number of files (tqdm's own `n`)."""
    team = tmp_path / "team.xlsx"
    jobs.demo(team, "en", AS_OF)
    returns = tmp_path / "returns"
    split(team, returns, AS_OF)
    originals = sorted(returns.glob("*.xlsx"))
    for n in range(2, 4):  # later returns of the same reps: every file is still read
        for path in originals:
            shutil.copy(path, path.with_name(f"{path.stem} ({n}).xlsx"))
    files = sorted(returns.glob("*.xlsx"))
    assert len(files) >= commands.MANY_FILES

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    bars: list[Any] = []
    handed_on: list[int] = [0]  # files the bar has handed on so far
    seen_when_read: list[tuple[int, int]] = []  # (bars made, files handed on) at each read
    real_read_one = collect_module._read_one

    def read_one(path: Path) -> Any:
        seen_when_read.append((len(bars), handed_on[0]))
        return real_read_one(path)

    def progress(items: Any) -> Any:
        bar = commands._progress(items)
        bars.append(bar)
        for item in bar:
            handed_on[0] += 1
            yield item

    monkeypatch.setattr(collect_module, "_read_one", read_one)
    monkeypatch.setattr(collect_module, "WORKERS", 1)  # read here (a pool: test_collect_pool)
    result = jobs.collect(returns, tmp_path / "collected.xlsx", AS_OF, team, progress=progress)
    assert result.written is not None and result.written.exists()
    assert len(bars) == 1 and isinstance(bars[0], tqdm)
    assert bars[0].total == len(files)
    # file k (from 0) is read when the bar exists and has handed on k files, not before
    assert seen_when_read == [(1, k) for k in range(len(files))]
    assert bars[0].n == len(files)
