"""The ribbon buttons, run on the in-memory xlwings stand-in (tests/xlwings_standin.py).

The stand-in implements only the xlwings calls LiveBook and macros.py make; it is
not Excel. What a button writes is held to what the command writes into a file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

import xlwings_standin as xs
from books import Tab, sample_tabs, table_rows, write_book
from huikuan import contract, jobs, macros

AS_OF = date(2026, 11, 23)
OUTPUTS = tuple(t.name for t in contract.OUTPUT_TABLES)


def team(lang: str = "zh", bad: bool = False, path: Path | None = None) -> xs.Book:
    book = xs.book_from_tabs(sample_tabs(lang, bad))
    book.path = None if path is None else str(path)
    return book


def sheets(book: xs.Book) -> list[str]:
    return [s.name for s in book.sheets]


def said(book: xs.Book) -> str:
    (prompt, title, _), *_ = book.app.alerts
    assert title == "回款 huikuan"
    return prompt


def test_refresh_writes_what_the_command_writes(tmp_path: Path):
    book = team("en", bad=True)
    macros.refresh(book, AS_OF)
    path = write_book(tmp_path / "team.xlsx", sample_tabs("en", bad=True))
    jobs.refresh(path, AS_OF)
    for name in OUTPUTS:
        _, headers, rows = xs.table_values(book, name)
        _, want_headers, want_rows = table_rows(path, name)
        assert headers == want_headers
        assert len(rows) == len(want_rows)
    assert ", ".join(t.name for t in contract.OUTPUT_TABLES) in said(book)
    assert "3 problem(s), see the Problems sheet." in said(book)
    assert book.app.screen_updating is True


def test_messages_follow_the_workbooks_language():
    book = team("zh")
    macros.refresh(book, AS_OF)
    assert said(book).startswith("已写入（截至 2026年11月23日）：回款状态、跟进计划")
    assert "0 个问题。" in said(book)


def test_schedule_writes_only_the_schedule_and_problems():
    book = team()
    macros.schedule(book, AS_OF)
    assert [s for s in sheets(book) if s in OUTPUTS] == ["Schedule", "Problems"]
    assert xs.table_values(book, "Schedule")[2]


def test_check_changes_nothing_and_lists_the_problems():
    book = team("en", bad=True)
    before = sheets(book)
    macros.check(book, AS_OF)
    assert sheets(book) == before
    prompt, _, mode = book.app.alerts[0]
    assert prompt.startswith("3 problem(s):\nPlan!A5 [2026-13] Month: not a month")
    assert mode == "critical"
    clean = team("zh")
    macros.check(clean, AS_OF)
    assert said(clean) == "没有问题。"


def test_diagnose_writes_the_diagnosis_sheets():
    book = team()
    macros.diagnose(book, AS_OF)
    assert [s for s in sheets(book) if s in OUTPUTS] == ["Diagnosis", "Excuses", "Problems"]
    _, headers, rows = xs.table_values(book, "Diagnosis")
    assert headers[0] == "业务员" and len(rows) == 6 * 3  # two reps and the team, six causes


def test_diagnose_without_its_job_says_it_is_not_available(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(jobs, "diagnose")
    book = team()
    macros.diagnose(book, AS_OF)
    assert "尚不支持“诊断”" in said(book) and "not available in this version" in said(book)
    assert not set(sheets(book)) & set(OUTPUTS)


@pytest.mark.parametrize(
    ("button", "names"),
    [("new_month", ("roll", "new_month")), ("split", ("split",)), ("collect", ("collect",))],
)
def test_a_button_whose_job_is_missing_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, button: str, names: tuple[str, ...]
):
    for name in names:
        monkeypatch.delattr(jobs, name, raising=False)
    book = team(path=tmp_path / "team.xlsx")
    getattr(macros, button)(book, AS_OF)
    assert "not available in this version of huikuan" in said(book)
    assert book.saves == 0 and list(tmp_path.iterdir()) == []


def test_split_calls_the_job_with_the_saved_book_and_a_folder_beside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    calls: list[dict[str, Any]] = []

    def split(team: Path, out: Path, eml: bool = False) -> list[Path]:
        calls.append({"team": team, "out": out, "eml": eml})
        return []

    monkeypatch.setattr(jobs, "split", split, raising=False)
    book = team(path=tmp_path / "团队.xlsx")
    macros.split(book, AS_OF)
    assert calls == [{"team": tmp_path / "团队.xlsx", "out": tmp_path / "团队-split", "eml": False}]
    assert book.saves == 1
    assert "“拆分”已完成" in said(book)


def test_new_month_rolls_a_copy_and_opens_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    seen = {}

    def roll(path: Path, to: date, force: bool = False) -> jobs.Result:
        seen.update(path=path, to=to)
        return jobs.Result(book=jobs.Book(), problems=[], written=path)

    monkeypatch.setattr(jobs, "roll", roll, raising=False)
    original = write_book(tmp_path / "team.xlsx", sample_tabs())
    book = team(path=original)
    macros.new_month(book, AS_OF)
    copy = tmp_path / "team-2026-12.xlsx"
    assert seen == {"path": copy, "to": date(2026, 12, 1)}
    assert copy.read_bytes() == original.read_bytes()  # the open file itself is not rewritten
    assert book.app.books.opened == [str(copy)]


def test_a_job_needing_what_the_ribbon_cannot_give_points_to_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(jobs, "collect", lambda folder, out, smtp_server: None, raising=False)
    book = team(path=tmp_path / "team.xlsx")
    macros.collect(book, AS_OF)
    assert "huikuan collect DIR -o TEAM.xlsx" in said(book)


def test_a_book_never_saved_is_asked_to_be_saved(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(jobs, "split", lambda path, out: None, raising=False)
    book = team()
    macros.split(book, AS_OF)
    assert "请先保存工作簿" in said(book)


def test_an_unusable_book_is_a_message_not_a_traceback():
    book = xs.book_from_tabs([*sample_tabs(), Tab("Mine", ["note"], [["x"]], sheet="Status")])
    macros.refresh(book, AS_OF)
    prompt, _, mode = book.app.alerts[0]
    assert "Status" in prompt and mode == "critical"
    assert book.app.screen_updating is True


def test_a_bug_is_reported_plainly(monkeypatch: pytest.MonkeyPatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "refresh_book", broken)
    book = team()
    macros.refresh(book, AS_OF)
    assert "RuntimeError: boom" in said(book) and "please report" in said(book)


def test_every_button_is_a_function_of_book_and_day():
    assert [b.__name__ for b in macros.BUTTONS] == [
        "refresh",
        "schedule",
        "diagnose",
        "check",
        "new_month",
        "split",
        "collect",
        "self_test",
    ]
    for button in macros.BUTTONS:
        assert button.__doc__ and any("\u4e00" <= ch <= "\u9fff" for ch in button.__doc__)


def test_a_button_with_no_workbook_says_so_instead_of_failing(capsys: pytest.CaptureFixture[str]):
    # no calling workbook (xw.Book.caller() raises) and no Excel here: the message goes to
    # stderr, where RunPython's console shows it; in Excel it is an alert
    for button in macros.BUTTONS:
        button()
        err = capsys.readouterr().err
        assert err.strip() == f"{macros.NO_BOOK[0]}\n\n{macros.NO_BOOK[1]}", button.__name__
