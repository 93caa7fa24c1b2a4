"""Files that are not usable workbooks: refused with a reason (exit 2), never touched.

Each file is built for real (a real workbook cut short, a real zip bomb, a real
DTD) and run through the real command in a subprocess.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from books import (
    Tab,
    declare_size,
    folder,
    huikuan,
    mark_encrypted,
    rezip,
    sample_book,
    write_book,
)
from huikuan.workbook.package import MAX_RATIO

BOMB = b"\0" * (64 << 20)  # 64 MiB of zeros: deflate packs it ~1028:1
LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_the_bomb_is_over_the_ratio_limit() -> None:
    """The bomb below is refused for its ratio, not for its size alone."""
    deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    packed = len(deflate.compress(BOMB) + deflate.flush())
    assert len(BOMB) > MAX_RATIO * packed


def empty(tmp: Path) -> Path:
    path = tmp / "book.xlsx"
    path.write_bytes(b"")
    return path


def text_file(tmp: Path) -> Path:
    path = tmp / "book.xlsx"
    path.write_text("客户编号,客户名称\nC1,Acme\n", encoding="utf-8")
    return path


def truncated(tmp: Path) -> Path:
    whole = sample_book(tmp / "whole.xlsx").read_bytes()
    path = tmp / "book.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    (tmp / "whole.xlsx").unlink()
    return path


def zip_bomb(tmp: Path) -> Path:
    """A good workbook plus one part that inflates 64 MiB from ~64 KB."""
    sample_book(tmp / "good.xlsx")
    path = rezip(tmp / "good.xlsx", tmp / "book.xlsx", add={"xl/media/zeros.bin": BOMB})
    (tmp / "good.xlsx").unlink()
    return path


def encrypted_part(tmp: Path) -> Path:
    return mark_encrypted(sample_book(tmp / "book.xlsx"), "docProps/core.xml")


def lying_bomb(tmp: Path) -> Path:
    """The same part, but its headers claim it is 1000 bytes (under every ratio check)."""
    path = declare_size(zip_bomb(tmp), "xl/media/zeros.bin", 1000)
    return path


# a part, and the text in it where the entity is used
DTD_IN = {
    "sheet": ("xl/worksheets/sheet2.xml", b"<t>C1</t>", b"<t>C1&lol3;</t>"),  # Plan: calamine
    "core": ("docProps/core.xml", b">openpyxl<", b">&lol3;<"),  # only openpyxl reads it
}


def _with_dtd(tmp: Path, where: str, padding: int) -> Path:
    part, text, laughing = DTD_IN[where]
    sample_book(tmp / "good.xlsx")

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        comment = b"<!--" + b"x" * padding + b"-->" if padding else b""
        assert text in data
        data = data.replace(text, laughing, 1)
        return b'<?xml version="1.0" encoding="UTF-8"?>\n' + comment + LAUGHS + data

    path = rezip(tmp / "good.xlsx", tmp / "book.xlsx", change)
    (tmp / "good.xlsx").unlink()
    return path


def dtd_in_a_sheet(tmp: Path) -> Path:
    return _with_dtd(tmp, "sheet", 0)


def dtd_in_a_sheet_after_a_long_comment(tmp: Path) -> Path:
    """The DTD after 5000 bytes of comment: it must still be found."""
    return _with_dtd(tmp, "sheet", 5000)


def dtd_in_the_properties(tmp: Path) -> Path:
    return _with_dtd(tmp, "core", 0)


def dtd_in_the_properties_after_a_long_comment(tmp: Path) -> Path:
    return _with_dtd(tmp, "core", 5000)


def without_plan(tmp: Path) -> Path:
    customers = Tab("Customers", ["Customer ID", "Customer", "Sales rep"], [["C1", "Acme", "Wang"]])
    plan = Tab("Targets", ["Month", "Customer ID", "Target"], [["2026-11", "C1", 5]], sheet="Plan")
    return write_book(tmp / "book.xlsx", [customers, plan])


def without_target(tmp: Path) -> Path:
    customers = Tab("Customers", ["Customer ID", "Customer", "Sales rep"], [["C1", "Acme", "Wang"]])
    plan = Tab("Plan", ["Month", "Customer ID", "Goal"], [["2026-11", "C1", 5]])
    return write_book(tmp / "book.xlsx", [customers, plan])


CASES: list[tuple[Callable[[Path], Path], str]] = [
    (empty, "book.xlsx: the file is empty"),
    (text_file, "book.xlsx: not an .xlsx/.xlsm workbook"),
    (truncated, "book.xlsx: the package is damaged or truncated"),
    (zip_bomb, "book.xlsx: part xl/media/zeros.bin expands far beyond"),
    (lying_bomb, "book.xlsx: part xl/media/zeros.bin expands far beyond"),
    (encrypted_part, "book.xlsx: part docProps/core.xml is encrypted"),
    (dtd_in_a_sheet, "book.xlsx: part xl/worksheets/sheet2.xml declares a DTD"),
    (dtd_in_a_sheet_after_a_long_comment, "part xl/worksheets/sheet2.xml declares a DTD"),
    (dtd_in_the_properties, "book.xlsx: part docProps/core.xml declares a DTD"),
    (dtd_in_the_properties_after_a_long_comment, "part docProps/core.xml declares a DTD"),
    (without_plan, "table Plan is missing"),
    (without_target, "column Target is missing in table Plan"),
]
COMMANDS = [["check"], ["refresh", "--as-of", "2026-11-23"], ["refresh", "-o", "out.xlsx"]]


@pytest.mark.parametrize(("make", "said"), CASES, ids=[m.__name__ for m, _ in CASES])
@pytest.mark.parametrize("command", COMMANDS, ids=["check", "refresh", "refresh-o"])
def test_an_unusable_file_is_refused_and_left_alone(
    tmp_path: Path, make: Callable[[Path], Path], said: str, command: list[str]
) -> None:
    path = make(tmp_path)
    before = path.read_bytes()
    run = huikuan(command[0], path.name, *command[1:], cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert said in run.stderr
    assert "Traceback" not in run.stderr
    assert "internal error" not in run.stderr
    assert run.stderr.startswith("huikuan: ")
    assert path.read_bytes() == before
    assert folder(tmp_path) == {"book.xlsx"}  # no output, no temporary file left behind


def test_the_message_is_given_in_both_languages(tmp_path: Path) -> None:
    """Nothing could be read, so the workbook's language is unknown: say it twice."""
    path = empty(tmp_path)
    run = huikuan("check", path)
    assert "book.xlsx: the file is empty" in run.stderr
    assert "book.xlsx：文件为空" in run.stderr


@pytest.mark.parametrize(
    "command",
    [["check"], ["refresh"], ["diagnose"], ["schedule"], ["split", "--out", "out"]],
    ids=lambda c: c[0],
)
def test_a_folder_is_not_a_workbook(tmp_path: Path, command: list[str]) -> None:
    """Every command says a folder is a folder (not "no such file"), in both languages."""
    (tmp_path / "book.xlsx").mkdir()
    run = huikuan(command[0], "book.xlsx", *command[1:], cwd=tmp_path)
    assert run.returncode == 2
    assert "book.xlsx: is a folder" in run.stderr and "book.xlsx：是文件夹" in run.stderr
    assert "no such file" not in run.stderr
    assert "Traceback" not in run.stderr
    assert folder(tmp_path) == {"book.xlsx"}


@pytest.mark.parametrize(
    "command",
    [["refresh", "--as-of", "2026-11-23"], ["roll", "--to", "2026-12", "--as-of", "2026-11-30"]],
    ids=lambda c: c[0],
)
def test_a_read_only_workbook_is_not_written_over(tmp_path: Path, command: list[str]) -> None:
    """A read-only file (Excel's attribute, chmod a-w) is the user saying "don't change
    it": a rename over it would pass wherever the folder is writable (and always for root),
    so in-place commands refuse, in both languages, and leave it as it was."""
    path = sample_book(tmp_path / "book.xlsx", lang="zh")
    path.chmod(0o444)
    before = path.read_bytes()
    run = huikuan(command[0], "book.xlsx", *command[1:], cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "book.xlsx: the file is read-only" in run.stderr and "文件为只读" in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == before and not path.stat().st_mode & 0o222
    assert folder(tmp_path) == {"book.xlsx"}
    # a copy with -o is fine
    run = huikuan("refresh", "book.xlsx", "-o", "copy.xlsx", "--as-of", "2026-11-23", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    assert (tmp_path / "copy.xlsx").exists() and path.read_bytes() == before
