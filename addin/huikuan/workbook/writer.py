"""Write huikuan's output sheets into a workbook file with openpyxl, atomically.

Only huikuan's own sheets (one per output table, same name) are replaced;
input tables and the user's sheets are left as openpyxl loaded them. When
the package holds content an openpyxl save would drop or rewrite (see
package.risks), writing in place is refused: the user's file is never the
one that loses it.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..contract import Kind
from .outputs import OutputTable
from .package import Risk, Unusable, risks
from .reader import cell_ref

FORMATS = {
    Kind.AMOUNT: {"zh": "¥#,##0.00", "en": "#,##0.00"},
    Kind.RATIO: {"zh": "0.0%", "en": "0.0%"},
    Kind.DATE: {"zh": "yyyy-mm-dd", "en": "yyyy-mm-dd"},
    Kind.MONTH: {"zh": "yyyy-mm", "en": "yyyy-mm"},
}


def _width(text: object) -> float:
    s = str(text or "")
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


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
    ws.append(list(out.headers))
    for row in out.rows:
        ws.append(list(row))
    last_row = max(2, len(out.rows) + 1)  # a table needs one data row, even empty
    ref = f"A1:{cell_ref(len(out.headers), last_row)}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    for col, (header, kind) in enumerate(zip(out.headers, out.kinds, strict=True), start=1):
        fmt = FORMATS.get(kind, {}).get(out.lang)
        widest = max([_width(header), *(_width(r[col - 1]) for r in out.rows[:200])])
        letter = cell_ref(col, 1)[:-1]
        ws.column_dimensions[letter].width = min(60, max(8, widest + 2))
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=col, max_col=col):
                cell.number_format = fmt
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center")
    ws.freeze_panes = "A2"
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
    lost = risks(src, keep_vba=keeps_vba(src))
    if lost and in_place:
        what_en = "; ".join(r.en for r in lost)
        what_zh = "；".join(r.zh for r in lost)
        raise Unusable(
            f"{src.name} holds content that rewriting the file would lose ({what_en}). "
            f"Nothing was written. Write the results to a new file instead: -o OUT{src.suffix}",
            f"{src.name} 含有改写文件时会丢失的内容（{what_zh}），未写入任何内容。"
            f"请把结果写入新文件：-o 输出{src.suffix}",
        )
    wb = _load(src, keeps_vba(src))
    for out in tables:
        put_table(wb, out)
    save_atomic(wb, dest)
    return lost


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_atomic(wb: Workbook, dest: Path) -> None:
    """Save next to dest under a temporary name, then rename over it in one step."""
    dest = dest.resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.chmod(tmp, dest.stat().st_mode & 0o777 if dest.exists() else 0o666 & ~_umask())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
