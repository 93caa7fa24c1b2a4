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


def test_an_addin_open_in_excel_is_reported_not_crashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def locked(where: inst.Places) -> list[Path]:
        raise PermissionError(13, "in use", str(where.addin))

    monkeypatch.setattr(inst, "uninstall", locked)
    with pytest.raises(Unusable, match="close Excel"):
        run(tmp_path, "uninstall")


def test_the_interpreter_is_pythonw_when_there_is_one(tmp_path: Path):
    python = tmp_path / "python.exe"
    python.touch()
    assert inst.interpreter(str(python)) == python
    (tmp_path / "pythonw.exe").touch()
    assert inst.interpreter(str(python)) == tmp_path / "pythonw.exe"


@pytest.mark.parametrize(("action", "code"), [("install", 2), ("uninstall", 2), ("status", 0)])
def test_elsewhere_the_commands_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str, code: int
):
    assert run(tmp_path, action, platform="linux") == code
    said = capsys.readouterr()
    assert "Windows" in said.out + said.err and "huikuan addin install" in said.out + said.err
    assert not (tmp_path / "AppData").exists() and not (tmp_path / "me").exists()


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
