"""split writes every rep's file from what it read of the team once (the team's parts
inflated once, its words in one matcher, its rows indexed once): each file is the one
written from scratch for that rep alone, and the words are found as a rep's own
matcher finds them."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from huikuan import jobs
from huikuan.team.books import read_raw, rep_book, reps_of, write_rep_book
from huikuan.team.split import _others, _rep_rows, _row_keys, rep_outputs
from huikuan.workbook.privacy import WordIndex, _Words

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo team with a hidden sheet naming one rep's customer and a guide naming
    none (a sheet kept for some reps, dropped for the others)."""
    path = tmp_path_factory.mktemp("split-index") / "team.xlsx"
    jobs.demo(path, "zh", AS_OF)
    book, _ = jobs.load(path)
    wb = openpyxl.load_workbook(path)
    secret = wb.create_sheet("Secret")
    secret["A1"] = book.customers[0].name
    secret.sheet_state = "hidden"
    wb.create_sheet("Clean")["A1"] = "nothing of anyone"
    wb.save(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_each_reps_file_is_the_one_written_for_that_rep_alone(team: Path, tmp_path: Path) -> None:
    book, _ = jobs.load(team)
    keys = _row_keys(read_raw(team))
    cache: dict[str, bytes] = {}
    index = WordIndex(w for c in book.customers for w in (c.customer_id, c.name, c.rep) if w)
    reps = reps_of(book)
    assert len(reps) >= 3
    secret = []  # the reps whose file lost the hidden sheet
    for rep in reps:
        outputs = rep_outputs(rep_book(book, rep), AS_OF)  # one snapshot time for both
        rows, words = _rep_rows(keys, book, rep), _others(book, rep)
        alone = write_rep_book(team, tmp_path / f"{rep}-alone.xlsx", outputs, rows, words)
        shared = write_rep_book(team, tmp_path / f"{rep}.xlsx", outputs, rows, words, cache, index)
        assert shared.dropped == alone.dropped
        if any("Secret" in en for en, _ in alone.dropped):
            secret.append(rep)
        assert parts(tmp_path / f"{rep}.xlsx") == parts(tmp_path / f"{rep}-alone.xlsx")
    assert cache  # the parts were read once and kept
    assert 0 < len(secret) < len(reps)  # the hidden sheet went for some reps only


def test_the_team_index_finds_what_a_reps_own_matcher_finds(team: Path) -> None:
    book, _ = jobs.load(team)
    index = WordIndex(w for c in book.customers for w in (c.customer_id, c.name, c.rep) if w)
    stored = parts(team)
    for rep in reps_of(book):
        words = frozenset(_others(book, rep))
        alone, indexed = _Words(words), _Words(words, index)
        assert indexed.index is index
        for name, data in stored.items():
            assert indexed.found(data) == alone.found(data), (rep, name)
        own = next(c for c in book.customers if c.rep == rep)
        assert not indexed.found(own.customer_id.encode())
    # a word inside another word of the team: each seen, whichever the longer match
    index = WordIndex(["华东", "华东建材", "A&B"])
    for words, text, found in (
        ({"华东"}, "华东建材有限公司", True),
        ({"华东建材"}, "华东有限公司", False),
        ({"华东建材"}, "华东建材", True),
        ({"A&B"}, "<t>A&amp;B</t>", True),
    ):
        got = _Words(frozenset(words), index)
        assert got.index is index
        assert got.found(text.encode()) is found
        assert _Words(frozenset(words)).found(text.encode()) is found
    # words the index does not hold: a matcher of their own
    assert _Words(frozenset({"其他"}), index).index is None
