"""The package's XML parts, read where they stand and edited in place.

An index part (`[Content_Types].xml`, `xl/workbook.xml`, a `.rels`, `xl/styles.xml`,
`docProps/app.xml`) is never re-serialised: re-serialising renames namespace
prefixes (breaking `mc:Ignorable`), reorders attributes and drops what the
serialiser does not model. `parse` reads a part with expat and records, for
every element, the byte span of its start tag and of the whole element; an
`Edits` then splices new bytes in at those spans, so everything not edited stays
byte for byte as it was.

The parser is guarded as defusedxml guards expat: a DTD, an entity declaration or
an external reference raises (package.guard has already refused any part that
declares a DTD; this is the second lock). A part that is not UTF-8 is refused.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from defusedxml.common import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from ..errors import Unusable

# ---- namespaces, content types, relationship types ------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
EXT_PROPS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_OFFICE_DOCUMENT = REL + "officeDocument"
REL_WORKSHEET = REL + "worksheet"
REL_TABLE = REL + "table"
REL_DRAWING = REL + "drawing"
REL_CHART = REL + "chart"
REL_CALC_CHAIN = REL + "calcChain"
REL_STYLES = REL + "styles"
REL_CHARTSHEET = REL + "chartsheet"
REL_SHARED_STRINGS = REL + "sharedStrings"
REL_EXTENDED = REL + "extended-properties"

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# ---- text ------------------------------------------------------------------

# Characters XML 1.0 does not allow at all (controls but tab, newline, return;
# surrogates; U+FFFE, U+FFFF): dropped from text we write.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel reads _xHHHH_ in cell text as an escaped character; a literal one is escaped
# by escaping its underscore (ECMA-376 Part 1, 22.4.2.4 ST_Xstring).
_ESCAPE_LIKE = re.compile("_([xX][0-9A-Fa-f]{4}_)")
_CELL_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\n": "&#10;",
    "\r": "&#13;",
    "\t": "&#9;",
}


def _entity(match: re.Match[str]) -> str:
    return _ENTITIES[match.group()]


def clean(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry."""
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def esc_text(text: str) -> str:
    """Element content: &, <, > escaped; illegal characters dropped."""
    text = clean(text)
    return _TEXT_SPECIAL.sub(_entity, text) if _TEXT_SPECIAL.search(text) else text


def esc_attr(text: str) -> str:
    """A double-quoted attribute value (whitespace kept as character references)."""
    text = clean(text)
    return _ATTR_SPECIAL.sub(_entity, text) if _ATTR_SPECIAL.search(text) else text


def cell_text(text: str) -> str:
    """THE text rule for every cell huikuan writes (ST_Xstring, ECMA-376 Part 1, 22.4.2.4).

    Encoded the way Excel encodes them, never dropped, never raising:
    - a literal `_xHHHH_` gets its underscore escaped: `_x0041_` → `_x005F_x0041_`;
    - a character XML 1.0 cannot carry (controls but tab and newline, lone
      surrogates, U+FFFE, U+FFFF) becomes `_xHHHH_`: U+000B → `_x000B_`;
    - a carriage return becomes `_x000D_` (an XML parser would turn it into a newline);
    - then &, <, > as entities.
    Readers (Excel, LibreOffice, python-calamine) decode it back to the same text.
    """
    if "_x" in text or "_X" in text:
        text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    if _CELL_ILLEGAL.search(text):
        text = _CELL_ILLEGAL.sub(_hex_escape, text)
    return _TEXT_SPECIAL.sub(_entity, text) if _TEXT_SPECIAL.search(text) else text


esc_cell_text = cell_text  # the name sheetxml used


def _hex_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


# ---- located elements ---------------------------------------------------------

# a start or empty-element tag: attribute values may hold '>' but never '<'
_TAG = re.compile(rb"<[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")


@dataclass(eq=False)
class Node:
    """An element of a parsed part and where its bytes are."""

    ns: str
    local: str
    attrs: dict[str, str]  # keys "{ns}name" for prefixed attributes, else "name"
    start: int  # offset of '<'
    head_end: int  # offset just past the start tag's '>'
    end: int = -1  # offset just past the element (its end tag or '/>')
    close: int = -1  # offset of the end tag's '<' (head_end for an empty element)
    children: list[Node] = field(default_factory=list)
    text: str = ""  # character data directly inside (for leaf elements)
    prefix: str = ""  # "x:" when the source writes this element as <x:local>

    @property
    def empty(self) -> bool:
        """Written as <x/> (no end tag)."""
        return self.end == self.head_end

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    def find(self, local: str) -> Node | None:
        for child in self.children:
            if child.local == local:
                return child
        return None

    def findall(self, local: str) -> list[Node]:
        return [c for c in self.children if c.local == local]

    def iter(self, local: str | None = None) -> Iterator[Node]:
        if local is None or self.local == local:
            yield self
        for child in self.children:
            yield from child.iter(local)


def _guarded_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")

    def dtd(name: str, sysid: str | None, pubid: str | None, _internal: bool) -> None:
        raise DTDForbidden(name, sysid, pubid)

    def entity(
        name: str,
        _p: bool,
        value: str | None,
        base: str | None,
        sysid: str | None,
        pubid: str | None,
        notation: str | None,
    ) -> None:
        raise EntitiesForbidden(name, value, base, sysid, pubid, notation)

    def unparsed(
        name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None
    ) -> None:
        raise EntitiesForbidden(name, None, base, sysid, pubid, notation)

    def external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser.StartDoctypeDeclHandler = dtd
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed
    parser.ExternalEntityRefHandler = external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    return parser


def _split(name: str) -> tuple[str, str]:
    ns, _, local = name.rpartition(" ")
    return ns, local


def _attr_key(name: str) -> str:
    ns, local = _split(name)
    return f"{{{ns}}}{local}" if ns else local


def check_utf8(data: bytes, part: str) -> None:
    """Refuse a part in another encoding: spliced UTF-8 would corrupt it."""
    head = data[:200]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise Unusable(
            f"part {part} is not UTF-8 encoded; huikuan does not edit such a package",
            f"部件 {part} 不是 UTF-8 编码，huikuan 不修改此类文件",
        )
    match = re.match(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*encoding=[\"']([^\"']+)[\"']", head)
    if match and match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise Unusable(
            f"part {part} is encoded as {match.group(1).decode(errors='replace')}, not UTF-8; "
            "huikuan does not edit such a package",
            f"部件 {part} 的编码不是 UTF-8，huikuan 不修改此类文件",
        )


def parse(data: bytes, part: str) -> Node:
    """The root element of a part, every element located by byte offsets."""
    check_utf8(data, part)
    parser = _guarded_parser()
    stack: list[Node] = []
    root: list[Node] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        at = parser.CurrentByteIndex
        tag = _TAG.match(data, at)
        if tag is None:  # cannot happen for well-formed input
            raise expat.ExpatError(f"no tag at byte {at}")
        qname = data[at + 1 : tag.end()].split(None, 1)[0].rstrip(b"/>").decode()
        prefix = qname.rpartition(":")[0]
        ns, local = _split(name)
        node = Node(
            ns=ns,
            local=local,
            attrs={_attr_key(k): v for k, v in attrs.items()},
            start=at,
            head_end=tag.end(),
            prefix=f"{prefix}:" if prefix else "",
        )
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        node = stack.pop()
        at = parser.CurrentByteIndex
        if data[node.head_end - 2 : node.head_end] == b"/>" and at <= node.head_end:
            node.end = node.close = node.head_end
        else:
            node.close = at
            node.end = data.index(b">", at) + 1

    def text(chars: str) -> None:
        if stack:
            stack[-1].text += chars

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, DefusedXmlException, ValueError) as exc:
        raise Unusable(
            f"part {part} is not well-formed XML ({exc}); nothing was written",
            f"部件 {part} 不是格式正确的 XML（{exc}），未写入任何内容",
        ) from None
    if not root:
        raise Unusable(f"part {part} is empty", f"部件 {part} 为空")
    return root[0]


def attributes(data: bytes, part: str, local: str) -> list[dict[str, str]]:
    """The attributes of every element named `local` in a part (no offsets; fast)."""
    check_utf8(data, part)
    parser = _guarded_parser()
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rpartition(" ")[2] == local:
            found.append({_attr_key(k): v for k, v in attrs.items()})

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, DefusedXmlException, ValueError) as exc:
        raise Unusable(
            f"part {part} is not well-formed XML ({exc}); nothing was written",
            f"部件 {part} 不是格式正确的 XML（{exc}），未写入任何内容",
        ) from None
    return found


def declared_prefix(data: bytes, root: Node, uri: str) -> str | None:
    """The prefix the root's start tag binds to `uri` ("" for the default namespace)."""
    head = data[root.start : root.head_end].decode()
    for match in re.finditer(r"xmlns(?::([\w.\-]+))?\s*=\s*([\"'])(.*?)\2", head):
        if match.group(3) == uri:
            return match.group(1) or ""
    return None


# ---- edits --------------------------------------------------------------------


class Edits:
    """Byte splices on one part, applied together; spans must not overlap."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._splices: list[tuple[int, int, bytes]] = []

    def __bool__(self) -> bool:
        return bool(self._splices)

    def replace(self, start: int, end: int, new: bytes | str) -> None:
        self._splices.append((start, end, new.encode() if isinstance(new, str) else new))

    def insert(self, at: int, new: bytes | str) -> None:
        self.replace(at, at, new)

    def remove(self, node: Node) -> None:
        self.replace(node.start, node.end, b"")

    def append_child(self, parent: Node, xml: str) -> None:
        """Add `xml` as the last child of `parent` (an empty parent gets an end tag)."""
        if parent.empty:
            head = self.data[parent.start : parent.head_end - 2].rstrip()
            tail = f"{xml}</{parent.prefix}{parent.local}>".encode()
            self.replace(parent.start, parent.end, head + b">" + tail)
        else:
            self.insert(parent.close, xml)

    def set_attr(self, node: Node, name: str, value: str) -> None:
        """Set an unprefixed attribute in node's start tag (added before the tag's end)."""
        head = self.data[node.start : node.head_end]
        pattern = re.compile(rb"(\s" + re.escape(name.encode()) + rb"\s*=\s*)([\"'])(.*?)\2", re.S)
        match = pattern.search(head)
        if match:
            at = node.start + match.start(3)
            self.replace(at, at + len(match.group(3)), esc_attr(value))
        else:
            close = 2 if head.endswith(b"/>") else 1
            self.insert(node.head_end - close, f' {name}="{esc_attr(value)}"')

    def apply(self) -> bytes:
        out = []
        pos = 0
        for start, end, new in sorted(self._splices, key=lambda s: (s[0], s[1])):
            if start < pos:
                raise AssertionError("overlapping XML edits")
            out.append(self.data[pos:start])
            out.append(new)
            pos = end
        out.append(self.data[pos:])
        return b"".join(out)


# ---- part names and relationships ---------------------------------------------------


def rels_of(part: str) -> str:
    """xl/workbook.xml → xl/_rels/workbook.xml.rels"""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target relative to its source part, as a zip entry name."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    """The target from `source` to `part` (what Excel writes: relative)."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # as written
    part: str | None  # resolved zip entry name; None for an external target
    node: Node


def relationships(data: bytes, part: str, source: str) -> tuple[Node, list[Rel]]:
    """The Relationship elements of a .rels part whose source part is `source`."""
    root = parse(data, part)
    rels = []
    for node in root.findall("Relationship"):
        target = node.get("Target", "") or ""
        external = (node.get("TargetMode") or "").lower() == "external"
        rels.append(
            Rel(
                id=node.get("Id", "") or "",
                type=node.get("Type", "") or "",
                target=target,
                part=None if external else resolve(source, target),
                node=node,
            )
        )
    return root, rels


def free_id(taken: set[str], prefix: str = "rId") -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"
