"""LibreOffice headless as the test suite's spreadsheet engine (see EXCEL-FACTS.md).

`recalculate` converts a workbook with soffice using a user profile that forces a
full recalculation on load, so every formula value read back was computed by
LibreOffice. A missing soffice fails the test: it is never a reason to skip.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT = 120  # seconds for one conversion

# OOXMLRecalcMode 0 = always recalculate a loaded .xlsx (the default keeps cached values).
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str:
    """The soffice executable, or a test failure saying LibreOffice is needed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.fail("LibreOffice (soffice) is not installed; the formula tests need it")
    return found


def make_profile(folder: Path) -> Path:
    """A fresh LibreOffice user profile in folder that always recalculates on load."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    return folder


def recalculate(
    path: Path, out_dir: Path, profile: Path | None = None, soffice: str | None = None
) -> Path:
    """Open path in LibreOffice, recalculate everything, save as out_dir/<name>.xlsx."""
    soffice = soffice or find_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    if path.resolve().parent == out_dir.resolve():
        raise ValueError("out_dir must differ from the input's folder (it would be overwritten)")
    result = out_dir / (path.stem + ".xlsx")
    result.unlink(missing_ok=True)  # soffice may exit 0 without writing anything
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as fresh:
        profile = profile or make_profile(Path(fresh))
        command = [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir),
            str(path),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"LibreOffice took over {TIMEOUT} s to convert {path}")
    if done.returncode != 0 or not result.exists():
        pytest.fail(
            f"LibreOffice failed on {path} (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return result
