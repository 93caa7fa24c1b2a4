"""The index of a workbook package, read without loading any sheet: its content
types, relationships, workbook part and sheets (with the tables each holds), and
the refusals of packages huikuan does not edit (signed, Strict, shared)."""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Unusable
from .package import workbook_part
from .xmlparts import (
    MAIN,
    REL_TABLE,
    REL_WORKSHEET,
    STRICT_MAIN,
    R,
    Rel,
    attributes,
    parse,
    relationships,
    rels_of,
)

CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
TRUE = ("1", "true", "on")


def keeps_vba(path: Path) -> bool:
    return path.suffix.lower() in (".xlsm", ".xltm")


@dataclass
class Sheet:
    """A sheet listed in workbook.xml."""

    name: str
    sheet_id: int
    rel: Rel | None
    tables: dict[str, tuple[str, int]] = field(default_factory=dict)  # casefold → part, id

    @property
    def part(self) -> str | None:
        return self.rel.part if self.rel else None

    @property
    def is_worksheet(self) -> bool:
        return self.rel is not None and self.rel.type == REL_WORKSHEET


class Package:
    """The index of a workbook package, read without loading any sheet."""

    def __init__(
        self, zf: zipfile.ZipFile, name: str, cache: dict[str, bytes] | None = None
    ) -> None:
        self.zf = zf
        self.name = name
        # parts as read, kept by the caller across packages of the same file (split writes
        # one file per rep from the team's: each part inflated once, not once per rep)
        self.cache = cache
        self.infos = zf.infolist()
        self.entries = [i.filename for i in self.infos]
        self.lower = {n.lower(): n for n in self.entries}
        self._check_package()
        self.ct_data = self.read(CONTENT_TYPES)
        self.ct = parse(self.ct_data, CONTENT_TYPES)
        self.overrides = {
            (n.get("PartName") or "").lstrip("/").lower(): n for n in self.ct.findall("Override")
        }
        self.defaults = {
            (n.get("Extension") or "").lower(): n.get("ContentType") or ""
            for n in self.ct.findall("Default")
        }
        _, self.root_rels = relationships(self.read(ROOT_RELS), ROOT_RELS, "")
        found = workbook_part(zf)  # the one lookup, shared with the reader
        if found is None:
            if any(r.type.endswith("/officeDocument") for r in self.root_rels):
                raise self._strict()
            raise Unusable(
                f"{name}: the package names no workbook part; nothing was written",
                f"{name}：包中未指明工作簿部件，未写入任何内容",
            )
        self.workbook_part = found
        self.wb_data = self.read(self.workbook_part)
        self.wb = parse(self.wb_data, self.workbook_part)
        if self.wb.ns == STRICT_MAIN:
            raise self._strict()
        if self.wb.ns != MAIN or self.wb.local != "workbook":
            raise Unusable(
                f"{name}: {self.workbook_part} is not a SpreadsheetML workbook; nothing was written",
                f"{name}：{self.workbook_part} 不是 SpreadsheetML 工作簿，未写入任何内容",
            )
        self.wb_rels_part = self.real(rels_of(self.workbook_part))
        self.wb_rels_data = self.read(self.wb_rels_part)
        self.wb_rels_root, self.wb_rels = relationships(
            self.wb_rels_data, self.wb_rels_part, self.workbook_part
        )
        by_id = {r.id: r for r in self.wb_rels}
        sheets = self.wb.find("sheets")
        if sheets is None:
            raise Unusable(
                f"{name}: the workbook lists no sheets; nothing was written",
                f"{name}：工作簿中没有工作表列表，未写入任何内容",
            )
        self.sheets_node = sheets
        self.sheets: list[Sheet] = []
        for node in sheets.findall("sheet"):
            try:
                sheet_id = int(node.get("sheetId") or 0)
            except ValueError:
                sheet_id = 0
            sheet = Sheet(node.get("name") or "", sheet_id, by_id.get(node.get(f"{{{R}}}id") or ""))
            if sheet.is_worksheet and sheet.part and self.has(sheet.part):
                sheet.tables = self._tables_of(self.real(sheet.part))
            self.sheets.append(sheet)
        props = self.wb.find("workbookPr")
        self.date1904 = props is not None and (props.get("date1904") or "").lower() in TRUE

    def real(self, part: str) -> str:
        """The zip entry of a part name (part names are case-insensitive)."""
        return self.lower.get(part.lower(), part)

    def has(self, part: str) -> bool:
        return part.lower() in self.lower

    def read(self, part: str) -> bytes:
        real = self.real(part)
        if self.cache is not None and real in self.cache:
            return self.cache[real]
        try:
            data = self.zf.read(real)
        except KeyError:
            raise Unusable(
                f"{self.name}: the package has no {part}; nothing was written",
                f"{self.name}：包中缺少 {part}，未写入任何内容",
            ) from None
        if self.cache is not None:
            self.cache[real] = data
        return data

    def rels(self, part: str) -> list[Rel]:
        """The relationships of a part (none when it has no .rels)."""
        rels_part = rels_of(part)
        if not self.has(rels_part):
            return []
        return relationships(self.read(rels_part), rels_part, part)[1]

    def content_type(self, part: str) -> str | None:
        node = self.overrides.get(part.lower())
        if node is not None:
            return node.get("ContentType")
        return self.defaults.get(posixpath.splitext(part)[1][1:].lower())

    def _tables_of(self, sheet_part: str) -> dict[str, tuple[str, int]]:
        found = {}
        for rel in self.rels(sheet_part):
            if rel.type != REL_TABLE or not rel.part or not self.has(rel.part):
                continue
            part = self.real(rel.part)
            for attrs in attributes(self.read(part), part, "table")[:1]:
                table_id = int(attrs["id"]) if (attrs.get("id") or "").isdigit() else 0
                for key in ("name", "displayName"):
                    if attrs.get(key):
                        found[attrs[key].casefold()] = (part, table_id)
        return found

    def _strict(self) -> Unusable:
        return Unusable(
            f"{self.name} is saved as Strict Open XML, which huikuan does not edit. Save it as "
            "an ordinary Excel Workbook (.xlsx) and run again.",
            f"{self.name} 以 Strict Open XML 格式保存，huikuan 不修改此格式。"
            "请另存为普通 Excel 工作簿（.xlsx）后重试。",
        )

    def _check_package(self) -> None:
        if any(n.startswith("_xmlsignatures/") for n in self.lower):
            raise Unusable(
                f"{self.name} is digitally signed; any change would break the signature. "
                "Nothing was written. Remove the signature (or save a copy without it) "
                "and run again.",
                f"{self.name} 带有数字签名，任何修改都会使签名失效，未写入任何内容。"
                "请先删除签名（或另存一份不带签名的副本）后重试。",
            )
        if any(n.startswith("xl/revisions/") for n in self.lower):
            raise Unusable(
                f"{self.name} is a shared workbook (legacy sharing with a change history); "
                "huikuan cannot add sheets to it safely. Nothing was written. Stop sharing it "
                "(Review → Share Workbook) and run again.",
                f"{self.name} 是共享工作簿（旧版共享，带修订记录），huikuan 无法安全地添加工作表，"
                "未写入任何内容。请先取消共享（审阅 → 共享工作簿）后重试。",
            )
