"""What the index parts say besides the list of parts: docProps/app.xml's sheet titles
and workbook.xml's calcPr (recalculate on opening), edited by byte splices."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .pkgindex import TRUE, Package
from .xmlparts import EXT_PROPS, REL_EXTENDED, VT, Edits, esc_text, parse

if TYPE_CHECKING:
    from .package_writer import Target

_TRUE = TRUE
_FORMULA = re.compile(rb"<(?:[\w.\-]+:)?f[\s>]")


class IndexEdits:
    """The Writer's edits of app.xml and calcPr (a mixin: the Writer holds the state)."""

    pkg: Package
    wb_edits: Edits
    new_sheets: list[str]
    _full_calc_set: bool

    def put(self, part: str, content: Any, level: int = 6) -> None: ...

    def _update_app(self) -> None:
        """List new sheets in docProps/app.xml's titles, when its lists are the usual ones."""
        if not self.new_sheets:
            return
        app = next((r for r in self.pkg.root_rels if r.type == REL_EXTENDED and r.part), None)
        if app is None or not app.part or not self.pkg.has(app.part):
            return
        part = self.pkg.real(app.part)
        data = self.pkg.read(part)
        root = parse(data, part)
        if root.ns != EXT_PROPS:
            return
        pairs = root.find("HeadingPairs")
        titles = root.find("TitlesOfParts")
        if pairs is None or titles is None:
            return
        pair_vector, title_vector = pairs.find("vector"), titles.find("vector")
        if pair_vector is None or title_vector is None or pair_vector.ns != VT:
            return
        variants = pair_vector.findall("variant")
        names = title_vector.findall("lpstr")
        worksheets = [s.name for s in self.pkg.sheets if s.is_worksheet]
        offset = 0
        for label, count in zip(variants[::2], variants[1::2], strict=False):
            number = count.find("i4") or count.find("i2") or count.find("int")
            if number is None or not number.text.strip().isdigit() or label.find("lpstr") is None:
                return
            n = int(number.text)
            group = names[offset : offset + n]
            if n and [g.text for g in group] == worksheets:
                edits = Edits(data)
                vt = group[-1].prefix
                edits.insert(
                    group[-1].end,
                    "".join(f"<{vt}lpstr>{esc_text(s)}</{vt}lpstr>" for s in self.new_sheets),
                )
                edits.replace(number.head_end, number.close, str(n + len(self.new_sheets)))
                if "size" in title_vector.attrs:
                    edits.set_attr(title_vector, "size", str(len(names) + len(self.new_sheets)))
                self.put(part, edits.apply())
                return
            offset += n

    def _recalc_if_read(self, targets: Sequence[Target]) -> None:
        """Ask Excel to recalculate on opening when a formula of the user's reads our sheets.

        Otherwise such a formula would show its old cached value until the next
        recalculation. Only worksheets that have formulas are searched, for a reference
        to an output sheet or table (`Status!`, `'Status'!`, `Status[`).
        """
        calc = self.pkg.wb.find("calcPr")
        if self._full_calc_set or (
            calc is not None and (calc.get("fullCalcOnLoad") or "").lower() in _TRUE
        ):
            return
        ours = {t.sheet_part for t in targets}
        names = [t.out.name.lower().encode() for t in targets]
        defined = self.pkg.wb.find("definedNames")
        found = defined is not None and _mentions(
            self.pkg.wb_data[defined.start : defined.end].lower(), names
        )
        for sheet in self.pkg.sheets:
            if found:
                break
            if sheet.is_worksheet and sheet.part and self.pkg.real(sheet.part) not in ours:
                found = self._reads_outputs(self.pkg.real(sheet.part), names)
        if found:
            self._full_calc()

    def _full_calc(self) -> None:
        """Ask Excel to recalculate every formula on opening (once)."""
        if self._full_calc_set:
            return
        self._full_calc_set = True
        calc = self.pkg.wb.find("calcPr")
        if calc is not None and (calc.get("fullCalcOnLoad") or "").lower() in _TRUE:
            return
        if calc is not None:
            self.wb_edits.set_attr(calc, "fullCalcOnLoad", "1")
        else:
            p = self.pkg.wb.prefix
            self.wb_edits.insert(self._calc_position(), f'<{p}calcPr fullCalcOnLoad="1"/>')

    def _reads_outputs(self, part: str, names: list[bytes]) -> bool:
        """Whether a sheet's formulas refer to an output (streamed; stops at the first)."""
        tail = b""
        with self.pkg.zf.open(part) as stream:
            while chunk := stream.read(1 << 20):
                block = tail + chunk
                if _FORMULA.search(block) and _mentions(block.lower(), names):
                    return True
                tail = block[-256:]
        return False

    def _calc_position(self) -> int:
        """Where a missing <calcPr> goes in workbook.xml (schema order)."""
        later = (
            "oleSize",
            "customWorkbookViews",
            "pivotCaches",
            "smartTagPr",
            "smartTagTypes",
            "webPublishing",
            "fileRecoveryPr",
            "webPublishObjects",
            "extLst",
        )
        for child in self.pkg.wb.children:
            if child.local in later:
                return child.start
        return self.pkg.wb.close


def _mentions(lower: bytes, names: list[bytes]) -> bool:
    """Whether lower-cased formula text refers to a sheet or table of these names."""
    for name in names:
        for needle in (name + b"!", name + b"'!", name + b"["):
            at = lower.find(needle)
            while at >= 0:
                before = lower[at - 1 : at] if at else b""
                if not before or not (before.isalnum() or before in b"_.[\\"):
                    return True
                at = lower.find(needle, at + 1)
    return False
