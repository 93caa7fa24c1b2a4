"""Three-way collect, as a manager and two reps would do it: the CLI on real files.

The team (as of 2026-11-23), worked by hand:

    C001 华东建材 李娜   installments 11-10 65,000 and 11-25 35,000; receipt R-1 30,000
    C002 南方农资 李娜   installment 11-15 50,000
    C003 北方食品 王强   installment 11-20 80,000; receipt R-2 20,000

After `split`, the manager changes C001's 11-10 installment 65,000 → 70,000, C002's
50,000 → 45,000 and C003's 80,000 → 60,000 in the team book. 李娜 changes C001's 11-25
installment 35,000 → 36,000 and C002's 50,000 → 48,000, deletes receipt R-1 and adds
receipt R-3 (C002, 10,000). 王强 logs receipt R-9 (5,000) and a follow-up for 李娜's
C001, which his file does not hold; his file is then re-saved by LibreOffice.

So collect must give: C001 11-10 70,000 (team only: the team's), 11-25 36,000 (rep
only: the rep's), C002 45,000 (both: the team's, a conflict to check), C003 60,000
(team only, through a LibreOffice re-save); receipts R-1 30,000 (deleted by the rep:
kept, to check), R-2, R-3 and R-9 (taken, flagged as logged for 李娜's customer).
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from books import Tab, huikuan, table_rows, write_book
from huikuan import contract as ct
from huikuan import jobs
from huikuan.engine.merge import LOOSE, Return, merge, merge_rows3
from huikuan.model import Book, Customer, Installment, PlanRow, Receipt, Rep
from libreoffice import recalculate
from test_team import add_rows

AS_OF = "2026-11-23"


def labels(table: ct.Table, lang: str, keys: list[str]) -> list[str]:
    return [table.column(k).label(lang) for k in keys]


def team_book(path: Path, lang: str) -> Path:
    yes = ct.choice_label(ct.YES_NO, "yes", lang)
    tabs = [
        Tab(
            "Customers",
            labels(ct.CUSTOMERS, lang, ["customer_id", "name", "rep", "credit_grade"]),
            [
                ["C001", "华东建材", "李娜", "A"],
                ["C002", "南方农资", "李娜", "B"],
                ["C003", "北方食品", "王强", "B"],
            ],
        ),
        Tab(
            "Plan",
            labels(ct.PLAN, lang, ["month", "customer_id", "target", "agreed_jointly"]),
            [
                [date(2026, 11, 1), "C001", 100000, yes],
                [date(2026, 11, 1), "C002", 50000, yes],
                [date(2026, 11, 1), "C003", 80000, yes],
            ],
        ),
        Tab(
            "Commitments",
            labels(ct.COMMITMENTS, lang, ["customer_id", "due", "amount"]),
            [
                ["C001", date(2026, 11, 10), 65000],
                ["C001", date(2026, 11, 25), 35000],
                ["C002", date(2026, 11, 15), 50000],
                ["C003", date(2026, 11, 20), 80000],
            ],
        ),
        Tab(
            "Receipts",
            labels(ct.RECEIPTS, lang, ["date", "customer_id", "amount", "reference"]),
            [
                [date(2026, 11, 8), "C001", 30000, "R-1"],
                [date(2026, 11, 5), "C003", 20000, "R-2"],
            ],
        ),
        Tab("FollowUps", labels(ct.FOLLOWUPS, lang, ["date", "customer_id", "result"]), []),
        Tab("Reps", labels(ct.REPS, lang, ["rep"]), [["李娜"], ["王强"]]),
    ]
    return write_book(path, tabs)


def load(path: Path) -> Book:
    book, problems = jobs.load(path)
    assert [p for p in problems if p.is_error] == []  # warnings: optional columns left out
    return book


def set_amount(path: Path, customer: str, due: date, amount: int | None) -> None:
    """Change (None: delete) one Commitments row's amount, as a person would in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if "Commitments" in ws.tables)
    for row in ws.iter_rows(min_row=2):
        cid, when, _ = (c.value for c in row[:3])
        if cid == customer and when is not None and when.date() == due:
            if amount is None:
                for c in row:
                    c.value = None
            else:
                row[2].value = amount
            break
    else:
        raise AssertionError(f"no installment of {customer} due {due}")
    wb.save(path)


def delete_receipt(path: Path, reference: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if "Receipts" in ws.tables)
    headers = [c.value for c in ws[1]]
    at = headers.index(ct.RECEIPTS.column("reference").label(load(path).lang))
    for row in ws.iter_rows(min_row=2):
        if row[at].value == reference:
            for c in row:
                c.value = None
    wb.save(path)


def commitments(book: Book) -> dict[tuple[str, date], Decimal]:
    out: dict[tuple[str, date], Decimal] = {}
    for i in book.commitments:
        assert (i.customer_id, i.due) not in out, "an installment counted twice"
        out[i.customer_id, i.due] = i.amount
    return out


def receipts(book: Book) -> dict[str | None, tuple[str, Decimal]]:
    out: dict[str | None, tuple[str, Decimal]] = {}
    for r in book.receipts:
        assert r.reference not in out, f"receipt {r.reference} counted twice"
        out[r.reference] = (r.customer_id, r.amount)
    return out


def collect_lines(path: Path) -> list[dict[str, Any]]:
    _, headers, rows = table_rows(path, "Collect")
    keys = [c.key for c in ct.COLLECT.columns]
    assert len(headers) == len(keys)
    return [dict(zip(keys, row, strict=True)) for row in rows]


def event(lang: str, key: str) -> str:
    return ct.choice_label(ct.COLLECT_EVENTS, key, lang)


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_three_way_collect_keeps_the_managers_changes(lang: str, tmp_path: Path) -> None:
    team = team_book(tmp_path / "team.xlsx", lang)
    mail = tmp_path / "mail"
    run = huikuan("split", team, "--out", mail, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    lina, wang = mail / "李娜.xlsx", mail / "王强.xlsx"
    # the hidden snapshot: in each rep's file, hidden, holding only that rep's rows
    wb = openpyxl.load_workbook(lina)
    assert wb["_huikuan_sent"].sheet_state == "hidden"
    _, _, sent_rows = table_rows(lina, "_huikuan_sent")
    assert {r[2] for r in sent_rows if r[0] != "split"} == {"C001", "C002"}
    assert not any("C003" in str(cell) for r in sent_rows for cell in r)

    # the manager, after split
    set_amount(team, "C001", date(2026, 11, 10), 70000)
    set_amount(team, "C002", date(2026, 11, 15), 45000)
    set_amount(team, "C003", date(2026, 11, 20), 60000)
    # 李娜
    set_amount(lina, "C001", date(2026, 11, 25), 36000)
    set_amount(lina, "C002", date(2026, 11, 15), 48000)
    delete_receipt(lina, "R-1")
    assert huikuan("refresh", lina, "--as-of", AS_OF).returncode == 0  # her figures, in place
    add_rows(
        lina,
        "Receipts",
        [{"date": "2026-11-20", "customer_id": "C002", "amount": 10000, "reference": "R-3"}],
    )
    # 王强: a receipt and a follow-up for 李娜's C001, then LibreOffice saves his file
    add_rows(
        wang,
        "Receipts",
        [{"date": "2026-11-21", "customer_id": "C001", "amount": 5000, "reference": "R-9"}],
    )
    add_rows(
        wang,
        "FollowUps",
        [
            {
                "date": "2026-11-21",
                "customer_id": "C001",
                "result": ct.choice_label(ct.RESULTS, "paid", lang),
            }
        ],
    )
    resaved = recalculate(wang, tmp_path / "lo")
    shutil.move(resaved, wang)

    out = tmp_path / "new.xlsx"
    run = huikuan("collect", mail, "--base", team, "-o", out, "--as-of", AS_OF)
    assert run.returncode == 1, run.stderr  # lines to check: the conflict, deletion, C001's rows
    assert (
        "xlwings.conf" not in run.stderr and "chart" not in run.stderr and "图表" not in run.stderr
    )
    merged = load(out)
    assert commitments(merged) == {
        ("C001", date(2026, 11, 10)): Decimal(70000),  # team only
        ("C001", date(2026, 11, 25)): Decimal(36000),  # rep only
        ("C002", date(2026, 11, 15)): Decimal(45000),  # both: the team's
        ("C003", date(2026, 11, 20)): Decimal(60000),  # team only, through a LibreOffice save
    }
    assert receipts(merged) == {
        "R-1": ("C001", Decimal(30000)),  # deleted by the rep: kept
        "R-2": ("C003", Decimal(20000)),
        "R-3": ("C002", Decimal(10000)),
        "R-9": ("C001", Decimal(5000)),  # 王强's, for 李娜's customer
    }
    assert [(f.customer_id, f.date) for f in merged.followups] == [("C001", date(2026, 11, 21))]

    lines = collect_lines(out)
    by = {(ln["event"], ln["customer_id"]) for ln in lines}
    zh = lang == "zh"
    # C001's 65,000 → 70,000 is the team's, and never said to be the rep's change
    [c001] = [
        ln
        for ln in lines
        if ln["event"] == event(lang, "team_changed") and "65,000" in ln["detail"]
    ]
    assert c001["customer_id"] == "C001" and "70,000" in c001["detail"]
    assert ("业务员未修改" if zh else "unchanged by the rep") in c001["resolution"]
    changed = [ln for ln in lines if ln["event"] == event(lang, "changed")]
    assert [(ln["customer_id"], "36,000" in ln["detail"]) for ln in changed] == [("C001", True)]
    assert not any("70,000" in ln["detail"] for ln in changed)
    [conflict] = [ln for ln in lines if ln["event"] == event(lang, "conflict")]
    assert conflict["customer_id"] == "C002"
    for figure in ("50,000", "45,000", "48,000"):
        assert figure in conflict["detail"]
    [deleted] = [ln for ln in lines if ln["event"] == event(lang, "deleted")]
    assert deleted["customer_id"] == "C001" and "R-1" in deleted["detail"]
    cross = [ln for ln in lines if ln["event"] == event(lang, "cross_rep")]
    assert {ln["table"] for ln in cross} == {
        ct.RECEIPTS.title(lang),
        ct.FOLLOWUPS.title(lang),
    }
    said = (
        "王强 为 李娜 的客户 C001 登记了回款"
        if zh
        else "王强 logged a receipt for 李娜's customer C001"
    )
    assert any(ln["detail"].startswith(said) for ln in cross)
    # nothing called unknown, nothing of C003 said changed by anyone but the team
    assert not any(ev == event(lang, "bad_row") for ev, _ in by)
    assert {ev for ev, cid in by if cid == "C003"} == {event(lang, "team_changed")}
    # the printed lines say the same
    assert ("双方均修改" if zh else "changed by both") in run.stdout

    # collecting the same returns again into the result, in place, adds nothing
    # (and is allowed: the result lacks nothing a rebuilt workbook would not carry)
    run = huikuan("collect", mail, "--base", out, "-o", out, "--as-of", AS_OF)
    assert run.returncode == 1, run.stderr
    again = load(out)
    assert commitments(again) == commitments(merged)
    assert receipts(again) == receipts(merged)
    assert len(again.followups) == 1


def test_a_return_without_its_snapshot_is_merged_two_ways_and_said(tmp_path: Path) -> None:
    team = team_book(tmp_path / "team.xlsx", "zh")
    mail = tmp_path / "mail"
    assert huikuan("split", team, "--out", mail, "--as-of", AS_OF).returncode == 0
    set_amount(team, "C001", date(2026, 11, 10), 70000)
    wb = openpyxl.load_workbook(mail / "李娜.xlsx")
    del wb["_huikuan_sent"]
    wb.save(mail / "李娜.xlsx")
    out = tmp_path / "new.xlsx"
    run = huikuan("collect", mail, "--base", team, "-o", out, "--as-of", AS_OF)
    assert run.returncode == 1
    [line] = [ln for ln in collect_lines(out) if ln["event"] == event("zh", "no_snapshot")]
    assert line["file"] == "李娜.xlsx" and "没有分发记录" in line["detail"]
    assert "两方" in line["resolution"]
    # two ways, as before: the rep's unchanged 65,000 replaces the team's 70,000 — said so
    assert commitments(load(out))["C001", date(2026, 11, 10)] == Decimal(65000)
    assert any(
        ln["event"] == event("zh", "changed") and "70,000" in ln["detail"]
        for ln in collect_lines(out)
    )


def test_an_altered_snapshot_is_not_trusted(tmp_path: Path) -> None:
    team = team_book(tmp_path / "team.xlsx", "en")
    mail = tmp_path / "mail"
    assert huikuan("split", team, "--out", mail, "--as-of", AS_OF).returncode == 0
    wb = openpyxl.load_workbook(mail / "李娜.xlsx")
    ws = wb["_huikuan_sent"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Commitments":
            row[4].value = row[4].value.replace("65000.00", "1.00")
            break
    wb.save(mail / "李娜.xlsx")
    out = tmp_path / "new.xlsx"
    run = huikuan("collect", mail, "--base", team, "-o", out, "--as-of", AS_OF)
    assert run.returncode == 1
    [line] = [ln for ln in collect_lines(out) if ln["event"] == event("en", "no_snapshot")]
    assert line["file"] == "李娜.xlsx" and "altered" in line["detail"]
    assert "_huikuan_sent!D" in line["detail"]  # the cell named
    # nothing lost: the team's figures stand (nothing changed on either side)
    assert commitments(load(out)) == commitments(load(team))


# ---- the merge itself (engine/merge.py), cases worked by hand --------------------

D = Decimal
NOV = date(2026, 11, 1)


def inst(cid: str, day: int, amount: int) -> Installment:
    return Installment(customer_id=cid, due=date(2026, 11, day), amount=D(amount))


def sent_book() -> Book:
    """What split sent Ann: A1 with two installments, a receipt, a plan row."""
    return Book(
        customers=(Customer(customer_id="A1", name="Alpha", rep="Ann", phone="111", contact="Wu"),),
        plan=(PlanRow(month=NOV, customer_id="A1", target=D(100000), expected=D(60000)),),
        commitments=(inst("A1", 10, 65000), inst("A1", 25, 35000)),
        receipts=(Receipt(date=date(2026, 11, 8), customer_id="A1", amount=D(30000)),),
        reps=(Rep(rep="Ann"),),
        lang="en",
    )


def with_bob(book: Book) -> Book:
    """The team: Ann's part plus Bob's customer B1."""
    return book.updated(
        {
            "customers": (*book.customers, Customer(customer_id="B1", name="Beta", rep="Bob")),
            "reps": (Rep(rep="Ann"), Rep(rep="Bob")),
        }
    )


def test_merge_rows3_each_case() -> None:
    a65, a70, a68 = inst("A1", 10, 65000), inst("A1", 10, 70000), inst("A1", 10, 68000)
    loose = LOOSE["commitments"]
    # unchanged by the rep: the base's, whatever the team did
    got = merge_rows3([a70], [a65], [a65], loose)
    assert (got.in_place, got.added, got.changed, got.team) == ([a70], [], [], [(a65, a70)])
    # changed by the rep only: the rep's
    got = merge_rows3([a65], [a65], [a68], loose)
    assert (got.in_place, got.changed) == ([a68], [(a65, a68)])
    # changed by both: the base's, a conflict (base, rep, sent)
    got = merge_rows3([a70], [a65], [a68], loose)
    assert (got.in_place, got.changed, got.conflicts) == ([a70], [], [(a70, a68, a65)])
    # the same change on both sides: no conflict
    got = merge_rows3([a70], [a65], [a70], loose)
    assert (got.in_place, got.conflicts, got.same) == ([a70], [], 1)
    # deleted by the rep: kept and listed
    got = merge_rows3([a65], [a65], [], loose)
    assert (got.in_place, got.deleted) == ([a65], [a65])
    # deleted by the team, unchanged by the rep: stays deleted
    got = merge_rows3([], [a65], [a65], loose)
    assert (got.in_place, got.added, got.team) == ([], [], [(a65, None)])
    # deleted by the team, changed by the rep: not taken back, a conflict
    got = merge_rows3([], [a65], [a68], loose)
    assert (got.added, got.conflicts) == ([], [(None, a68, a65)])
    # the rep moved the due day (the loose key) and the amount: still the same row, changed
    moved = inst("A1", 12, 60000)
    got = merge_rows3([a65], [a65], [moved], loose)
    assert (got.in_place, got.added, got.deleted) == ([moved], [], [])
    # a row the rep added that the team also typed after split: once
    new = inst("A1", 30, 5000)
    got = merge_rows3([a65, new], [a65], [a65, new], loose)
    assert (got.in_place, got.added) == ([a65, new], [])
    # amounts equal to the fen are equal (a re-saved 65000 reads as 65000.00)
    got = merge_rows3(
        [a70], [a65], [inst("A1", 10, 65000).updated({"amount": D("65000.00")})], loose
    )
    assert got.team and not got.conflicts


def test_customers_and_plan_field_by_field() -> None:
    sent = sent_book()
    a1 = sent.customers[0]
    # the team, after split: A1's phone and target and expected changed
    base = with_bob(
        sent.updated(
            {
                "customers": (a1.updated({"phone": "222", "contact": "Li"}),),
                "plan": (sent.plan[0].updated({"target": D(120000), "expected": D(70000)}),),
            }
        )
    )
    # Ann: phone untouched, contact changed (conflict), email added (taken); expected and ask changed
    ret = sent.updated(
        {
            "customers": (a1.updated({"contact": "Zhao", "email": "a@x.cn"}),),
            "plan": (sent.plan[0].updated({"expected": D(65000), "ask": D(50000)}),),
        }
    )
    out = merge(base, [Return("ann.xlsx", "Ann", ret, sent=sent)])
    [cust] = [c for c in out.book.customers if c.customer_id == "A1"]
    assert (cust.phone, cust.contact, cust.email) == ("222", "Li", "a@x.cn")
    [plan] = out.book.plan
    # target: the team's 120000 (the rep left 100000 as sent: no "target" event);
    # expected: both changed → the team's 70000; ask: the rep's 50000
    assert (plan.target, plan.expected, plan.ask) == (D(120000), D(70000), D(50000))
    found = {(e.kind, e.table, e.field) for e in out.events}
    assert ("target", "Plan", "target") not in found
    assert ("conflict", "Customers", "contact") in found
    assert ("conflict", "Plan", "expected") in found
    assert ("customer", "Customers", "email") in found
    assert ("team_changed", "Customers", "phone") in found
    assert ("team_changed", "Plan", "target") in found


def test_another_reps_customer_receipt_is_taken_once() -> None:
    sent = sent_book()
    team = with_bob(sent)
    paid = Receipt(date=date(2026, 11, 21), customer_id="A1", amount=D(5000), reference="R-9")
    # Bob's file: his B1, and a receipt for Ann's A1 (the reader added A1 as referenced)
    bob = Book(
        customers=(
            Customer(customer_id="B1", name="Beta", rep="Bob"),
            Customer(customer_id="A1", name="Alpha", rep="Ann"),
        ),
        receipts=(paid,),
        reps=(Rep(rep="Bob"),),
        lang="en",
    )
    bob_sent = Book(customers=(bob.customers[0],), reps=(Rep(rep="Bob"),), lang="en")
    returns = [
        Return("bob.xlsx", "Bob", bob, sent=bob_sent, referenced=frozenset({"A1"})),
        Return("ann.xlsx", "Ann", sent, sent=sent),
    ]
    out = merge(team, returns)
    assert out.book.receipts.count(paid) == 1
    assert [(e.kind, e.owner, e.taken) for e in out.events] == [("cross_rep", "Ann", True)]
    # Ann logged the same receipt too: it counts once, and Bob's line says so
    ann = sent.updated({"receipts": (*sent.receipts, paid)})
    out = merge(team, [returns[0], Return("ann.xlsx", "Ann", ann, sent=sent)])
    assert out.book.receipts.count(paid) == 1
    assert [(e.kind, e.taken) for e in out.events] == [("cross_rep", False)]


def test_the_demo_team_collects_without_false_warnings(tmp_path: Path) -> None:
    team = tmp_path / "team.xlsx"
    jobs.demo(team, "zh", date(2026, 11, 23))
    mail = tmp_path / "mail"
    assert huikuan("split", team, "--out", mail, "--as-of", AS_OF).returncode == 0
    run = huikuan("collect", mail, "--base", team, "-o", tmp_path / "new.xlsx", "--as-of", AS_OF)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""  # no "lacks the base's sheet xlwings.conf / charts"
    assert "0 条需核实" in run.stdout
    assert load(tmp_path / "new.xlsx") == load(team)


def test_rolled_and_extended_after_split_nothing_to_check(tmp_path: Path) -> None:
    """The manager rolls the team book into December and gives 李娜 a new customer after
    split; both reps send their files back untouched: the team book comes back as it
    is now, and nothing is called missing in the returns."""
    team = team_book(tmp_path / "team.xlsx", "zh")
    mail = tmp_path / "mail"
    assert huikuan("split", team, "--out", mail, "--as-of", AS_OF).returncode == 0
    run = huikuan("roll", team, "--to", "2026-12", "--as-of", "2026-11-30")
    assert run.returncode == 0, run.stderr
    add_rows(team, "Customers", [{"customer_id": "C004", "name": "西部机械", "rep": "李娜"}])
    now = load(team)
    assert {p.month for p in now.plan} == {NOV, date(2026, 12, 1)}
    assert any(i.carried_from for i in now.commitments)  # roll carried what was unpaid
    out = tmp_path / "new.xlsx"
    run = huikuan("collect", mail, "--base", team, "-o", out, "--as-of", AS_OF)
    assert run.returncode == 0, run.stdout + run.stderr
    settings = {"cadences": (), "thresholds": ()}  # the rebuilt book has the template's
    assert load(out).updated(settings) == now.updated(settings)
    lines = collect_lines(out)
    assert not any(ln["event"] == event("zh", "kept") for ln in lines)
    [c004] = [ln for ln in lines if ln["customer_id"] == "C004"]
    assert c004["event"] == event("zh", "team_changed") and "分发后" in c004["detail"]


def test_the_package_writer_adds_a_hidden_sheet_that_reads_back(tmp_path: Path) -> None:
    """What split sent, written by the package writer into a workbook that has no such
    sheet: hidden in Excel's terms, and read back by calamine as it was written."""
    from huikuan.team.sent import read_sent, sent_table
    from huikuan.workbook import package_writer
    from huikuan.workbook.files import FileTables

    path = team_book(tmp_path / "team.xlsx", "en")
    book = load(path)
    table = sent_table(book, "李娜", date(2026, 11, 23))
    package_writer.write_outputs(path, path, [table])
    wb = openpyxl.load_workbook(path)
    assert wb["_huikuan_sent"].sheet_state == "hidden"
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets if ws.title != "_huikuan_sent")
    sent = read_sent(FileTables(path), "李娜")
    assert sent.as_of == date(2026, 11, 23)
    assert sent.book.updated({"reps": (), "lang": book.lang}) == book.updated(
        {"reps": (), "cadences": (), "holidays": (), "thresholds": ()}
    )
