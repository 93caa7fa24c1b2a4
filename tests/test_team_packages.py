"""split → fill → collect → roll on a team workbook as a manager keeps one: a chart, a
picture, a comment, data validations, an x14 data bar and .xlsm macros. Every entry
outside the parts huikuan owns comes out byte for byte; what sits in an input sheet
(the data bar, the drop-downs) is still there and covers the table's new rows; and no
rep's file holds another rep's data, whatever the team workbook hid."""

from __future__ import annotations

import re
import warnings
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine as pc
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from books import rezip
from huikuan import contract as ct
from huikuan import jobs
from huikuan.model import FollowUp, Installment, Receipt
from huikuan.team.books import append_rows, read_raw
from huikuan.team.collect import collect
from huikuan.team.roll import roll_file
from huikuan.team.split import split
from huikuan.workbook.package_writer import write_package
from packages import RIBBON, RIBBON_REL, VBA, XLSM_TYPE, XLSX_TYPE, _sheet_part, add_picture

AS_OF = date(2026, 11, 23)
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
BAR_ID = "{1F2E3D4C-0000-4000-8000-00000000BA12}"


def _data_bar(sheet: bytes, sqref: str) -> bytes:
    """An Excel 2010 data bar: the main rule pointing at its x14 twin in extLst."""
    main = (
        f'<conditionalFormatting sqref="{sqref}"><cfRule type="dataBar" priority="99">'
        '<dataBar><cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar>'
        '<extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" '
        f'xmlns:x14="{X14}"><x14:id>{BAR_ID}</x14:id></ext></extLst></cfRule>'
        "</conditionalFormatting>"
    ).encode()
    ext = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
        f'xmlns:x14="{X14}"><x14:conditionalFormattings>'
        f'<x14:conditionalFormatting xmlns:xm="{XM}"><x14:cfRule type="dataBar" id="{BAR_ID}">'
        '<x14:dataBar minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/>'
        '<x14:cfvo type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/>'
        '<x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule>'
        f"<xm:sqref>{sqref}</xm:sqref></x14:conditionalFormatting>"
        "</x14:conditionalFormattings></ext></extLst>"
    ).encode()
    at = sheet.index(b"<dataValidations")
    sheet = sheet[:at] + main + sheet[at:]
    return sheet.replace(b"</worksheet>", ext + b"</worksheet>")


def team_book(folder: Path) -> Path:
    """The demo team as an .xlsm with the manager's additions."""
    plain = folder / "demo.xlsx"
    jobs.demo(plain, "en", AS_OF)
    wb = openpyxl.load_workbook(plain)
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Monthly review"
    notes["A1"].comment = Comment("remember the Q4 push", "Li")
    notes["B2"] = "yes"
    check = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    check.add("B2:B9")
    notes.add_data_validation(check)
    charts = wb.create_sheet("Charts")
    chart = BarChart()
    chart.title = "Targets"
    chart.add_data(Reference(notes, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    charts.add_chart(chart, "B2")
    wb.create_sheet("Pictures")["A1"] = "our logo"
    wb.save(plain)
    add_picture(plain, "Pictures")
    plan_last = openpyxl.load_workbook(plain)["Plan"].tables["Plan"].ref.split(":")[1]
    plan_part = _sheet_part(plain, "Plan")
    team = folder / "team.xlsm"

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
        if name == "_rels/.rels":
            return data.replace(
                b"</Relationships>",
                f'<Relationship Id="rIdUI" Type="{RIBBON_REL}" '
                'Target="customUI/customUI14.xml"/></Relationships>'.encode(),
            )
        if name == plan_part:  # a data bar over the targets
            return _data_bar(data, f"C2:C{re.sub(r'[A-Z]', '', plan_last)}")
        return data

    rezip(plain, team, change, add={"xl/vbaProject.bin": VBA, "customUI/customUI14.xml": RIBBON})
    return team


def quiet_load(path: Path) -> openpyxl.Workbook:
    """openpyxl (it warns that it would drop the x14 extension: we only read)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def stored(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def user_parts(path: Path) -> set[str]:
    """The entries huikuan never owns: the manager's sheets and what hangs off them,
    media, macros, the ribbon."""
    names = set(stored(path))
    own = {_sheet_part(path, t) for t in ("Notes", "Charts", "Pictures")}
    for part in list(own):
        folder, name = part.rsplit("/", 1)
        rels = f"{folder}/_rels/{name}.rels"
        if rels in names:
            own.add(rels)
            for target in re.findall(rb'Target="([^"]+)"', stored(path)[rels]):
                own.add(_join(folder, target.decode()))
    more = set()
    for part in own:
        folder, name = part.rsplit("/", 1)
        rels = f"{folder}/_rels/{name}.rels"
        if rels in names and part.endswith(".xml") and "drawings/" in part:
            more.add(rels)
            for target in re.findall(rb'Target="([^"]+)"', stored(path)[rels]):
                more.add(_join(folder, target.decode()))
    return (own | more | {"xl/vbaProject.bin", "customUI/customUI14.xml"}) & names


def assert_consistent(path: Path) -> None:
    """Every XML part well-formed, every relationship's target and every Override's part
    present, every part typed: what Excel checks before it offers to repair a file."""
    parts = stored(path)
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension", "").lower() for d in types if d.tag.endswith("Default")}
    overrides = {o.get("PartName", "").lstrip("/") for o in types if o.tag.endswith("Override")}
    assert overrides <= set(parts), overrides - set(parts)
    for name, data in parts.items():
        if name.endswith((".xml", ".rels", ".vml")):
            ElementTree.fromstring(data)  # raises when not well-formed
        assert name in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
        if name.endswith(".rels"):
            folder = name.rsplit("/_rels/", 1)[0] if "/_rels/" in name else ""
            for rel in ElementTree.fromstring(data):
                if rel.get("TargetMode") == "External":
                    continue
                target = _join(folder, rel.get("Target", ""))
                assert target in parts, (path.name, name, target)


def _join(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    parts = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def fill(path: Path) -> None:
    """A rep types a commitment, a receipt and a follow-up (written as Excel would: rows
    appended to the tables in place)."""
    book, _ = jobs.load(path)
    cid = book.customers[0].customer_id
    raw = read_raw(path)
    typed = {
        ct.COMMITMENTS: [
            Installment(customer_id=cid, due=date(2026, 11, 28), amount=Decimal(1500))
        ],
        ct.RECEIPTS: [Receipt(date=AS_OF, customer_id=cid, amount=Decimal(1234), reference="R1")],
        ct.FOLLOWUPS: [
            FollowUp(
                date=AS_OF,
                customer_id=cid,
                channel="visit",
                result="excuse",
                excuse_kind="cash",
                excuse_accepted=False,
                note="x",
            )
        ],
    }
    rows = [append_rows(raw[t.name.casefold()], t, r, "en") for t, r in typed.items()]
    write_package(path, path, rows=rows)


def test_split_fill_collect_roll_keeps_what_the_manager_added(tmp_path: Path) -> None:
    team = team_book(tmp_path)
    before = stored(team)
    mine = user_parts(team)
    assert {"xl/vbaProject.bin", "xl/media/image1.png"} <= mine
    assert any(p.startswith("xl/charts/") for p in mine)
    assert any(p.startswith("xl/comments") or "/comments" in p for p in mine)

    out = tmp_path / "mail"
    result = split(team, out, AS_OF)
    whole, _ = jobs.load(team)
    for f in result.files:
        assert f.path.suffix == ".xlsm"
        got = stored(f.path)
        for part in mine:  # nothing of another rep in them: copied as stored
            assert got[part] == before[part], (f.path.name, part)
        assert_consistent(f.path)
        fill(f.path)
    merged = tmp_path / "team-new.xlsm"
    done = collect(out, merged, AS_OF, base=team)
    assert done.exit_code == 0, [ln for ln in done.lines if ln.attention]
    rolled = roll_file(merged, date(2026, 12, 1), date(2026, 12, 1))
    assert rolled.written == merged
    after = stored(merged)
    assert_consistent(merged)
    for part in mine:
        assert after[part] == before[part], part
    # the data bar and the drop-downs are still in Plan and cover its new rows
    plan = after[_sheet_part(merged, "Plan")]
    last = quiet_load(merged)["Plan"].tables["Plan"].ref.split(":")[1]
    last_row = int(re.sub(r"[A-Z]", "", last))
    assert f"<xm:sqref>C2:C{last_row}</xm:sqref>".encode() in plan
    assert f'<conditionalFormatting sqref="C2:C{last_row}">'.encode() in plan
    assert BAR_ID.encode() in plan
    ws = quiet_load(merged)["Plan"]
    assert any(
        dv.sqref and max(r.max_row for r in dv.sqref.ranges) >= last_row
        for dv in ws.data_validations.dataValidation
    )
    # the merge took every rep's rows, then the roll added December's plan
    book, problems = jobs.load(merged)
    assert problems == []
    assert sum(1 for r in book.receipts if r.reference == "R1") == len(result.files)
    assert {p.customer_id for p in book.plan if p.month == date(2026, 12, 1)} == {
        c.customer_id for c in whole.customers
    }
    assert {"Notes", "Charts", "Pictures"} <= set(
        pc.CalamineWorkbook.from_path(str(merged)).sheet_names
    )


@pytest.fixture
def leaky_team(tmp_path: Path) -> Path:
    """The demo team with another rep's data hidden everywhere a split could leak it."""
    plain = tmp_path / "team.xlsx"
    jobs.demo(plain, "en", AS_OF)
    wb = openpyxl.load_workbook(plain)
    book, _ = jobs.load(plain)
    first = book.customers[0]
    hidden = wb.create_sheet("Secret")
    hidden["A1"] = first.name
    hidden.sheet_state = "hidden"
    clean = wb.create_sheet("Clean")
    clean["A1"] = "nothing of anyone"
    # a comment on each customer's row of Customers
    ws = wb["Customers"]
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 1).comment = Comment(f"call {ws.cell(row, 2).value}", "mgr")
    wb.defined_names["TopCustomer"] = openpyxl.workbook.defined_name.DefinedName(
        "TopCustomer", attr_text=f'"{first.name}"'
    )
    wb.save(plain)
    return plain


def test_no_entry_of_a_reps_file_holds_another_reps_data(leaky_team: Path, tmp_path: Path) -> None:
    whole, _ = jobs.load(leaky_team)
    result = split(leaky_team, tmp_path / "out", AS_OF)
    before = stored(leaky_team)
    for f in result.files:
        others = {c for c in whole.customers if c.rep != f.rep}
        words = {w for c in others for w in (c.customer_id, c.name, c.rep)}
        for name, data in stored(f.path).items():
            text = data.decode("utf-8", "replace")
            found = sorted(w for w in words if w in text)
            assert not found, f"{f.path.name}:{name} holds {found}"
        got = stored(f.path)
        assert_consistent(f.path)
        kept = openpyxl.load_workbook(f.path)
        assert "Clean" in kept.sheetnames
        assert got[_sheet_part(f.path, "Clean")] == before[_sheet_part(leaky_team, "Clean")]
        # the comments of the rep's own customers moved with their rows
        ws = kept["Customers"]
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, 2).value:
                assert ws.cell(row, 1).comment.text == f"call {ws.cell(row, 2).value}"
        owner = next(c for c in whole.customers if c.customer_id == whole.customers[0].customer_id)
        if owner.rep != f.rep:
            assert "Secret" not in kept.sheetnames
            assert "TopCustomer" not in kept.defined_names
            assert any("Secret" in en for en, _ in f.dropped)
        else:
            assert "Secret" in kept.sheetnames
