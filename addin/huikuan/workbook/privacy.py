"""Split's privacy rule: no entry of a rep's file holds another rep's data.

The rep's file is the team workbook with the other reps' rows removed from the
input tables (rowedit). What else could still hold them is found by looking for
the other reps' words (customer ids and names, rep names) in every entry, as
stored and as XML writes them, and then:

- shared strings: every string no kept cell refers to is emptied (indices kept,
  so the sheets that are copied as stored still read right);
- a chart: its cached values (strCache, numCache) are removed — Excel and
  LibreOffice redraw them from the cells;
- a sheet of the user's (hidden ones too) holding such a word — in its cells, its
  shared strings, its name, or a part under it (comments, drawings, pivot tables,
  charts whose formulas name it) — is dropped with the parts only it used;
- a huikuan table the rep's file does not get (Collect) goes with its sheet;
- a defined name holding such a word, or pointing at a dropped sheet, is removed;
- any other part holding one (a pivot cache, document properties, custom XML)
  is dropped with its relationships; what pointed at it goes as well.

An entry that holds none is copied as stored. Every drop is named in the split
report (Writer.dropped). The input sheets themselves keep only the rep's rows,
which are the rep's (a contact person may share a name with another rep).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ahocorasick_rs import AhoCorasick

from .rowedit import _CELL
from .xmlparts import Edits, R, cell_text, esc_attr, esc_text, relationships

if TYPE_CHECKING:
    from .package_writer import Sheet, Writer

_SI = re.compile(rb"<((?:[\w.\-]+:)?)si\b(?:[^>]*?/>|.*?</\1si>)", re.S)
_T_SHARED = re.compile(rb"""^<(?:[\w.\-]+:)?c\b[^>]*?\st\s*=\s*["']s["']""")
_V = re.compile(rb"<(?:[\w.\-]+:)?v>\s*(\d+)\s*<")
_CACHE = re.compile(
    rb"<((?:[\w.\-]+:)?)(strCache|numCache|multiLvlStrCache)\b(?:[^>]*?/>|.*?</\1\2>)", re.S
)
REL_SST = "sharedStrings"


def _forms(word: str) -> set[str]:
    """A word as stored and as XML writes it (text, attribute, cell text)."""
    return {f for f in (word, esc_text(word), esc_attr(word), cell_text(word)) if f}


class WordIndex:
    """Every word of a team (customer ids and names, rep names), made once for all the
    reps' files: building the matcher of the other reps' words anew for each rep cost
    ≈ 40 ms a file at 5,000 customers, half of split's time per rep after its rows
    (benchmarks/split.py). Each form remembers the words it is a form of."""

    def __init__(self, words: Iterable[str]) -> None:
        by_form: dict[str, set[str]] = {}
        self.words: set[str] = set()
        for w in words:
            if w.strip():
                self.words.add(w)
                for f in _forms(w):
                    by_form.setdefault(f, set()).add(w)
        self.forms = sorted(by_form)
        self.owners = [by_form[f] for f in self.forms]
        self.matcher = AhoCorasick(self.forms) if self.forms else None


@dataclass(frozen=True)
class Private:
    """Whose data must not be in the file, and which of huikuan's tables it does not get."""

    words: frozenset[str]  # other reps' customer ids and names, their names
    drop_tables: tuple[str, ...] = ()
    index: WordIndex | None = None  # the team's words, when `words` are among them


class _Words:
    """The words, as stored and as XML writes them, found at once in any part (Aho-Corasick:
    one pass over the part whatever the number of words; a regex alternation of thousands
    of customer names would take seconds per megabyte).

    With an index of the team's words: its matcher, every match (overlapping ones too: a
    word inside another word of the team is still seen) checked against `words` — the
    same parts found as with a matcher of `words` alone."""

    def __init__(self, words: frozenset[str], index: WordIndex | None = None) -> None:
        wanted = {w for w in words if w.strip()}
        self.words = wanted
        self.index = index if index is not None and wanted <= index.words else None
        self.matcher = None
        if self.index is None:
            forms: set[str] = set()
            for w in wanted:
                forms |= _forms(w)
            self.matcher = AhoCorasick(sorted(forms)) if forms else None

    def _text(self, data: bytes) -> str:
        return data.decode("utf-8", "replace")

    def found(self, data: bytes) -> bool:
        if not data or not self.words:
            return False
        if self.index is not None:
            if self.index.matcher is None:
                return False
            owners = self.index.owners
            return any(
                not self.words.isdisjoint(owners[i])
                for i, _, _ in self.index.matcher.find_matches_as_indexes(
                    self._text(data), overlapping=True
                )
            )
        return self.matcher is not None and bool(
            self.matcher.find_matches_as_strings(self._text(data))
        )


def _subtree(writer: Writer, part: str) -> list[str]:
    pkg = writer.pkg
    seen = [part]
    queue = [part]
    while queue:
        p = queue.pop()
        for rel in pkg.rels(p):
            if rel.part and pkg.has(rel.part) and pkg.real(rel.part) not in seen:
                seen.append(pkg.real(rel.part))
                queue.append(pkg.real(rel.part))
    return seen


def scrub(writer: Writer, private: Private, ours: set[str]) -> None:
    """Apply the privacy rule to the package being written (see the module)."""
    pkg = writer.pkg
    words = _Words(private.words, private.index)
    edited = {
        pkg.real(s.part)
        for spec in writer.rows
        for s in pkg.sheets
        if s.part and spec.table.casefold() in s.tables
    }
    sst_part = next(
        (
            pkg.real(r.part)
            for r in pkg.wb_rels
            if r.type.endswith("/" + REL_SST) and r.part and pkg.has(r.part)
        ),
        None,
    )
    items: list[bytes] = []
    sst_data = b""
    if sst_part:
        sst_data = pkg.read(sst_part)
        items = [m.group() for m in _SI.finditer(sst_data)]
    foreign_sst = {i for i, si in enumerate(items) if words.found(si)}

    sheets = [s for s in pkg.sheets if s.part and pkg.has(s.part)]
    trees = {pkg.real(s.part): _subtree(writer, pkg.real(s.part)) for s in sheets if s.part}
    drop_tables = {t.casefold() for t in private.drop_tables}
    refs: dict[str, set[int]] = {}
    dropping: dict[str, str] = {}  # sheet part → why (en)
    for sheet in sheets:
        assert sheet.part
        part = pkg.real(sheet.part)
        if part in ours:
            continue
        data = writer.current(part)
        refs[part] = _shared_refs(data) if items else set()
        if part in edited:
            continue
        if drop_tables & set(sheet.tables):
            dropping[part] = "a huikuan table of the team workbook"
            continue
        if words.found(sheet.name.encode()) or words.found(data) or refs[part] & foreign_sst:
            dropping[part] = "it holds other reps' data"
            continue
        for sub in trees[part][1:]:
            if sub.endswith(".rels"):
                continue
            sub_data = writer.current(sub)
            if not words.found(sub_data):
                continue
            if b"drawingml/2006/chart" in sub_data[:2000]:
                stripped = _CACHE.sub(b"", sub_data)
                writer.put(sub, stripped)
                if not words.found(stripped):
                    continue
            dropping[part] = f"{sub} holds other reps' data"
            break
    # parts not under any sheet: pivot caches, properties, custom XML…
    under_sheets = {p for tree in trees.values() for p in tree}
    index = {
        pkg.workbook_part,
        pkg.wb_rels_part,
        "[Content_Types].xml",
        "_rels/.rels",
        *(p for p in [sst_part] if p),
    }
    loose: set[str] = set()
    for entry in pkg.entries:
        if entry in under_sheets or entry in index or entry.endswith(".rels"):
            continue
        if entry in writer.deleted or entry.endswith("/"):
            continue
        if words.found(writer.current(entry)):
            loose.add(entry)
    # what hangs off a loose part goes with it; a sheet pointing at one goes too
    for entry in list(loose):
        loose.update(_subtree(writer, entry))
    for part, tree in trees.items():
        free = part not in ours and part not in edited and part not in dropping
        if free and any(p in loose for p in tree[1:]):
            dropping[part] = "it uses a dropped part"
    for sheet in sheets:
        assert sheet.part
        part = pkg.real(sheet.part)
        if part in dropping:
            _drop_sheet(writer, sheet, part)
            writer.dropped.append(
                (
                    f"sheet {sheet.name}: {dropping[part]}",
                    f"工作表 {sheet.name}：{_zh(dropping[part])}",
                )
            )
    for entry in sorted(loose):
        _drop_part(writer, entry)
        writer.dropped.append((f"{entry}: other reps' data", f"{entry}：含其他业务员的数据"))
    _defined_names(writer, words, [s.name for s in sheets if pkg.real(s.part or "") in dropping])
    if dropping:  # the chain lists cells of the dropped sheets: Excel rebuilds it
        calc = writer._calc_chain()
        if calc and calc[0].part and pkg.real(calc[0].part) not in writer.deleted:
            writer._drop_calc_chain(calc[0])
    if sst_part:
        kept: set[int] = set()
        for part, used in refs.items():
            if part not in dropping:
                kept |= used
        if kept != set(range(len(items))):
            writer.put(sst_part, _emptied(sst_data, kept))


def _zh(en: str) -> str:
    if en == "a huikuan table of the team workbook":
        return "汇总表专用的 huikuan 表格"
    if en == "it uses a dropped part":
        return "引用了已删除的部件"
    if en.endswith(" holds other reps' data"):
        return en.removesuffix(" holds other reps' data") + " 含其他业务员的数据"
    return "含其他业务员的数据"


def _shared_refs(data: bytes) -> set[int]:
    """Indices of shared strings a sheet's cells use."""
    used: set[int] = set()
    if b't="s"' not in data and b"t='s'" not in data:
        return used
    for m in _CELL.finditer(data):
        cell = m.group()
        if _T_SHARED.match(cell):
            v = _V.search(cell)
            if v:
                used.add(int(v.group(1)))
    return used


def _emptied(data: bytes, kept: set[int]) -> bytes:
    """sharedStrings with every string not in `kept` emptied, indices kept."""
    n = -1

    def blank(m: re.Match[bytes]) -> bytes:
        nonlocal n
        n += 1
        if n in kept:
            return m.group()
        p = m.group(1)
        return b"<" + p + b"si><" + p + b"t/></" + p + b"si>"

    return _SI.sub(blank, data)


def _drop_sheet(writer: Writer, sheet: Sheet, part: str) -> None:
    pkg = writer.pkg
    node = next(
        n
        for n in pkg.sheets_node.findall("sheet")
        if n.get(f"{{{R}}}id") == (sheet.rel.id if sheet.rel else None)
    )
    writer.wb_edits.remove(node)
    if sheet.rel is not None:
        writer.wb_rels_edits.remove(sheet.rel.node)
    writer.delete(part)
    for orphan in writer._orphans(part):
        writer.delete(orphan)
    position = pkg.sheets.index(sheet)
    writer.removed_positions.append(position)


def _drop_part(writer: Writer, entry: str) -> None:
    """Delete a part and every relationship (and workbook element) pointing at it."""
    pkg = writer.pkg
    writer.delete(entry)
    for rels_entry in pkg.entries:
        if not rels_entry.endswith(".rels") or rels_entry in writer.deleted:
            continue
        folder, name = posixpath.split(rels_entry)
        source = posixpath.join(posixpath.dirname(folder), name[: -len(".rels")])
        if rels_entry == pkg.wb_rels_part:
            for rel in pkg.wb_rels:
                if rel.part and pkg.real(rel.part) == entry:
                    writer.wb_rels_edits.remove(rel.node)
                    _remove_referring(writer, rel.id)
            continue
        data = writer.current(rels_entry)
        _, rels = relationships(data, rels_entry, source)
        gone = [r for r in rels if r.part and pkg.real(r.part) == entry]
        if gone:
            edits = Edits(data)
            for r in gone:
                edits.remove(r.node)
            writer.put(rels_entry, edits.apply())


def _remove_referring(writer: Writer, rel_id: str) -> None:
    """Remove the workbook.xml elements that use a relationship (a pivotCache, an
    externalReference); a list left empty goes whole (the schema wants one child)."""
    for parent in writer.pkg.wb.iter():
        hits = [c for c in parent.children if c.get(f"{{{R}}}id") == rel_id]
        if not hits:
            continue
        if len(hits) == len(parent.children) and parent is not writer.pkg.wb:
            writer.wb_edits.remove(parent)
        else:
            for node in hits:
                writer.wb_edits.remove(node)


def _defined_names(writer: Writer, words: _Words, dropped_sheets: list[str]) -> None:
    """Remove defined names holding a word or pointing at a dropped sheet; renumber
    localSheetId past the dropped sheets."""
    pkg = writer.pkg
    removed = sorted(writer.removed_positions)
    names = [n.lower() for n in dropped_sheets]
    for node in pkg.wb.iter("definedName"):
        text = pkg.wb_data[node.start : node.end]
        local = node.get("localSheetId")
        lower = text.decode("utf-8", "replace").lower()
        gone = words.found(text) or any(f"{n}!" in lower or f"{n}'!" in lower for n in names if n)
        if local is not None and local.isdigit() and int(local) in removed:
            gone = True
        if gone:
            writer.wb_edits.remove(node)
            writer.dropped.append(
                (
                    f"defined name {node.get('name')}",
                    f"定义的名称 {node.get('name')}",
                )
            )
        elif local is not None and local.isdigit() and removed:
            shift = sum(1 for r in removed if r < int(local))
            if shift:
                writer.wb_edits.set_attr(node, "localSheetId", str(int(local) - shift))
    if removed:
        view = next(pkg.wb.iter("workbookView"), None)
        if view is not None:
            for attr in ("activeTab", "firstSheet"):
                if view.get(attr) is not None:
                    writer.wb_edits.set_attr(view, attr, "0")
