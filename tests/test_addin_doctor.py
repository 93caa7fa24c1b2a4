"""`huikuan addin doctor` and the ribbon's 自检 Self-test: the same checks, two surfaces.

On this system the command runs as a real subprocess; "Windows" is played by
temporary %APPDATA% / %USERPROFILE% folders and a pythonw.exe that is a script
running a real interpreter, so every check runs its real code (the interpreter
really imports huikuan and computes =GAP(100,40)).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
import xlwings

import xlwings_standin as xs
from books import huikuan
from huikuan import __version__, cli, macros
from huikuan.xlam import commands, doctor
from huikuan.xlam import install as inst

STATES = ("[ok]", "[FAIL]", "[cannot check here]")


def windows(tmp_path: Path) -> dict[str, str]:
    return {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path / "me")}


def pythonw(folder: Path, python: str = sys.executable) -> Path:
    """A 'pythonw.exe' in folder/Scripts (a virtual environment's layout) running `python`."""
    script = folder / "Scripts" / "pythonw.exe"
    script.parent.mkdir(parents=True)
    script.write_text(f'#!/bin/sh\nexec "{python}" "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def install(tmp_path: Path, python: Path) -> None:
    args = cli.parser().parse_args(["addin", "install", "--python", str(python)])
    assert commands.run(args, windows(tmp_path), "win32") == 0


def by_what(found: list[doctor.Check]) -> dict[str, str]:
    return {c.what_en.split(" ")[0] + " " + c.what_en.split(" ")[1]: c.state for c in found}


def test_on_this_system_doctor_runs_what_it_can():
    done = huikuan("addin", "doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 7 and all(line.startswith(STATES) for line in lines)
    assert sum(line.startswith("[cannot check here]") for line in lines) == 4
    assert sum(line.startswith("[ok]") for line in lines) == 3
    gap = next(line for line in lines if "GAP" in line)
    assert gap.startswith("[ok]") and "gives 60.0 (want 60)" in gap
    versions = next(line for line in lines if "import" in line)
    assert f"huikuan {__version__}" in versions and f"xlwings {xlwings.__version__}" in versions
    for line in lines:  # both languages on each line; what to do where it is not ok
        assert any("\u4e00" <= ch <= "\u9fff" for ch in line) and " / " in line
        if not line.startswith("[ok]"):
            assert " — " in line and "Windows" in line.split(" — ")[1]


def test_an_installed_addin_passes_every_check(tmp_path: Path):
    python = pythonw(tmp_path / "venv")
    install(tmp_path, python)
    # pip puts xlwings' DLLs at the environment's root, the parent of Scripts\
    (tmp_path / "venv" / f"xlwings64-{xlwings.__version__}.dll").touch()
    found = doctor.checks(windows(tmp_path), "win32")
    assert [c.state for c in found] == [doctor.OK] * 7, doctor.report(found)
    assert doctor.exit_code(found) == 0


def test_each_failure_says_what_to_do(tmp_path: Path):
    python = pythonw(tmp_path / "venv")
    install(tmp_path, python)
    found = doctor.checks(windows(tmp_path), "win32")
    failed = [c for c in found if c.state == doctor.FAIL]
    assert [c.what_en.split(" ")[:2] for c in failed] == [["xlwings", "DLL"]]  # no DLL
    assert "pip install --force-reinstall xlwings==" in failed[0].fix_en
    assert "pip install --force-reinstall" in failed[0].fix_zh
    assert doctor.exit_code(found) == 1

    python.unlink()  # the interpreter is gone: it, the versions and the cell function fail
    found = doctor.checks(windows(tmp_path), "win32")
    states = {c.what_en.split(" ")[0]: c.state for c in found}
    assert states["interpreter"] == states["huikuan"] == states["cell"] == doctor.FAIL
    assert all(c.fix_zh and c.fix_en for c in found if c.state == doctor.FAIL)


def test_an_interpreter_without_huikuan_fails_the_import_and_the_cell_function(tmp_path: Path):
    bare = next(p for p in ("/usr/bin/python3", "/usr/local/bin/python3") if Path(p).exists())
    python = pythonw(tmp_path / "venv", bare)
    install(tmp_path, python)
    found = doctor.checks(windows(tmp_path), "win32")
    imports = next(c for c in found if "import" in c.what_en)
    cell = next(c for c in found if "GAP" in c.what_en)
    assert imports.state == cell.state == doctor.FAIL
    assert "ModuleNotFoundError" in cell.what_en


def test_a_utf8_settings_file_fails_the_encoding_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(inst, "ansi_encoding", lambda: "cp936")
    python = pythonw(tmp_path / "张伟")
    install(tmp_path, python)
    where = inst.places(windows(tmp_path))
    encoding = next(c for c in doctor.checks(windows(tmp_path), "win32") if "encoding" in c.what_en)
    assert encoding.state == doctor.OK and "cp936" in encoding.what_en
    where.config.write_text(where.config.read_bytes().decode("cp936"), encoding="utf-8")
    encoding = next(c for c in doctor.checks(windows(tmp_path), "win32") if "encoding" in c.what_en)
    assert encoding.state == doctor.FAIL and "UTF-8" in encoding.fix_en
    assert "huikuan addin install" in encoding.fix_en and "乱码" in encoding.fix_zh


def test_the_self_test_button_shows_the_same_checks(monkeypatch: pytest.MonkeyPatch):
    book = xs.book_from_tabs([])
    book.path = None
    macros.self_test(book)
    ((prompt, title, mode),) = book.app.alerts
    want = doctor.checks(dict(os.environ), sys.platform)
    assert title == macros.TITLE
    assert prompt == f"{doctor.report(want, 'zh')}\n\n{doctor.report(want, 'en')}"
    assert mode == ("critical" if doctor.exit_code(want) else "info")


def test_a_damaged_addin_file_fails_its_check_without_a_traceback(tmp_path: Path):
    python = pythonw(tmp_path / "venv")
    install(tmp_path, python)
    where = inst.places(windows(tmp_path))
    where.addin.write_bytes(b"PK\x03\x04 not really a zip")
    found = doctor.checks(windows(tmp_path), "win32")
    assert found[0].state == doctor.FAIL and "huikuan addin install" in found[0].fix_en
