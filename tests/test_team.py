"""The team workflow end to end on real files: split → fill → collect, roll, emails."""

from __future__ import annotations

import os
import zipfile
from datetime import date, datetime
from decimal import Decimal
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from books import folder, huikuan, sample_book, table_rows
from huikuan import contract as ct
from huikuan import jobs
from huikuan.engine.status import status
from huikuan.model import Book, FollowUp, Installment, Receipt
from huikuan.team.books import safe_stem
from huikuan.team.collect import collect
from huikuan.team.split import split
from huikuan.values import fen

AS_OF = date(2026, 11, 23)
MONTH = date(2026, 11, 1)
REPS = ("李娜", "王强", "张伟", "刘洋")


@pytest.fixture(scope="module", params=["zh", "en"])
def team(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo team workbook (refreshed), in each language."""
    path = tmp_path_factory.mktemp(f"team-{request.param}") / "team.xlsx"
    jobs.demo(path, request.param, AS_OF)
    return path


def load(path: Path) -> Book:
    book, problems = jobs.load(path)
    assert [p for p in problems if p.is_error] == []  # the sample types amounts as text
    return book


def add_rows(path: Path, table: str, rows: list[dict[str, Any]]) -> None:
    """Type rows below a table as a rep would in Excel (labels of the file's language)."""
    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if table in ws.tables)
    xl = ws.tables[table]
    c0, r0, c1, r1 = range_boundaries(xl.ref)
    headers = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    spec = next(t for t in ct.INPUT_TABLES if t.name == table)
    where = {}
    for n, h in enumerate(headers):
        for col in spec.columns:
            if h in (col.en, col.zh):
                where[col.key] = c0 + n
    last = r1
    while last > r0 and all(ws.cell(last, where[k]).value is None for k in where):
        last -= 1
    for n, row in enumerate(rows, start=1):
        for key, value in row.items():
            ws.cell(last + n, where[key], value)
    end = max(r1, last + len(rows))
    xl.ref = f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{end}"
    xl.autoFilter.ref = xl.ref
    wb.save(path)


def part_texts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n).decode("utf-8", errors="replace") for n in zf.namelist()}


# ---- split -----------------------------------------------------------------------


def test_split_gives_each_rep_only_their_customers(team: Path, tmp_path: Path) -> None:
    whole = load(team)
    result = split(team, tmp_path / "out", AS_OF)
    assert [f.rep for f in result.files] == list(REPS)
    assert folder(tmp_path / "out") == {f"{r}.xlsx" for r in REPS}
    for f in result.files:
        book = load(f.path)
        mine = {c.customer_id for c in whole.customers if c.rep == f.rep}
        assert {c.customer_id for c in book.customers} == mine
        assert book.plan == tuple(p for p in whole.plan if p.customer_id in mine)
        assert book.commitments == tuple(i for i in whole.commitments if i.customer_id in mine)
        assert book.receipts == tuple(r for r in whole.receipts if r.customer_id in mine)
        assert book.followups == tuple(x for x in whole.followups if x.customer_id in mine)
        assert book.measures == tuple(m for m in whole.measures if m.customer_id in mine)
        assert book.reps == tuple(r for r in whole.reps if r.rep == f.rep)
        assert (book.cadences, book.holidays, book.lang) == (
            whole.cadences,
            whole.holidays,
            whole.lang,
        )
        # refreshed: Status has the rep's plan rows; the template's formulas and drop-downs
        _, _, rows = table_rows(f.path, "Status")
        assert len(rows) == len(book.plan)
        wb = openpyxl.load_workbook(f.path)
        assert str(wb["Plan"].cell(2, len(ct.PLAN.columns) + 1).value).startswith("=IF(")
        assert wb["Customers"].data_validations.dataValidation
        assert wb.sheetnames[0] in ("说明", "Guide")


def test_a_reps_file_holds_nothing_of_another_rep(team: Path, tmp_path: Path) -> None:
    """Every part of the zip, as text, is free of other reps' names, customer ids and names."""
    whole = load(team)
    result = split(team, tmp_path / "out", AS_OF, eml=True)
    for f in result.files:
        words = {c.rep for c in whole.customers if c.rep != f.rep}
        for c in whole.customers:
            if c.rep != f.rep:
                words |= {c.customer_id, c.name}
        words |= {escape(w) for w in words}
        for name, text in part_texts(f.path).items():
            found = sorted(w for w in words if w in text)
            assert not found, f"{f.path.name}:{name} holds {found}"
        mine = {c.customer_id for c in whole.customers if c.rep == f.rep}
        assert all(cid in "".join(part_texts(f.path).values()) for cid in mine)


def test_split_eml_parses_back(team: Path, tmp_path: Path) -> None:
    lang = load(team).lang
    result = split(team, tmp_path / "out", AS_OF, eml=True)
    assert result.exit_code == 1  # 刘洋 has no address
    for f in result.files:
        assert f.eml is not None
        raw = f.eml.read_bytes()
        assert b"\r\n" in raw  # RFC 5322 line ends
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        subject = str(msg["Subject"])
        assert f.rep in subject
        assert ("2026年11月" if lang == "zh" else "2026-11") in subject
        assert msg["X-Unsent"] == "1"
        assert msg["Cc"].addresses[0].addr_spec == "zhaomin@example.cn"
        assert msg["From"].addresses[0].addr_spec == "zhaomin@example.cn"
        if f.rep == "刘洋":
            assert msg["To"] is None
            assert f.warnings
        else:
            [to] = msg["To"].addresses
            assert (to.display_name, to.addr_spec.endswith("@example.cn")) == (f.rep, True)
        body = msg.get_body(("plain",)).get_content()
        assert f.rep in body and f"{f.path.name}" in body
        [attachment] = list(msg.iter_attachments())
        assert attachment.get_content_type() == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert attachment.get_filename() == f.path.name
        data = attachment.get_content()
        assert data == f.path.read_bytes()
        copy = tmp_path / "opened.xlsx"
        copy.write_bytes(data)
        assert {c.rep for c in load(copy).customers} == {f.rep}


def test_split_refuses_to_overwrite_without_force(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    split(team, out, AS_OF)
    run = huikuan("split", team, "--out", out)
    assert run.returncode == 2 and "--force" in run.stderr
    run = huikuan("split", team, "--out", out, "--force", "--as-of", "2026-11-23")
    assert run.returncode == 0, run.stderr
    assert "李娜.xlsx" in run.stdout


def test_safe_file_names() -> None:
    taken: set[str] = set()
    assert safe_stem("李娜", taken) == "李娜"
    assert safe_stem("李娜", taken) == "李娜-2"
    assert safe_stem('a/b:c*?"<>|', taken) == "a_b_c______"
    assert safe_stem("CON") == "_CON"
    assert safe_stem(" trailing. ") == "trailing"
    assert safe_stem("") == "_"


# ---- split → fill → collect ------------------------------------------------------------


def fill(out: Path, lang: str) -> dict[str, list[Any]]:
    """Each rep types new commitments, receipts and follow-ups; returns the records typed."""
    typed: dict[str, list[Any]] = {"commitments": [], "receipts": [], "followups": []}
    zh = lang == "zh"
    for n, rep in enumerate(REPS):
        path = out / f"{rep}.xlsx"
        ids = [c.customer_id for c in load(path).customers]
        cid, other = ids[0], ids[1]
        add_rows(
            path,
            "Commitments",
            [
                {"customer_id": cid, "due": "2026-11-28", "amount": "1.5万"},
                {"customer_id": other, "due": datetime(2026, 11, 30), "amount": 8000 + n},
            ],
        )
        typed["commitments"] += [
            Installment(customer_id=cid, due=date(2026, 11, 28), amount=Decimal(15000)),
            Installment(customer_id=other, due=date(2026, 11, 30), amount=Decimal(8000 + n)),
        ]
        add_rows(
            path,
            "Receipts",
            [
                {
                    "date": "2026年11月23日",
                    "customer_id": cid,
                    "amount": "¥12,345.67",
                    "reference": f"R{n}",
                },
            ],
        )
        typed["receipts"].append(
            Receipt(date=AS_OF, customer_id=cid, amount=Decimal("12345.67"), reference=f"R{n}")
        )
        add_rows(
            path,
            "FollowUps",
            [
                {
                    "date": "2026-11-23",
                    "customer_id": other,
                    "channel": "拜访" if zh else "visit",
                    "result": "推脱" if zh else "excuse",
                    "excuse_kind": "资金紧张" if zh else "cash",
                    "excuse_accepted": "否" if zh else "no",
                    "note": "月底再付",
                },
            ],
        )
        typed["followups"].append(
            FollowUp(
                date=AS_OF,
                customer_id=other,
                channel="visit",
                result="excuse",
                excuse_kind="cash",
                excuse_accepted=False,
                note="月底再付",
            )
        )
    return typed


def test_split_fill_collect_keeps_every_number(team: Path, tmp_path: Path) -> None:
    whole = load(team)
    out = tmp_path / "mail"
    split(team, out, AS_OF)
    typed = fill(out, whole.lang)
    # mail clients rename attachments
    (out / "王强.xlsx").rename(out / "王强(1).xlsx")
    (out / "张伟.xlsx").rename(out / "Re_ 张伟.xlsx")
    result = collect(out, tmp_path / "new-team.xlsx", AS_OF, base=team)
    assert result.exit_code == 0, [ln for ln in result.lines if ln.attention]
    assert sorted(f.status for f in result.files) == ["taken"] * 4
    union = whole.updated(
        {
            "commitments": whole.commitments + tuple(typed["commitments"]),
            "receipts": whole.receipts + tuple(typed["receipts"]),
            "followups": whole.followups + tuple(typed["followups"]),
        }
    )
    merged = load(tmp_path / "new-team.xlsx")
    for name in ("customers", "plan", "measures", "reps", "cadences", "holidays"):
        assert getattr(merged, name) == getattr(union, name)
    for name in ("commitments", "receipts", "followups"):
        assert sorted(map(repr, getattr(merged, name))) == sorted(map(repr, getattr(union, name)))
    # the team Status read back equals what the engine computes from the union of inputs
    _, _, rows = table_rows(tmp_path / "new-team.xlsx", "Status")
    want = {(r.month, r.customer.customer_id): r for r in status(union, AS_OF)}
    assert len(rows) == len(want)
    keys = [c.key for c in ct.STATUS.columns]
    for row in rows:
        got = dict(zip(keys, row, strict=False))
        expected = want[got["month"].date(), got["customer_id"]]
        for key in (
            "target",
            "committed",
            "gap",
            "contribution",
            "remaining_gap",
            "received",
            "due_to_date",
        ):
            assert Decimal(str(got[key])) == fen(getattr(expected, key)), (got["customer_id"], key)
        label = ct.choice_label(ct.PROMISE_STATUSES, expected.promise_status, whole.lang)
        assert got["promise_status"] == label
    # the Collect sheet says what was taken from each file
    _, _, report = table_rows(tmp_path / "new-team.xlsx", "Collect")
    taken = ct.choice_label(ct.COLLECT_EVENTS, "taken", whole.lang)
    assert sorted(r[0] for r in report if r[2] == taken) == sorted(
        ["李娜.xlsx", "王强(1).xlsx", "Re_ 张伟.xlsx", "刘洋.xlsx"]
    )
    # and collecting the same returns again over the new team changes nothing
    again = collect(out, tmp_path / "again.xlsx", AS_OF, base=tmp_path / "new-team.xlsx")
    assert again.exit_code == 0
    assert load(tmp_path / "again.xlsx") == merged


def test_collect_bad_files_are_quarantined_and_the_rest_taken(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "mail"
    split(team, out, AS_OF)
    (out / "李娜(2).xlsx").write_text("this is not a workbook", encoding="utf-8")
    (out / "王强.xlsx").write_bytes((out / "王强.xlsx").read_bytes()[:5000])  # cut short
    (out / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (out / "notes.txt").write_text("hello", encoding="utf-8")
    (out / "~$张伟.xlsx").write_bytes(b"lock")
    sample_book(out / "two-reps.xlsx")  # Wang and Li's customers, no Reps row
    result = collect(out, tmp_path / "new.xlsx", AS_OF, base=team)
    status = {f.path.name: f.status for f in result.files}
    assert status == {
        "李娜(2).xlsx": "quarantined",
        "王强.xlsx": "quarantined",
        "old.xls": "quarantined",
        "two-reps.xlsx": "quarantined",
        "notes.txt": "skipped",
        "~$张伟.xlsx": "skipped",
        "李娜.xlsx": "taken",
        "张伟.xlsx": "taken",
        "刘洋.xlsx": "taken",
    }
    assert result.exit_code == 1
    q = out / "quarantine"
    assert folder(q) == {
        f"{n}{x}"
        for n in ("李娜(2).xlsx", "王强.xlsx", "old.xls", "two-reps.xlsx")
        for x in ("", ".txt")
    }
    reason = (q / "王强.xlsx.txt").read_text(encoding="utf-8-sig")
    assert "truncated" in reason and "不完整" in reason
    assert "not a zip" in (q / "李娜(2).xlsx.txt").read_text(encoding="utf-8-sig")
    assert ".xlsx" in (q / "old.xls.txt").read_text(encoding="utf-8-sig")
    assert "several reps" in (q / "two-reps.xlsx.txt").read_text(encoding="utf-8-sig")
    # 王强 sent nothing usable: his customers stay as in the base, and the report says so
    assert load(tmp_path / "new.xlsx") == load(team)
    kinds = [ln.event for ln in result.lines]
    assert kinds.count("quarantined") == 4 and "no_return" in kinds


def test_collect_two_returns_from_one_rep_takes_the_newer(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "mail"
    split(team, out, AS_OF)
    older, newer = out / "李娜.xlsx", out / "Re_ 李娜.xlsx"
    newer.write_bytes(older.read_bytes())
    cid = load(older).customers[0].customer_id
    add_rows(older, "Receipts", [{"date": "2026-11-20", "customer_id": cid, "amount": 111}])
    add_rows(newer, "Receipts", [{"date": "2026-11-21", "customer_id": cid, "amount": 222}])
    os.utime(older, (1_700_000_000, 1_700_000_000))
    os.utime(newer, (1_800_000_000, 1_800_000_000))
    result = collect(out, tmp_path / "new.xlsx", AS_OF, base=team)
    assert {f.path.name: f.status for f in result.files if "李娜" in f.path.name} == {
        "李娜.xlsx": "superseded",
        "Re_ 李娜.xlsx": "taken",
    }
    amounts = {r.amount for r in load(tmp_path / "new.xlsx").receipts if r.customer_id == cid}
    assert Decimal(222) in amounts and Decimal(111) not in amounts
    [line] = [ln for ln in result.lines if ln.event == "superseded"]
    assert "Re_ 李娜.xlsx" in line.detail


def test_collect_reports_each_kind_of_conflict(team: Path, tmp_path: Path) -> None:
    base = load(team)
    zh = base.lang == "zh"
    out = tmp_path / "mail"
    split(team, out, AS_OF)
    lina = load(out / "李娜.xlsx")
    lina_cid = lina.customers[0].customer_id
    # 李娜 raises a target, adds a customer of her own, deletes a receipt row
    wb = openpyxl.load_workbook(out / "李娜.xlsx")
    plan = wb["Plan"]
    row = next(
        r
        for r in range(2, plan.max_row + 1)
        if plan.cell(r, 2).value == lina_cid and plan.cell(r, 1).value.date() == MONTH
    )
    plan.cell(row, 3).value = 999999
    wb.save(out / "李娜.xlsx")
    add_rows(
        out / "李娜.xlsx",
        "Customers",
        [
            {"customer_id": "K9999", "name": "新开客户有限公司", "rep": "李娜"},
        ],
    )
    add_rows(
        out / "李娜.xlsx",
        "Commitments",
        [
            {"customer_id": "K9999", "due": "2026-11-30", "amount": 5000},
            {"customer_id": lina_cid, "due": "2026-11-30", "amount": "待定"},  # a bad row
        ],
    )
    receipt = next(r for r in lina.receipts if r.customer_id == lina_cid)
    wb = openpyxl.load_workbook(out / "李娜.xlsx")
    ws = wb["Receipts"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 2).value == lina_cid and ws.cell(r, 4).value == receipt.reference:
            for c in range(1, 5):
                ws.cell(r, c).value = None
    wb.save(out / "李娜.xlsx")
    # 王强's file also holds one of 李娜's customers
    add_rows(
        out / "王强.xlsx",
        "Customers",
        [
            {"customer_id": lina_cid, "name": lina.customers[0].name, "rep": "王强"},
        ],
    )
    add_rows(
        out / "王强.xlsx",
        "Receipts",
        [
            {"date": "2026-11-22", "customer_id": lina_cid, "amount": 777},
        ],
    )
    (out / "刘洋.xlsx").unlink()  # 刘洋 sends nothing

    result = collect(out, tmp_path / "new.xlsx", AS_OF, base=team)
    assert result.exit_code == 1
    merged = load(tmp_path / "new.xlsx")
    by = {(ln.event, ln.customer_id) for ln in result.lines}
    assert ("target", lina_cid) in by
    assert ("not_in_base", "K9999") in by
    assert ("deleted", lina_cid) in by  # the deleted receipt (split's snapshot knows it)
    # 王强 claims 李娜's customer: not taken; his receipt for her is taken and flagged
    assert ("other_rep", lina_cid) in by and ("cross_rep", lina_cid) in by
    assert ("no_return", None) in by
    assert any(ln.event == "bad_row" and "待定" in ln.detail for ln in result.lines)
    # resolutions: base target, new customer added, receipt kept, 王强's receipt taken
    target = next(p.target for p in merged.plan if (p.month, p.customer_id) == (MONTH, lina_cid))
    assert target == next(
        p.target for p in base.plan if (p.month, p.customer_id) == (MONTH, lina_cid)
    )
    assert next(c for c in merged.customers if c.customer_id == "K9999").rep == "李娜"
    assert receipt in merged.receipts
    assert Decimal(777) in {r.amount for r in merged.receipts if r.customer_id == lina_cid}
    assert any(i.customer_id == "K9999" for i in merged.commitments)
    assert len([c for c in merged.customers if c.rep == "刘洋"]) == 9
    # the Collect sheet holds the same lines, in the workbook's language
    _, headers, rows = table_rows(tmp_path / "new.xlsx", "Collect")
    assert headers == [c.label(base.lang) for c in ct.COLLECT.columns]
    assert len(rows) == len(result.lines)
    label = ct.choice_label(ct.COLLECT_EVENTS, "target", base.lang)
    [target_row] = [r for r in rows if r[2] == label]
    assert ("底表" if zh else "in the base") in target_row[5]
    # the bad row is in Problems, named with its file
    _, _, problems = table_rows(tmp_path / "new.xlsx", "Problems")
    assert any(str(p[0]).startswith("[李娜.xlsx]") and p[2] == "待定" for p in problems)


def test_collect_without_base_and_cli(team: Path, tmp_path: Path) -> None:
    out = tmp_path / "mail"
    split(team, out, AS_OF)
    run = huikuan("collect", out, "-o", tmp_path / "t.xlsx", "--as-of", "2026-11-23")
    assert run.returncode == 0, run.stderr
    assert set(load(tmp_path / "t.xlsx").customers) == set(load(team).customers)
    run = huikuan("collect", out, "-o", tmp_path / "t.xlsx")
    assert run.returncode == 2 and "--force" in run.stderr
    run = huikuan("collect", tmp_path / "nowhere", "-o", tmp_path / "u.xlsx")
    assert run.returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    run = huikuan("collect", empty, "-o", tmp_path / "u.xlsx")
    assert run.returncode == 2 and not (tmp_path / "u.xlsx").exists()


def test_collect_in_place_keeps_the_managers_own_sheets(team: Path, tmp_path: Path) -> None:
    """The team workbook is written over the base through the package writer: a sheet of
    the manager's is carried byte for byte, in place too."""
    base = tmp_path / "base.xlsx"
    wb = openpyxl.load_workbook(team)
    wb.create_sheet("经理备注")["A1"] = "my notes"
    wb.save(base)
    out = tmp_path / "mail"
    split(base, out, AS_OF)
    with zipfile.ZipFile(base) as zf:
        notes_part = _sheet_part_of(zf, "经理备注")
        notes = zf.read(notes_part)
    run = huikuan("collect", out, "-o", base, "--base", base)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(base) as zf:
        assert zf.read(notes_part) == notes
    assert "经理备注" in openpyxl.load_workbook(base).sheetnames


def test_collect_keeps_the_date_format_of_blank_cells_so_roll_shows_dates(
    team: Path, tmp_path: Path
) -> None:
    """A blank 结转自 / 制定日期 cell keeps the column's date format through collect: the
    installments roll carries into it afterwards read as dates, not serials like 46330."""
    base = tmp_path / "base.xlsx"
    base.write_bytes(team.read_bytes())

    def date_formatted(path: Path, table: ct.Table, key: str) -> tuple[int, int]:
        """(date-formatted cells, cells) of a table column, read with openpyxl."""
        sheet, headers, _ = table_rows(path, table.name)
        ws = openpyxl.load_workbook(path)[sheet]
        col = headers.index(table.column(key).label(load(path).lang))
        cells = [row[col] for row in ws[ws.tables[table.name].ref]][1:]
        return sum(c.is_date for c in cells), len(cells)

    formatted, total = date_formatted(base, ct.COMMITMENTS, "carried_from")
    assert formatted == total > 0  # the demo's blank 结转自 cells are date-formatted
    out = tmp_path / "mail"
    split(base, out, AS_OF)
    team_out = tmp_path / "collected.xlsx"
    run = huikuan("collect", out, "-o", team_out, "--base", base, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    assert date_formatted(team_out, ct.COMMITMENTS, "carried_from") == (total, total)
    assert (
        date_formatted(team_out, ct.PLAN, "agreed_on")[0]
        == date_formatted(base, ct.PLAN, "agreed_on")[0]
    )
    run = huikuan("roll", team_out, "--to", "2026-12", "--as-of", "2026-12-01")
    assert run.returncode == 0, run.stderr
    carried = [i for i in load(team_out).commitments if i.carried_from is not None]
    assert carried
    formatted, total = date_formatted(team_out, ct.COMMITMENTS, "carried_from")
    assert formatted == total  # the carried dates among them


def _sheet_part_of(zf: zipfile.ZipFile, title: str) -> str:
    import re

    wb = zf.read("xl/workbook.xml").decode()
    rid = re.search(rf'<sheet[^>]*name="{title}"[^>]*r:id="(rId\d+)"', wb)
    assert rid is not None
    rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels) or re.search(
        rf'Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid.group(1)}"', rels
    )
    assert target is not None
    return "xl/" + target.group(1)


# ---- roll -------------------------------------------------------------------------------


def test_roll_the_demo_in_place(team: Path, tmp_path: Path) -> None:
    path = tmp_path / "team.xlsx"
    path.write_bytes(team.read_bytes())
    before = load(path)
    run = huikuan("roll", path, "--to", "2026-12", "--as-of", "2026-12-01")
    assert run.returncode == 0, run.stderr
    after = load(path)
    dec = date(2026, 12, 1)
    assert after.plan[: len(before.plan)] == before.plan  # earlier months kept
    assert {p.customer_id for p in after.plan if p.month == dec} == {
        c.customer_id for c in before.customers
    }
    carried = [i for i in after.commitments if i.carried_from is not None]
    assert carried and all(i.due == dec for i in carried)
    assert after.commitments[: len(before.commitments)] == before.commitments
    # the carried column is in the table, labelled in the workbook's language
    _, headers, _ = table_rows(path, "Commitments")
    assert ct.COMMITMENTS.column("carried_from").label(before.lang) in headers
    # Plan's live formulas are filled into the new rows
    wb = openpyxl.load_workbook(path)
    ws = wb["Plan"]
    last = range_boundaries(ws.tables["Plan"].ref)[3]
    assert str(ws.cell(last, len(ct.PLAN.columns) + 1).value).startswith("=IF(")
    # Status covers December
    _, _, rows = table_rows(path, "Status")
    assert sum(1 for r in rows if r[0] == datetime(2026, 12, 1)) == len(before.customers)
    # a second roll adds nothing
    run = huikuan("roll", path, "--to", "2026-12", "--as-of", "2026-12-01")
    assert run.returncode == 0, run.stderr
    assert load(path) == after
    # backwards is refused
    run = huikuan("roll", path, "--to", "2026-10")
    assert run.returncode == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_roll_a_workbook_without_the_carried_column(tmp_path: Path, lang: str) -> None:
    """books.py's sample team: C1 received 50,000 against 60,000 due 11-10 and 40,000 due
    11-25: earliest first, 10,000 of the first and all 40,000 of the second are unpaid; C2
    owes all of its 30,000 due 11-05. Each is carried into December on its own."""
    path = sample_book(tmp_path / "book.xlsx", lang)
    run = huikuan("roll", path, "--to", "2026-12", "-o", tmp_path / "dec.xlsx")
    assert run.returncode == 0, run.stderr
    book = load(tmp_path / "dec.xlsx")
    carried = sorted(
        (i.customer_id, i.amount, i.carried_from) for i in book.commitments if i.carried_from
    )
    assert carried == [
        ("C1", Decimal(10000), date(2026, 11, 10)),
        ("C1", Decimal(40000), date(2026, 11, 25)),
        ("C2", Decimal(30000), date(2026, 11, 5)),
    ]
    assert all(i.due == date(2026, 12, 1) for i in book.commitments if i.carried_from)
    assert {p.customer_id for p in book.plan if p.month == date(2026, 12, 1)} == {
        "C1",
        "C2",
        "C3",
    }
    _, headers, _ = table_rows(tmp_path / "dec.xlsx", "Commitments")
    assert headers[-1] == ("结转自" if lang == "zh" else "Carried from")


def test_team_commands_have_help() -> None:
    for command in ("split", "collect", "roll"):
        run = huikuan(command, "--help")
        assert run.returncode == 0 and "usage: huikuan " + command in run.stdout
    assert "huikuan split" in huikuan("--help").stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_book_written_over_a_fresh_template_is_what_openpyxl_writes(
    tmp_path: Path, lang: str
) -> None:
    """write_book (the package writer over an empty template: rows written in place) and
    the openpyxl reference (the template filled with the records) give the same tables."""
    from huikuan.demo import demo_book
    from huikuan.model import Problem
    from huikuan.team.books import fresh_template, write_book
    from reference_writer import refreshed_workbook

    book = demo_book().updated({"lang": lang})
    odd = book.followups[0].updated({"note": " =SUM(A1) <b>&\n"})
    book = book.updated({"followups": (odd, *book.followups[1:])})
    problems = [Problem(sheet="Plan", cell="C9", value="待定", message="bad")]
    write_book(fresh_template(lang), tmp_path / "fast.xlsx", book, AS_OF, problems)
    wb = refreshed_workbook(book, AS_OF, problems)
    wb.save(tmp_path / "slow.xlsx")
    fast, slow = (openpyxl.load_workbook(tmp_path / n) for n in ("fast.xlsx", "slow.xlsx"))
    assert fast.sheetnames == slow.sheetnames
    for ws in slow.worksheets:
        other = fast[ws.title]
        assert {t.name: t.ref for t in other.tables.values()} == {
            t.name: t.ref for t in ws.tables.values()
        }
        for a, b in zip(ws.iter_rows(), other.iter_rows(), strict=True):
            for x, y in zip(a, b, strict=True):
                want = x.value
                if ws.title == "FollowUps" and x.coordinate == "H2":
                    want = " =SUM(A1) <b>&\n"  # openpyxl would have made it a formula
                if isinstance(want, float):  # openpyxl keeps 16 digits, the package writer 17
                    want = pytest.approx(want, rel=1e-15)
                assert (x.coordinate, y.value) == (x.coordinate, want)
                if x.value is not None:
                    assert y.number_format == x.number_format, x.coordinate
        dv = sorted(str(d.sqref) for d in ws.data_validations.dataValidation)
        assert sorted(str(d.sqref) for d in other.data_validations.dataValidation) == dv
    read = jobs.load(tmp_path / "fast.xlsx")[0]
    assert read.followups[0].note == "=SUM(A1) <b>&"  # the reader trims spaces
    slow_book = jobs.load(tmp_path / "slow.xlsx")[0]
    assert read.updated({"followups": slow_book.followups}) == slow_book
    assert read.followups[1:] == slow_book.followups[1:]


@pytest.mark.libreoffice
def test_a_reps_file_computes_in_libreoffice_as_refresh_does(
    team: Path, tmp_path: Path, soffice: str, lo_profile: Path
) -> None:
    """The rows written as XML keep the template's live formulas: LibreOffice recomputes
    Plan's committed … received and they agree with the Status refresh wrote, to the fen."""
    from libreoffice import recalculate

    result = split(team, tmp_path / "out", AS_OF)
    out = recalculate(result.files[0].path, tmp_path / "lo", lo_profile, soffice)
    wb = openpyxl.load_workbook(out, data_only=True)

    def rows(name: str) -> list[list[Any]]:
        ws = wb[name]
        return [[c.value for c in r] for r in ws[ws.tables[name].ref]][1:]

    status_rows = {(s[0], s[1]): s for s in rows("Status")}
    plan = rows("Plan")
    assert len(plan) == len(status_rows) > 1
    n = len(ct.PLAN.columns)
    for row in plan:
        want = status_rows[row[0], row[1]]
        for offset, key in enumerate(("committed", "gap", "contribution", "remaining_gap")):
            got, expected = row[n + offset], want[[c.key for c in ct.STATUS.columns].index(key)]
            assert abs(float(got) - float(expected)) < 0.005, (row[1], key)


def test_a_collected_book_colours_every_status_row_and_charts_every_rep(tmp_path: Path) -> None:
    """The Status promise colours reach the last row and the Dashboard charts cover
    every rep of a book written over a fresh template."""
    from huikuan.demo import demo_book
    from huikuan.team.books import fresh_template, write_book

    book = demo_book(AS_OF.replace(day=1), AS_OF)
    dest = tmp_path / "team.xlsx"
    rows, _ = write_book(fresh_template(book.lang), dest, book, AS_OF)
    wb = openpyxl.load_workbook(dest)
    ws = wb["Status"]
    ranges = [str(cf.sqref) for cf in ws.conditional_formatting]
    assert ranges and all(r.endswith(f"{len(rows) + 1}") for r in ranges), ranges
    reps = len({r.customer.rep for r in rows})
    refs = [s.val.numRef.f for chart in wb["Dashboard"]._charts for s in chart.series]
    assert len(wb["Dashboard"]._charts) == 4
    assert all(ref.endswith((f"${reps + 1}", f"${reps + 2}")) for ref in refs), refs
