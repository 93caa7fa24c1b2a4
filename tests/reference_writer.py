"""The openpyxl writer: the reference the package writer is held against (tests only).

huikuan writes every workbook through workbook/package_writer.py, which copies the
user's package as it is. This writer loads the whole workbook into openpyxl and
saves it again (slow; loses or redraws what openpyxl does not model). Both lay out
an OutputTable the same way (outputs.FORMATS, column_widths, rules, charts), and
the tests hold their results equal in content.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from huikuan.engine.analysis import analyse_all
from huikuan.errors import Unusable
from huikuan.fileio import write_atomic
from huikuan.model import Book, Problem
from huikuan.workbook.charts import build_charts
from huikuan.workbook.outputs import (
    FORMATS,
    TABLE_STYLE,
    Look,
    OutputTable,
    column_widths,
    rule_formulas,
    rule_ranges,
)
from huikuan.workbook.package import Risk, refuse_losing, risks
from huikuan.workbook.reader import cell_ref
from huikuan.workbook.template import build_template

__all__ = ["FORMATS", "put_table", "save_atomic", "write_outputs"]


def _differential(look: Look) -> DifferentialStyle:
    color = f"FF{look.font_color}" if look.font_color else None
    font = Font(bold=look.bold or None, color=color) if look.bold or look.font_color else None
    fill = None
    if look.fill_color:
        rgb = f"FF{look.fill_color}"
        fill = PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)
    return DifferentialStyle(font=font, fill=fill)


def put_table(wb: Workbook, out: OutputTable) -> Worksheet:
    """Replace (or add) the sheet holding `out`'s table; refuse to clobber a user's sheet."""
    name = out.table.name
    for ws in wb.worksheets:
        ours = name in ws.tables
        if ws.title.casefold() == name.casefold() and not ours:
            raise Unusable(
                f"sheet {ws.title} exists but holds no table {name}: it is not huikuan's. "
                f"Rename that sheet and run again.",
                f"工作表 {ws.title} 已存在但不含表格 {name}，不是 huikuan 生成的。请重命名该工作表后重试。",
            )
        if ours and ws.title.casefold() != name.casefold():
            raise Unusable(
                f"sheet {ws.title} holds a table named {name}: rename that table and run again.",
                f"工作表 {ws.title} 中有名为 {name} 的表格，请重命名该表格后重试。",
            )
    index = len(wb.sheetnames)
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        del wb[name]
    ws = wb.create_sheet(name, index)
    if out.hidden:
        ws.sheet_state = "hidden"
    ws.append(list(out.headers))
    for row in out.rows:
        ws.append(list(row))
    last_row = out.last_row  # a table needs one data row, even empty
    ref = f"A1:{cell_ref(len(out.headers), last_row)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)
    widths = column_widths(out)
    for col, (fmt, width) in enumerate(zip(out.formats, widths, strict=True), start=1):
        letter = cell_ref(col, 1)[:-1]
        ws.column_dimensions[letter].width = width
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=col, max_col=col):
                cell.number_format = fmt
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
    for rule in out.rules:
        ws.conditional_formatting.add(
            rule_ranges(out, rule),
            Rule(
                type=rule.kind,
                operator="containsText" if rule.kind == "containsText" else rule.operator or None,
                text=rule.text or None,
                formula=list(rule_formulas(out, rule)),
                stopIfTrue=rule.stop or None,
                dxf=_differential(rule.look),
            ),
        )
    for chart in build_charts(out):
        ws.add_chart(chart)
    return ws


def _load(path: Path, keep_vba: bool) -> Workbook:
    with warnings.catch_warnings():
        # openpyxl warns about parts it drops; package.risks has already named them
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, keep_vba=keep_vba, keep_links=True, rich_text=True)


def keeps_vba(path: Path) -> bool:
    return path.suffix.lower() in (".xlsm", ".xltm")


def write_outputs(src: Path, dest: Path, tables: Sequence[OutputTable]) -> list[Risk]:
    """Write `tables` into a copy of `src` saved atomically at `dest`.

    Returns what the copy could not carry (only ever when dest is not src).
    """
    in_place = dest.resolve() == src.resolve()
    if keeps_vba(dest) != keeps_vba(src):
        raise Unusable(
            f"{dest.name}: keep the extension of {src.name} ({src.suffix})",
            f"{dest.name}：输出文件须与 {src.name} 的扩展名（{src.suffix}）一致",
        )
    lost = risks(src, keep_vba=keeps_vba(src), own_sheets=[t.name for t in tables])
    if in_place:
        refuse_losing(src, lost, "Write the results to a new file instead", "请把结果写入新文件")
    wb = _load(src, keeps_vba(src))
    for out in tables:
        put_table(wb, out)
    save_atomic(wb, dest)
    return lost


def save_atomic(wb: Workbook, dest: Path) -> None:
    write_atomic(dest, wb.save)


def refreshed_workbook(
    book: Book, as_of: date, problems: Sequence[Problem] = (), extra: Sequence[OutputTable] = ()
) -> Workbook:
    """The template in the book's language filled with its records, with every output
    table (and `extra`) computed as of `as_of`: what write_book writes, the openpyxl way."""
    from huikuan.workbook.outputs import output_tables

    wb = build_template(book.lang, book)
    found = analyse_all(book, as_of)
    for out in (*output_tables(found, list(problems), book.lang, as_of), *extra):
        put_table(wb, out)
    return wb
