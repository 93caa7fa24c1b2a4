"""A refresh imports what it uses: the team commands' merge engine, split's privacy and row
edits, the add-in doctor (subprocesses) and the history store (SQLAlchemy) are imported
only by the commands that use them (start-up time, issue 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from books import huikuan

NOT_FOR_A_REFRESH = (
    "huikuan.engine.merge",
    "huikuan.team.report",
    "huikuan.workbook.privacy",
    "huikuan.workbook.rowedit",
    "huikuan.xlam.doctor",
    "huikuan.history.store",
    "sqlalchemy",
    "subprocess",
)

RUN = """
import sys
from huikuan.cli import main
code = main(sys.argv[1:])
print(code, *sorted(m for m in {modules!r} if m in sys.modules))
"""


def test_a_refresh_imports_no_team_addin_or_history_machinery(tmp_path: Path) -> None:
    book = tmp_path / "团队.xlsx"
    assert huikuan("demo", "-o", book, "--as-of", "2026-11-23").returncode == 0
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RUN.format(modules=NOT_FOR_A_REFRESH),
            "refresh",
            str(book),
            "-o",
            str(tmp_path / "out.xlsx"),
            "--as-of",
            "2026-11-23",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0"  # refreshed, and none of them imported
    assert (tmp_path / "out.xlsx").stat().st_size > 0


def test_the_commands_that_need_them_still_have_them(tmp_path: Path) -> None:
    done = huikuan("addin", "doctor")
    assert "=GAP(100,40)" in done.stdout  # the doctor ran its checks (whatever their result)
    assert done.returncode in (0, 1)
    book = tmp_path / "团队.xlsx"
    assert huikuan("demo", "-o", book, "--as-of", "2026-11-23").returncode == 0
    split = huikuan("split", book, "--out", tmp_path / "分发")
    assert split.returncode == 0, split.stderr
    assert len(list((tmp_path / "分发").glob("*.xlsx"))) >= 2
