"""Writing results never costs the user content: charts and images kept, macros, atomic saves."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from books import cells, errors_only, folder, huikuan, rezip, sample_book, table_rows
from huikuan import contract

OURS = tuple(t.name for t in contract.OUTPUT_TABLES)

AS_OF = "2026-11-23"
# the smallest valid PNG: 1×1, one grey pixel
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c6360000000020001e221bc330000000049454e44ae426082"
)


def add_chart(wb: Any) -> None:
    """A bar chart of the Plan targets on a user's sheet."""
    ws = wb.create_sheet("Charts")
    chart = BarChart()
    chart.title = "Targets"
    chart.add_data(Reference(wb["Plan"], min_col=3, min_row=1, max_row=4), titles_from_data=True)
    ws.add_chart(chart, "B2")


def chart_book(tmp: Path, lang: str = "en") -> Path:
    return sample_book(tmp / "book.xlsx", lang, more=add_chart)


def image_book(tmp: Path) -> Path:
    """A picture in the package (xl/media): what package.risks looks for."""
    sample_book(tmp / "plain.xlsx")

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1
            )
        return data

    path = rezip(tmp / "plain.xlsx", tmp / "book.xlsx", change, add={"xl/media/image1.png": PNG})
    (tmp / "plain.xlsx").unlink()
    return path


VBA = b"stand-in for a VBA project: carried byte for byte"
XLSX_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def macro_book(tmp: Path) -> Path:
    """An .xlsm as Excel makes it: the macro-enabled content type and a VBA project part."""
    sample_book(tmp / "plain.xlsm")

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(XLSX_TYPE, XLSM_TYPE).replace(
                b"<Default ",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"<Default ",
                1,
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rId99" Target="vbaProject.bin" Type="http://schemas.'
                b'microsoft.com/office/2006/relationships/vbaProject"/></Relationships>',
            )
        return data

    path = rezip(tmp / "plain.xlsm", tmp / "book.xlsm", change, add={"xl/vbaProject.bin": VBA})
    (tmp / "plain.xlsm").unlink()
    return path


def test_the_chart_book_really_has_a_chart(tmp_path: Path) -> None:
    with zipfile.ZipFile(chart_book(tmp_path)) as zf:
        assert any(n.startswith("xl/charts/chart") for n in zf.namelist())


def entries(path: Path) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}


@pytest.mark.parametrize("make", [chart_book, image_book], ids=["chart", "image"])
def test_in_place_refresh_keeps_charts_and_images_as_they_were(tmp_path: Path, make: Any) -> None:
    """What the openpyxl writer had to refuse is now carried: nothing of the user's is rewritten."""
    path = make(tmp_path)
    before, before_cells = entries(path), cells(path)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert (run.returncode, errors_only(run.stderr)) == (0, ""), run.stderr
    after = entries(path)
    kept = [n for n in before if n.startswith(("xl/charts/", "xl/drawings/", "xl/media/"))]
    assert kept
    for name in kept:
        assert after[name] == before[name], name
    assert cells(path, skip=OURS) == before_cells
    assert table_rows(path, "Status")[2][0][1] == "C1"
    assert folder(tmp_path) == {"book.xlsx"}


@pytest.mark.parametrize("make", [chart_book, image_book], ids=["chart", "image"])
def test_refresh_to_a_new_file_carries_everything(tmp_path: Path, make: Any) -> None:
    path = make(tmp_path)
    before, before_cells = path.read_bytes(), cells(path)
    out = tmp_path / "out.xlsx"
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", out)
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    assert path.read_bytes() == before
    assert cells(out, skip=OURS) == before_cells
    src, new = entries(path), entries(out)
    assert {n for n in src if n.startswith(("xl/charts/", "xl/media/"))} <= set(new)
    assert table_rows(out, "Status")[2][0][1] == "C1"
    assert folder(tmp_path) == {"book.xlsx", "out.xlsx"}


def test_the_openpyxl_reference_writer_still_refuses_what_it_would_lose(tmp_path: Path) -> None:
    """The old writer (kept as the tests' reference) must not be used in place on such a file."""
    from huikuan.errors import Unusable
    from huikuan.jobs import load
    from huikuan.workbook.outputs import problems_table
    from reference_writer import write_outputs

    path = chart_book(tmp_path)
    before = path.read_bytes()
    book, problems = load(path)
    with pytest.raises(Unusable, match="would lose"):
        write_outputs(path, path, [problems_table(problems, book.lang)])
    assert path.read_bytes() == before
    lost = write_outputs(path, tmp_path / "copy.xlsx", [problems_table(problems, book.lang)])
    assert [r.en for r in lost] == ["charts (re-drawn, styling may change)"]


def test_a_macro_workbook_is_not_written_as_xlsx(tmp_path: Path) -> None:
    path = macro_book(tmp_path)
    before = path.read_bytes()
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", tmp_path / "out.xlsx")
    assert run.returncode == 2
    assert "out.xlsx: keep the extension of book.xlsm (.xlsm)" in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == before
    assert folder(tmp_path) == {"book.xlsm"}


def test_an_xlsx_is_not_written_as_xlsm(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", tmp_path / "out.xlsm")
    assert run.returncode == 2
    assert "keep the extension" in run.stderr
    assert folder(tmp_path) == {"book.xlsx"}


def test_a_macro_workbook_refreshes_in_place_and_keeps_its_macros(tmp_path: Path) -> None:
    path = macro_book(tmp_path)
    before = cells(path)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/vbaProject.bin") == VBA
        assert XLSM_TYPE in zf.read("[Content_Types].xml")
    assert cells(path, skip=OURS) == before
    assert table_rows(path, "Status")[1][:2] == ["Month", "Customer ID"]
    assert folder(tmp_path) == {"book.xlsm"}
    assert huikuan("check", path).returncode == 0


@pytest.mark.parametrize("to_other_file", [False, True], ids=["in-place", "to-out"])
def test_a_successful_refresh_leaves_no_temporary_file(tmp_path: Path, to_other_file: bool) -> None:
    path = sample_book(tmp_path / "book.xlsx", bad=True)
    extra = ["-o", "out.xlsx"] if to_other_file else []
    run = huikuan("refresh", "book.xlsx", "--as-of", AS_OF, *extra, cwd=tmp_path)
    assert run.returncode == 1
    assert folder(tmp_path) == ({"book.xlsx", "out.xlsx"} if to_other_file else {"book.xlsx"})
    assert not [n for n in folder(tmp_path) if n.startswith(".")]
    written = tmp_path / ("out.xlsx" if to_other_file else "book.xlsx")
    assert openpyxl.load_workbook(written).sheetnames[-len(OURS) :] == list(OURS)
    assert path.exists()


def test_in_place_refresh_keeps_the_files_permissions(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    path.chmod(0o640)
    assert huikuan("refresh", path, "--as-of", AS_OF).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_an_output_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    before = path.read_bytes()
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", tmp_path / "nowhere" / "out.xlsx")
    assert run.returncode == 2
    assert "the folder does not exist" in run.stderr and "文件夹不存在" in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == before
    assert folder(tmp_path) == {"book.xlsx"}
