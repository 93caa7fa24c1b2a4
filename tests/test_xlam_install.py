"""`huikuan addin install | uninstall | status`, with Windows' folders played by temporary ones.

The commands take the environment and the platform as arguments, so Windows'
%APPDATA% and %USERPROFILE% are folders under tmp_path here. Whether Excel then
loads the add-in from that folder is not tested (there is no Excel).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import xlwings

from books import huikuan
from huikuan import cli
from huikuan.errors import Unusable
from huikuan.xlam import commands
from huikuan.xlam import install as inst


def windows(tmp_path: Path) -> dict[str, str]:
    return {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path / "me")}


def run(tmp_path: Path, *argv: str, platform: str = "win32") -> int:
    return commands.run(cli.parser().parse_args(["addin", *argv]), windows(tmp_path), platform)


def test_install_puts_the_addin_in_excels_folder_and_writes_its_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    config = tmp_path / "me" / ".huikuan" / "huikuan.conf"
    config.parent.mkdir(parents=True)
    config.write_text('"SHOW CONSOLE","True"\n"UDF MODULES","old.module"\n', encoding="utf-8")
    assert run(tmp_path, "install", "--python", sys.executable) == 0
    addin = tmp_path / "AppData" / "Microsoft" / "AddIns" / "huikuan.xlam"
    assert addin.is_file() and inst.addin_xlwings_version(addin)
    assert inst.read_config(config) == {
        "SHOW CONSOLE": "True",  # the user's own setting stays
        "INTERPRETER_WIN": sys.executable,
        "UDF MODULES": "huikuan.udfs",
    }
    out = capsys.readouterr().out
    assert str(addin) in out and "勾选 huikuan" in out


def test_status_says_what_is_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert run(tmp_path, "status") == 0
    assert capsys.readouterr().out.count("✗") >= 3  # nothing installed yet
    run(tmp_path, "install", "--python", sys.executable, "--lang", "en")
    capsys.readouterr()
    assert run(tmp_path, "status") == 0
    out = capsys.readouterr().out
    assert f"✓ 加载项 {tmp_path}" in out
    assert f"✓ 解释器 {sys.executable}" in out and "✓ 函数模块 huikuan.udfs" in out


def test_uninstall_removes_the_addin_and_only_huikuans_settings(tmp_path: Path):
    run(tmp_path, "install", "--python", sys.executable)
    where = inst.places(windows(tmp_path))
    with where.config.open("a", encoding="utf-8") as f:
        f.write('"CONDA ENV","base"\n')
    assert run(tmp_path, "uninstall") == 0
    assert not where.addin.exists()
    assert inst.read_config(where.config) == {"CONDA ENV": "base"}
    assert run(tmp_path, "uninstall") == 0  # nothing left: still fine


def test_uninstall_removes_a_settings_file_that_held_only_huikuans(tmp_path: Path):
    run(tmp_path, "install", "--python", sys.executable)
    run(tmp_path, "uninstall")
    assert not inst.places(windows(tmp_path)).config.exists()


def held_by_excel(monkeypatch: pytest.MonkeyPatch, held: Path) -> None:
    """Opening `held` for writing fails as Windows fails it while Excel has the add-in open
    (a sharing violation, which Python raises as PermissionError)."""
    real_open = Path.open

    def open_(self: Path, mode: str = "r", *args: object, **kwargs: object):
        if self == held and mode != "rb":
            raise PermissionError(13, "The process cannot access the file", str(self))
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", open_)


@pytest.mark.parametrize("action", ["install", "uninstall"])
def test_an_addin_open_in_excel_is_named_with_close_excel_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str
):
    run(tmp_path, "install", "--python", sys.executable)
    where = inst.places(windows(tmp_path))
    before = where.addin.read_bytes(), where.config.read_bytes()
    held_by_excel(monkeypatch, where.addin)
    with pytest.raises(Unusable) as caught:
        run(tmp_path, action, "--python", sys.executable) if action == "install" else run(
            tmp_path, action
        )
    assert str(where.addin) in caught.value.en and "close Excel first" in caught.value.en
    assert str(where.addin) in caught.value.zh and "请先关闭 Excel" in caught.value.zh
    assert (where.addin.read_bytes(), where.config.read_bytes()) == before  # nothing changed


# ---- the settings file in the code page VBA reads -------------------------------------------

ZHANG_WEI = "C:\\Users\\张伟\\AppData\\Local\\Programs\\Python\\Python312\\pythonw.exe"
# 张 and 伟 in GB2312/GBK (code page 936), from the GB2312 table: D5C5, CEB0
ZHANG_WEI_CP936 = b"\xd5\xc5\xce\xb0"


@pytest.fixture
def cp936(monkeypatch: pytest.MonkeyPatch) -> None:
    """This PC's ANSI code page is 936 (Simplified Chinese Windows)."""
    monkeypatch.setattr(inst, "ansi_encoding", lambda: "cp936")


def test_a_chinese_user_folder_is_written_in_the_code_page_vba_reads(tmp_path: Path, cp936: None):
    assert run(tmp_path, "install", "--python", ZHANG_WEI) == 0
    data = inst.places(windows(tmp_path)).config.read_bytes()
    assert ZHANG_WEI_CP936 in data and "张伟".encode() not in data
    line = data.split(b"\r\n")[0]  # VBA's Input # reads CRLF lines
    assert line == b'"INTERPRETER_WIN","' + ZHANG_WEI.encode("cp936") + b'"'
    assert inst.read_config(inst.places(windows(tmp_path)).config)["INTERPRETER_WIN"] == ZHANG_WEI


def test_an_old_utf8_settings_file_is_flagged_and_rewritten(
    tmp_path: Path, cp936: None, capsys: pytest.CaptureFixture[str]
):
    where = inst.places(windows(tmp_path))
    where.config.parent.mkdir(parents=True)
    where.config.write_bytes(f'"INTERPRETER_WIN","{ZHANG_WEI}"\n"CONDA ENV","基础"\n'.encode())
    # what VBA on a cp936 PC would read: mojibake, not the path
    assert where.config.read_bytes().decode("cp936", errors="replace") != where.config.read_text()
    assert inst.config_needs_rewrite(where.config)
    run(tmp_path, "status")
    assert "UTF-8" in capsys.readouterr().out
    assert run(tmp_path, "install", "--python", ZHANG_WEI) == 0
    assert not inst.config_needs_rewrite(where.config)
    assert where.config.read_bytes().decode("cp936").splitlines() == [
        '"CONDA ENV","基础"',  # the user's own line kept, now in cp936 too
        f'"INTERPRETER_WIN","{ZHANG_WEI}"',
        '"UDF MODULES","huikuan.udfs"',
    ]


def test_bopomofo_is_in_cp936_and_is_written():
    assert "ㄅ".encode("cp936") == b"\xa8\xc5"  # GB2312 row 8 holds the zhuyin letters


@pytest.mark.parametrize("char", ["\U00020000", "\U0001f600"])  # 𠀀 (CJK Ext. B), 😀
def test_a_path_cp936_cannot_hold_is_refused_naming_the_character(
    tmp_path: Path, cp936: None, char: str
):
    python = f"C:\\Users\\{char}\\Python312\\pythonw.exe"
    with pytest.raises(Unusable) as caught:
        run(tmp_path, "install", "--python", python)
    assert f"U+{ord(char):04X}" in caught.value.en and repr(char) in caught.value.zh
    assert "cp936" in caught.value.en and "--python" in caught.value.en
    assert not (tmp_path / "AppData").exists() and not (tmp_path / "me").exists()


def test_a_user_folder_cp936_cannot_hold_is_refused(tmp_path: Path, cp936: None):
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path / "\U00020000")}
    args = cli.parser().parse_args(["addin", "install", "--python", ZHANG_WEI])
    with pytest.raises(Unusable, match="Windows account"):
        commands.run(args, env, "win32")
    assert not (tmp_path / "AppData").exists()


def test_the_interpreter_is_pythonw_when_there_is_one(tmp_path: Path):
    python = tmp_path / "python.exe"
    python.touch()
    assert inst.interpreter(str(python)) == python
    (tmp_path / "pythonw.exe").touch()
    assert inst.interpreter(str(python)) == tmp_path / "pythonw.exe"


@pytest.mark.parametrize(
    ("action", "code", "says"),
    [
        ("install", 2, "huikuan addin install"),
        ("uninstall", 2, "huikuan addin uninstall"),
        ("status", 0, f"xlwings {xlwings.__version__}"),
    ],
)
def test_elsewhere_each_command_says_its_own_thing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str, code: int, says: str
):
    assert run(tmp_path, action, platform="linux") == code
    said = capsys.readouterr()
    assert "Windows" in said.out + said.err and says in said.out + said.err
    assert not (tmp_path / "AppData").exists() and not (tmp_path / "me").exists()
    others = {"install": "勾选 huikuan", "uninstall": "无需删除", "status": "DLL"}
    for other, text in others.items():
        assert (text in said.out + said.err) == (other == action), other


def test_the_command_line_says_it_too():
    if sys.platform == "win32":  # pragma: no cover - on Windows this would really install
        return
    done = huikuan("addin", "install", "--lang", "en")
    assert done.returncode == 2 and "There is no desktop Excel" in done.stderr


def test_the_dll_check_looks_for_the_installed_xlwings_version(tmp_path: Path):
    assert inst.xlwings_dlls(tmp_path) == []
    dll = tmp_path / f"xlwings32-{xlwings.__version__}.dll"
    dll.touch()
    (tmp_path / "xlwings64-0.0.1.dll").touch()  # another version's does not count
    assert inst.xlwings_dlls(tmp_path) == [dll]
