"""Do two workbooks hold the same figures? The check behind every speed change.

A speed-up must not move a number: refresh the same book before and after the
change and compare the two results sheet by sheet, cell by cell.

    python benchmarks/same.py BEFORE.xlsx AFTER.xlsx            # values (python-calamine)
    python benchmarks/same.py BEFORE.xlsx AFTER.xlsx --styles   # also number formats, bold, fills (openpyxl)

Exit 0 when they agree, 1 when they differ (the first differences are printed),
2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineWorkbook

MAX_SHOWN = 20


def sheet_values(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cell values as python-calamine reads them."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def value_differences(a: Path, b: Path) -> Iterator[str]:
    left, right = sheet_values(a), sheet_values(b)
    if list(left) != list(right):
        yield f"sheets differ: {list(left)} vs {list(right)}"
    for name in left.keys() & right.keys():
        rows_a, rows_b = left[name], right[name]
        if len(rows_a) != len(rows_b):
            yield f"{name}: {len(rows_a)} rows vs {len(rows_b)}"
        for r, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=False), start=1):
            width = max(len(ra), len(rb))
            ra = [*ra, *[""] * (width - len(ra))]
            rb = [*rb, *[""] * (width - len(rb))]
            for c, (va, vb) in enumerate(zip(ra, rb, strict=True), start=1):
                if va != vb:
                    yield f"{name} R{r}C{c}: {va!r} vs {vb!r}"


def style_differences(a: Path, b: Path) -> Iterator[str]:
    from openpyxl import load_workbook

    wa, wb = load_workbook(a), load_workbook(b)
    for name in wa.sheetnames:
        if name not in wb.sheetnames:
            continue
        sa, sb = wa[name], wb[name]
        for row in sa.iter_rows():
            for cell in row:
                other = sb[cell.coordinate]
                got = (cell.number_format, cell.font.b, cell.fill.fgColor.rgb)
                want = (other.number_format, other.font.b, other.fill.fgColor.rgb)
                if got != want:
                    yield f"{name}!{cell.coordinate} style: {got} vs {want}"
        if sa.freeze_panes != sb.freeze_panes:
            yield f"{name}: freeze panes {sa.freeze_panes} vs {sb.freeze_panes}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--styles", action="store_true", help="also compare cell styles (slow)")
    args = parser.parse_args(argv)
    try:
        found = list(value_differences(args.before, args.after))
        if args.styles:
            found += list(style_differences(args.before, args.after))
    except Exception as exc:  # a benchmark tool: say what could not be read
        print(f"cannot compare: {exc}", file=sys.stderr)
        return 2
    for line in found[:MAX_SHOWN]:
        print(line)
    if len(found) > MAX_SHOWN:
        print(f"… and {len(found) - MAX_SHOWN} more differences")
    print("same" if not found else f"{len(found)} differences")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
