"""Everyday slips cost only what they must, and nothing passes silently (issue 13 items 1–2).

Each slip is made in a real workbook (openpyxl writes real Excel tables) and run
through the real command in a subprocess, as a user would. The team's figures are
worked by hand below.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from books import Tab, huikuan, table_rows, write_book

AS_OF = "2026-11-23"
NOV = date(2026, 11, 1)

# Two reps, eight customers, November 2026. Targets by hand:
#   王强 C001 150000 + C002 100000 + C003 80000 + C004 120000 = 450000
#   李娜 C005  80000 + C006  95000 + C007 70000 + C008  120000 = 365000
#   team 815000 (81.5万). Without C004's plan row it would be 695000 (69.5万).
# C004 promised 100000 due 2026-11-10 and paid nothing: broken as of 11-23.
CUSTOMERS = [
    ["C001", "甲商贸", "王强", "A", "是"],
    ["C002", "乙食品", "王强", "B", "否"],
    ["C003", "丙超市", "王强", "B", "否"],
    ["C004", "丁批发", "王强", "C", "否"],
    ["C005", "戊百货", "李娜", "A", "是"],
    ["C006", "己连锁", "李娜", "B", "否"],
    ["C007", "庚便利", "李娜", "C", "否"],
    ["C008", "辛商行", "李娜", "B", "否"],
]
TARGETS = {
    "C001": 150000,
    "C002": 100000,
    "C003": 80000,
    "C004": 120000,
    "C005": 80000,
    "C006": 95000,
    "C007": 70000,
    "C008": 120000,
}
TEAM_TARGET = 815000
ASKS = {"C001": 160000}
SLIP = "约十来万"  # C004's ask typed as an estimate in words
COMMITMENTS = [
    ["C001", date(2026, 11, 25), 150000],
    ["C004", date(2026, 11, 10), 100000],
    ["C008", date(2026, 11, 20), 60000],
]
RECEIPTS = [
    [date(2026, 11, 5), "C002", 40000, "R-1"],
    [date(2026, 11, 20), "C008", 60000, "R-2"],
]
HEADERS = {
    "Customers": ["客户编号", "客户名称", "业务员", "信用等级", "重点客户"],
    "Plan": ["月份", "客户编号", "我方目标", "提出要求", "共同制定"],
    "Commitments": ["客户编号", "承诺回款日", "承诺金额"],
    "Receipts": ["回款日期", "客户编号", "回款金额", "凭证号"],
}


def team_tabs(
    customers: list[list[Any]] | None = None,
    headers: dict[str, list[str]] | None = None,
    receipts_extra: dict[str, Any] | None = None,
    slip: bool = False,
) -> list[Tab]:
    heads = {**HEADERS, **(headers or {})}
    asks = {**ASKS, "C004": SLIP} if slip else ASKS
    plan = [[NOV, cid, target, asks.get(cid), "是"] for cid, target in TARGETS.items()]
    return [
        Tab("Customers", heads["Customers"], customers or CUSTOMERS),
        Tab("Plan", heads["Plan"], plan),
        Tab("Commitments", heads["Commitments"], COMMITMENTS),
        Tab("Receipts", heads["Receipts"], RECEIPTS, extra=receipts_extra or {}),
    ]


def rows_of(path: Path, table: str) -> list[dict[str, Any]]:
    _, headers, rows = table_rows(path, table)
    return [dict(zip(headers, r, strict=True)) for r in rows if any(v is not None for v in r)]


def lines(stderr: str, head: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith(head)]


# ---- item 1: a bad cell costs only that cell ------------------------------------------------


def test_a_bad_optional_ask_keeps_the_plan_row_in_every_figure(tmp_path: Path) -> None:
    """约十来万 in C004's 提出要求: the team target stays 81.5万, C004's broken 10万
    promise stays on Status and in the Schedule; one error names the cell (exit 1)."""
    path = write_book(tmp_path / "团队.xlsx", team_tabs(slip=True))
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert run.returncode == 1, run.stderr
    [error] = lines(run.stderr, "问题")
    assert error.startswith("问题: Plan!D5 [约十来万] 提出要求：不是金额")
    assert "按空白处理" in error
    dashboard = {r["业务员"]: r for r in rows_of(path, "Dashboard")}
    assert dashboard["全部"]["我方目标"] == TEAM_TARGET
    assert dashboard["王强"]["我方目标"] == 450000
    status = {r["客户编号"]: r for r in rows_of(path, "Status")}
    assert status["C004"]["我方目标"] == 120000
    assert status["C004"]["已承诺"] == 100000
    assert status["C004"]["承诺状态"] == "失约"
    assert sum(r["我方目标"] for r in status.values()) == TEAM_TARGET
    assert "C004" in {r["客户编号"] for r in rows_of(path, "Schedule")}
    [problem] = [r for r in rows_of(path, "Problems") if r["级别"] == "错误"]
    assert (problem["工作表"], problem["单元格"], problem["值"]) == ("Plan", "D5", "约十来万")


def test_a_customer_left_out_is_named_as_the_cause_in_its_other_rows(tmp_path: Path) -> None:
    """A blank 业务员 for C008: one problem at the blank cell, and each of C008's rows
    elsewhere says why it is left out — never 未知客户 (unknown customer)."""
    customers = [list(r) for r in CUSTOMERS]
    customers[7][2] = None
    path = write_book(tmp_path / "团队.xlsx", team_tabs(customers))
    run = huikuan("check", path)
    assert run.returncode == 1
    errors = lines(run.stderr, "问题")
    assert errors[0] == "问题: Customers!C9 业务员不能为空"
    cause = "客户 C008 因业务员为空未读入（Customers!C9），本行未计入"
    assert errors[1:] == [
        f"问题: Plan!B9 [C008] {cause}",
        f"问题: Commitments!A4 [C008] {cause}",
        f"问题: Receipts!B3 [C008] {cause}",
    ]
    assert "未知客户" not in run.stderr


def test_the_root_cause_is_in_english_too(tmp_path: Path) -> None:
    headers = {
        "Customers": ["Customer ID", "Customer", "Sales rep", "Credit grade", "Key account"],
        "Plan": ["Month", "Customer ID", "Target", "Ask", "Agreed jointly"],
        "Commitments": ["Customer ID", "Due", "Amount"],
        "Receipts": ["Date", "Customer ID", "Amount", "Reference"],
    }
    customers = [[*r[:3], r[3], "yes" if r[4] == "是" else "no"] for r in CUSTOMERS]
    customers[7][2] = "  "
    path = write_book(tmp_path / "team.xlsx", team_tabs(customers, headers))
    run = huikuan("check", path)
    assert run.returncode == 1
    assert "problem: Customers!C9 Sales rep is required" in run.stderr
    assert (
        "problem: Receipts!B3 [C008] customer C008 was not read: Sales rep is empty "
        "(Customers!C9); this row is left out" in run.stderr
    )
    assert "unknown customer" not in run.stderr


# ---- item 2: warnings for what would pass silently -------------------------------------------


def test_a_misspelt_header_is_a_warning_naming_the_label_it_resembles(tmp_path: Path) -> None:
    headers = {"Customers": ["客户编号", "客户名称", "业务员", "信用登记", "重点客户"]}
    path = write_book(tmp_path / "团队.xlsx", team_tabs(headers=headers, slip=True))
    run = huikuan("check", path)
    warnings = lines(run.stderr, "警告")
    assert "警告: Customers!D1 [信用登记] 信用登记 — 是否为 信用等级？" in "\n".join(warnings)
    assert any("Customers!A1 缺少列“信用等级”：每行均按默认值“B”计" in w for w in warnings)
    assert run.returncode == 1  # the ask slip is still an error; the header is only a warning


def test_warnings_alone_exit_0_and_are_listed_with_their_severity(tmp_path: Path) -> None:
    """No bad value, three silent slips: a misspelt header, a receipt typed just below the
    Receipts table, an amount typed as text. Exit 0; each is a warning on stderr and a
    警告 row of Problems."""
    tabs = team_tabs(
        headers={"Customers": ["客户编号", "客户名称", "业务员", "信用登记", "重点客户"]},
        receipts_extra={"A4": "2026-11-21", "B4": "C003", "C4": 30000},  # row 4: just below
    )
    tabs[2].rows[0][2] = "15万"  # C001's installment typed as text
    path = write_book(tmp_path / "团队.xlsx", tabs)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    assert lines(run.stderr, "问题") == []
    warned = {ln.split(" ", 2)[1] for ln in lines(run.stderr, "警告")}
    assert warned == {
        "Customers!D1",  # 信用登记
        "Customers!A1",  # every customer takes grade B
        "Receipts!A4",
        "Receipts!B4",
        "Receipts!C4",
        "Commitments!C2",  # 15万 as text
    }
    assert "0 个问题，6 个警告" in run.stdout
    problems = rows_of(path, "Problems")
    assert {r["级别"] for r in problems} == {"警告"}
    assert {f"{r['工作表']}!{r['单元格']}" for r in problems} == warned
    below = next(r for r in problems if r["单元格"] == "A4")
    assert "表 Receipts 旁的单元格有值" in below["问题"]
    text = next(r for r in problems if r["单元格"] == "C2")
    assert "承诺金额是文字：huikuan 读作 150000" in text["问题"]
    assert "模板中的公式不计文字" in text["问题"]
    status = {r["客户编号"]: r for r in rows_of(path, "Status")}
    assert status["C001"]["已承诺"] == 150000  # huikuan itself reads the text


@pytest.mark.parametrize(
    ("cell", "warned"),
    [
        ("A4", True),  # the first row below the table (A1:D3: header and 2 receipts)
        ("D8", True),  # the fifth row below, in the table's columns
        ("A9", False),  # the sixth row below
        ("G2", True),  # the third column right of D
        ("H2", False),  # the fourth
        ("G8", True),  # below and right: the corner
    ],
)
def test_the_band_around_a_table_is_five_rows_below_and_three_columns_right(
    tmp_path: Path, cell: str, warned: bool
) -> None:
    path = write_book(tmp_path / "团队.xlsx", team_tabs(receipts_extra={cell: "多出的一笔"}))
    run = huikuan("check", path)
    assert (f"警告: Receipts!{cell} [多出的一笔]" in run.stderr) == warned, run.stderr


def test_a_value_in_another_table_next_to_one_is_not_a_stray(tmp_path: Path) -> None:
    tabs = team_tabs()
    tabs.append(Tab("Notes", ["备注"], [["月底前回访"]], sheet="Receipts", at="F1"))
    path = write_book(tmp_path / "团队.xlsx", tabs)
    run = huikuan("check", path)
    assert "Receipts!F" not in run.stderr


def test_english_books_label_the_severity_in_english(tmp_path: Path) -> None:
    tabs = [
        Tab(
            "Customers",
            ["Customer ID", "Customer", "Sales rep", "Credit grde"],
            [["C1", "A", "W", "A"]],
        ),
        Tab("Plan", ["Month", "Customer ID", "Target"], [[NOV, "C1", 1000]]),
    ]
    path = write_book(tmp_path / "book.xlsx", tabs)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert run.returncode == 0, run.stderr
    assert "warning: Customers!D1 [Credit grde] Credit grde — is it Credit grade?" in run.stderr
    # the near miss; Credit grade and Key account missing (defaults B and no); Agreed
    # jointly missing (default no)
    assert "0 problem(s), 4 warning(s)" in run.stdout
    assert (
        "warning: Customers!A1 column Credit grade is missing: every row takes the default B"
        in run.stderr
    )
    problems = rows_of(path, "Problems")
    assert [r["Severity"] for r in problems] == ["warning"] * 4


def test_text_warnings_are_counted_after_twenty_in_a_column(tmp_path: Path) -> None:
    """25 receipts typed as text: 20 warnings name their cells, one counts the other 5."""
    receipts = [[date(2026, 11, 1 + i), "C002", f"{100 + i}元", f"R-{i}"] for i in range(25)]
    tabs = team_tabs()
    tabs[3] = Tab("Receipts", HEADERS["Receipts"], receipts)
    path = write_book(tmp_path / "团队.xlsx", tabs)
    run = huikuan("check", path)
    assert run.returncode == 0, run.stderr
    text = [ln for ln in lines(run.stderr, "警告") if "回款金额" in ln]
    assert len(text) == 21
    assert [ln.split(" ")[1] for ln in text[:20]] == [f"Receipts!C{r}" for r in range(2, 22)]
    assert text[20].startswith(
        "警告: Receipts!C22 [120元] 回款金额：从本格起往下另有 5 个单元格也是文字"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_book_huikuan_made_has_nothing_to_warn_about(tmp_path: Path, lang: str) -> None:
    """The demo (every table, typed as the template types) is read without a warning."""
    path = tmp_path / "demo.xlsx"
    assert huikuan("demo", "-o", path, "--lang", lang, "--as-of", AS_OF).returncode == 0
    run = huikuan("check", path)
    assert (run.returncode, run.stderr) == (0, "")
    assert ("0 个问题" if lang == "zh" else "0 problem(s)") in run.stdout
    assert "警告" not in run.stdout and "warning" not in run.stdout


def test_an_excuse_of_an_unknown_kind_costs_only_its_kind(tmp_path: Path) -> None:
    """推脱 with the kind 客户说再等等 (not in the list): one error at the kind's cell; the
    follow-up is kept and counted in Excuses (as 其他, the kind of no known kind)."""
    tabs = team_tabs()
    tabs.append(
        Tab(
            "FollowUps",
            ["跟进日期", "客户编号", "方式", "结果", "理由类型", "接受理由"],
            [[date(2026, 11, 20), "C004", "电话", "推脱", "客户说再等等", "否"]],
        )
    )
    path = write_book(tmp_path / "团队.xlsx", tabs)
    run = huikuan("refresh", path, "--as-of", AS_OF)
    assert run.returncode == 1
    [error] = lines(run.stderr, "问题")
    assert error.startswith("问题: FollowUps!E2 [客户说再等等] 理由类型：")
    assert "按空白处理" in error
    excuses = rows_of(path, "Excuses")
    assert [(r["业务员"], r["理由类型"], r["次数"]) for r in excuses if r["业务员"] == "王强"] == [
        ("王强", "其他", 1)
    ]


def test_a_required_column_misspelt_names_the_near_miss_in_the_refusal(tmp_path: Path) -> None:
    headers = {"Customers": ["客户编码", "客户名称", "业务员", "信用等级", "重点客户"]}
    path = write_book(tmp_path / "团队.xlsx", team_tabs(headers=headers))
    run = huikuan("check", path)
    assert run.returncode == 2
    assert "表 Customers 缺少列“客户编号”（“客户编码”是否为“客户编号”？）" in run.stderr
    assert (
        "column Customer ID is missing in table Customers (is '客户编码' meant to be" in run.stderr
    )
