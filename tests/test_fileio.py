"""The one atomic write, overwrite refusal, extension check and file-system messages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from huikuan.errors import Unusable
from huikuan.fileio import refuse_overwrite, require_suffix, write_atomic
from huikuan.text import display_width, match_name, name_key


def test_write_atomic_replaces_in_one_step_and_keeps_mode(tmp_path: Path) -> None:
    dest = tmp_path / "book.xlsx"
    dest.write_bytes(b"old")
    os.chmod(dest, 0o640)
    write_atomic(dest, lambda f: f.write(b"new"))
    assert dest.read_bytes() == b"new"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no temp file left


def test_write_atomic_failure_leaves_the_target_and_no_temp(tmp_path: Path) -> None:
    dest = tmp_path / "book.xlsx"
    dest.write_bytes(b"old")

    def broken(f: object) -> None:
        raise RuntimeError("half-way")

    with pytest.raises(RuntimeError):
        write_atomic(dest, broken)
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_write_atomic_names_the_users_path_not_a_temp_file(tmp_path: Path) -> None:
    dest = tmp_path / "missing-folder" / "out.xlsx"
    with pytest.raises(Unusable) as caught:
        write_atomic(dest, b"x")
    assert str(dest) in caught.value.en and str(dest) in caught.value.zh
    assert "文件夹不存在" in caught.value.zh
    assert ".out." not in caught.value.en


def test_refuse_overwrite_and_suffix(tmp_path: Path) -> None:
    dest = tmp_path / "t.xlsx"
    refuse_overwrite(dest, force=False)  # absent: fine
    dest.write_bytes(b"x")
    with pytest.raises(Unusable, match="--force"):
        refuse_overwrite(dest, force=False)
    refuse_overwrite(dest, force=True)
    with pytest.raises(Unusable) as caught:
        require_suffix(tmp_path / "t.csv", (".xlsx", ".xlsm"))
    assert "t.csv" in caught.value.zh and ".xlsx" in caught.value.en
    require_suffix(tmp_path / "T.XLSM", (".xlsx", ".xlsm"))


def test_names_match_ignoring_width_spaces_and_case() -> None:
    assert match_name(["李娜", "王强"], " 李娜\u3000") == "李娜"
    assert match_name(["Li Na"], "li  na") == "Li Na"
    assert match_name(["ＡＢＣ"], "abc") == "ＡＢＣ"
    assert match_name(["李娜"], "李") is None
    assert name_key("Ｗang  Qiang ") == "wang qiang"


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("abc") == 3
    assert display_width("回款") == 4
    assert display_width("Ａ1") == 3
