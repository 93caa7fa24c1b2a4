"""The Dashboard sheet: its totals, its native charts, and the conditional formats.

- the totals are the Status rows' sums (ratios from the sums), checked from the
  written workbook against sums worked out here;
- every chart refers to the Dashboard's own cells, one row per rep, also after a
  refresh of the same file at another size (the old charts are replaced, none left over);
- LibreOffice renders the workbook to PDF (one page per sheet) and pdftoppm turns
  the Dashboard page into a picture in which each of the four charts is drawn
  (coloured pixels in each cell of a 2 × 2 grid), and the Status and Diagnosis
  pages show the conditional formats' colours. The pictures are kept in
  tests/artifacts/ to be looked at.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from defusedxml import ElementTree

from books import huikuan
from huikuan import contract
from huikuan.demo import demo_book
from huikuan.engine.analysis import analyse_all
from huikuan.engine.status import coverage, ratio
from huikuan.jobs import output_tables
from huikuan.workbook import package_writer
from huikuan.workbook.outputs import dashboard_charts
from huikuan.workbook.reader import col_letter

AS_OF = date(2026, 11, 23)
ARTIFACTS = Path(__file__).parent / "artifacts"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
DASH = contract.DASHBOARD


@pytest.fixture(scope="module", params=["zh", "en"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo team workbook, written and refreshed by the real command."""
    path = tmp_path_factory.mktemp(f"dash-{request.param}") / "team.xlsx"
    run = huikuan("demo", "-o", path, "--lang", request.param, "--as-of", AS_OF.isoformat())
    assert run.returncode == 0, run.stderr
    return path


def table_of(path: Path, name: str) -> tuple[list[str], list[list[object]]]:
    ws = openpyxl.load_workbook(path, data_only=True)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], [r for r in rows[1:] if any(v is not None for v in r)]


def lang_of(path: Path) -> str:
    headers, _ = table_of(path, "Dashboard")
    return "zh" if headers[0] == DASH.column("rep").zh else "en"


def money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def test_totals_are_the_sums_of_the_months_status_rows(demo: Path) -> None:
    lang = lang_of(demo)
    s_head, s_rows = table_of(demo, "Status")
    label = {c.key: c.label(lang) for c in contract.STATUS.columns}
    at = {key: s_head.index(label[key]) for key in label}
    mine = [r for r in s_rows if r[at["month"]].date() == AS_OF.replace(day=1)]
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    status_key = {
        contract.choice_label(contract.PROMISE_STATUSES, s.key, lang): s.key
        for s in contract.PROMISE_STATUSES
    }
    for r in mine:
        for who in (r[at["rep"]], contract.ALL_REPS[lang]):
            for key in ("target", "committed", "contribution", "remaining_gap", "received", "gap"):
                sums[who][key] += money(r[at[key]])
            counts[who][status_key[r[at["promise_status"]]]] += 1
            counts[who]["customers"] += 1
    d_head, d_rows = table_of(demo, "Dashboard")
    assert [row[0] for row in d_rows] == [
        *sorted(set(r[at["rep"]] for r in mine)),
        contract.ALL_REPS[lang],
    ]
    for row in d_rows:
        got = dict(zip((c.key for c in DASH.columns), row, strict=True))
        want = sums[row[0]]
        for key in ("target", "committed", "contribution", "remaining_gap", "received", "gap"):
            assert money(got[key]) == want[key], (row[0], key)
        assert money(got["covered"]) == want["gap"] - want["remaining_gap"]
        assert got["completion"] == pytest.approx(float(ratio(want["received"], want["target"])))
        assert got["coverage"] == pytest.approx(float(coverage(want["gap"], want["contribution"])))
        for s in contract.PROMISE_STATUSES:
            assert got[s.key] == counts[row[0]][s.key], (row[0], s.key)
        assert got["customers"] == counts[row[0]]["customers"]
    assert d_head == [c.label(lang) for c in DASH.columns]


REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def relations(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships: id → the target part's name in the zip."""
    folder, name = posixpath.split(part)
    root = ElementTree.fromstring(z.read(posixpath.join(folder, "_rels", name + ".rels")))
    out = {}
    for rel in root.iter(REL):
        target = rel.get("Target")
        if target.startswith("/"):
            out[rel.get("Id")] = target[1:]
        else:
            out[rel.get("Id")] = posixpath.normpath(posixpath.join(folder, target))
    return out


def chart_refs(path: Path) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Each chart of the Dashboard, in drawing order: (title, [(name, categories, values)])."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rid = next(s.get(R_ID) for s in wb.iter(f"{main}sheet") if s.get("name") == "Dashboard")
        sheet = relations(z, "xl/workbook.xml")[rid]
        drawings = [t for t in relations(z, sheet).values() if "/drawings/" in t]
        assert len(drawings) == 1, drawings
        targets = relations(z, drawings[0])
        order = re.findall(rb'r:id="(rId\d+)"', z.read(drawings[0]))
        charts = []
        for r in order:
            part = targets[r.decode()]
            assert part in names, f"{part} is referred to but missing"
            root = ElementTree.fromstring(z.read(part))
            title = "".join(t.text or "" for t in root.iter(f"{A}t"))
            series = [
                (
                    ser.find(f"{C}tx/{C}strRef/{C}f").text,
                    ser.find(f"{C}cat//{C}f").text,
                    ser.find(f"{C}val/{C}numRef/{C}f").text,
                )
                for ser in root.iter(f"{C}ser")
            ]
            charts.append((title, series))
        return charts


def expected_refs(reps: int, lang: str) -> list[list[tuple[str, str, str]]]:
    out = []
    for spec in dashboard_charts(lang):
        last = reps + 1 if spec.without_total else reps + 2
        cat = col_letter(DASH.columns.index(DASH.column(spec.categories)) + 1)
        series = []
        for key in spec.values:
            col = col_letter(DASH.columns.index(DASH.column(key)) + 1)
            series.append(
                (
                    f"'Dashboard'!{col}1",
                    f"'Dashboard'!{cat}2:{cat}{last}",
                    f"'Dashboard'!{col}2:{col}{last}",
                )
            )
        out.append(series)
    return out


def normal(ref: str) -> str:
    """A reference with its sheet quoted and without $ (series titles are relative)."""
    ref = ref.replace("$", "")
    return ref if ref.startswith("'") else "'" + ref.replace("!", "'!", 1)


def test_each_chart_refers_to_the_dashboards_rows_of_reps(demo: Path) -> None:
    lang = lang_of(demo)
    _, rows = table_of(demo, "Dashboard")
    charts = chart_refs(demo)
    assert [t for t, _ in charts] == [s.title for s in dashboard_charts(lang)]
    got = [[tuple(normal(x) for x in s) for s in series] for _, series in charts]
    assert got == expected_refs(len(rows) - 1, lang)


def smaller(book, reps: int):  # type: ignore[no-untyped-def]
    """The same book with only its first `reps` reps' customers and their rows."""
    keep = sorted({c.rep for c in book.customers})[:reps]
    ids = {c.customer_id for c in book.customers if c.rep in keep}
    return replace_book(book, ids)


def replace_book(book, ids):  # type: ignore[no-untyped-def]
    pick = lambda rows: tuple(r for r in rows if r.customer_id in ids)  # noqa: E731
    return book.updated(
        {
            "customers": pick(book.customers),
            "plan": pick(book.plan),
            "measures": pick(book.measures),
            "commitments": pick(book.commitments),
            "receipts": pick(book.receipts),
            "followups": pick(book.followups),
        }
    )


def test_a_refresh_at_another_size_replaces_the_charts_and_their_ranges(
    demo: Path, tmp_path: Path
) -> None:
    lang = lang_of(demo)
    path = tmp_path / demo.name
    shutil.copy(demo, path)
    before = {n for n in zipfile.ZipFile(path).namelist() if "chart" in n or "drawing" in n}
    book = smaller(demo_book(AS_OF.replace(day=1), AS_OF), 2)
    tables = output_tables(analyse_all(book, AS_OF), [], lang, AS_OF)
    package_writer.write_outputs(path, path, tables)
    charts = chart_refs(path)
    got = [[tuple(normal(x) for x in s) for s in series] for _, series in charts]
    assert got == expected_refs(2, lang)
    after = {n for n in zipfile.ZipFile(path).namelist() if "chart" in n or "drawing" in n}
    assert len([n for n in after if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 4
    assert after == before  # the same parts, rewritten: nothing left over, nothing dangling
    _, rows = table_of(path, "Dashboard")
    assert len(rows) == 3


# ---- rendered by LibreOffice ---------------------------------------------------------


def render(path: Path, soffice: str, profile: Path, out: Path) -> Path:
    """The workbook as a PDF with one page per sheet (LibreOffice 7.4+ SinglePageSheets)."""
    out.mkdir(parents=True, exist_ok=True)
    command = [
        soffice,
        "--headless",
        "--norestore",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--convert-to",
        'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}',
        "--outdir",
        str(out),
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    pdf = out / (path.stem + ".pdf")
    assert done.returncode == 0 and pdf.exists(), done.stderr
    return pdf


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        pytest.fail("pdftoppm (poppler-utils) is not installed; the rendering tests need it")
    return found


def page_picture(pdf: Path, page: int, stem: Path) -> tuple[int, int, bytes]:
    """Page `page` (1-based) as a PNG kept at stem.png and as RGB pixels (width, height, data)."""
    tool = pdftoppm()
    for args in (["-png"], []):
        subprocess.run(
            [
                tool,
                "-f",
                str(page),
                "-l",
                str(page),
                "-r",
                "60",
                "-singlefile",
                *args,
                str(pdf),
                str(stem),
            ],
            check=True,
            timeout=120,
        )
    raw = Path(str(stem) + ".ppm").read_bytes()
    _, width, height, depth, data = re.match(
        rb"(P6)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", raw, re.S
    ).groups()
    assert depth == b"255"
    Path(str(stem) + ".ppm").unlink()
    return int(width), int(height), data


def coloured(pixel: bytes) -> bool:
    """A saturated colour (a chart's bars), not black, grey or white (text, grid)."""
    return max(pixel) - min(pixel) > 80


def runs(marks: list[bool], join: int) -> list[tuple[int, int]]:
    """Stretches of marked positions, gaps shorter than `join` bridged."""
    out: list[tuple[int, int]] = []
    for i, m in enumerate(marks):
        if not m:
            continue
        if out and i - out[-1][1] <= join:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return [r for r in out if r[1] - r[0] > 5]


@pytest.fixture(scope="module")
def rendered(
    demo: Path, soffice: str, lo_profile: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str], Path]:
    lang = lang_of(demo)
    pdf = render(demo, soffice, lo_profile, tmp_path_factory.mktemp("pdf"))
    sheets = openpyxl.load_workbook(demo, read_only=True).sheetnames
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if "Pages:" in info else len(sheets)
    assert pages == len(sheets), "one page per sheet expected"
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / f"team-{lang}.pdf")
    return pdf, sheets, ARTIFACTS


def test_the_rendered_dashboard_draws_every_chart(
    demo: Path, rendered: tuple[Path, list[str], Path]
) -> None:
    pdf, sheets, folder = rendered
    lang = lang_of(demo)
    width, height, data = page_picture(
        pdf, sheets.index("Dashboard") + 1, folder / f"dashboard-{lang}"
    )
    marks = [
        [coloured(data[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
        for y in range(height)
    ]
    cols = runs([any(marks[y][x] for y in range(height)) for x in range(width)], width // 20)
    rows = runs([any(row) for row in marks], height // 30)
    assert len(cols) == 2 and len(rows) == 2, (cols, rows, "expected the charts in a 2 × 2 grid")
    for y0, y1 in rows:
        for x0, x1 in cols:
            area = (y1 - y0 + 1) * (x1 - x0 + 1)
            hits = sum(marks[y][x] for y in range(y0, y1 + 1) for x in range(x0, x1 + 1))
            assert hits / area > 0.02, ((x0, y0, x1, y1), hits / area)
    # the table above the charts is drawn too (dark text), and nothing coloured is in it
    top = rows[0][0]
    dark = sum(max(data[i : i + 3]) < 90 for i in range(0, top * width * 3, 3))
    assert dark > 200


def has_colour(data: bytes, rgb: str, tolerance: int = 12) -> int:
    want = bytes.fromhex(rgb)
    return sum(
        all(abs(data[i + k] - want[k]) <= tolerance for k in range(3))
        for i in range(0, len(data), 3)
    )


def test_status_and_diagnosis_pages_show_the_conditional_formats(
    demo: Path, rendered: tuple[Path, list[str], Path]
) -> None:
    pdf, sheets, folder = rendered
    lang = lang_of(demo)
    _, status_rows = table_of(demo, "Status")
    _, diagnosis_rows = table_of(demo, "Diagnosis")
    labels = {
        s.key: contract.choice_label(contract.PROMISE_STATUSES, s.key, lang)
        for s in contract.PROMISE_STATUSES
    }
    at = [c.key for c in contract.STATUS.columns].index("promise_status")
    present = {r[at] for r in status_rows}
    _, _, data = page_picture(pdf, sheets.index("Status") + 1, folder / f"status-{lang}")
    for key, fill in (("broken", "FFC7CE"), ("partial", "FFEB9C"), ("kept", "C6EFCE")):
        assert labels[key] in present, f"the demo has no {key} promise to show"
        assert has_colour(data, fill) > 20, f"no {key} fill {fill} on the Status page"
    _, _, data = page_picture(pdf, sheets.index("Diagnosis") + 1, folder / f"diagnosis-{lang}")
    flag = [c.key for c in contract.DIAGNOSIS.columns].index("flagged")
    yes = contract.choice_label(contract.YES_NO, "yes", lang)
    assert any(r[flag] == yes for r in diagnosis_rows)
    assert has_colour(data, "FFC7CE") > 20, "flagged causes are not red on the Diagnosis page"
