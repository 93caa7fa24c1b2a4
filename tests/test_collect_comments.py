"""A manager's cell comments on the team workbook's input tables through `huikuan split`
+ `huikuan collect` in place (the CLI, for real): a comment on a row that is still there
stays on that cell, byte for byte; one on a row the merge removes is named, never lost
silently."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment

from books import huikuan

AS_OF = "2026-12-01"
_COMMENT = re.compile(rb"<comment\b[^>]*\bref=\"([A-Z]+\d+)\".*?</comment>", re.S)


def _comments(path: Path) -> dict[str, bytes]:
    """Each cell comment of the Customers sheet (by cell) as the package stores it."""
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if n.startswith("xl/comments")]
        assert len(parts) == 1, parts
        data = z.read(parts[0])
    return {m.group(1).decode(): m.group() for m in _COMMENT.finditer(data)}


def test_a_comment_on_a_customers_row_survives_split_and_collect(tmp_path: Path) -> None:
    team = tmp_path / "team.xlsx"
    assert huikuan("demo", "-o", team).returncode == 0
    wb = openpyxl.load_workbook(team)
    ws = wb["Customers"]
    table = ws.tables["Customers"]
    last = int(table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert ws.cell(last, 1).value  # the demo's last customer fills the table's last row
    customer, name = ws["A2"].value, ws["B2"].value
    ws["B2"].comment = Comment("核实一下 check this one", "Boss")
    # a row that is blank: no record, so the merge removes it — and its comment with it
    blank = last + 1
    table.ref = re.sub(r"\d+$", str(blank), table.ref)
    ws.cell(blank, 2).comment = Comment("on an empty row", "Boss")
    wb.save(team)
    before = _comments(team)
    assert set(before) == {"B2", f"B{blank}"}

    reps = tmp_path / "reps"
    split = huikuan("split", team, "--out", reps, "--as-of", AS_OF)
    assert split.returncode == 0, split.stderr
    got = huikuan("collect", reps, "--base", team, "-o", team, "--as-of", AS_OF)
    assert got.returncode == 0, got.stderr

    after = _comments(team)
    assert after == {"B2": before["B2"]}  # same cell, byte for byte
    back = openpyxl.load_workbook(team)["Customers"]
    assert (back["A2"].value, back["B2"].value) == (customer, name)
    assert back["B2"].comment is not None
    assert back["B2"].comment.text == "核实一下 check this one"
    assert back["B2"].comment.author == "Boss"
    # the removed one is named, in both languages
    assert f"Customers!B{blank}" in got.stderr
    assert "comment" in got.stderr and "批注" in got.stderr
    assert "Customers!B2" not in got.stderr
    # its drawing shape went with it: one shape left, anchored on row 2 (0-based 1)
    with zipfile.ZipFile(team) as z:
        vml = next(z.read(n) for n in z.namelist() if n.endswith(".vml"))
    rows = re.findall(rb"<(?:[\w.\-]+:)?Row>\s*(\d+)\s*<", vml)
    assert rows == [b"1"]
