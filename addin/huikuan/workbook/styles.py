"""The styles huikuan's sheets need, found in or appended to xl/styles.xml.

Every request (a number format, the bold header font, a cell format, a
conditional-format look) is first looked for among the styles the workbook
already has — compared by meaning, not by bytes — and only appended when it is
not there. A second refresh therefore finds everything the first one added and
leaves styles.xml byte for byte as it was. Existing entries are never changed or
reordered, so every index the user's sheets use still means what it meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Unusable
from .xmlparts import MAIN, Edits, Node, esc_attr, parse

# Format codes every Excel has built in, by id; only the locale-independent ones
# (14–22 are dates and times that follow the reader's regional settings).
BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "0.00E+00": 11,
    "# ?/?": 12,
    "# ??/??": 13,
    "@": 49,
}
FIRST_CUSTOM_FORMAT = 164

# Children of <styleSheet>, in schema order (CT_Stylesheet).
_ORDER = (
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
)
# Elements whose missing `val` means true (CT_BooleanProperty).
_BOOLEAN = {"b", "i", "strike", "condense", "extend", "outline", "shadow"}

MINIMAL = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/></styleSheet>'
).encode()


# What a stylesheet must hold for any cell format to mean something: a font, the two
# fills every reader expects first, a border, the Normal style (its format and its
# name) and a cell format.
# A minimal stylesheet (some writers leave these out) is given those it lacks, each the
# one Excel itself writes first; nothing there is changed (issue 13: a minimal styles part).
_BASE = {
    "fonts": ('<{p}font><{p}sz val="11"/><{p}name val="Calibri"/><{p}family val="2"/></{p}font>',),
    "fills": (
        '<{p}fill><{p}patternFill patternType="none"/></{p}fill>',
        '<{p}fill><{p}patternFill patternType="gray125"/></{p}fill>',
    ),
    "borders": ("<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>",),
    "cellStyleXfs": ('<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',),
    "cellXfs": ('<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',),
    "cellStyles": ('<{p}cellStyle name="Normal" xfId="0" builtinId="0"/>',),
}


@dataclass(frozen=True)
class Look:
    """How a conditional format shows a cell: font colour, fill colour, bold (RGB hex)."""

    font_color: str | None = None  # "9C0006"
    fill_color: str | None = None  # "FFC7CE"
    bold: bool = False


def _bool(value: str) -> str:
    return {"true": "1", "false": "0", "on": "1", "off": "0"}.get(value.strip().lower(), value)


def canonical(node: Node) -> tuple:
    """What an element means, independent of prefixes, attribute order and spelling."""
    attrs = {k: _bool(v) for k, v in node.attrs.items() if not k.startswith("{")}
    if node.local in _BOOLEAN:
        attrs.setdefault("val", "1")
    if node.local == "color" and "rgb" in attrs:
        attrs["rgb"] = attrs["rgb"].upper()
    children = tuple(sorted(canonical(c) for c in node.children))
    return (node.local, tuple(sorted(attrs.items())), children, node.text.strip())


def _snippet(xml: str) -> Node:
    return parse(xml.encode(), "styles")


def _rgb(color: str) -> str:
    color = color.lstrip("#").upper()
    return color if len(color) == 8 else "FF" + color


def look_xml(look: Look, p: str = "") -> str:
    """A <dxf> for a conditional format (children in CT_Dxf order: font, numFmt, fill)."""
    font = ""
    if look.bold or look.font_color:
        bold = f"<{p}b/>" if look.bold else ""
        color = f'<{p}color rgb="{_rgb(look.font_color)}"/>' if look.font_color else ""
        font = f"<{p}font>{bold}{color}</{p}font>"
    fill = ""
    if look.fill_color:
        rgb = _rgb(look.fill_color)
        fill = (
            f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
            f'<{p}bgColor rgb="{rgb}"/></{p}patternFill></{p}fill>'
        )
    return f"<{p}dxf>{font}{fill}</{p}dxf>"


class StyleSheet:
    """xl/styles.xml with what huikuan needs found or appended; nothing else touched."""

    def __init__(self, data: bytes, part: str = "xl/styles.xml") -> None:
        self.part = part
        self.data = data
        self.root = parse(data, part)
        if self.root.local != "styleSheet" or self.root.ns != MAIN:
            raise Unusable(
                f"{part} is not a SpreadsheetML stylesheet; nothing was written",
                f"{part} 不是 SpreadsheetML 样式表，未写入任何内容",
            )
        self.p = self.root.prefix
        head = data[self.root.start : self.root.head_end].decode()
        # the root's namespace declarations, so that a snippet parses on its own
        self._decls = "".join(
            " " + m.group()
            for m in re.finditer(r"xmlns(?::[\w.\-]+)?\s*=\s*(\"[^\"]*\"|'[^']*')", head)
        )
        self._added: dict[str, list[str]] = {}  # container → XML appended to it
        self._lists: dict[str, list[tuple]] = {}  # container → canonical form of each entry
        for name in ("fonts", "cellXfs", "dxfs"):
            node = self.root.find(name)
            self._lists[name] = [canonical(c) for c in node.children] if node else []
        self._font0: str | None = None  # the first font's inner XML, when huikuan adds it
        for name, entries in _BASE.items():  # what a minimal stylesheet lacks, added
            node = self.root.find(name)
            if node is not None and node.ns == MAIN and node.children:
                continue
            for xml in entries:
                xml = xml.format(p=self.p)
                self._append(name, xml)
                if name in self._lists:
                    self._lists[name].append(canonical(_snippet(self._with_ns(xml))))
            if name == "fonts":
                first = entries[0].format(p=self.p)
                self._font0 = first[first.index(">") + 1 : first.rindex("<")]
        numfmts = self.root.find("numFmts")
        self._formats: dict[int, str] = {}
        for node in numfmts.findall("numFmt") if numfmts else []:
            try:
                self._formats[int(node.get("numFmtId") or "")] = node.get("formatCode") or ""
            except ValueError:
                continue

    # ---- requests -----------------------------------------------------------

    def number_format(self, code: str) -> int:
        """The numFmtId of a format code: a built-in one, an existing one, or a new one."""
        builtin = BUILTIN_FORMATS.get(code)
        if builtin is not None and self._formats.get(builtin, code) == code:
            return builtin
        for fmt_id, existing in self._formats.items():
            if existing == code and fmt_id >= FIRST_CUSTOM_FORMAT:
                return fmt_id
        fmt_id = max([FIRST_CUSTOM_FORMAT - 1, *self._formats]) + 1
        self._formats[fmt_id] = code
        p = self.p
        self._append("numFmts", f'<{p}numFmt numFmtId="{fmt_id}" formatCode="{esc_attr(code)}"/>')
        return fmt_id

    def bold_font(self) -> int:
        """The workbook's default font (font 0), bold: what Ctrl+B gives in Excel."""
        fonts = self.root.find("fonts")
        if self._font0 is not None or fonts is None:  # the font huikuan gave a minimal sheet
            p = self.p
            return self._entry("fonts", f"<{p}font><{p}b/>{self._font0}</{p}font>")
        first = fonts.children[0]
        inner = "" if first.empty else self.data[first.head_end : first.close].decode()
        p = first.prefix
        if first.find("b") is not None:
            inner = "".join(
                self.data[c.start : c.end].decode() for c in first.children if c.local != "b"
            )
        return self._entry("fonts", f"<{p}font><{p}b/>{inner}</{p}font>")

    def cell_format(self, num_fmt: int = 0, font: int = 0, vertical: str | None = None) -> int:
        """The index in cellXfs of a cell format over the Normal style."""
        p = self.p
        apply = ""
        if num_fmt:
            apply += ' applyNumberFormat="1"'
        if font:
            apply += ' applyFont="1"'
        inner = ""
        if vertical:
            apply += ' applyAlignment="1"'
            inner = f'<{p}alignment vertical="{vertical}"/>'
        head = (
            f'<{p}xf numFmtId="{num_fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"{apply}'
        )
        return self._entry("cellXfs", f"{head}>{inner}</{p}xf>" if inner else f"{head}/>")

    def dxf(self, look: Look) -> int:
        """The index in dxfs of a conditional-format look."""
        return self._entry("dxfs", look_xml(look, self.p))

    # ---- the part -----------------------------------------------------------------

    def _entry(self, container: str, xml: str) -> int:
        wanted = canonical(_snippet(self._with_ns(xml)))
        entries = self._lists[container]
        for index, existing in enumerate(entries):
            if existing == wanted:
                return index
        entries.append(wanted)
        self._append(container, xml)
        return len(entries) - 1

    def _with_ns(self, xml: str) -> str:
        """A snippet parseable on its own: the root's namespace declarations added."""
        tag_end = xml.index(">")
        if xml[tag_end - 1] == "/":
            tag_end -= 1
        return xml[:tag_end] + self._decls + xml[tag_end:]

    def _append(self, container: str, xml: str) -> None:
        self._added.setdefault(container, []).append(xml)

    @property
    def changed(self) -> bool:
        return bool(self._added)

    def result(self) -> bytes:
        """styles.xml with the appended entries (the original bytes when nothing was)."""
        if not self._added:
            return self.data
        edits = Edits(self.data)
        p = self.p
        new = []  # containers the part lacks, in schema order (inserts at one spot keep it)
        for container in sorted(self._added, key=_ORDER.index):
            items = self._added[container]
            node = self.root.find(container)
            if node is None:
                count = len(items)
                xml = f'<{p}{container} count="{count}">{"".join(items)}</{p}{container}>'
                if self.root.empty:
                    new.append(xml)
                else:
                    edits.insert(self._position(container), xml)
                continue
            total = len(node.children) + len(items)
            if node.empty:  # <dxfs count="0"/> (XlsxWriter): the element rewritten whole
                head = self.data[node.start : node.head_end].decode()
                head = re.sub(r"\s*/>$", "", head)
                head = re.sub(r"""(\scount\s*=\s*)(["']).*?\2""", "", head)
                tag = f"{node.prefix}{node.local}"
                xml = f'{head} count="{total}">{"".join(items)}</{tag}>'
                edits.replace(node.start, node.end, xml.encode())
                continue
            if "count" in node.attrs:
                edits.set_attr(node, "count", str(total))
            edits.append_child(node, "".join(items))
        if new:  # <styleSheet xmlns="…"/>: the element written out with its children
            head = self.data[self.root.start : self.root.head_end].decode()
            head = re.sub(r"\s*/>$", ">", head)
            tag = f"{self.p}{self.root.local}"
            edits.replace(self.root.start, self.root.end, f"{head}{''.join(new)}</{tag}>")
        return edits.apply()

    def _position(self, container: str) -> int:
        """Where a missing container goes: before the first later sibling in schema order."""
        later = _ORDER[_ORDER.index(container) + 1 :]
        for child in self.root.children:
            if child.local in later:
                return child.start
        return self.root.close
