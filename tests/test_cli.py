"""The `huikuan` command end to end: a real subprocess on real .xlsx files."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from books import (
    Tab,
    cells,
    errors_only,
    folder,
    huikuan,
    sample_book,
    table_refs,
    table_rows,
    write_book,
)
from huikuan import contract

AS_OF = "2026-11-23"
OURS = tuple(t.name for t in contract.OUTPUT_TABLES)

STATUS_HEADERS = {
    "en": [
        "Month",
        "Customer ID",
        "Customer",
        "Sales rep",
        "Credit grade",
        "Key account",
        "Target",
        "Committed",
        "Gap",
        "Measures",
        "Remaining gap",
        "Coverage",
        "Received",
        "Due to date",
        "Fulfilment",
        "Completion",
        "Promise",
        "Next follow-up",
        "Priority",
    ],
    "zh": [
        "月份",
        "客户编号",
        "客户名称",
        "业务员",
        "信用等级",
        "重点客户",
        "我方目标",
        "已承诺",
        "目标差距",
        "措施贡献",
        "剩余差距",
        "覆盖率",
        "已回款",
        "应回款至今",
        "兑现率",
        "完成率",
        "承诺状态",
        "下次跟进",
        "优先级",
    ],
}
PROBLEM_HEADERS = {
    "en": ["Sheet", "Cell", "Value", "Problem", "Severity"],
    "zh": ["工作表", "单元格", "值", "问题", "级别"],
}

# The sample team of books.py as of 2026-11-23, worked by hand:
# C1: committed 60000 + 40000 = 100000; gap 200000 − 100000 = 100000; measures 30000 (the
#     20000 one is dropped); remaining 70000; coverage 0.3; received 50000; due to date
#     60000 (11-10; 11-25 is later); fulfilment 50000/60000; completion 50000/200000.
#     Grade A grace 5: 11-10 is late, 50000 of 60000 owed → partial.
# C2: committed 30000; gap 50000 − 30000 = 20000; measures 25000 → remaining 0, coverage
#     1.25 (not capped); received 0; due 30000; fulfilment 0; completion 0. Grade C grace 1:
#     11-05 is late and nothing came → broken.
# C3: target 0, no commitment: gap 0, coverage 1; received 1000 + 234.565 = 1234.565,
#     written 1234.57 (half-up to the fen); fulfilment and completion empty; promise none.
FIRST = datetime(2026, 11, 1)
STATUS_ROWS = [
    # month, id, name, rep, grade, key, target, committed, gap, measures, remaining,
    # coverage, received, due to date, fulfilment, completion, promise (key)
    [FIRST, "C1", "Acme Trading", "Wang", "A", True, "200000", "100000", "100000", "30000",
     "70000", 0.3, "50000", "60000", 50000 / 60000, 0.25, "partial"],
    [FIRST, "C2", "Beta Foods", "Li", "C", False, "50000", "30000", "20000", "25000",
     "0", 1.25, "0", "30000", 0.0, 0.0, "broken"],
    [FIRST, "C3", "Gamma Retail", "Wang", "D", False, "0", "0", "0", "0",
     "0", 1.0, "1234.57", "0", None, None, "none"],
]  # fmt: skip
YES = {"en": {True: "yes", False: "no"}, "zh": {True: "是", False: "否"}}
PROMISE = {
    "en": {"partial": "partial", "broken": "broken", "none": "none"},
    "zh": {"partial": "部分兑现", "broken": "失约", "none": "未承诺"},
}
AMOUNT_COLS = range(6, 11)
RATIO_COLS = (11, 14, 15)

# The bad rows of books.BAD_ROWS, as the Problems table shows them (sheet, cell, value)
# with a fragment of the message in each language.
BAD = [
    ("Plan", "A5", "2026-13", "not a month", "不是月份"),
    ("Commitments", "C5", "待定", "not an amount", "不是金额"),
    ("Receipts", "B5", "C9", "unknown customer", "未知客户"),
]


def assert_status(path: Path, lang: str) -> None:
    sheet, headers, rows = table_rows(path, "Status")
    assert sheet == "Status"
    assert headers[: len(STATUS_HEADERS[lang])] == STATUS_HEADERS[lang]  # SPEC's, then ours
    assert len(rows) == len(STATUS_ROWS)
    for got, want in zip(rows, STATUS_ROWS, strict=True):
        label = want[:17]
        label[5] = YES[lang][want[5]]
        label[16] = PROMISE[lang][want[16]]
        for col, (g, w) in enumerate(zip(got[:17], label, strict=True)):
            if col in AMOUNT_COLS or col == 12 or col == 13:
                assert Decimal(str(g)) == Decimal(w), (want[1], headers[col], g)
            elif col in RATIO_COLS:
                assert g == (None if w is None else pytest.approx(w, rel=1e-12)), (
                    want[1],
                    headers[col],
                    g,
                )
            else:
                assert g == w, (want[1], headers[col], g)


def problem_rows(path: Path) -> list[list[Any]]:
    """The Problems sheet's errors (the sample team types amounts and dates as text, which
    are warnings: test_forgiving_input looks at those)."""
    sheet, _, rows = table_rows(path, "Problems")
    assert sheet == "Problems"
    return [r for r in rows if any(v is not None for v in r) and r[4] not in ("warning", "警告")]


def output_headers(path: Path) -> dict[str, list[str]]:
    return {name: table_rows(path, name)[1] for name in OURS}


# ---- check ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_check_lists_each_bad_cell_and_changes_nothing(tmp_path: Path, lang: str) -> None:
    path = sample_book(tmp_path / "book.xlsx", lang, bad=True)
    before = path.read_bytes()
    run = huikuan("check", path)
    assert run.returncode == 1, run.stderr
    lines = errors_only(run.stderr).splitlines()
    assert len(lines) == len(BAD), run.stderr
    for sheet, cell, value, en, zh in BAD:
        [line] = [ln for ln in lines if f"{sheet}!{cell} [{value}]" in ln]
        assert (zh if lang == "zh" else en) in line
    assert ("3 条计划" if lang == "zh" else "3 plan rows") in run.stdout
    assert path.read_bytes() == before
    assert folder(tmp_path) == {"book.xlsx"}


def test_check_on_a_clean_book_exits_0(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    before = path.read_bytes()
    run = huikuan("check", path)
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    assert "3 plan rows" in run.stdout
    assert "0 problem(s)" in run.stdout
    assert path.read_bytes() == before


# ---- refresh ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refresh_writes_status_and_an_empty_problems_table(tmp_path: Path, lang: str) -> None:
    path = sample_book(tmp_path / "book.xlsx", lang)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    assert_status(path, lang)
    assert output_headers(path)["Problems"] == PROBLEM_HEADERS[lang]
    assert problem_rows(path) == []
    assert folder(tmp_path) == {"book.xlsx"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refresh_with_bad_rows_lists_them_and_computes_the_good_ones(
    tmp_path: Path, lang: str
) -> None:
    path = sample_book(tmp_path / "book.xlsx", lang, bad=True)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert run.returncode == 1, run.stderr
    for sheet, cell, value, _, _ in BAD:
        assert f"{sheet}!{cell} [{value}]" in run.stderr
    assert_status(path, lang)  # the bad rows are left out; every good one is there
    rows = problem_rows(path)
    assert sorted(r[:3] for r in rows) == sorted([s, c, v] for s, c, v, _, _ in BAD)
    for sheet, cell, _, en, zh in BAD:
        [message] = [r[3] for r in rows if r[:2] == [sheet, cell]]
        assert (zh if lang == "zh" else en) in message


def test_refresh_twice_gives_the_same_workbook(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx", "zh", bad=True)
    assert huikuan("refresh", path, "--as-of", AS_OF).returncode == 1
    first, first_refs = cells(path), table_refs(path)
    assert huikuan("refresh", path, "--as-of", AS_OF).returncode == 1
    assert cells(path) == first
    assert table_refs(path) == first_refs
    width = get_column_letter(len(contract.STATUS.columns))
    assert first_refs["Status"] == {"Status": f"A1:{width}4"}
    # the 3 bad rows, and 15 warnings: amounts and dates of the sample typed as text
    assert first_refs["Problems"] == {"Problems": "A1:E19"}


def add_notes(wb: Any) -> None:
    """A user's own sheet: text, numbers, a date and a formula."""
    ws = wb.create_sheet("Notes", 0)
    ws["A1"] = "Monthly review"
    ws["B2"] = 12345.5
    ws["B3"] = datetime(2026, 11, 2)
    ws["B4"] = "=SUM(B2:B3)"
    ws["D9"] = "回款会议纪要"


def test_refresh_changes_no_input_cell_and_no_user_sheet(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx", "en", bad=True, more=add_notes)
    before, refs = cells(path), table_refs(path)
    assert huikuan("refresh", path, "--as-of", AS_OF).returncode == 1
    assert cells(path, skip=OURS) == before
    after_refs = table_refs(path)
    assert {k: v for k, v in after_refs.items() if k not in OURS} == refs
    assert set(after_refs) == set(refs) | set(OURS)


def test_refresh_replaces_stale_outputs(tmp_path: Path) -> None:
    """A bad book refreshed, fixed, refreshed again: Problems is emptied, Status rewritten."""
    path = sample_book(tmp_path / "book.xlsx", "en", bad=True)
    assert huikuan("refresh", path, "--as-of", AS_OF).returncode == 1
    assert len(problem_rows(path)) == len(BAD)
    clean = sample_book(tmp_path / "clean.xlsx", "en")
    # fix the book as a person would: delete the bad rows (the last of their tables)
    wb, src = openpyxl.load_workbook(path), openpyxl.load_workbook(clean)
    for ws in src.worksheets:
        target = wb[ws.title]
        for row in target.iter_rows(min_row=ws.max_row + 1):
            for c in row:
                c.value = None
        target.tables[ws.title].ref = ws.tables[ws.title].ref
    wb.save(path)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    assert problem_rows(path) == []
    assert_status(path, "en")


def test_refresh_to_another_file_leaves_the_input_as_it_was(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx", "en", bad=True, more=add_notes)
    before, before_cells = path.read_bytes(), cells(path)
    out = tmp_path / "out.xlsx"
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", out)
    assert run.returncode == 1
    assert path.read_bytes() == before
    assert_status(out, "en")
    assert len(problem_rows(out)) == len(BAD)
    assert cells(out, skip=OURS) == before_cells
    assert folder(tmp_path) == {"book.xlsx", "out.xlsx"}


def user_status_sheet(wb: Any) -> None:
    ws = wb.create_sheet("Status")
    ws["A1"] = "my own status notes"


def user_problems_table(wb: Any) -> None:
    from openpyxl.worksheet.table import Table

    ws = wb.create_sheet("Issues")
    ws.append(["Issue", "Owner"])
    ws.append(["printer", "Li"])
    ws.add_table(Table(displayName="Problems", ref="A1:B2"))


@pytest.mark.parametrize(
    ("more", "said"),
    [(user_status_sheet, "sheet Status exists"), (user_problems_table, "sheet Issues")],
    ids=["sheet-named-Status", "table-named-Problems"],
)
@pytest.mark.parametrize("to_other_file", [False, True], ids=["in-place", "to-out"])
def test_refresh_refuses_to_overwrite_a_users_sheet(
    tmp_path: Path, more: Any, said: str, to_other_file: bool
) -> None:
    path = sample_book(tmp_path / "book.xlsx", "en", more=more)
    before = path.read_bytes()
    extra = ["-o", tmp_path / "out.xlsx"] if to_other_file else []
    run = huikuan("refresh", path, "--as-of", AS_OF, *extra)
    assert run.returncode == 2
    assert said in run.stderr
    assert "rename" in run.stderr.lower()
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == before
    assert folder(tmp_path) == {"book.xlsx"}


# ---- the command line itself -------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("template", ["-o", "--output", "--lang", "--force"]),
        ("demo", ["-o", "--output", "--lang", "--as-of", "--force"]),
        ("check", ["BOOK.xlsx"]),
        ("refresh", ["BOOK.xlsx", "--as-of", "-o", "--output"]),
    ],
)
def test_every_command_has_help(command: str, options: list[str]) -> None:
    run = huikuan(command, "--help")
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    assert f"usage: huikuan {command}" in run.stdout
    for option in options:
        assert option in run.stdout


def test_top_level_help_names_every_command() -> None:
    run = huikuan("--help")
    assert run.returncode == 0
    for command in ("template", "demo", "check", "refresh"):
        assert command in run.stdout


def test_template_does_not_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "X.xlsx"
    path.write_bytes(b"someone's file")
    run = huikuan("template", "-o", path)
    assert run.returncode == 2
    assert "X.xlsx" in run.stderr
    assert "--force" in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == b"someone's file"
    assert folder(tmp_path) == {"X.xlsx"}


def test_refresh_does_not_overwrite_another_file_without_force(tmp_path: Path) -> None:
    path = sample_book(tmp_path / "book.xlsx", "en")
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"last month's report")
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", out)
    assert run.returncode == 2
    assert "--force" in run.stderr
    assert out.read_bytes() == b"last month's report"
    run = huikuan("refresh", path, "--as-of", AS_OF, "-o", out, "--force")
    assert run.returncode == 0, run.stderr
    assert_status(out, "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_fresh_template_checks_clean(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "X.xlsx"
    path.write_bytes(b"old")
    run = huikuan("template", "-o", path, "--lang", lang, "--force")
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    run = huikuan("check", path)
    assert (run.returncode, errors_only(run.stderr)) == (0, "")
    assert folder(tmp_path) == {"X.xlsx"}


@pytest.mark.parametrize("as_of", ["2026-13-45", "tomorrow", "2026-02-30"])
def test_a_bad_as_of_is_refused(tmp_path: Path, as_of: str) -> None:
    path = sample_book(tmp_path / "book.xlsx")
    before = path.read_bytes()
    run = huikuan("refresh", path, "--as-of", as_of)
    assert run.returncode == 2
    assert "--as-of" in run.stderr
    assert as_of in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == before


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    run = huikuan("check", tmp_path / "nowhere.xlsx")
    assert run.returncode == 2
    assert "nowhere.xlsx: no such file" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_table_at_c3_on_a_renamed_tab_is_addressed_on_the_command_line(tmp_path: Path) -> None:
    customers = Tab(
        "Customers",
        ["客户编号", "客户名称", "业务员"],
        [["K1", "甲", "王"], ["K2", None, "李"]],
        sheet="客户资料",
        at="C3",
    )
    plan = Tab("Plan", ["月份", "客户编号", "我方目标"], [["2026年11月", "K1", "十二万"]])
    path = write_book(tmp_path / "book.xlsx", [customers, plan])
    run = huikuan("check", path)
    assert run.returncode == 1
    assert errors_only(run.stderr).splitlines() == ["问题: 客户资料!D5 客户名称不能为空"]


HELPS = [
    ("template",),
    ("demo",),
    ("check",),
    ("refresh",),
    ("diagnose",),
    ("schedule",),
    ("split",),
    ("collect",),
    ("roll",),
    ("addin", "build"),
    ("addin", "install"),
    ("addin", "uninstall"),
    ("addin", "status"),
    ("addin", "doctor"),
    ("history", "push"),
    ("history", "show"),
    ("history", "export"),
]


def test_every_help_is_true_to_what_the_command_does() -> None:
    """Read as a user does: no argparse escape (%%) shown literally; refresh names every
    sheet it writes; show and export, which take no workbook, look in the current folder."""
    texts = {}
    for words in HELPS:
        done = huikuan(*words, "--help")
        assert done.returncode == 0, done.stderr
        assert "%%" not in done.stdout, words
        texts[words] = " ".join(done.stdout.split())
    assert "%APPDATA%\\Microsoft\\AddIns" in texts[("addin", "install")]
    for table in contract.OUTPUT_TABLES:
        assert table.name in texts[("refresh",)], table.name
    for words in (("history", "show"), ("history", "export")):
        assert "huikuan-history.db in the current folder" in texts[words]
    assert "huikuan-history.db beside the workbook" in texts[("history", "push")]
