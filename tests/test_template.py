"""The template: shipped files match the code; tables, drop-downs and formulas are in place."""

from __future__ import annotations

import importlib
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook import Workbook

from huikuan import contract as ct
from huikuan.model import Book, Customer, FollowUp, Installment, Measure, PlanRow, Receipt
from huikuan.workbook.template import (
    CHECK,
    FORMULA_KEYS,
    GUIDE,
    LANGS,
    TEMPLATE_TABLES,
    XLWINGS_CONF,
    build_template,
    formula_label,
    plan_formulas,
    template_name,
    write_templates,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
REGENERATE = "run `python -m huikuan.workbook.template templates/` and commit the result"
# Functions that Excel 2010+, WPS and LibreOffice 7.4 all compute (the formulas use no other).
PORTABLE = {
    "SUMIFS",
    "INDEX",
    "MATCH",
    "IFERROR",
    "MAX",
    "IF",
    "DATE",
    "YEAR",
    "MONTH",
    "EOMONTH",
    "ROUND",
    # the check column: Excel 2000+, WPS and LibreOffice alike
    "SUMPRODUCT",
    "ISTEXT",
    "ISNUMBER",
    "LEN",
}


def saved(wb: Workbook, path: Path) -> Workbook:
    """wb as openpyxl reads it back from a file."""
    wb.save(path)
    return openpyxl.load_workbook(path)


def snapshot(wb: Workbook) -> dict[str, object]:
    """Everything the template defines, comparable with ==."""
    sheets: dict[str, object] = {"order": wb.sheetnames}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            "cells": {
                cell.coordinate: (cell.value, cell.number_format)
                for row in ws.iter_rows()
                for cell in row
                if cell.value is not None or cell.number_format != "General"
            },
            "tables": {  # TableList.items() gives (name, ref): use values()
                table.name: (
                    table.displayName,
                    table.ref,
                    table.tableStyleInfo.name if table.tableStyleInfo else None,
                    [
                        (col.name, col.calculatedColumnFormula and col.calculatedColumnFormula.text)
                        for col in table.tableColumns
                    ],
                )
                for table in ws.tables.values()
            },
            "validations": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.errorStyle, dv.error)
                for dv in ws.data_validations.dataValidation
            ),
            "freeze": ws.freeze_panes,
            "widths": {key: dim.width for key, dim in ws.column_dimensions.items()},
        }
    return sheets


# ---- (a) the committed templates are what the code builds -----------------


@pytest.mark.parametrize("lang", LANGS)
def test_committed_template_is_what_the_code_builds(lang: str, tmp_path: Path) -> None:
    committed = TEMPLATES / template_name(lang)
    assert committed.exists(), f"{committed} is missing: {REGENERATE}"
    built = saved(build_template(lang), tmp_path / template_name(lang))
    assert snapshot(openpyxl.load_workbook(committed)) == snapshot(built), (
        f"{committed.name} differs from build_template({lang!r}): {REGENERATE}"
    )


def test_write_templates_saves_one_file_per_language(tmp_path: Path) -> None:
    paths = write_templates(tmp_path / "out")
    assert [p.name for p in paths] == ["huikuan-zh.xlsx", "huikuan-en.xlsx"]
    assert all(p.stat().st_size > 0 for p in paths)


# ---- (b) structure in both languages ---------------------------------------


def headers(ws) -> list[str]:
    return [cell.value for cell in ws[1]]


@pytest.fixture(params=LANGS)
def template(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Workbook]:
    lang = request.param
    return lang, saved(build_template(lang), tmp_path / "t.xlsx")


def test_guide_comes_first_then_one_sheet_per_input_table(template) -> None:
    lang, wb = template
    assert wb.sheetnames == [GUIDE[lang]["sheet"], *(t.name for t in TEMPLATE_TABLES), XLWINGS_CONF]
    guide = "\n".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    assert "huikuan refresh" in guide
    assert all(t.name in guide for t in TEMPLATE_TABLES)


def test_each_input_table_is_an_excel_table_named_as_its_sheet(template) -> None:
    lang, wb = template
    for table in ct.INPUT_TABLES:
        ws = wb[table.name]
        assert list(ws.tables) == [table.name]
        excel_table = ws.tables[table.name]
        assert excel_table.displayName == table.name
        width = len(table.columns) + (len(FORMULA_KEYS) + 1 if table is ct.PLAN else 0)
        assert excel_table.ref == f"A1:{openpyxl.utils.get_column_letter(width)}2"
        labels = [col.label(lang) for col in table.columns]
        assert headers(ws)[: len(labels)] == labels
        assert [col.name for col in excel_table.tableColumns] == headers(ws)
        assert ws.freeze_panes == "A2"


def test_every_choice_and_yesno_column_has_a_drop_down(template) -> None:
    lang, wb = template
    for table in ct.INPUT_TABLES:
        ws = wb[table.name]
        found = {
            str(dv.sqref): dv.formula1
            for dv in ws.data_validations.dataValidation
            if dv.type == "list"
        }
        expected = {}
        for index, col in enumerate(table.columns, start=1):
            if col.kind in (ct.Kind.CHOICE, ct.Kind.YESNO):
                choices = col.choices if col.kind is ct.Kind.CHOICE else ct.YES_NO
                letter = openpyxl.utils.get_column_letter(index)
                labels = [ct.choice_label(choices, ch.key, lang) for ch in choices]
                expected[f"{letter}2:{letter}2000"] = '"' + ",".join(labels) + '"'
        assert found == expected, table.name


def test_plan_has_live_formula_columns_after_its_inputs(template) -> None:
    lang, wb = template
    ws = wb[ct.PLAN.name]
    labels = [ct.STATUS.column(key).label(lang) for key in FORMULA_KEYS]
    assert headers(ws)[len(ct.PLAN.columns) :] == [*labels, formula_label(CHECK, lang)]
    columns = ws.tables[ct.PLAN.name].tableColumns[len(ct.PLAN.columns) :]
    formulas = plan_formulas(lang)
    assert list(formulas) == [*FORMULA_KEYS, CHECK]
    cells = ws[2][len(ct.PLAN.columns) :]
    for col, key, cell in zip(columns, formulas, cells, strict=True):
        assert col.calculatedColumnFormula.text == formulas[key]
        assert cell.value == "=" + formulas[key]
        if key == CHECK:
            assert cell.number_format == "General"
            continue
        kind = ct.STATUS.column(key).kind
        assert cell.number_format == ("0.0%" if kind is ct.Kind.RATIO else ws["C2"].number_format)


def test_amount_and_date_columns_say_what_to_type_and_warn_on_text(template) -> None:
    """Every amount column takes a number ≥ 0, every date or month column a date; each
    has an input message in the template's language; text is warned about, not refused."""
    lang, wb = template
    for table in ct.INPUT_TABLES:
        ws = wb[table.name]
        found = {
            str(dv.sqref): dv for dv in ws.data_validations.dataValidation if dv.type != "list"
        }
        expected = {}
        for index, col in enumerate(table.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            if col.kind is ct.Kind.AMOUNT:
                expected[f"{letter}2:{letter}2000"] = ("decimal", "greaterThanOrEqual", "0")
            elif col.kind in (ct.Kind.DATE, ct.Kind.MONTH):
                expected[f"{letter}2:{letter}2000"] = ("date", "between", "1")
        assert {k: (v.type, v.operator, v.formula1) for k, v in found.items()} == expected
        for dv in found.values():
            assert dv.showInputMessage and dv.showErrorMessage and dv.errorStyle == "warning"
            assert dv.prompt and dv.error and dv.promptTitle and dv.errorTitle
            assert len(dv.prompt) <= 255 and len(dv.error) <= 255  # Excel's limits
            assert len(dv.promptTitle) <= 32 and len(dv.errorTitle) <= 32
            said = (dv.prompt + dv.error).replace("12.5万", "")  # the example typed
            assert has_cjk(said) is (lang == "zh")
            assert "huikuan refresh" in dv.prompt + dv.error


def test_plan_rows_turn_red_while_their_check_column_warns(template) -> None:
    _, wb = template
    ws = wb[ct.PLAN.name]
    first = openpyxl.utils.get_column_letter(len(ct.PLAN.columns) + 1)
    check = openpyxl.utils.get_column_letter(len(ct.PLAN.columns) + len(FORMULA_KEYS) + 1)
    rules = {str(rng.sqref): rng.rules for rng in ws.conditional_formatting}
    (rule,) = rules[f"{first}2:{check}2000"]
    assert rule.formula == [f"LEN(${check}2)>0"]
    assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")


def test_an_amount_or_date_cell_holding_text_turns_red(template) -> None:
    _, wb = template
    for table in ct.INPUT_TABLES:
        ws = wb[table.name]
        rules = {str(rng.sqref): rng.rules for rng in ws.conditional_formatting}
        for index, col in enumerate(table.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            typed = col.kind in (ct.Kind.AMOUNT, ct.Kind.DATE, ct.Kind.MONTH)
            assert (f"{letter}2:{letter}2000" in rules) is typed, (table.name, col.key)
            if typed:
                (rule,) = rules[f"{letter}2:{letter}2000"]
                assert rule.formula == [f"ISTEXT({letter}2)"]


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("lang", LANGS)
def test_formulas_use_only_portable_functions(lang: str) -> None:
    for key, formula in plan_formulas(lang).items():
        used = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula))
        assert used <= PORTABLE, (key, used - PORTABLE)


@pytest.mark.parametrize("lang", LANGS)
def test_structured_references_name_real_headers(lang: str) -> None:
    tables = {t.name: t for t in ct.INPUT_TABLES}
    for formula in plan_formulas(lang).values():
        refs = re.findall(r"(\w+)\[(?:\[#This Row\],)?\[?([^\[\]]+)\]", formula)
        assert refs
        for table, label in refs:
            assert label in [col.label(lang) for col in tables[table].columns], (table, label)
        assert "[#This Row]" in formula
        if lang == "zh":
            assert "[Customer ID]" not in formula


# ---- (c) a book written into the template reads back ----------------------


def small_book() -> Book:
    oct_ = date(2026, 10, 1)
    return Book(
        customers=(
            Customer(
                customer_id="C001",
                name="华东贸易",
                rep="王五",
                credit_grade="A",
                key_account=True,
                phone="13800138000",
            ),
            Customer(customer_id="C002", name="Beta Ltd", rep="李四"),
        ),
        plan=(
            PlanRow(
                month=oct_,
                customer_id="C001",
                target=Decimal("125000"),
                expected=Decimal("100000.5"),
                agreed_jointly=True,
                agreed_on=date(2026, 9, 25),
            ),
            PlanRow(month=oct_, customer_id="C002", target=Decimal("0")),
        ),
        measures=(
            Measure(
                month=oct_,
                customer_id="C001",
                kind="joint_collection",
                contribution=Decimal("20000"),
                status="dropped",
                due=date(2026, 10, 20),
            ),
        ),
        commitments=(
            Installment(customer_id="C001", due=date(2026, 10, 15), amount=Decimal("50000.25")),
        ),
        receipts=(
            Receipt(
                date=date(2026, 10, 16),
                customer_id="C001",
                amount=Decimal("50000.25"),
                reference="PZ-01",
            ),
        ),
        followups=(
            FollowUp(
                date=date(2026, 10, 10),
                customer_id="C001",
                result="excuse",
                channel="visit",
                excuse_kind="cash",
                excuse_accepted=True,
                deferred=Decimal("3000"),
            ),
        ),
    )


def rows(ws) -> list[tuple]:
    ref = ws.tables[ws.title].ref
    return [tuple(cell.value for cell in row) for row in ws[ref]][1:]


def test_a_book_round_trips_through_the_template(tmp_path: Path) -> None:
    wb = saved(build_template("zh", small_book()), tmp_path / "book.xlsx")
    n = len(ct.PLAN.columns)
    assert rows(wb["Customers"]) == [
        ("C001", "华东贸易", "王五", "A", "是", None, "13800138000", None),
        ("C002", "Beta Ltd", "李四", "B", "否", None, None, None),
    ]
    plan = rows(wb["Plan"])
    assert [r[:n] for r in plan] == [
        (datetime(2026, 10, 1), "C001", 125000, 100000.5, None, "是", datetime(2026, 9, 25)),
        (datetime(2026, 10, 1), "C002", 0, None, None, "否", None),
    ]
    assert all(str(v).startswith("=IF(") for r in plan for v in r[n:])
    assert rows(wb["Measures"]) == [
        (
            datetime(2026, 10, 1),
            "C001",
            "陪同收款",
            None,
            20000,
            None,
            datetime(2026, 10, 20),
            "取消",
        )
    ]
    assert rows(wb["Commitments"]) == [("C001", datetime(2026, 10, 15), 50000.25, None, None)]
    assert rows(wb["Receipts"]) == [(datetime(2026, 10, 16), "C001", 50000.25, "PZ-01")]
    assert rows(wb["FollowUps"]) == [
        (datetime(2026, 10, 10), "C001", "拜访", "推脱", "资金紧张", "是", 3000, None)
    ]
    assert wb["Plan"]["C2"].number_format == '"¥"#,##0.00'
    assert wb["Plan"]["A2"].number_format == 'yyyy"年"m"月"'
    assert wb["Measures"]["G2"].number_format == 'yyyy"年"m"月"d"日"'


def test_english_template_writes_english_labels(tmp_path: Path) -> None:
    wb = saved(build_template("en", small_book()), tmp_path / "book.xlsx")
    assert rows(wb["Measures"])[0][2::5] == ("Joint collection", "dropped")
    assert rows(wb["Customers"])[0][4] == "yes"
    assert headers(wb["Plan"])[:3] == ["Month", "Customer ID", "Target"]


def test_empty_tables_keep_one_blank_data_row(tmp_path: Path) -> None:
    wb = saved(build_template("zh", Book()), tmp_path / "empty.xlsx")
    for table in ct.INPUT_TABLES:
        assert wb[table.name].tables[table.name].ref.endswith("2")
    assert all(v is None for v in rows(wb["Customers"])[0])


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        build_template("fr")


def test_the_xlwings_settings_sheet_names_the_cell_function_module(template) -> None:
    _, wb = template
    ws = wb[XLWINGS_CONF]
    assert ws.sheet_state == "hidden"
    # xlwings reads keys down column A from A1, values beside them
    assert [(r[0].value, r[1].value) for r in ws.iter_rows(max_col=2)] == [
        ("UDF Modules", "huikuan.udfs")
    ]
    assert importlib.import_module(ws["B1"].value).FUNCTIONS  # the module xlwings will import
