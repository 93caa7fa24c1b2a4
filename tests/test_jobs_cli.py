"""The jobs layer from the command line (real subprocess runs): every -o checks its
extension, file-system errors name the user's path in both languages (never a
temporary file), one --as-of for every command, one rep matcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from books import folder, huikuan, sample_book

AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_book(tmp_path_factory.mktemp("team") / "team.xlsx", lang="zh")


def refused(run_args: list[object], *words: str) -> str:
    run = huikuan(*run_args)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    for word in words:
        assert word in run.stderr, (word, run.stderr)
    return run.stderr


@pytest.mark.parametrize(
    ("command", "name", "wanted"),
    [
        (["template"], "t.csv", ".xlsx"),
        (["demo"], "d.txt", ".xlsx"),
        (["addin", "build"], "x.xlsx", ".xlam"),
        (["refresh", "{book}", "--as-of", AS_OF], "out.ods", ".xlsx / .xlsm"),
        (["roll", "{book}", "--to", "2026-12", "--as-of", AS_OF], "r.csv", ".xlsx / .xlsm"),
        (["collect", "{dir}"], "c.xlsm", ".xlsx"),
    ],
)
def test_every_output_checks_its_extension(
    tmp_path: Path, book: Path, command: list[str], name: str, wanted: str
) -> None:
    args = [a.format(book=book, dir=tmp_path) for a in command]
    out = tmp_path / name
    refused([*args, "-o", out], name, wanted, "文件名须以", "the file name must end in")
    assert not out.exists()


def test_a_calendar_must_be_an_ics(tmp_path: Path, book: Path) -> None:
    out = tmp_path / "plan.txt"
    refused(["schedule", book, "--as-of", AS_OF, "--ics", out], "plan.txt", ".ics")
    assert not out.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["refresh", "{book}", "--as-of", AS_OF, "-o", "{out}.xlsx"],
        ["roll", "{book}", "--to", "2026-12", "--as-of", AS_OF, "-o", "{out}.xlsx"],
        ["schedule", "{book}", "--as-of", AS_OF, "--ics", "{out}.ics"],
        ["template", "-o", "{out}.xlsx"],
        ["demo", "--as-of", AS_OF, "-o", "{out}.xlsx"],
        ["split", "{book}", "--as-of", AS_OF, "--out", "/proc/no-such-folder"],
    ],
)
def test_a_missing_folder_is_told_with_the_users_path(
    tmp_path: Path, book: Path, command: list[str]
) -> None:
    out = tmp_path / "no-such-folder" / "结果"
    args = [a.format(book=book, out=out) for a in command]
    err = refused(args, "no-such-folder", "文件夹不存在", "the folder does not exist")
    user_path = next(a for a in args if "no-such-folder" in a)
    assert user_path in err  # the path as the user typed it
    assert "/." not in err and ".tmp" not in err  # never a temporary file's name
    assert folder(tmp_path) == set()
    assert book.exists()


def test_a_folder_where_a_file_is_wanted_is_refused(tmp_path: Path, book: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.mkdir()
    refused(["refresh", book, "--as-of", AS_OF, "-o", target, "--force"], "out.xlsx", "文件夹")
    assert folder(target) == set()


@pytest.mark.parametrize("command", ["refresh", "diagnose", "schedule", "split", "roll"])
def test_one_as_of_for_every_command(tmp_path: Path, book: Path, command: str) -> None:
    extra = {"split": ["--out", tmp_path / "s"], "roll": ["--to", "2026-12"]}.get(command, [])
    run = huikuan(command, book, *extra, "--as-of", "2026-02-30")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "--as-of" in run.stderr and "2026-02-30" in run.stderr
    help_text = huikuan(command, "--help").stdout
    assert "--as-of DATE" in help_text


@pytest.mark.parametrize("spelled", ["Wang", " wang ", "ＷＡＮＧ", "Wang\u3000"])
def test_diagnose_and_schedule_match_a_rep_alike(book: Path, spelled: str) -> None:
    diag = huikuan("diagnose", book, "--as-of", AS_OF, "--rep", spelled)
    sched = huikuan("schedule", book, "--as-of", AS_OF, "--rep", spelled)
    assert diag.returncode == 0, diag.stderr
    assert sched.returncode == 0, sched.stderr
    assert "【Wang】" in diag.stdout and "【Li】" not in diag.stdout
    assert "Acme Trading" in sched.stdout and "Beta Foods" not in sched.stdout


def test_an_unknown_rep_is_refused_alike(book: Path) -> None:
    for command in ("diagnose", "schedule"):
        err = refused([command, book, "--as-of", AS_OF, "--rep", "Zhao"], "Zhao", "Li", "Wang")
        assert "没有业务员" in err and "unknown sales rep" in err
