"""Build huikuan.xlam from source, on any system.

The VBA project is written by pyOpenVBA (MIT, pure Python, maintained): it starts
from an empty add-in that Excel itself authored (workbook content type
application/vnd.ms-excel.addin.macroEnabled.main+xml, a vbaProject.bin part and
its relationship, the Office type library referenced, so IRibbonControl
compiles) and writes the modules per MS-OVBA, each module stream without a
compiled-code cache (the template's Sheet1 is rewritten for that too). pyOpenVBA
keeps the template's `_VBA_PROJECT` stream (version 0x00B5 and a zeroed 2.5 KB
performance cache); MS-OVBA §2.3.4.1 says a writer emits version 0xFFFF and no
cache — the 7 bytes CC 61 FF FF 00 01 00, as xlwings' own add-in has — so that
Office compiles from source instead of trusting a cache. pyOpenVBA's compound-file
writer (pyopenvba.cfb.CFB, which rebuilds the file and so can change a stream's
size, unlike olefile) rewrites that one stream. Then, at the zip level: the ribbon
(customUI/customUI14.xml and its relationship in _rels/.rels), the document
properties naming huikuan as author, every other part copied as it is. openpyxl
never touches the add-in (it would drop the ribbon).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

from .. import __version__
from ..fileio import write_atomic
from .ribbon import custom_ui
from .vba import ribbon_module, this_workbook, udf_module, xlwings_module

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MODULES = ("xlwings", "huikuan_ribbon", "huikuan_udfs")
VBA_PART = "xl/vbaProject.bin"
CORE_PART = "docProps/core.xml"
# MS-OVBA 2.3.4.1 _VBA_PROJECT as a writer emits it: Reserved1 0x61CC, Version 0xFFFF,
# Reserved2 0x00, Reserved3 0x0001 (xlwings' add-in has these 7 bytes); no PerformanceCache.
VBA_PROJECT_STREAM = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])
AUTHOR = "huikuan"
CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def vba_addin(path: Path) -> None:
    """An empty add-in at `path` holding huikuan's VBA modules (pyOpenVBA)."""
    from pyopenvba import ExcelFile

    with ExcelFile.create_new(path) as wb:
        project = wb.vba_project()
        project.add_module("xlwings", xlwings_module())
        project.add_module("huikuan_ribbon", ribbon_module())
        project.add_module("huikuan_udfs", udf_module())
        wb.set_module("ThisWorkbook", this_workbook())
        # rewritten as it is: written again, the stream holds no compiled-code cache
        wb.set_module("Sheet1", wb.get_module("Sheet1"))
        if "Module1" in project.module_names():  # the template's empty module
            project.delete_module("Module1")
        wb.save()


def without_performance_cache(vba_project: bytes) -> bytes:
    """vbaProject.bin with its VBA/_VBA_PROJECT stream as MS-OVBA says a writer emits it."""
    from pyopenvba.cfb import CFB

    cfb = CFB.from_bytes(vba_project)
    old = cfb.get_stream_in_storage("VBA", "_VBA_PROJECT")
    if old[:2] != VBA_PROJECT_STREAM[:2]:
        raise RuntimeError("the add-in template's _VBA_PROJECT stream has no 0x61CC header")
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    return cfb.to_bytes()


def core_properties(created: str) -> bytes:
    """docProps/core.xml: huikuan as creator and last author, the build's time."""
    for prefix, uri in CORE_NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{{{CORE_NS['cp']}}}coreProperties")
    ET.SubElement(root, f"{{{CORE_NS['dc']}}}title").text = "huikuan 回款"
    ET.SubElement(root, f"{{{CORE_NS['dc']}}}creator").text = AUTHOR
    ET.SubElement(root, f"{{{CORE_NS['cp']}}}lastModifiedBy").text = AUTHOR
    ET.SubElement(root, f"{{{CORE_NS['cp']}}}version").text = __version__
    for tag in ("created", "modified"):
        stamp = ET.SubElement(root, f"{{{CORE_NS['dcterms']}}}{tag}")
        stamp.set(f"{{{CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
        stamp.text = created
    declaration = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return declaration + ET.tostring(root, encoding="unicode").encode("utf-8")


def _with_ribbon_rel(rels: bytes) -> bytes:
    """_rels/.rels with one relationship of the ribbon type to RIBBON_PART."""
    root = fromstring(rels)
    ET.register_namespace("", RELS_NS)
    kept = [r for r in root if r.get("Type") != RIBBON_REL]
    ids = {r.get("Id") for r in kept}
    new_id = next(f"rId{n}" for n in range(1, len(kept) + 2) if f"rId{n}" not in ids)
    out = ET.Element(f"{{{RELS_NS}}}Relationships")
    out.extend(kept)
    ET.SubElement(out, f"{{{RELS_NS}}}Relationship", Id=new_id, Type=RIBBON_REL, Target=RIBBON_PART)
    declaration = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return declaration + ET.tostring(out, encoding="unicode").encode("utf-8")


def add_ribbon(package: bytes, ui: bytes, created: str = "2026-01-01T00:00:00Z") -> bytes:
    """The package with the ribbon part and its relationship, the VBA project header as
    MS-OVBA says, huikuan's document properties; every other part as it was."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        types = zin.read("[Content_Types].xml").decode("utf-8")
        if 'Extension="xml"' not in types:  # customUI takes the default xml content type
            raise RuntimeError("the add-in template has no default content type for .xml")
        for info in zin.infolist():
            if info.filename == RIBBON_PART:
                continue
            data = zin.read(info)
            if info.filename == "_rels/.rels":
                data = _with_ribbon_rel(data)
            elif info.filename == VBA_PART:
                data = without_performance_cache(data)
            elif info.filename == CORE_PART:
                data = core_properties(created)
            zout.writestr(info, data)
        zout.writestr(RIBBON_PART, ui)
    return out.getvalue()


def build(out: Path, lang: str = "zh") -> Path:
    """Write huikuan.xlam (ribbon labels in `lang`) to `out`, atomically."""
    from datetime import datetime, timezone

    ui = custom_ui(lang)
    out = out.resolve()
    created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "huikuan.xlam"
        vba_addin(raw)
        package = add_ribbon(raw.read_bytes(), ui, created)
    write_atomic(out, package)
    return out
