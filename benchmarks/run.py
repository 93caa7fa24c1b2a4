"""How fast is `huikuan refresh` on big team workbooks, against a floor and the old way?

For each size: generate the workbook once (cached in benchmarks/out/), then run
three child processes and take each one's wall time and peak RSS (from
os.wait4, the child's own rusage):

- floor: python-calamine reading every input table (no parsing, no output);
- refresh: `python -m huikuan refresh BOOK -o OUT --as-of 2026-11-23`;
- openpyxl: load + save of the same workbook (what a naive tool would do).

    python benchmarks/run.py                 # 1000, 10000, 50000 customers
    python benchmarks/run.py --sizes 1000,10000
    python benchmarks/run.py --quick         # 1000 only
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from huikuan.contract import INPUT_TABLES

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-11-23"

FLOOR = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1], load_tables=True)
rows = sum(len(wb.get_table_by_name(name).to_python()) for name in sys.argv[2:])
print(rows)
"""

OPENPYXL = """
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
wb.save(sys.argv[2])
"""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    exit_code: int


@dataclass
class Row:
    size: int
    file_mb: float
    floor_s: float
    floor_peak_mb: float
    refresh_s: float | None
    refresh_peak_mb: float | None
    refresh_exit: int | None
    refresh_over_floor: float | None
    openpyxl_s: float | None
    openpyxl_peak_mb: float | None
    openpyxl_over_refresh: float | None


def measure(argv: list[str]) -> Run:
    """Run a child to its end; its wall time and its own peak RSS."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = code = os.waitstatus_to_exitcode(status)
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB here
        if code not in (0, 1):
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            print(f"  ! {' '.join(argv[:4])}… exited {code}: {' / '.join(tail)}", file=sys.stderr)
    return Run(seconds, usage.ru_maxrss * scale / 2**20, code)


def book(size: int) -> Path:
    """The generated workbook of this size, made on first use."""
    path = OUT / f"team-{size}.xlsx"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / ".gitignore").write_text("*\n")
        start = time.perf_counter()
        generate(size, path)
        print(f"  generated {path.name} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return path


def has_cli() -> bool:
    return all(importlib.util.find_spec(m) for m in ("huikuan.cli", "huikuan.__main__"))


def bench(size: int, with_openpyxl: bool = True) -> Row:
    path = book(size)
    py = sys.executable
    floor = measure([py, "-c", FLOOR, str(path), *(t.name for t in INPUT_TABLES)])
    refresh = None
    if has_cli():
        out = OUT / f"refreshed-{size}.xlsx"
        run = measure([py, "-m", "huikuan", "refresh", str(path), "-o", str(out), "--as-of", AS_OF])
        refresh = run if run.exit_code in (0, 1) else None
    old = None
    if with_openpyxl:
        old = measure([py, "-c", OPENPYXL, str(path), str(OUT / f"openpyxl-{size}.xlsx")])
        old = old if old.exit_code == 0 else None
    return Row(
        size=size,
        file_mb=path.stat().st_size / 2**20,
        floor_s=floor.seconds,
        floor_peak_mb=floor.peak_mb,
        refresh_s=refresh and refresh.seconds,
        refresh_peak_mb=refresh and refresh.peak_mb,
        refresh_exit=refresh and refresh.exit_code,
        refresh_over_floor=refresh and refresh.seconds / floor.seconds,
        openpyxl_s=old and old.seconds,
        openpyxl_peak_mb=old and old.peak_mb,
        openpyxl_over_refresh=old and refresh and old.seconds / refresh.seconds,
    )


COLUMNS = (  # header, field, format
    ("customers", "size", "{:d}"),
    ("file MB", "file_mb", "{:.1f}"),
    ("calamine s", "floor_s", "{:.2f}"),
    ("refresh s", "refresh_s", "{:.2f}"),
    ("refresh/floor", "refresh_over_floor", "{:.1f}×"),
    ("openpyxl s", "openpyxl_s", "{:.2f}"),
    ("openpyxl/refresh", "openpyxl_over_refresh", "{:.1f}×"),
    ("refresh peak MB", "refresh_peak_mb", "{:.0f}"),
)


def table(rows: list[Row]) -> str:
    cells = [[h for h, _, _ in COLUMNS]]
    for row in rows:
        values = ((getattr(row, field), fmt) for _, field, fmt in COLUMNS)
        cells.append(["n/a" if v is None else fmt.format(v) for v, fmt in values])
    widths = [max(len(r[i]) for r in cells) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated")
    parser.add_argument("--quick", action="store_true", help="1000 customers only")
    parser.add_argument("--no-openpyxl", action="store_true", help="skip the openpyxl baseline")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if not has_cli():
        print("  huikuan's CLI is not there yet: refresh is n/a", file=sys.stderr)
    rows = []
    for size in sizes:
        print(f"  {size} customers…", file=sys.stderr)
        rows.append(bench(size, with_openpyxl=not args.no_openpyxl))
    print(table(rows))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
