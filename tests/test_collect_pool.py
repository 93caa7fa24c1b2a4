"""collect reads the returns in a pool of processes: the outcome is the one of reading
them one after the other, whatever the start method (fork here, spawn on Windows)."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from tqdm import tqdm

from books import sample_book
from huikuan import jobs
from huikuan.team import collect as collect_module
from huikuan.team import commands
from huikuan.team.split import split

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo team, its reps' returns (each twice: a later copy supersedes), and files
    that cannot be used: a text file named .xlsx, a cut-short workbook, two reps' book."""
    root = tmp_path_factory.mktemp("pool")
    team = root / "team.xlsx"
    jobs.demo(team, "zh", AS_OF)
    folder = root / "returns"
    split(team, folder, AS_OF)
    for path in sorted(folder.glob("*.xlsx")):
        shutil.copy2(path, path.with_name(f"{path.stem} (2).xlsx"))
    first = sorted(folder.glob("*.xlsx"))[0]
    (folder / "bad.xlsx").write_text("this is not a workbook", encoding="utf-8")
    (folder / "short.xlsx").write_bytes(first.read_bytes()[:5000])
    sample_book(folder / "two-reps.xlsx")
    return team, folder


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("start_method", [None, "spawn"])
def test_pooled_reading_gives_what_reading_one_by_one_gives(
    returns: tuple[Path, Path], tmp_path: Path, start_method: str | None
) -> None:
    team, folder = returns
    results = {}
    for workers in (1, 2):
        here = tmp_path / f"w{workers}"
        shutil.copytree(folder, here / "returns")  # copy2: file times (which is newer) kept
        results[workers] = collect_module.collect(
            here / "returns",
            here / "team.xlsx",
            AS_OF,
            base=team,
            workers=workers,
            start_method=start_method,
        )
    one, two = results[1], results[2]
    assert len(one.files) >= collect_module.POOL_FROM  # the pool was used
    assert [(f.path.name, f.status, f.rep) for f in two.files] == [
        (f.path.name, f.status, f.rep) for f in one.files
    ]
    assert {f.status for f in one.files} == {"taken", "superseded", "quarantined"}
    assert two.lines == one.lines
    assert two.merged.book == one.merged.book
    assert parts(tmp_path / "w2" / "team.xlsx") == parts(tmp_path / "w1" / "team.xlsx")
    quarantined = sorted(p.name for p in (tmp_path / "w1" / "returns" / "quarantine").iterdir())
    assert quarantined == sorted(
        p.name for p in (tmp_path / "w2" / "returns" / "quarantine").iterdir()
    )
    assert "bad.xlsx.txt" in quarantined and "short.xlsx.txt" in quarantined


def test_pooled_progress_bar_advances_file_by_file(
    returns: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar is made with the number of files before any is handed on, hands on one
    outcome per file, and its count ends at the number of files (tqdm's own `n`)."""
    team, folder = returns
    shutil.copytree(folder, tmp_path / "returns")
    names = sorted(p.name for p in (tmp_path / "returns").glob("*.xlsx"))
    assert len(names) >= commands.MANY_FILES

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    bars: list[Any] = []
    handed: list[int] = []  # bars made when each outcome was handed on

    def progress(items: Any) -> Any:
        bar = commands._progress(items)
        bars.append(bar)
        for item in bar:
            handed.append(len(bars))
            yield item

    result = collect_module.collect(
        tmp_path / "returns", tmp_path / "team.xlsx", AS_OF, base=team, progress=progress
    )
    assert result.written is not None and result.written.exists()
    assert len(bars) == 1 and isinstance(bars[0], tqdm)
    assert bars[0].total == len(names)
    assert handed == [1] * len(names)
    assert bars[0].n == len(names)
