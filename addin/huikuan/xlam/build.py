"""Build huikuan.xlam from source, on any system.

The VBA project is written by pyOpenVBA (MIT, pure Python, maintained): it starts
from an empty add-in that Excel itself authored (workbook content type
application/vnd.ms-excel.addin.macroEnabled.main+xml, a vbaProject.bin part and
its relationship, the Office type library referenced, so IRibbonControl
compiles), writes the modules per MS-OVBA and clears the compiled-code cache so
Excel compiles them on first load. The ribbon is then added at the zip level —
customUI/customUI14.xml and its relationship in _rels/.rels — copying every
other part as it is. openpyxl never touches the add-in (it would drop the ribbon).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

from ..fileio import write_atomic
from .ribbon import custom_ui
from .vba import ribbon_module, this_workbook, udf_module, xlwings_module

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MODULES = ("xlwings", "huikuan_ribbon", "huikuan_udfs")


def vba_addin(path: Path) -> None:
    """An empty add-in at `path` holding huikuan's VBA modules (pyOpenVBA)."""
    from pyopenvba import ExcelFile

    with ExcelFile.create_new(path) as wb:
        project = wb.vba_project()
        project.add_module("xlwings", xlwings_module())
        project.add_module("huikuan_ribbon", ribbon_module())
        project.add_module("huikuan_udfs", udf_module())
        wb.set_module("ThisWorkbook", this_workbook())
        if "Module1" in project.module_names():  # the template's empty module
            project.delete_module("Module1")
        wb.save()


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


def add_ribbon(package: bytes, ui: bytes) -> bytes:
    """The package with the ribbon part and its relationship; every other part as it was."""
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
            zout.writestr(info, data)
        zout.writestr(RIBBON_PART, ui)
    return out.getvalue()


def build(out: Path, lang: str = "zh") -> Path:
    """Write huikuan.xlam (ribbon labels in `lang`) to `out`, atomically."""
    ui = custom_ui(lang)
    out = out.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "huikuan.xlam"
        vba_addin(raw)
        package = add_ribbon(raw.read_bytes(), ui)
    write_atomic(out, package)
    return out
