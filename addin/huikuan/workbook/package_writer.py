"""Write huikuan's output sheets into the workbook's package, leaving the rest as it is.

The user's workbook is never loaded into a spreadsheet model. Its zip package is
copied entry by entry — each entry's stored bytes, compression method and place
kept — except for:

- huikuan's own output sheets (a sheet named like the output and holding the
  table of that name): added, or replaced together with whatever only they
  referred to (their table, drawing and charts; comments a user hung on them);
- `xl/styles.xml`: the few formats they need appended, or found and reused;
- the index parts that list parts: `[Content_Types].xml`, `xl/workbook.xml`,
  `xl/_rels/workbook.xml.rels`, `docProps/app.xml` — edited by byte splices
  (xmlparts), so what is not edited stays byte for byte;
- `xl/calcChain.xml`, dropped only when it lists a cell of a replaced sheet
  (Excel rebuilds it).

Nothing else is parsed, let alone rewritten: charts, pictures, pivot tables,
slicers, controls, comments, macros (vbaProject.bin) and custom ribbons of the
user's are other entries, copied as they are.

What it still refuses, because it cannot guarantee the result:
- a sheet, table or defined name of the user's that has an output's name (it
  would be overwritten or shadowed);
- adding a sheet to a workbook whose structure is protected (the user locked it);
- a digitally signed package (any change breaks the signature);
- a Strict Open XML package, or index parts not in UTF-8 (spliced edits would mix
  namespaces or encodings);
- a legacy shared workbook (its revision log would not know the new sheet).

The result is written beside the destination under a temporary name, flushed to
disk and renamed over it in one step, with the destination's permissions.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Unusable
from ..fileio import write_atomic
from .indexparts import IndexEdits
from .outputs import TABLE_STYLE, OutputTable, column_widths
from .package import Risk
from .pkgindex import CONTENT_TYPES, TRUE, Package, Sheet, keeps_vba
from .sheetxml import Cells, SheetStyles, drawing_parts, rels_xml, table_xml, worksheet_xml
from .styles import MINIMAL, StyleSheet
from .xmlparts import (
    CT_CHART,
    CT_DRAWING,
    CT_RELS,
    CT_TABLE,
    CT_WORKSHEET,
    REL_CALC_CHAIN,
    REL_DRAWING,
    REL_STYLES,
    REL_TABLE,
    REL_WORKSHEET,
    Edits,
    R,
    Rel,
    attributes,
    declared_prefix,
    esc_attr,
    free_id,
    relationships,
    relative,
    rels_of,
)
from .zipcopy import RawSource, ZipOut

CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_TRUE = TRUE
# Deflate level of the output sheets, by measurement (issue 15; profile.py prints it):
# the 28 MB of sheet XML of a 10,000-customer refresh took 0.10 s → 4.36 MB at level 1,
# 0.11 s → 4.16 MB at 2, 0.15 s → 3.74 MB at 3 and 0.36 s → 3.19 MB at 6. Level 2 is
# level 1's speed with 5% less file.
SHEET_LEVEL = 2
_FORMULA = re.compile(rb"<(?:[\w.\-]+:)?f[\s>]")

Content = bytes | Iterable[bytes]

if TYPE_CHECKING:  # split's and collect's row edits and privacy: imported when used
    from .privacy import Private
    from .rowedit import TableRows


def _apply_rows(writer: Writer, specs: Sequence[TableRows]) -> bool:
    """rowparts.apply_rows, imported only when rows are written (start-up, issue 15)."""
    from .rowparts import apply_rows

    return apply_rows(writer, specs)


@dataclass
class Target:
    """Where one output goes."""

    out: OutputTable
    sheet_part: str
    table_part: str
    table_id: int
    replaced: Sheet | None = None


def _refuse_sheet(title: str, name: str) -> Unusable:
    return Unusable(
        f"sheet {title} exists but holds no table {name}: it is not huikuan's. "
        f"Rename that sheet and run again.",
        f"工作表 {title} 已存在但不含表格 {name}，不是 huikuan 生成的。请重命名该工作表后重试。",
    )


def _refuse_table(title: str, name: str) -> Unusable:
    return Unusable(
        f"sheet {title} holds a table named {name}: rename that table and run again.",
        f"工作表 {title} 中有名为 {name} 的表格，请重命名该表格后重试。",
    )


# ---- the package as it will be --------------------------------------------------------


class Writer(IndexEdits):
    """Plans the changes, renders our parts, then writes the new package."""

    def __init__(
        self,
        pkg: Package,
        tables: Sequence[OutputTable],
        rows: Sequence[TableRows] = (),
        private: Private | None = None,
    ) -> None:
        self.pkg = pkg
        self.tables = tables
        self.rows = rows
        self.private = private
        self.dropped: list[tuple[str, str]] = []  # (en, zh) what was left out, and why
        self._full_calc_set = False
        self.removed_positions: list[int] = []  # indices in <sheets> of dropped sheets
        self.content: dict[str, tuple[Content, int]] = {}  # real or new name → content, level
        self.deleted: set[str] = set()  # real entry names left out
        self.taken = {n.lower() for n in pkg.entries}  # part names in use, lower-case
        self.ct_edits = Edits(pkg.ct_data)
        self.wb_edits = Edits(pkg.wb_data)
        self.wb_rels_edits = Edits(pkg.wb_rels_data)
        self.rel_ids = {r.id for r in pkg.wb_rels}
        self.new_sheets: list[str] = []
        self.cells = Cells(pkg.date1904)
        self._styles_part = ""
        self._styles_new = False

    # ---- names and parts --------------------------------------------------------------

    def allocate(self, pattern: str) -> tuple[str, int]:
        """The lowest-numbered free part name of a pattern like 'xl/charts/chart{}.xml'."""
        n = 1
        while pattern.format(n).lower() in self.taken:
            n += 1
        name = pattern.format(n)
        self.taken.add(name.lower())
        return name, n

    def folder(self, sub: str) -> str:
        return posixpath.join(posixpath.dirname(self.pkg.workbook_part), sub)

    def put(self, part: str, content: Content, level: int = 6) -> None:
        """Write a part: in its old place when the package has it, else at the end."""
        real = self.pkg.real(part)
        self.deleted.discard(real)
        self.taken.add(part.lower())
        self.content[real if self.pkg.has(part) else part] = (content, level)

    def current(self, part: str) -> bytes:
        """A part as it will be written (bytes we put), else as stored."""
        real = self.pkg.real(part)
        content = self.content.get(real)
        if content is not None and isinstance(content[0], bytes):
            return content[0]
        return self.pkg.read(real)

    def delete(self, real: str) -> None:
        self.deleted.add(real)
        self.taken.discard(real.lower())
        self.content.pop(real, None)

    def add_rel(self, rel_type: str, part: str) -> str:
        rel_id = free_id(self.rel_ids)
        self.rel_ids.add(rel_id)
        target = esc_attr(relative(self.pkg.workbook_part, part))
        p = self.pkg.wb_rels_root.prefix
        self.wb_rels_edits.append_child(
            self.pkg.wb_rels_root,
            f'<{p}Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"/>',
        )
        return rel_id

    def ensure_type(self, part: str, content_type: str) -> None:
        """The part's content type is `content_type`: an Override added or corrected if not."""
        node = self.pkg.overrides.get(part.lower())
        if node is not None:
            if node.get("ContentType") != content_type:
                self.ct_edits.set_attr(node, "ContentType", content_type)
            return
        if self.pkg.defaults.get(posixpath.splitext(part)[1][1:].lower()) == content_type:
            return
        p = self.pkg.ct.prefix
        self.ct_edits.append_child(
            self.pkg.ct,
            f'<{p}Override PartName="/{esc_attr(part)}" ContentType="{content_type}"/>',
        )

    # ---- planning ------------------------------------------------------------------------

    def plan(self) -> list[Target]:
        pkg = self.pkg
        defined = {
            (n.get("name") or "").casefold(): n.get("name") for n in pkg.wb.iter("definedName")
        }
        protection = pkg.wb.find("workbookProtection")
        locked = protection is not None and (protection.get("lockStructure") or "").lower() in _TRUE
        table_ids = self._table_ids()
        targets: list[Target] = []
        for out in self.tables:
            name = out.name
            key = name.casefold()
            same_title = [s for s in pkg.sheets if s.name.casefold() == key]
            for sheet in same_title:
                if not sheet.is_worksheet or key not in sheet.tables:
                    raise _refuse_sheet(sheet.name, name)
            for sheet in pkg.sheets:
                if key in sheet.tables and sheet.name.casefold() != key:
                    raise _refuse_table(sheet.name, name)
            if key in defined:
                raise Unusable(
                    f"the workbook defines a name {defined[key]}, which the table {name} needs: "
                    "rename it (Formulas → Name Manager) and run again.",
                    f"工作簿中已定义名称 {defined[key]}，与表格 {name} 冲突：请在“公式 → 名称管理器”"
                    "中重命名后重试。",
                )
            if not same_title and locked:
                raise Unusable(
                    f"the workbook's structure is protected, so huikuan cannot add its sheet "
                    f"{name}. Nothing was written. Unprotect it (Review → Protect Workbook) "
                    "and run again.",
                    f"工作簿结构受保护，huikuan 无法添加工作表 {name}，未写入任何内容。"
                    "请先取消保护（审阅 → 保护工作簿）后重试。",
                )
        calc = self._calc_chain()
        calc_ids = calc[1] if calc else set()
        next_sheet_id = max([s.sheet_id for s in pkg.sheets] + [i for i in calc_ids if i] + [0])
        for out in self.tables:
            key = out.name.casefold()
            same_title = [s for s in pkg.sheets if s.name.casefold() == key]
            if same_title:
                targets.append(self._replace(out, same_title[0]))
                continue
            table_id = max(table_ids, default=0) + 1
            table_ids.add(table_id)
            next_sheet_id += 1
            targets.append(self._add(out, table_id, next_sheet_id))
        replaced_ids = {t.replaced.sheet_id for t in targets if t.replaced}
        if calc and (replaced_ids & calc_ids or None in calc_ids):
            self._drop_calc_chain(calc[0])
        return targets

    def _table_ids(self) -> set[int]:
        ids = {tid for s in self.pkg.sheets for _, tid in s.tables.values()}
        for part, node in self.pkg.overrides.items():
            if node.get("ContentType") == CT_TABLE and self.pkg.has(part):
                real = self.pkg.real(part)
                for attrs in attributes(self.pkg.read(real), real, "table")[:1]:
                    if (attrs.get("id") or "").isdigit():
                        ids.add(int(attrs["id"]))
        return ids

    def _calc_chain(self) -> tuple[Rel, set[int | None]] | None:
        """The calcChain relationship and the sheet ids it lists (None: one it cannot tell)."""
        for rel in self.pkg.wb_rels:
            if rel.type == REL_CALC_CHAIN and rel.part and self.pkg.has(rel.part):
                part = self.pkg.real(rel.part)
                ids: set[int | None] = set()
                current: int | None = None
                for attrs in attributes(self.pkg.read(part), part, "c"):
                    if "i" in attrs:
                        current = int(attrs["i"]) if attrs["i"].isdigit() else None
                    ids.add(current)
                return rel, ids
        return None

    def _drop_calc_chain(self, rel: Rel) -> None:
        assert rel.part
        self.delete(self.pkg.real(rel.part))
        self.wb_rels_edits.remove(rel.node)

    def _replace(self, out: OutputTable, sheet: Sheet) -> Target:
        """Drop the old sheet's parts (but those others still use); reuse its names and ids."""
        assert sheet.part
        sheet_part = self.pkg.real(sheet.part)
        table_part, table_id = sheet.tables[out.name.casefold()]
        for part in self._orphans(sheet_part):
            self.delete(part)
        if table_part in self.deleted:
            self.taken.add(table_part.lower())
        else:  # still referred to from elsewhere: leave it, write ours anew
            table_part, _ = self.allocate(self.folder("tables/table{}.xml"))
        return Target(out, sheet_part, table_part, table_id, replaced=sheet)

    def _orphans(self, sheet_part: str) -> list[str]:
        """Parts only this sheet refers to, directly or through its parts, with their rels."""
        pkg = self.pkg
        subtree: list[str] = []
        seen = {sheet_part}
        queue = [sheet_part]
        while queue:
            part = queue.pop()
            if pkg.has(rels_of(part)):
                subtree.append(pkg.real(rels_of(part)))
            for rel in pkg.rels(part):
                if rel.part and pkg.has(rel.part) and pkg.real(rel.part) not in seen:
                    seen.add(pkg.real(rel.part))
                    subtree.append(pkg.real(rel.part))
                    queue.append(pkg.real(rel.part))
        inside = set(subtree) | {sheet_part}
        elsewhere: set[str] = set()
        for entry in pkg.entries:
            if not entry.endswith(".rels") or entry in inside:
                continue
            folder, name = posixpath.split(entry)
            source = posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])
            if pkg.real(source) in inside:
                continue
            _, rels = relationships(pkg.read(entry), entry, source)
            elsewhere.update(pkg.real(r.part) for r in rels if r.part)
        return [p for p in subtree if p not in elsewhere]

    def _add(self, out: OutputTable, table_id: int, sheet_id: int) -> Target:
        pkg = self.pkg
        sheet_part, _ = self.allocate(self.folder("worksheets/sheet{}.xml"))
        rel_id = self.add_rel(REL_WORKSHEET, sheet_part)
        r = declared_prefix(pkg.wb_data, pkg.wb, R)
        # the relationships namespace unbound at the root: bind it on the element itself
        ref = f'{r}:id="{rel_id}"' if r else f'xmlns:hkr="{R}" hkr:id="{rel_id}"'
        p = pkg.sheets_node.prefix
        state = ' state="hidden"' if out.hidden else ""
        self.wb_edits.append_child(
            pkg.sheets_node,
            f'<{p}sheet name="{esc_attr(out.name)}" sheetId="{sheet_id}"{state} {ref}/>',
        )
        self.new_sheets.append(out.name)
        table_part, _ = self.allocate(self.folder("tables/table{}.xml"))
        return Target(out, sheet_part, table_part, table_id)

    # ---- rendering ---------------------------------------------------------------------------

    def render(self, targets: Sequence[Target]) -> None:
        styles = self._styles()
        for target in targets:
            self._render(target, styles)
        if styles.changed or self._styles_new:
            self.put(self._styles_part, styles.result())
        if self.rows and _apply_rows(self, self.rows):
            # formula cells moved, written or removed: Excel rebuilds the chain and recalculates
            calc = self._calc_chain()
            if calc and calc[0].part and self.pkg.real(calc[0].part) not in self.deleted:
                self._drop_calc_chain(calc[0])
            self._full_calc()
        if self.private is not None:
            from .privacy import scrub

            scrub(self, self.private, {t.sheet_part for t in targets})
        self._update_app()
        if self.new_sheets or any(t.replaced for t in targets):
            self._recalc_if_read(targets)
        for real in self.deleted:
            node = self.pkg.overrides.get(real.lower())
            if node is not None:
                self.ct_edits.remove(node)
        for part, edits in (
            (CONTENT_TYPES, self.ct_edits),
            (self.pkg.workbook_part, self.wb_edits),
            (self.pkg.wb_rels_part, self.wb_rels_edits),
        ):
            if edits:
                self.put(part, edits.apply())

    def _styles(self) -> StyleSheet:
        for rel in self.pkg.wb_rels:
            if rel.type == REL_STYLES and rel.part and self.pkg.has(rel.part):
                self._styles_part = self.pkg.real(rel.part)
                return StyleSheet(self.pkg.read(self._styles_part), self._styles_part)
        # a workbook without a stylesheet (some generators make them): give it one
        part = self.folder("styles.xml")
        if part.lower() in self.taken:
            part, _ = self.allocate(self.folder("styles{}.xml"))
        self._styles_part = part
        self._styles_new = True
        self.add_rel(REL_STYLES, part)
        self.ensure_type(part, CT_STYLES)
        return StyleSheet(MINIMAL, part)

    def _render(self, target: Target, styles: StyleSheet) -> None:
        out = target.out
        bold = styles.bold_font()
        header = styles.cell_format(font=bold, vertical="center")
        columns = tuple(
            styles.cell_format(num_fmt=styles.number_format(fmt)) if fmt else 0
            for fmt in out.formats
        )
        dxfs = tuple(styles.dxf(rule.look) for rule in out.rules)
        sheet_styles = SheetStyles(header, columns, dxfs)
        sheet_rels = [("rId1", REL_TABLE, relative(target.sheet_part, target.table_part))]
        drawing_rel = None
        if out.charts:
            drawing_part, _ = self.allocate("xl/drawings/drawing{}.xml")
            charts = [self.allocate("xl/charts/chart{}.xml") for _ in out.charts]
            drawing, drawing_rels, chart_xml = drawing_parts(out, [n for _, n in charts])
            self.put(drawing_part, drawing)
            self.put(rels_of(drawing_part), drawing_rels)
            self.ensure_type(drawing_part, CT_DRAWING)
            self._ensure_rels_type(rels_of(drawing_part))
            for (part, _), xml in zip(charts, chart_xml, strict=True):
                self.put(part, xml)
                self.ensure_type(part, CT_CHART)
            drawing_rel = "rId2"
            sheet_rels.append((drawing_rel, REL_DRAWING, relative(target.sheet_part, drawing_part)))
        self.put(
            target.sheet_part,
            worksheet_xml(out, sheet_styles, column_widths(out), self.cells, "rId1", drawing_rel),
            SHEET_LEVEL,
        )
        self.ensure_type(target.sheet_part, CT_WORKSHEET)
        self.put(rels_of(target.sheet_part), rels_xml(sheet_rels))
        self._ensure_rels_type(rels_of(target.sheet_part))
        self.put(target.table_part, table_xml(out, target.table_id, TABLE_STYLE))
        self.ensure_type(target.table_part, CT_TABLE)

    def _ensure_rels_type(self, part: str) -> None:
        if self.pkg.content_type(part) != CT_RELS:
            self.ensure_type(part, CT_RELS)

    # ---- writing -----------------------------------------------------------------------------

    def write(self, out: ZipOut, source: RawSource) -> None:
        written = set()
        for info in self.pkg.infos:
            name = info.filename
            if name in self.deleted:
                continue
            if name in self.content:
                content, level = self.content[name]
                out.write(name, content, level)
            else:
                out.copy(info, source)
            written.add(name)
        for name, (content, level) in self.content.items():
            if name not in written:
                out.write(name, content, level)
        out.close(self.pkg.zf.comment)


# ---- the job ---------------------------------------------------------------------------------


@dataclass
class Written:
    """What a write left out of the result (split's privacy), as (en, zh) lines."""

    dest: Path
    dropped: list[tuple[str, str]] = field(default_factory=list)


def write_package(
    src: Path | bytes,
    dest: Path,
    outputs: Sequence[OutputTable] = (),
    rows: Sequence[TableRows] = (),
    private: Private | None = None,
    name: str | None = None,
    parts: dict[str, bytes] | None = None,
) -> Written:
    """THE workbook writer: the package of `src` (a file, or a package in memory) with
    `outputs` added or replaced and the input tables' rows as `rows` list them, saved
    atomically at `dest` (may be src). With `private`, nothing of other reps is left
    (privacy.py). Every entry not named in the module's docstring is copied as stored.
    `parts`: the source's parts as read, kept for the next write from the same source.
    """
    label = name or (src.name if isinstance(src, Path) else dest.name)
    if isinstance(src, Path) and keeps_vba(dest) != keeps_vba(src):
        raise Unusable(
            f"{dest.name}: keep the extension of {src.name} ({src.suffix})",
            f"{dest.name}：输出文件须与 {src.name} 的扩展名（{src.suffix}）一致",
        )
    with src.open("rb") if isinstance(src, Path) else io.BytesIO(src) as file:
        try:
            zf = zipfile.ZipFile(file)
        except zipfile.BadZipFile as exc:
            raise Unusable(
                f"{label}: the package is damaged ({exc})", f"{label}：文件已损坏（{exc}）"
            ) from None
        with zf:
            pkg = Package(zf, label, parts)
            writer = Writer(pkg, outputs, rows, private)
            writer.render(writer.plan())
            data = io.BytesIO()
            try:
                writer.write(ZipOut(data), RawSource(file))
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise Unusable(
                    f"{label}: the package is damaged ({exc}); nothing was written",
                    f"{label}：文件已损坏（{exc}），未写入任何内容",
                ) from None
    # written after the source is closed: Windows cannot replace an open file
    write_atomic(dest, data.getvalue())
    return Written(dest, writer.dropped)


def write_outputs(src: Path, dest: Path, tables: Sequence[OutputTable]) -> list[Risk]:
    """refresh: `tables` written into `src`'s package at `dest`. Returns what the result
    lacks of the source: nothing (kept for the callers of the openpyxl writer)."""
    write_package(src, dest, tables)
    return []
