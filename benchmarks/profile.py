"""Where does `huikuan refresh` spend its time and its memory? Stage by stage.

Three child processes on the same generated workbook (benchmarks/out/team-N.xlsx,
made by generate.py on first use):

1. plain: `python -m huikuan refresh BOOK -o OUT --as-of …` as a user runs it —
   wall time, CPU time (user + system) and peak RSS, from os.wait4;
2. cProfile: the same command under cProfile. Every function's own time is given
   to a stage by its module and name (STAGES below); a function no rule names
   (a built-in such as `sum`, the standard library) is shared among its callers
   in proportion to the time it spent for each, so `zlib` under the zip writer is
   "deflate" and `sum` under the status engine is "engine: status". cProfile
   slows Python code more than C code; the "≈ CPU s" column scales each share
   to the plain run's CPU time;
3. memory: the steps of a refresh one by one (open, read, parse + records,
   engine, output rows, write) under tracemalloc: Python's own allocations
   live after each step, the step's peak, the process RSS after it (which also
   counts calamine's Rust memory, invisible to tracemalloc) and the biggest
   allocation sites of the step.

Then, per output sheet: the time to render its XML and to deflate it, apart
(at the level the package writer uses), from the same engine results.

    python benchmarks/profile.py                   # 10,000 customers
    python benchmarks/profile.py --size 50000 --no-memory
    python benchmarks/profile.py --size 10000 --top 25
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import AS_OF, OUT, book, measure

# (stage, regular expression over "path:function") — the first match wins, so
# function rules come before the module rules of their module.
STAGES: tuple[tuple[str, str], ...] = (
    ("open (calamine)", r"from_path|workbook/files\.py:__init__"),
    ("read tables (calamine)", r"get_table_by_name|to_python|CalamineTable"),
    ("open (zip guard)", r"workbook/package\.py"),
    ("read tables (calamine)", r"workbook/files\.py"),
    ("records", r"model\.py:trusted|model\.py:trusted_many"),
    (
        "parse",
        r"workbook/reader\.py|huikuan/values\.py:(?!fen|format_|negative_zero)|huikuan/contract\.py",
    ),
    ("engine: dashboard totals", r"engine/status\.py:totals_by_rep|engine/status\.py:_totals"),
    ("engine: status", r"engine/status\.py|engine/customer\.py"),
    ("engine: schedule", r"engine/schedule\.py|engine/workdays\.py|engine/policy\.py"),
    ("engine: negotiation advice", r"engine/negotiation\.py"),
    ("engine: diagnosis", r"engine/diagnosis\.py"),
    ("engine: excuses", r"engine/excuses\.py"),
    ("engine: forecast", r"engine/forecast\.py|engine/record\.py|huikuan/history/"),
    ("engine: assemble rows", r"engine/analysis\.py|dataclasses\.py:replace"),
    ("engine: dashboard totals", r"workbook/outputs\.py:dashboard_table"),
    ("output rows", r"workbook/outputs\.py|workbook/remedies\.py|huikuan/values\.py"),
    ("charts", r"workbook/charts\.py|workbook/chartxml\.py|openpyxl/|sheetxml\.py:drawing"),
    ("XML (sheet rows)", r"sheetxml\.py:(rows_xml|worksheet_xml)|sheetxml\.py:Cells"),
    ("XML (other parts)", r"sheetxml\.py|workbook/styles\.py|workbook/xmlparts\.py"),
    ("deflate", r"zlib\.Compress|compressobj|zlib\.crc32|built-in method zlib"),
    ("zip copy", r"zipcopy\.py:(copy|raw|_strip_zip64|_dos_time)|zipcopy\.py:RawSource"),
    (
        "write temp + fsync",
        r"package_writer\.py:_write_temp|package_writer\.py:_commit|posix\.fsync",
    ),
    ("zip write", r"zipcopy\.py|method 'write' of '_io|method 'seek' of '_io"),
    ("package index + plan", r"package_writer\.py|zipfile"),
    ("start-up (imports)", r"<frozen importlib|importlib|_bootstrap|exec_module"),
    ("command line", r"huikuan/cli\.py|huikuan/jobs\.py|argparse"),
)
_RULES = [(stage, re.compile(pattern)) for stage, pattern in STAGES]

Func = tuple[str, int, str]


def _key(func: Func) -> str:
    filename, _, name = func
    return f"{filename.replace(os.sep, '/')}:{name}"


def _rule(func: Func) -> str | None:
    key = _key(func)
    for stage, pattern in _RULES:
        if pattern.search(key):
            return stage
    return None


def attribute(stats: pstats.Stats) -> tuple[dict[str, float], dict[str, list[tuple[float, str]]]]:
    """Own time per stage, and the heaviest functions of each stage."""
    raw = stats.stats  # type: ignore[attr-defined]  # pstats' documented dict of functions
    shares: dict[Func, dict[str, float]] = {}

    def share(func: Func, path: frozenset[Func]) -> dict[str, float]:
        if func in shares:
            return shares[func]
        stage = _rule(func)
        if stage is not None:
            found = {stage: 1.0}
        else:
            callers = raw[func][4] if func in raw else {}
            weights = {c: v[2] for c, v in callers.items() if c not in path}
            total = sum(weights.values())
            if not total:
                weights = {c: float(v[1]) for c, v in callers.items() if c not in path}
                total = sum(weights.values())
            found = defaultdict(float)
            if total:
                for caller, weight in weights.items():
                    for s, part in share(caller, path | {func}).items():
                        found[s] += part * weight / total
            else:
                found["other"] = 1.0
            found = dict(found)
        if not path:
            shares[func] = found
        return found

    by_stage: dict[str, float] = defaultdict(float)
    tops: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for func, (_, _, tottime, _, _) in raw.items():
        for stage, part in share(func, frozenset()).items():
            by_stage[stage] += tottime * part
            tops[stage].append((tottime * part, _short(func)))
    return dict(by_stage), {s: sorted(v, reverse=True) for s, v in tops.items()}


def _short(func: Func) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    parts = Path(filename).parts
    where = "/".join(parts[parts.index("huikuan") :]) if "huikuan" in parts else parts[-1]
    return f"{where}:{line}({name})"


PROFILED = """
import cProfile, sys
from huikuan.cli import main
profiler = cProfile.Profile()
profiler.enable()
try:
    main(sys.argv[2:])
except SystemExit:
    pass
profiler.disable()
profiler.dump_stats(sys.argv[1])
"""

MEMORY = r"""
import json, resource, sys, time, tracemalloc
trace = sys.argv[5] == "trace"
if trace:
    tracemalloc.start(1)
from datetime import date
from pathlib import Path
from huikuan.engine.analysis import analyse_all, gc_paused
from huikuan.workbook.book import FileBook
from huikuan.workbook.outputs import output_tables
from huikuan.workbook.reader import read_book
from huikuan import contract

src, dest, as_of, top = Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3]), int(sys.argv[4])
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20
steps = []
snap = tracemalloc.take_snapshot() if trace else None
def step(name, fn):
    global snap
    tracemalloc.reset_peak()
    t = time.process_time()
    value = fn()
    cpu = time.process_time() - t
    current, peak = tracemalloc.get_traced_memory()
    sites = []
    if trace:
        now = tracemalloc.take_snapshot()
        diff = now.compare_to(snap, "lineno")
        sites = [(d.size_diff / 2**20, str(d.traceback[0])) for d in diff[:top] if d.size_diff > 0]
        snap = now
    steps.append(dict(step=name, cpu=cpu, live_mb=current / 2**20, peak_mb=peak / 2**20,
                      rss_mb=rss(), maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      sites=sites))
    return value
with gc_paused():
    target = step("open", lambda: FileBook(src, dest))
    step("read tables (calamine)", lambda: [target.table(t.name) for t in (*contract.INPUT_TABLES, *contract.SETTING_TABLES)])
    book, problems = step("parse + records", lambda: read_book(target))
    found = step("engine", lambda: analyse_all(book, as_of))
    tables = step("output rows", lambda: output_tables(found, problems, book.lang, as_of))
    for t in tables:
        target.write(t)
    step("write (XML, deflate, zip)", target.save)
print(json.dumps(steps))
"""

PER_SHEET = r"""
import json, sys, time, zlib
from datetime import date
from pathlib import Path
from huikuan.engine.analysis import analyse_all, gc_paused
from huikuan.workbook.files import FileTables
from huikuan.workbook.outputs import output_tables, column_widths
from huikuan.workbook.reader import read_book
from huikuan.workbook import sheetxml, package_writer

src, as_of = Path(sys.argv[1]), date.fromisoformat(sys.argv[2])
level = getattr(package_writer, "SHEET_LEVEL", 6)
out = []
with gc_paused():
    book, problems = read_book(FileTables(src))
    tables = output_tables(analyse_all(book, as_of), problems, book.lang, as_of)
    for t in tables:
        n = len(t.table.columns)
        styles = sheetxml.SheetStyles(1, (0,) * n, (0,) * len(t.rules))
        start = time.process_time()
        chunks = list(sheetxml.worksheet_xml(t, styles, column_widths(t), sheetxml.Cells(False), "rId1", None))
        xml = time.process_time() - start
        size = sum(map(len, chunks))
        timings = {}
        for lv in sorted({1, level, 6}):
            start = time.process_time()
            d = zlib.compressobj(lv, zlib.DEFLATED, -15)
            packed = sum(len(d.compress(c)) for c in chunks) + len(d.flush())
            timings[lv] = (time.process_time() - start, packed)
        out.append(dict(sheet=t.name, rows=len(t.rows), xml_s=xml, xml_mb=size / 2**20,
                        level=level, deflate=timings))
print(json.dumps(out))
"""


def _child(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-5:]
        raise SystemExit("child failed:\n" + "\n".join(tail))
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="customers (default 10000)")
    parser.add_argument("--top", type=int, default=3, help="functions shown per stage")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc child")
    parser.add_argument("--no-sheets", action="store_true", help="skip the per-sheet XML timing")
    args = parser.parse_args(argv)
    path = book(args.size)
    cli = ["refresh", str(path), "-o", str(OUT / f"profiled-{args.size}.xlsx")]
    cli += ["--as-of", AS_OF, "--force"]
    print(f"# refresh profile: {path.name} ({path.stat().st_size / 2**20:.1f} MB), as of {AS_OF}")
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared: read CPU, not wall)\n")

    plain = measure([sys.executable, "-m", "huikuan", *cli])
    print(
        f"plain run: wall {plain.seconds:.2f} s, CPU {plain.cpu:.2f} s, "
        f"peak RSS {plain.peak_mb:.0f} MB, exit {plain.exit_code}\n"
    )

    with tempfile.TemporaryDirectory() as tmp:
        dump = str(Path(tmp) / "refresh.prof")
        _child(PROFILED, dump, *cli)
        stats = pstats.Stats(dump)
    by_stage, tops = attribute(stats)
    total = sum(by_stage.values())
    print("## CPU by stage (cProfile own time, attributed)\n")
    print("| stage | profiled s | share | ≈ CPU s | heaviest functions (profiled s) |")
    print("|---|---:|---:|---:|---|")
    for stage, secs in sorted(by_stage.items(), key=lambda kv: -kv[1]):
        if secs / total < 0.002:
            continue
        heavy = "; ".join(f"{name} {t:.2f}" for t, name in tops[stage][: args.top])
        print(
            f"| {stage} | {secs:.2f} | {100 * secs / total:.1f}% | "
            f"{plain.cpu * secs / total:.2f} | {heavy} |"
        )
    print(f"| **total** | {total:.2f} | 100% | {plain.cpu:.2f} | |\n")

    if not args.no_sheets:
        sheets = json.loads(_child(PER_SHEET, str(path), AS_OF))
        level = sheets[0]["level"] if sheets else 6
        print("## Per output sheet: XML rendering and deflate (CPU s, apart)\n")
        print(
            f"| sheet | rows | XML s | XML MB | deflate s (level {level}) | → MB | level 1 s → MB | level 6 s → MB |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for s in sheets:
            d = {int(k): v for k, v in s["deflate"].items()}
            print(
                f"| {s['sheet']} | {s['rows']} | {s['xml_s']:.2f} | {s['xml_mb']:.1f} | "
                f"{d[level][0]:.2f} | {d[level][1] / 2**20:.2f} | "
                f"{d[1][0]:.2f} → {d[1][1] / 2**20:.2f} | {d[6][0]:.2f} → {d[6][1] / 2**20:.2f} |"
            )
        print()

    if not args.no_memory:
        dest = str(OUT / f"profiled-mem-{args.size}.xlsx")
        plain_steps = json.loads(_child(MEMORY, str(path), dest, AS_OF, "0", "plain"))
        steps = json.loads(_child(MEMORY, str(path), dest, AS_OF, str(args.top), "trace"))
        print("## Memory by step\n")
        print(
            "RSS columns: a run without tracemalloc (the real process size after each step and "
            "the maximum so far). Python MB columns: a second run under tracemalloc (Python "
            "objects only; calamine's Rust memory is not traced): live after the step, the "
            "step's own peak, and the biggest allocation sites new in the step.\n"
        )
        print(
            "| step | CPU s | RSS MB after | max RSS MB | Python live MB | Python step peak MB | biggest new allocation sites (MB) |"
        )
        print("|---|---:|---:|---:|---:|---:|---|")
        for p, s in zip(plain_steps, steps, strict=True):
            sites = "; ".join(
                f"{_site(where)} {mb:.1f}" for mb, where in s["sites"][: args.top] if mb >= 0.5
            )
            print(
                f"| {s['step']} | {p['cpu']:.2f} | {p['rss_mb']:.0f} | {p['maxrss_mb']:.0f} | "
                f"{s['live_mb']:.0f} | {s['peak_mb']:.0f} | {sites} |"
            )
    return 0


def _site(where: str) -> str:
    where = where.replace(os.sep, "/")
    return where.split("huikuan/", 1)[-1] if "huikuan/" in where else where.rsplit("/", 1)[-1]


if __name__ == "__main__":
    sys.exit(main())
