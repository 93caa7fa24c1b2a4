"""One text rule for every cell huikuan writes (xmlparts.cell_text), through every writer.

Arbitrary Unicode — control characters, CR, U+FFFE/U+FFFF, lone surrogates, emoji,
text that looks like Excel's own escapes (`_x0041_`), XML's specials — written by
refresh (an output table), collect (a book written over a template), split (a rep's
file: moved input cells and the rep's outputs) and roll (rows appended in place):
every XML part stays well-formed and python-calamine reads back exactly the text,
except what no reader can return — a lone surrogate, U+FFFE, U+FFFF — which comes
back as Excel's escape of it (`_xD800_`), the way Excel's own files hold it.
On a sample, LibreOffice opens the files and saves what it read: the same text.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import python_calamine as pc
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from books import sample_book
from huikuan import contract as ct
from huikuan import jobs
from huikuan.demo import demo_book
from huikuan.model import Book
from huikuan.team.books import fresh_template, write_book
from huikuan.team.roll import roll_file
from huikuan.team.split import split
from huikuan.workbook import package_writer
from huikuan.workbook.outputs import OutputTable
from huikuan.workbook.xmlparts import cell_text

MONTH = date(2026, 11, 1)
AS_OF = date(2026, 11, 23)
TRICKY = [
    "\x00",
    "\x01",
    "\x0b",
    "\x1f",
    "\r",
    "\t",
    "\n",
    " ",
    "\ud800",
    "\udfff",
    "\ufffe",
    "\uffff",
    "😀",
    "_x0041_",
    "_X00a1_",
    "_x005F_",
    "_x",
    "<",
    "&",
    '"',
    "'",
    ">",
    "中",
    "=",
]
texts = st.lists(st.one_of(st.characters(), st.sampled_from(TRICKY)), min_size=1, max_size=12).map(
    "".join
)
_UNREADABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def expected(text: str) -> str:
    """What a reader returns for `text` written by the rule."""
    return _UNREADABLE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def read(path: Path, table: str) -> list[list[Any]]:
    got: list[list[Any]] = (
        pc.CalamineWorkbook.from_path(str(path), load_tables=True)
        .get_table_by_name(table)
        .to_python()
    )
    return got


def assert_well_formed(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(zf.read(name))


def column(table: ct.Table, key: str) -> int:
    return [c.key for c in table.columns].index(key)


def reader_text(text: str) -> str:
    """The text as huikuan's reader keeps it (NFKC, trimmed): what split and roll rewrite."""
    return unicodedata.normalize("NFKC", text).strip()


def book_with(text: str) -> Book:
    """The demo book with `text` as a customer's name, a follow-up's note and an open
    measure's description (roll carries it into December)."""
    book = demo_book(MONTH, AS_OF)
    first = book.customers[0]
    measure = next(m for m in book.measures if m.month == MONTH and m.status == "planned")
    return book.updated(
        {
            "customers": (first.updated({"name": text}), *book.customers[1:]),
            "followups": (
                book.followups[0].updated({"note": text}),
                *book.followups[1:],
            ),
            "measures": tuple(
                m.updated({"description": text}) if m is measure else m for m in book.measures
            ),
        }
    )


def test_the_rule_is_excels() -> None:
    assert cell_text("a\x0bb") == "a_x000B_b"
    assert cell_text("_x0041_") == "_x005F_x0041_"
    assert cell_text("\ufffe") == "_xFFFE_"
    assert cell_text("\r\n") == "_x000D_\n"
    assert cell_text('<&">') == '&lt;&amp;"&gt;'


@settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no slow shrinking of whole runs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=texts)
@example(text="0\r")
@example(text="a\x0bb _x0041_ \ud800 \ufffe <&\"'> 😀")
def test_text_round_trips_through_every_writer(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    folder = tmp_path_factory.mktemp("text")
    want = expected(text)
    # refresh: an output table
    book_path = sample_book(folder / "refresh.xlsx")
    rows = ((text, "A1", text, text, "error"),)
    package_writer.write_outputs(book_path, book_path, [OutputTable(ct.PROBLEMS, "en", rows)])
    assert_well_formed(book_path)
    assert read(book_path, "Problems")[0] == [want, "A1", want, want, "error"]

    # collect: the book written over a fresh template
    team = folder / "team.xlsx"
    write_book(fresh_template("en"), team, book_with(text), AS_OF)
    assert_well_formed(team)
    customers = read(team, "Customers")
    name = column(ct.CUSTOMERS, "name")
    assert customers[0][name] == want
    assert read(team, "FollowUps")[0][column(ct.FOLLOWUPS, "note")] == want

    kept = reader_text(text)
    loaded, _ = jobs.load(team)
    readable = bool(kept) and loaded.customers[0].name == kept
    if not readable:  # the reader refuses it (blank after trimming): nothing more to write
        return

    # split: the rep's Customers cell moved as stored, the rep's Status written anew
    out = split(team, folder / "out", AS_OF)
    rep = loaded.customers[0].rep
    rep_file = next(f.path for f in out.files if f.rep == rep)
    assert_well_formed(rep_file)
    assert read(rep_file, "Customers")[0][name] == want
    status = read(rep_file, "Status")
    assert expected(kept) in {r[column(ct.STATUS, "name")] for r in status}

    # roll: the open measure carried into December, appended in place
    roll_file(team, date(2026, 12, 1), date(2026, 12, 1))
    assert_well_formed(team)
    measures = read(team, "Measures")
    described = [r[column(ct.MEASURES, "description")] for r in measures]
    # November's as it was typed, December's as the reader kept it
    if want == expected(kept):
        assert described.count(want) >= 2
    else:
        assert want in described and expected(kept) in described


SAMPLE = ["ctl\x01\x0bchar", "_x0041_ and _X00a1_", "a<b&c>\"d'", "cr\rlf\n😀 中文", "\ufffe"]


@pytest.mark.libreoffice
def test_libreoffice_reads_the_same_text(tmp_path: Path, soffice: str, lo_profile: Path) -> None:
    from libreoffice import recalculate

    path = sample_book(tmp_path / "book.xlsx")
    rows = tuple((t, "A1", t, t, "error") for t in SAMPLE)
    package_writer.write_outputs(path, path, [OutputTable(ct.PROBLEMS, "en", rows)])
    team = tmp_path / "team.xlsx"
    write_book(fresh_template("en"), team, book_with(SAMPLE[0]), AS_OF)
    for written, table, col in (
        (path, "Problems", 0),
        (team, "Customers", column(ct.CUSTOMERS, "name")),
    ):
        ours = [r[col] for r in read(written, table)]
        back = recalculate(written, tmp_path / f"lo-{written.stem}", lo_profile, soffice)
        theirs = [r[col] for r in read(back, table)]
        # LibreOffice's own ways: a CR saved as a line feed, an escape in lower case
        assert theirs == [
            t.replace("\r", "\n").replace("_xFFFE_", "_xfffe_") if isinstance(t, str) else t
            for t in ours
        ]
    assert [r[0] for r in read(path, "Problems")] == [expected(t) for t in SAMPLE]
