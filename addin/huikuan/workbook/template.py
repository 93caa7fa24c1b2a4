"""The blank (or pre-filled) workbook a sales team types into: SPEC's input tables.

Plan carries live formula columns (Status' committed … completion) so the sheet
answers without `huikuan refresh`; they use only functions that Excel 2010+,
WPS and LibreOffice 7.4 all compute, and agree with engine/status.py to the fen.
Run `python -m huikuan.workbook.template templates/` to rebuild the shipped files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableColumn, TableFormula, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .. import contract as ct
from ..contract import Column, Kind, Table
from ..engine.diagnosis import DEFAULT_THRESHOLDS
from ..engine.policy import DEFAULT_CADENCE
from ..model import Book, CadenceRow, Record, Threshold
from ..text import display_width

LANGS = ("zh", "en")
TABLE_STYLE = "TableStyleMedium2"
VALIDATED_ROWS = 2000  # drop-downs cover rows 2..this (or further when the data does)
FORMULA_FILL = PatternFill("solid", fgColor="F2F2F2")  # grey: computed, do not type here

# Status columns computed by live formulas in Plan, in this order.
FORMULA_KEYS = (
    "committed",
    "gap",
    "contribution",
    "remaining_gap",
    "coverage",
    "received",
    "completion",
)
# ... and after them the check column: a warning in a row whose inputs hold text
# (12.5万, "2026-11-20") that the formulas above cannot count (SUMIFS skips text).
CHECK = "check"
CHECK_LABEL = {"zh": "公式检查", "en": "Formula check"}
WARN_FILL = PatternFill(bgColor="FFC7CE")  # Excel's light red, as its own "bad" style
WARN_FONT = Font(color="9C0006")

FORMATS = {
    "zh": {
        Kind.AMOUNT: '"¥"#,##0.00',
        Kind.DATE: 'yyyy"年"m"月"d"日"',
        Kind.MONTH: 'yyyy"年"m"月"',
        Kind.RATIO: "0.0%",
    },
    "en": {
        Kind.AMOUNT: "#,##0.00",
        Kind.DATE: "yyyy-mm-dd",
        Kind.MONTH: "yyyy-mm",
        Kind.RATIO: "0.0%",
    },
}
MIN_WIDTH = {Kind.AMOUNT: 14, Kind.DATE: 14, Kind.MONTH: 10, Kind.RATIO: 9}

# Which records fill which table.
BOOK_FIELDS = {
    ct.CUSTOMERS.name: "customers",
    ct.PLAN.name: "plan",
    ct.MEASURES.name: "measures",
    ct.COMMITMENTS.name: "commitments",
    ct.RECEIPTS.name: "receipts",
    ct.FOLLOWUPS.name: "followups",
    ct.POLICY.name: "cadences",
    ct.THRESHOLDS.name: "thresholds",
    ct.HOLIDAYS.name: "holidays",
    ct.REPS.name: "reps",
    ct.SETTINGS.name: "settings",
}
TEMPLATE_TABLES = (*ct.INPUT_TABLES, *ct.SETTING_TABLES)
XLWINGS_CONF = "xlwings.conf"  # the sheet xlwings reads its settings from
XLWINGS_SETTINGS = {"UDF Modules": "huikuan.udfs"}

GUIDE: dict[str, dict] = {
    "zh": {
        "sheet": "说明",
        "title": "回款工作簿使用说明",
        "sheets": "各工作表",
        "typing": "怎样填写",
        "purposes": {
            ct.CUSTOMERS.name: "每个客户一行：编号、名称、业务员、信用等级（A 最好，D 最差）、是否重点客户。",
            ct.PLAN.name: "每月每个客户一行：我方目标、预计可回款、提出要求、是否共同制定。"
            "右侧灰色列由公式自动计算，不要手填。",
            ct.MEASURES.name: "为弥补目标差距采取的措施及其预计增加回款；"
            "状态为“{dropped}”的不计入。",
            ct.COMMITMENTS.name: "客户承诺的每一期回款：承诺回款日和金额。",
            ct.RECEIPTS.name: "实际收到的每一笔回款。",
            ct.FOLLOWUPS.name: "每次跟进的方式、结果和理由。",
            ct.POLICY.name: "按信用等级设定跟进节奏：到期前几天提醒、宽限几天、多久催一次、"
            "逾期多久上报经理。A 最宽松，D 最严格；可修改。",
            ct.THRESHOLDS.name: "诊断预警阈值：某项原因的指标超过阈值即预警。",
            ct.HOLIDAYS.name: "补充或更正节假日：不上班的日子填“否”，调休上班填“是”。"
            "国家法定节假日已内置。",
            ct.REPS.name: "业务员的邮箱和经理（分发工作簿时使用，可不填）。",
            ct.SETTINGS.name: "工作簿设置（可不填）：“历史数据库”填 SQLite 文件路径（相对路径指本工作簿"
            "所在文件夹）或 postgresql+psycopg://… 地址，刷新和新月份按钮也会使用；"
            "“历史库团队名”是本团队在库中的名称。",
        },
        "rules": (
            "金额：数字，或 12.5万、¥12,345、3千 这样的写法。",
            "日期：2026-11-05 或 2026年11月5日；月份：2026-11 或 2026年11月。",
            "是/否：填“是”或“否”（也可填 Y/N）。有下拉箭头的列请从列表中选。",
            "在表格最后一行下面直接输入，表格会自动扩展。不要改表格名称和表头。",
            "公式列只计算数字和日期；写成文字的金额或日期（如 12.5万）由 huikuan refresh 识别，"
            "公式列不会计入：输入时会有提示，计划表该行的“公式检查”列也会标出。",
        ),
        "output": "运行 huikuan refresh 文件.xlsx 会写入输出工作表（{}），输入表不会被改动。",
    },
    "en": {
        "sheet": "Guide",
        "title": "How to use this collection workbook",
        "sheets": "The sheets",
        "typing": "How to type values",
        "purposes": {
            ct.CUSTOMERS.name: "One row per customer: ID, name, sales rep, credit grade "
            "(A best, D worst), key account.",
            ct.PLAN.name: "One row per month and customer: target, expected, ask, agreed "
            "jointly. The grey columns on the right are formulas; do not type in them.",
            ct.MEASURES.name: "Measures aimed at the gap and what each is expected to add; "
            "those with status “{dropped}” do not count.",
            ct.COMMITMENTS.name: "Each installment the customer promised: due date and amount.",
            ct.RECEIPTS.name: "Every payment actually received.",
            ct.FOLLOWUPS.name: "Each follow-up done: channel, result, excuse.",
            ct.POLICY.name: "Follow-up cadence by credit grade: remind days before a due date, "
            "grace days, chase interval, escalation. A loosest, D tightest; edit freely.",
            ct.THRESHOLDS.name: "Diagnosis thresholds: a cause is flagged when its figure "
            "is above its threshold.",
            ct.HOLIDAYS.name: "Extra or corrected days off (working: no) and adjusted working "
            "days (working: yes). China's public holidays are built in.",
            ct.REPS.name: "Each rep's email and manager (for sending workbooks; optional).",
            ct.SETTINGS.name: "Workbook settings (optional): history database is an SQLite "
            "file (a relative path is beside this workbook) or a postgresql+psycopg://… URL, "
            "used by the Refresh and New month buttons too; team name in the history "
            "database is this team's name there.",
        },
        "rules": (
            "Amounts: numbers, or text such as 12.5万, ¥12,345, 3千.",
            "Dates: 2026-11-05 or 2026年11月5日; months: 2026-11 or 2026年11月.",
            "Yes/no: yes or no (是/否, Y/N work too). Pick from the drop-down where there is one.",
            "Type just below a table's last row and the table grows. "
            "Keep the table names and headers.",
            "The formula columns count numbers and dates only; amounts or dates typed as "
            "text (12.5万) are read by huikuan refresh but not by the formulas: the cell "
            "warns as you type, and the Plan row's Formula check column says so.",
        ),
        "output": "Run huikuan refresh BOOK.xlsx to write the output sheets ({}); "
        "the input tables are never changed.",
    },
}

INVALID = {
    "zh": ("不在列表中", "请从下拉列表中选择。"),
    "en": ("Not in the list", "Please pick a value from the drop-down list."),
}

# Data validation of amount and date columns: (input title, input message, error title,
# error message). A warning, not a wall: refresh reads 12.5万 and 2026年11月5日 typed as
# text, but the template's formulas cannot, so the user is told at the cell.
TYPED = {
    "zh": {
        Kind.AMOUNT: (
            "金额",
            "请输入数字金额，如 125000。写成文字（如 12.5万）时 huikuan refresh 能识别，"
            "但本表的公式列不会计入，该行“公式检查”会提示。",
            "不是数字金额",
            "这不是 0 或以上的数字。文字金额（如 12.5万）huikuan refresh 能识别，"
            "但公式列不会计入。仍要保留请点“是”。",
        ),
        Kind.DATE: (
            "日期",
            "请输入日期，如 2026-11-05 或 2026/11/5（Excel 会识别为日期）。"
            "写成文字的日期公式列不会计入。",
            "不是日期",
            "这不是 Excel 日期。文字日期 huikuan refresh 能识别，但公式列不会计入。"
            "仍要保留请点“是”。",
        ),
        Kind.MONTH: (
            "月份",
            "请输入该月任意一天的日期，如 2026-11-01（显示为 2026年11月）。"
            "写成文字的月份公式列无法计算。",
            "不是日期",
            "这不是 Excel 日期。文字月份 huikuan refresh 能识别，但公式列无法计算。"
            "仍要保留请点“是”。",
        ),
    },
    "en": {
        Kind.AMOUNT: (
            "Amount",
            "Type a number, e.g. 125000. Text such as 12.5万 is read by huikuan refresh "
            "but not counted by this sheet's formula columns; the row's Formula check says so.",
            "Not a number",
            "This is not a number of 0 or more. huikuan refresh reads text amounts "
            "(12.5万) but the formula columns do not count them. Keep it anyway?",
        ),
        Kind.DATE: (
            "Date",
            "Type a date, e.g. 2026-11-05 (Excel turns it into a date). "
            "Dates typed as text are not counted by the formula columns.",
            "Not a date",
            "This is not an Excel date. huikuan refresh reads dates typed as text "
            "but the formula columns do not count them. Keep it anyway?",
        ),
        Kind.MONTH: (
            "Month",
            "Type any day of the month as a date, e.g. 2026-11-01 (shown as 2026-11). "
            "A month typed as text stops the formula columns.",
            "Not a date",
            "This is not an Excel date. huikuan refresh reads months typed as text "
            "but the formula columns cannot use them. Keep it anyway?",
        ),
    },
}
# Any date from 1900-01-01 (serial 1) to 9999-12-31 (serial 2958465)
DATE_SERIALS = ("1", "2958465")

CHECK_TEXT = {
    "zh": {
        "plan": "⚠ 本行月份或目标是文字，公式列算不出：以 huikuan refresh 为准。",
        "tables": (
            "⚠ 承诺中有文字金额或日期，公式未计入。",
            "⚠ 措施中有文字金额或月份，公式未计入。",
            "⚠ 回款中有文字金额或日期，公式未计入。",
        ),
    },
    "en": {
        "plan": "⚠ This row's month or target is text: the formulas cannot use it; "
        "see huikuan refresh. ",
        "tables": (
            "⚠ Commitments: a text amount or date is not counted. ",
            "⚠ Measures: a text amount or month is not counted. ",
            "⚠ Receipts: a text amount or date is not counted. ",
        ),
    },
}


# ---- formulas -------------------------------------------------------------


def _escape(label: str) -> str:
    """A column name inside a structured reference: ' escapes [ ] # and '."""
    return "".join("'" + ch if ch in "[]#'" else ch for ch in label)


def plan_formulas(lang: str) -> dict[str, str]:
    """The Plan formula of each key of FORMULA_KEYS, then of CHECK, in the template's language.

    Each one recomputes its sums unrounded and rounds only its own result, as the
    engine does, so that every column agrees with refresh to the fen. SUMIFS skips
    text, so where an input of the row is text the CHECK column says so in that row.
    """

    def column(table: Table, key: str) -> str:
        return f"{table.name}[{_escape(table.column(key).label(lang))}]"

    def this(key: str) -> str:
        return f"{ct.PLAN.name}[[#This Row],[{_escape(ct.PLAN.column(key).label(lang))}]]"

    month, target, customer = this("month"), this("target"), this("customer_id")

    def month_sum(table: Table, amount: str, day: str, extra: str = "") -> str:
        """SUMIFS over the row's customer and month (start ≤ day < next month's start)."""
        days = column(table, day)
        return (
            f"SUMIFS({column(table, amount)},{column(table, 'customer_id')},{customer},"
            f'{days},">="&EOMONTH({month},-1)+1,{days},"<"&EOMONTH({month},0)+1{extra})'
        )

    # measures not dropped, whichever language "dropped" is spelled in (SUMIFS ignores case)
    dropped = next(ch for ch in ct.MEASURE_STATUSES if ch.key == "dropped")
    spellings = tuple(dict.fromkeys((dropped.zh, dropped.en)))
    status = column(ct.MEASURES, "status")
    not_dropped = "".join(f',{status},"<>{s}"' for s in spellings)
    contribution = month_sum(ct.MEASURES, "contribution", "month", not_dropped)
    committed = month_sum(ct.COMMITMENTS, "amount", "due")
    received = month_sum(ct.RECEIPTS, "amount", "date")
    gap = f"MAX(0,{target}-{committed})"
    raw = {
        "committed": f"ROUND({committed},2)",
        "gap": f"ROUND({gap},2)",
        "contribution": f"ROUND({contribution},2)",
        "remaining_gap": f"ROUND(MAX(0,{gap}-{contribution}),2)",
        "coverage": f"IF({gap}=0,1,{contribution}/{gap})",
        "received": f"ROUND({received},2)",
        "completion": f'IF({target}=0,"",{received}/{target})',
    }

    def skipped(table: Table, amount: str, day: str, extra: str = "") -> str:
        """How many rows of the customer the month's SUMIFS skips for text: an amount
        typed as text on a day of the month, or a day typed as text (whose month the
        formulas cannot tell). SUMPRODUCT of ISTEXT, not COUNTIFS(…,"*"): LibreOffice
        matches "*" against numbers too unless its wildcards are on."""
        days, amounts = column(table, day), column(table, amount)
        exact = (
            f"SUMPRODUCT(({column(table, 'customer_id')}={customer}){extra}"
            f"*(ISTEXT({amounts})*ISNUMBER({days})"
            f"*({days}>=EOMONTH({month},-1)+1)*({days}<EOMONTH({month},0)+1)"
            f"+ISTEXT({days})))"
        )
        # first the cheap question (any text in the two columns at all?), so a book
        # typed in numbers pays two array scans per table, not eight
        return f"IF(SUMPRODUCT(ISTEXT({amounts})+ISTEXT({days}))=0,0,{exact})"

    text = CHECK_TEXT[lang]
    kept = "".join(f'*({status}<>"{s}")' for s in spellings)
    parts = (
        skipped(ct.COMMITMENTS, "amount", "due"),
        skipped(ct.MEASURES, "contribution", "month", kept),
        skipped(ct.RECEIPTS, "amount", "date"),
    )
    said = "&".join(
        f'IF({part}>0,"{message}","")' for part, message in zip(parts, text["tables"], strict=True)
    )
    # IF evaluates only the branch it takes: a text month never reaches EOMONTH
    check = f'IF(ISTEXT({month})+ISTEXT({target})>0,"{text["plan"]}",{said})'
    # a row without a customer (the blank row of an empty table) stays blank
    out = {key: f'IF({customer}="","",{raw[key]})' for key in FORMULA_KEYS}
    out[CHECK] = f'IF({customer}="","",{check})'
    return out


def formula_label(key: str, lang: str) -> str:
    """The header of a Plan formula column: its Status label, or the check column's."""
    return CHECK_LABEL[lang] if key == CHECK else ct.STATUS.column(key).label(lang)


# ---- cells ----------------------------------------------------------------


def cell_value(col: Column, value: object, lang: str) -> object:
    """A record's value as it goes into a cell: labels, 是/否, plain numbers, dates."""
    if value is None:
        return None
    if col.kind is Kind.CHOICE:
        return ct.choice_label(col.choices, str(value), lang)
    if col.kind is Kind.YESNO:
        return ct.choice_label(ct.YES_NO, "yes" if value else "no", lang)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (date, int)):
        return value
    return str(value)


def _display_width(value: object) -> int:
    """Characters as Excel measures them: CJK and full-width ones count double."""
    return display_width(value.isoformat() if isinstance(value, date) else str(value))


def _number_format(kind: Kind, lang: str) -> str | None:
    if kind is Kind.TEXT:
        return "@"
    return FORMATS[lang].get(kind)


# ---- sheets ---------------------------------------------------------------


def _guide(ws: Worksheet, lang: str) -> None:
    """What each sheet is for, how to type values, what refresh writes."""
    text = GUIDE[lang]
    outputs = ("、" if lang == "zh" else ", ").join(t.title(lang) for t in ct.OUTPUT_TABLES)
    dropped = ct.choice_label(ct.MEASURE_STATUSES, "dropped", lang)
    lines: list[tuple[str, bool]] = [(text["title"], True), ("", False), (text["sheets"], True)]
    for table in TEMPLATE_TABLES:
        purpose = text["purposes"][table.name].format(dropped=dropped)
        name = f"{table.name}（{table.zh}）：" if lang == "zh" else f"{table.name}: "
        lines.append((name + purpose, False))
    lines += [("", False), (text["typing"], True)]
    lines += [(f"• {rule}", False) for rule in text["rules"]]
    lines += [("", False), (text["output"].format(outputs), False)]
    for row, (line, bold) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=line or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True, size=14 if row == 1 else 11)
    ws.column_dimensions["A"].width = 110


def _records(book: Book | None, table: Table) -> Sequence[Record]:
    records = () if book is None else getattr(book, BOOK_FIELDS[table.name])
    if table is ct.POLICY and not records:  # show the built-in cadence, ready to edit
        return tuple(
            CadenceRow(credit_grade=grade, **asdict(cadence))
            for grade, cadence in DEFAULT_CADENCE.items()
        )
    if table is ct.THRESHOLDS and not records:
        return tuple(Threshold(cause=c, threshold=t) for c, t in DEFAULT_THRESHOLDS.items())
    return records


def _table_sheet(ws: Worksheet, table: Table, lang: str, records: Sequence[Record]) -> None:
    """One input table: headers, rows, formats, drop-downs, formula columns for Plan."""
    formulas = plan_formulas(lang) if table is ct.PLAN else {}
    columns = [(col.label(lang), col.kind, "") for col in table.columns] + [
        (
            formula_label(key, lang),
            Kind.TEXT if key == CHECK else ct.STATUS.column(key).kind,
            formula,
        )
        for key, formula in formulas.items()
    ]
    last_row = 1 + max(1, len(records))  # an Excel table needs at least one data row
    ws.append([label for label, _, _ in columns])
    for record in records:
        ws.append([cell_value(col, getattr(record, col.key), lang) for col in table.columns])

    excel_columns = []
    for index, (label, kind, formula) in enumerate(columns, start=1):
        checks = label == formula_label(CHECK, lang) and bool(formula)
        fmt = None if checks else _number_format(kind, lang)  # General: it is a formula
        widths = [_display_width(label), MIN_WIDTH.get(kind, 8)]
        for row in range(2, last_row + 1):
            cell = ws.cell(row=row, column=index)
            if formula:
                cell.value = "=" + formula
                cell.fill = FORMULA_FILL
            elif cell.value is not None:
                widths.append(_display_width(cell.value))
            if fmt:
                cell.number_format = fmt
        width = 60 if checks else min(40, max(widths) + 3)
        ws.column_dimensions[get_column_letter(index)].width = width
        column = TableColumn(id=index, name=label)
        if formula:  # Excel fills it into rows added to the table
            column.calculatedColumnFormula = TableFormula(attr_text=formula)
        excel_columns.append(column)

    ref = f"A1:{get_column_letter(len(columns))}{last_row}"
    ws.add_table(
        ExcelTable(
            displayName=table.name,
            name=table.name,
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableStyleInfo=TableStyleInfo(name=TABLE_STYLE, showRowStripes=True),
            tableColumns=excel_columns,
        )
    )
    ws.freeze_panes = "A2"
    rows = max(VALIDATED_ROWS, last_row)
    _drop_downs(ws, table, lang, rows)
    _typed(ws, table, lang, rows)
    if formulas:
        _warn_rows(ws, len(table.columns), len(columns), rows)


def _typed(ws: Worksheet, table: Table, lang: str, last_row: int) -> None:
    """A validation on every amount (a number ≥ 0) and date or month column (a date),
    with an input message saying what to type; typing text anyway is allowed, and
    the cell then turns light red (the formulas cannot count it)."""
    for index, col in enumerate(table.columns, start=1):
        if col.kind not in TYPED[lang]:
            continue
        prompt_title, prompt, error_title, error = TYPED[lang][col.kind]
        if col.kind is Kind.AMOUNT:
            rule = {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"}
        else:
            low, high = DATE_SERIALS
            rule = {"type": "date", "operator": "between", "formula1": low, "formula2": high}
        validation = DataValidation(
            **rule,
            allow_blank=True,
            showInputMessage=True,
            promptTitle=prompt_title,
            prompt=prompt,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=error_title,
            error=error,
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.add_data_validation(validation)
        # and the cell itself turns light red while it holds text
        ws.conditional_formatting.add(
            f"{letter}2:{letter}{last_row}",
            FormulaRule(formula=[f"ISTEXT({letter}2)"], fill=WARN_FILL, font=WARN_FONT),
        )


def _warn_rows(ws: Worksheet, inputs: int, width: int, last_row: int) -> None:
    """Light red on a Plan row's formula cells while its check column holds a warning."""
    first, check = get_column_letter(inputs + 1), get_column_letter(width)
    ws.conditional_formatting.add(
        f"{first}2:{check}{last_row}",
        FormulaRule(formula=[f"LEN(${check}2)>0"], fill=WARN_FILL, font=WARN_FONT),
    )


def _drop_downs(ws: Worksheet, table: Table, lang: str, last_row: int) -> None:
    """A list validation on every choice and yes/no column (a warning, not a wall:
    the reader also accepts keys, the other language and Y/N)."""
    title, message = INVALID[lang]
    for index, col in enumerate(table.columns, start=1):
        if col.kind not in (Kind.CHOICE, Kind.YESNO):
            continue
        choices = ct.YES_NO if col.kind is Kind.YESNO else col.choices
        labels = ",".join(ct.choice_label(choices, ch.key, lang) for ch in choices)
        validation = DataValidation(
            type="list",
            formula1=f'"{labels}"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=title,
            error=message,
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last_row}")
        ws.add_data_validation(validation)


def build_template(lang: str = "zh", book: Book | None = None) -> Workbook:
    """The workbook: a guide sheet, then one sheet and table per input and setting table."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE[lang]["sheet"]
    _guide(guide, lang)
    for table in TEMPLATE_TABLES:
        _table_sheet(wb.create_sheet(table.name), table, lang, _records(book, table))
    _xlwings_conf(wb.create_sheet(XLWINGS_CONF))
    return wb


def _xlwings_conf(ws: Worksheet) -> None:
    """xlwings' settings sheet (key in A, value in B): the plain xlwings add-in's
    "Import Functions" finds the cell functions in the module it names. Hidden."""
    for row, (key, value) in enumerate(XLWINGS_SETTINGS.items(), start=1):
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=value)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    ws.sheet_state = "hidden"


def template_name(lang: str) -> str:
    return f"huikuan-{lang}.xlsx"


def write_templates(folder: Path) -> list[Path]:
    """Save the blank templates of every language into folder; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in LANGS:
        path = folder / template_name(lang)
        build_template(lang).save(path)
        paths.append(path)
    return paths


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m huikuan.workbook.template FOLDER", file=sys.stderr)
        return 2
    for path in write_templates(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
