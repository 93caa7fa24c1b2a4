"""Reading the input tables of a real .xlsx file (openpyxl writes it, calamine reads it)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from books import HEADERS, Tab, write_book
from huikuan.errors import Unusable
from huikuan.model import Book, Problem
from huikuan.workbook.files import FileTables
from huikuan.workbook.reader import read_book

CJK = re.compile(r"[\u4e00-\u9fff]")

CUSTOMERS_EN = Tab(
    "Customers",
    ["Customer ID", "Customer", "Sales rep"],
    [["C1", "Acme", "Wang"], ["C2", "Beta", "Li"]],
)
PLAN_EN = Tab("Plan", ["Month", "Customer ID", "Target"], [["2026-11", "C1", 1000]])


def read(path: Path) -> tuple[Book, list[Problem]]:
    """The book and its errors (the warnings are tested in test_forgiving_input)."""
    book, problems = read_book(FileTables(path))
    return book, [p for p in problems if p.is_error]


def book_of(tmp_path: Path, *tabs: Tab) -> tuple[Book, list[Problem]]:
    return read(write_book(tmp_path / "book.xlsx", tabs))


# ---- finding tables and columns -------------------------------------------------


def test_tables_are_found_by_table_name_whatever_the_sheet_is_called(tmp_path: Path) -> None:
    book, problems = book_of(
        tmp_path,
        Tab("Customers", CUSTOMERS_EN.headers, CUSTOMERS_EN.rows, sheet="客户资料"),
        Tab("Plan", PLAN_EN.headers, PLAN_EN.rows, sheet="Sheet7"),
        Tab("Receipts", ["Date", "Customer ID", "Amount"], [["2026-11-3", "C2", 7]], sheet="钱"),
    )
    assert problems == []
    assert [c.customer_id for c in book.customers] == ["C1", "C2"]
    assert [(p.month, p.customer_id, p.target) for p in book.plan] == [
        (date(2026, 11, 1), "C1", Decimal(1000))
    ]
    assert [(r.date, r.customer_id, r.amount) for r in book.receipts] == [
        (date(2026, 11, 3), "C2", Decimal(7))
    ]


@pytest.mark.parametrize(
    "headers",
    [
        ["customer_id", "name", "rep", "credit_grade", "key_account", "phone"],
        ["Customer ID", "Customer", "Sales rep", "Credit grade", "Key account", "Phone"],
        ["客户编号", "客户名称", "业务员", "信用等级", "重点客户", "电话"],
        ["  CUSTOMER id ", "customer", " SALES REP", "credit GRADE  ", "KEY_ACCOUNT", " pHoNe "],
        [
            "Ｃｕｓｔｏｍｅｒ　ＩＤ",
            "ｎａｍｅ",
            "Ｓａｌｅｓ ｒｅｐ",
            "ＣＲＥＤＩＴ＿ＧＲＡＤＥ",
            "重点客户　",
            "ＰＨＯＮＥ",
        ],
    ],
    ids=["keys", "english", "chinese", "case-and-spaces", "full-width"],
)
def test_headers_match_by_key_english_or_chinese_label_loosely(
    tmp_path: Path, headers: list[str]
) -> None:
    rows = [["C1", "Acme", "Wang", "C", "是", "13800000001"], ["C2", "Beta", "Li", "a", "no", None]]
    book, problems = book_of(tmp_path, Tab("Customers", headers, rows), PLAN_EN)
    assert problems == []
    assert [
        (c.customer_id, c.name, c.rep, c.credit_grade, c.key_account, c.phone)
        for c in book.customers
    ] == [
        ("C1", "Acme", "Wang", "C", True, "13800000001"),
        ("C2", "Beta", "Li", "A", False, None),
    ]


def test_columns_in_any_order_extra_columns_ignored_blank_rows_skipped(tmp_path: Path) -> None:
    customers = Tab(
        "Customers",
        ["Notes", "Sales rep", "Region", "Customer", "Customer ID"],
        [
            ["call Monday", "Wang", "North", "Acme", "C1"],
            [None, None, None, None, None],
            ["", "  ", None, None, None],
            ["only a note", None, "South", None, None],  # no contract column filled: blank
            [None, "Li", None, "Beta", "C2"],
        ],
    )
    plan = Tab(
        "Plan",
        ["Target", "Our comment", "Customer ID", "Month"],
        [[500, "stretch", "C2", "2026/12"], [None, None, None, None]],
    )
    book, problems = book_of(tmp_path, customers, plan)
    assert problems == []
    assert [(c.customer_id, c.name, c.rep) for c in book.customers] == [
        ("C1", "Acme", "Wang"),
        ("C2", "Beta", "Li"),
    ]
    assert [(p.month, p.customer_id, p.target) for p in book.plan] == [
        (date(2026, 12, 1), "C2", Decimal(500))
    ]


def test_absent_optional_columns_take_their_defaults(tmp_path: Path) -> None:
    book, problems = book_of(
        tmp_path,
        CUSTOMERS_EN,
        PLAN_EN,
        Tab(
            "Measures",
            ["Month", "Customer ID", "Kind", "Contribution"],
            [["2026-11", "C1", "其他", 5]],
        ),
        Tab("FollowUps", ["Date", "Customer ID", "Result"], [["2026-11-20", "C1", "no_answer"]]),
    )
    assert problems == []
    assert [(c.credit_grade, c.key_account) for c in book.customers] == [("B", False)] * 2
    assert [(p.agreed_jointly, p.expected, p.ask) for p in book.plan] == [(False, None, None)]
    assert [(m.kind, m.status, m.contribution) for m in book.measures] == [
        ("other", "planned", Decimal(5))
    ]
    assert [(f.channel, f.result, f.excuse_accepted) for f in book.followups] == [
        ("call", "no_answer", False)
    ]


def test_blank_optional_cells_take_their_defaults(tmp_path: Path) -> None:
    customers = Tab(
        "Customers",
        ["Customer ID", "Customer", "Sales rep", "Credit grade", "Key account"],
        [["C1", "Acme", "Wang", None, ""]],
    )
    book, problems = book_of(tmp_path, customers, PLAN_EN)
    assert problems == []
    assert [(c.credit_grade, c.key_account) for c in book.customers] == [("B", False)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_language_follows_the_headers(tmp_path: Path, lang: str) -> None:
    h = HEADERS[lang]
    book, problems = book_of(
        tmp_path,
        Tab("Customers", h["Customers"][:3], [["C1", "Acme", "Wang"]]),
        Tab("Plan", h["Plan"][:3], [["2026-11", "C1", 100], ["2026-11", "C8", 100]]),
    )
    assert book.lang == lang
    assert len(problems) == 1
    assert bool(CJK.search(problems[0].message)) == (lang == "zh")


# ---- problems ---------------------------------------------------------------------
#
# Customers sits at C3 of a sheet called "Clients", Plan at B2 of "Targets": the
# problems' addresses must count from there. Rows of a table are numbered on the sheet.

PROBLEM_TABS = {
    "Customers": (
        "Clients",
        "C3",
        [
            ["C1", "Acme", "Wang", "A", "yes"],  # row 4: good
            ["C2", "Beta", "Li", "E", "no"],  # row 5: grade E (F5)
            ["C3", "Gamma", "Zhao", "B", "maybe"],  # row 6: yes/no (G6)
            ["C4", None, "Zhou", "B", "no"],  # row 7: name blank (D7)
            ["C1", "Acme again", "Wang", "B", "no"],  # row 8: duplicate id (C8)
            [None, None, None, None, None],  # row 9: blank, skipped
            ["C5", "Epsilon", "Li", None, None],  # row 10: good, defaults
        ],
    ),
    "Plan": (
        "Targets",
        "B2",
        [
            ["2026-11", "C1", 100000, "yes"],  # row 3: good
            ["2026-13", "C5", 100, None],  # row 4: month (B4)
            ["2026-11", "C1", 5000, None],  # row 5: duplicate (month, customer) (C5)
            ["2026-11", "C9", 100, None],  # row 6: unknown customer (C6)
            ["2026-11", "C5", "待定", None],  # row 7: amount (D7)
            ["2026-11", "C5", 300, "perhaps"],  # row 8: yes/no (E8)
            ["2026-12", "C5", "1.2万", "否"],  # row 9: good
        ],
    ),
    "Measures": (
        "Measures",
        "A1",
        [
            ["2026-11", "C1", "promotion", 1000, None],  # row 2: good
            ["2026-11", "C9", "promotion", 1000, None],  # row 3: unknown (B3)
            ["2026-11", "C1", "bribe", 1000, None],  # row 4: kind (C4)
            ["2026-11", "C1", "incentive", -5, None],  # row 5: negative (D5)
        ],
    ),
    "Commitments": (
        "Commitments",
        "A1",
        [
            ["C1", "2026-11-10", 60000],  # row 2: good
            ["C1", "2026-11-20", 0],  # row 3: not > 0 (C3)
            ["C9", "2026-11-20", 10],  # row 4: unknown (A4)
            ["C1", None, 10],  # row 5: due blank (B5)
            ["C1", "2026-02-30", 10],  # row 6: date (B6)
        ],
    ),
    "Receipts": (
        "Receipts",
        "A1",
        [
            ["2026-11-12", "C1", 50000, None],  # row 2: good
            ["2026-11-12", "C1", 0, None],  # row 3: not > 0 (C3)
            ["2026-11-12", "C7", 10, None],  # row 4: unknown (B4)
        ],
    ),
    "FollowUps": (
        "FollowUps",
        "A1",
        [
            ["2026-11-20", "C1", None, "excuse", "cash", None],  # row 2: good
            ["2026-11-21", "C1", None, "推脱", None, None],  # row 3: excuse without kind (D3)
            ["2026-11-21", "C9", None, "paid", None, None],  # row 4: unknown (B4)
            ["2026-11-21", "C1", None, "maybe", None, None],  # row 5: result (D5)
        ],
    ),
}

# sheet, cell, value, fragment of the English message, fragment of the Chinese one
EXPECTED_PROBLEMS = [
    ("Clients", "F5", "E", "Credit grade", "信用等级"),
    ("Clients", "G6", "maybe", "not yes/no", "不是 是/否"),
    ("Clients", "D7", "", "Customer is required", "客户名称不能为空"),
    ("Clients", "C8", "C1", "duplicate Customer ID: also in row 4", "客户编号重复：第 4 行已有"),
    ("Targets", "B4", "2026-13", "not a month", "不是月份"),
    ("Targets", "C5", "C1", "duplicate Customer ID: also in row 3", "客户编号重复：第 3 行已有"),
    ("Targets", "C6", "C9", "unknown customer", "未知客户"),
    ("Targets", "D7", "待定", "not an amount", "不是金额"),
    ("Targets", "E8", "perhaps", "not yes/no", "不是 是/否"),
    ("Measures", "B3", "C9", "unknown customer", "未知客户"),
    ("Measures", "C4", "bribe", "Kind", "措施类型"),
    ("Measures", "D5", "-5", "negative amount", "金额为负"),
    ("Commitments", "C3", "0", "Amount must be more than 0", "承诺金额必须大于 0"),
    ("Commitments", "A4", "C9", "unknown customer", "未知客户"),
    ("Commitments", "B5", "", "Due is required", "承诺回款日不能为空"),
    ("Commitments", "B6", "2026-02-30", "not a date", "不是日期"),
    ("Receipts", "C3", "0", "Amount must be more than 0", "回款金额必须大于 0"),
    ("Receipts", "B4", "C7", "unknown customer", "未知客户"),
    ("FollowUps", "D3", "推脱", "excuse", "理由类型"),
    ("FollowUps", "B4", "C9", "unknown customer", "未知客户"),
    ("FollowUps", "D5", "maybe", "Result", "结果"),
]


def problem_book(tmp_path: Path, lang: str) -> Path:
    tabs = [
        Tab(name, HEADERS[lang][name], rows, sheet=sheet, at=at)
        for name, (sheet, at, rows) in PROBLEM_TABS.items()
    ]
    return write_book(tmp_path / f"problems-{lang}.xlsx", tabs)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_bad_cell_is_a_problem_at_its_address(tmp_path: Path, lang: str) -> None:
    book, problems = read(problem_book(tmp_path, lang))
    assert book.lang == lang
    found = sorted((p.sheet, p.cell, p.value) for p in problems)
    assert found == sorted((s, c, v) for s, c, v, _, _ in EXPECTED_PROBLEMS)
    by_cell = {(p.sheet, p.cell): p.message for p in problems}
    for sheet, cell, _, en, zh in EXPECTED_PROBLEMS:
        msg = by_cell[sheet, cell]
        assert (zh if lang == "zh" else en) in msg, (sheet, cell, msg)
        assert bool(CJK.search(msg.replace("待定", "").replace("推脱", ""))) == (lang == "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_good_rows_are_read_beside_bad_ones(tmp_path: Path, lang: str) -> None:
    """A bad optional cell (grade E, yes/no 'maybe', 'perhaps') costs only that cell: the
    row is kept with the column's default; a bad required cell leaves its row out."""
    book, _ = read(problem_book(tmp_path, lang))
    assert [(c.customer_id, c.name, c.credit_grade, c.key_account) for c in book.customers] == [
        ("C1", "Acme", "A", True),
        ("C2", "Beta", "B", False),
        ("C3", "Gamma", "B", False),
        ("C5", "Epsilon", "B", False),
    ]
    assert [(p.month, p.customer_id, p.target, p.agreed_jointly) for p in book.plan] == [
        (date(2026, 11, 1), "C1", Decimal(100000), True),
        (date(2026, 11, 1), "C5", Decimal(300), False),
        (date(2026, 12, 1), "C5", Decimal(12000), False),
    ]
    assert [(m.customer_id, m.kind, m.contribution) for m in book.measures] == [
        ("C1", "promotion", Decimal(1000))
    ]
    assert [(i.due, i.amount) for i in book.commitments] == [(date(2026, 11, 10), Decimal(60000))]
    assert [(r.date, r.amount) for r in book.receipts] == [(date(2026, 11, 12), Decimal(50000))]
    assert [(f.date, f.result, f.excuse_kind) for f in book.followups] == [
        (date(2026, 11, 20), "excuse", "cash")
    ]


# ---- structure: missing tables and columns -------------------------------------------


@pytest.mark.parametrize("missing", ["Customers", "Plan"])
def test_a_missing_required_table_makes_the_book_unusable(tmp_path: Path, missing: str) -> None:
    tabs = [t for t in (CUSTOMERS_EN, PLAN_EN) if t.name != missing]
    path = write_book(tmp_path / "book.xlsx", tabs)
    with pytest.raises(Unusable) as err:
        read(path)
    assert f"table {missing} is missing" in err.value.en
    assert f"缺少表 {missing}" in err.value.zh


def test_a_table_on_a_sheet_named_plan_is_not_enough(tmp_path: Path) -> None:
    """The table name counts: a sheet called Plan with a table named otherwise is no Plan."""
    plan = Tab("Targets2026", PLAN_EN.headers, PLAN_EN.rows, sheet="Plan")
    path = write_book(tmp_path / "book.xlsx", [CUSTOMERS_EN, plan])
    with pytest.raises(Unusable, match="table Plan is missing"):
        read(path)


@pytest.mark.parametrize(
    ("table", "headers", "en", "zh"),
    [
        ("Customers", ["Customer ID", "Sales rep"], "Customer", "客户名称"),
        ("Plan", ["Month", "Customer ID"], "Target", "我方目标"),
        ("Plan", ["Customer ID", "Target"], "Month", "月份"),
    ],
)
def test_a_missing_required_column_of_a_required_table_makes_the_book_unusable(
    tmp_path: Path, table: str, headers: list[str], en: str, zh: str
) -> None:
    tabs = {"Customers": CUSTOMERS_EN, "Plan": PLAN_EN}
    tabs[table] = Tab(table, headers, [["x"] * len(headers)])
    with pytest.raises(Unusable) as err:
        read(write_book(tmp_path / "book.xlsx", list(tabs.values())))
    assert err.value.en == f"column {en} is missing in table {table}"
    assert zh in err.value.zh


def test_missing_optional_tables_are_fine(tmp_path: Path) -> None:
    book, problems = book_of(tmp_path, CUSTOMERS_EN, PLAN_EN)
    assert problems == []
    assert (book.measures, book.commitments, book.receipts, book.followups) == ((), (), (), ())


def test_empty_optional_table_is_fine(tmp_path: Path) -> None:
    receipts = Tab("Receipts", ["Date", "Customer ID", "Amount"], [[None, None, None]])
    book, problems = book_of(tmp_path, CUSTOMERS_EN, PLAN_EN, receipts)
    assert problems == []
    assert book.receipts == ()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_missing_required_column_of_an_optional_table_is_a_problem_at_its_header(
    tmp_path: Path, lang: str
) -> None:
    h = HEADERS[lang]
    receipts = Tab(
        "Receipts",
        [h["Receipts"][0], h["Receipts"][1], h["Receipts"][3]],  # date, customer, reference
        [["2026-11-12", "C1", "R-9"]],
        sheet="Money in",
        at="C3",
    )
    commitments = Tab("Commitments", h["Commitments"], [["C1", "2026-11-10", 300]])
    book, problems = book_of(
        tmp_path,
        Tab("Customers", h["Customers"][:3], [["C1", "Acme", "Wang"]]),
        Tab("Plan", h["Plan"][:3], [["2026-11", "C1", 1000]]),
        receipts,
        commitments,
    )
    assert [(p.sheet, p.cell, p.value) for p in problems] == [("Money in", "C3", "")]
    assert ("回款金额" if lang == "zh" else "Amount") in problems[0].message
    assert "Receipts" in problems[0].message
    assert book.receipts == ()
    assert [(i.due, i.amount) for i in book.commitments] == [(date(2026, 11, 10), Decimal(300))]


def test_a_tables_total_row_is_not_a_data_row(tmp_path: Path) -> None:
    path = write_book(tmp_path / "book.xlsx", [CUSTOMERS_EN])
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("Plan")
    for row in (["Month", "Customer ID", "Target"], ["2026-11", "C1", 100], ["2026-11", "C2", 50]):
        ws.append(row)
    ws.append(["Total", None, "=SUBTOTAL(109,Plan[Target])"])
    table = Table(displayName="Plan", ref="A1:C4", totalsRowCount=1)
    table._initialise_columns()
    for col, header in zip(table.tableColumns, ["Month", "Customer ID", "Target"], strict=True):
        col.name = header
    table.tableColumns[0].totalsRowLabel = "Total"
    table.tableColumns[2].totalsRowFunction = "sum"
    ws.add_table(table)
    wb.save(path)
    book, problems = read(path)
    assert problems == []
    assert [(p.customer_id, p.target) for p in book.plan] == [("C1", 100), ("C2", 50)]


# ---- records built by strict validation ---------------------------------------------------


def test_records_read_are_what_strict_validation_would_build(tmp_path: Path) -> None:
    """The reader builds records with Record.parsed_many (strict validation): each value is
    of its field's exact type, with defaults filled; a str date, a float amount or an
    unknown field is refused."""
    from pydantic import ValidationError

    from books import sample_book
    from huikuan.model import Customer, Receipt

    book, problems = read(sample_book(tmp_path / "book.xlsx", "zh", bad=True))
    assert problems
    names = [f.name for f in dataclasses.fields(Book) if f.name != "lang"]
    records = [r for name in names for r in getattr(book, name)]
    assert len(records) > 15
    for record in records:
        again = type(record).parsed(record.as_dict())
        assert again == record
        assert again.as_dict() == record.as_dict()  # the same fields, defaults included
        assert not hasattr(record, "__dict__")  # slotted: ~100 bytes a row (issue 15)
    assert Book(**book.as_dict()) == book
    with pytest.raises(ValidationError, match="colour"):
        Customer.parsed({"customer_id": "C1", "name": "A", "rep": "W", "colour": "red"})
    with pytest.raises(ValidationError):
        Receipt.parsed({"date": "2026-11-05", "customer_id": "C1", "amount": Decimal(1)})
    with pytest.raises(ValidationError):
        Receipt.parsed({"date": date(2026, 11, 5), "customer_id": "C1", "amount": 1.5})


def test_record_defaults_are_the_contracts() -> None:
    """The reader gives a blank optional cell its column's default and builds records
    from parsed values, so each record field must be required and defaulted as in SPEC."""
    from huikuan import contract
    from huikuan.workbook.reader import RECORDS

    for table in (*contract.INPUT_TABLES, *contract.SETTING_TABLES):
        fields = {f.name: f for f in dataclasses.fields(RECORDS[table.name])}
        for col in table.columns:
            field = fields[col.key]
            required = field.default is dataclasses.MISSING
            assert required == col.required, (table.name, col.key)
            if not col.required:
                assert field.default == col.default, (table.name, col.key)
