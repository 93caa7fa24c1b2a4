"""How fast is `huikuan split` on a big team: 100 reps × 50 customers?

The team is benchmarks/collect.py's (one month of records, made in memory), its
workbook written once and kept in benchmarks/out/split-REPSxCUSTOMERS/team.xlsx
(delete the folder to make it anew). Then `python -m huikuan split` runs in a
child process, whose wall time, CPU time (user + system) and peak RSS (os.wait4)
are printed, with the CPU time per rep file: each file should cost about the
same whatever the size of the team (split's cost ≈ O(team size), not
O(reps × team size)).

    python benchmarks/split.py                    # 100 reps × 50 customers
    python benchmarks/split.py --reps 20          # smaller
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from collect import AS_OF, measure, team
from huikuan.team.books import fresh_template, write_book

HERE = Path(__file__).resolve().parent


def prepare(reps: int, per_rep: int) -> Path:
    path = HERE / "out" / f"split-{reps}x{per_rep}" / "team.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        book = team(reps, per_rep)
        write_book(fresh_template(book.lang), path, book, date.fromisoformat(AS_OF))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--customers", type=int, default=50, help="customers per rep")
    ap.add_argument("--keep", type=Path, default=None, help="write the rep files here")
    args = ap.parse_args()
    print(f"preparing a team of {args.reps} reps × {args.customers} customers (cached)…")
    team_book = prepare(args.reps, args.customers)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "reps"
        command = [sys.executable, "-m", "huikuan", "split", str(team_book), "--out", str(out)]
        command += ["--as-of", AS_OF, "--force"]
        seconds, cpu, peak, code = measure(command)
        files = len(list(out.glob("*.xlsx")))
    print(
        f"split: {seconds:.1f} s wall, {cpu:.1f} s CPU ({cpu / max(files, 1) * 1000:.0f} ms "
        f"CPU per rep file), peak {peak:.0f} MB, exit {code}, {files} rep files"
    )
    print(
        f"({args.reps} reps, {args.reps * args.customers} customers, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})"
    )
    return 0 if code in (0, 1) else 1


if __name__ == "__main__":
    raise SystemExit(main())
