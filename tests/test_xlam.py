"""The built add-in, read back part by part: VBA with olevba, the ribbon against the schema.

What these tests cannot show without Excel: that Excel loads the add-in, compiles
its VBA, draws the tab, and that xlwings' COM server answers the wrappers.
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import pytest
import xlwings
import xmlschema
from defusedxml.ElementTree import fromstring

from books import huikuan
from huikuan import cells, macros, udfs
from huikuan.xlam import ribbon, vba
from huikuan.xlam.build import RIBBON_PART, RIBBON_REL, build

with warnings.catch_warnings():  # oletools 0.60.2 still calls pyparsing's old names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

SCHEMA = Path(__file__).parent / "customui14_subset.xsd"
UI_NS = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}
ADDIN_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
OFFICE_DOC_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
# VBA's reserved words that an argument name could collide with
VBA_RESERVED = set(
    [
        "and",
        "as",
        "boolean",
        "byref",
        "byte",
        "byval",
        "call",
        "case",
        "const",
        "currency",
        "date",
        "decimal",
        "declare",
        "dim",
        "do",
        "double",
        "each",
        "else",
        "elseif",
        "empty",
        "end",
        "enum",
        "eqv",
        "erase",
        "error",
        "event",
        "exit",
        "false",
        "for",
        "friend",
        "function",
        "get",
        "global",
        "gosub",
        "goto",
        "if",
        "imp",
        "implements",
        "in",
        "integer",
        "is",
        "let",
        "like",
        "long",
        "longlong",
        "longptr",
        "loop",
        "lset",
        "me",
        "mod",
        "new",
        "next",
        "not",
        "nothing",
        "null",
        "on",
        "option",
        "optional",
        "or",
        "paramarray",
        "preserve",
        "private",
        "public",
        "raiseevent",
        "redim",
        "rem",
        "resume",
        "rset",
        "select",
        "set",
        "single",
        "static",
        "stop",
        "string",
        "sub",
        "then",
        "to",
        "true",
        "type",
        "typeof",
        "until",
        "variant",
        "wend",
        "while",
        "with",
        "withevents",
        "xor",
    ]
)


@pytest.fixture(scope="module", params=["zh", "en"])
def addin(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp(request.param) / "huikuan.xlam", request.param)


@pytest.fixture(scope="module")
def modules(addin: Path) -> dict[str, str]:
    """Each VBA module's code as olevba extracts it, without its Attribute lines."""
    parser = VBA_Parser(str(addin))
    try:
        assert parser.detect_vba_macros()
        return {
            name.rsplit(".", 1)[0]: "\n".join(
                line for line in code.splitlines() if not line.startswith("Attribute VB_")
            )
            for _, _, name, code in parser.extract_all_macros()
        }
    finally:
        parser.close()


def part(addin: Path, name: str) -> bytes:
    with zipfile.ZipFile(addin) as zf:
        return zf.read(name)


def ui_root(addin: Path):
    return fromstring(part(addin, RIBBON_PART))


# ---- the VBA ------------------------------------------------------------------------------


def test_the_modules_are_there(modules: dict[str, str]):
    assert {"xlwings", "huikuan_ribbon", "huikuan_udfs", "ThisWorkbook"} <= set(modules)
    assert "HuikuanRegisterFunctions" in modules["ThisWorkbook"]


def test_the_xlwings_module_is_the_installed_packages(modules: dict[str, str]):
    shipped = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text("utf-8")

    def lines(code: str) -> list[str]:
        kept = [
            x for x in code.replace("\r\n", "\n").split("\n") if not x.startswith("Attribute VB_")
        ]
        return "\n".join(kept).rstrip("\n").split("\n")

    got = lines(modules["xlwings"])
    differ = [(a, b) for a, b in zip(lines(shipped), got, strict=True) if a != b]
    assert differ == [
        (
            'Public Const PROJECT_NAME As String = "myaddin"',
            'Public Const PROJECT_NAME As String = "huikuan"',
        )
    ]
    assert f"'Version: {xlwings.__version__}" in got
    assert "xlwings is distributed under a BSD 3-clause license." in modules["xlwings"]


def test_every_ribbon_action_has_its_callback(addin: Path, modules: dict[str, str]):
    actions = [b.get("onAction") for b in ui_root(addin).iterfind(".//ui:button", UI_NS)]
    assert len(actions) == len(ribbon.BUTTONS) == 8
    code = "\n".join(modules.values())
    for action in actions:
        name = action.rsplit(".", 1)[-1]
        assert re.search(rf"^Sub {name}\(control As IRibbonControl\)$", code, re.M), action


def test_every_run_python_names_a_function_that_imports(modules: dict[str, str]):
    commands = re.findall(r'RunPython "([^"]+)"', modules["huikuan_ribbon"])
    assert len(commands) == len(ribbon.BUTTONS)
    called = []
    for command in commands:
        match = re.fullmatch(r"import ([\w.]+); ([\w.]+)\.(\w+)\(\)", command)
        assert match and match[1] == match[2], command
        module = importlib.import_module(match[1])
        assert callable(getattr(module, match[3])), command
        called.append(getattr(module, match[3]))
    assert called == list(macros.BUTTONS)


def python_signature(fn) -> list[tuple[str, bool]]:
    return [(p.name, p.default is not p.empty) for p in inspect.signature(fn).parameters.values()]


def test_every_wrapper_matches_its_python_signature(modules: dict[str, str]):
    code = modules["huikuan_udfs"]
    wrappers = dict(re.findall(r"^Function (\w+)\(([^)]*)\)$", code, re.M))
    assert set(wrappers) == {f.__name__ for f in udfs.FUNCTIONS}
    for fn in udfs.FUNCTIONS:
        params = [p.strip() for p in wrappers[fn.__name__].split(",")]
        vba_params = [(p.removeprefix("Optional "), p.startswith("Optional ")) for p in params]
        assert vba_params == python_signature(fn), fn.__name__
        names = ", ".join(name for name, _ in vba_params)
        call = (
            f'{fn.__name__} = HuikuanErrors(XLPy.CallUDF("huikuan.udfs", "{fn.__name__}", '
            f"Array({names}), ActiveWorkbook, Application.Caller))"
        )
        assert call in code, fn.__name__
        assert not {n.casefold() for n, _ in vba_params} & VBA_RESERVED


def test_wrappers_turn_xlwings_error_text_into_excel_errors(modules: dict[str, str]):
    cases = dict(
        re.findall(r'Case "([^"]+)": HuikuanError = CVErr\((\d+)\)', modules["huikuan_udfs"])
    )
    assert tuple(cases) == cells.ERRORS
    assert cases["#VALUE!"] == "2015" and cases["#NUM!"] == "2036" and cases["#N/A"] == "2042"


def vba_text(expression: str) -> str:
    """Evaluate a VBA string expression of "…" literals and ChrW(&H…) joined by &."""
    out = []
    for literal, code in re.findall(r'"((?:[^"]|"")*)"|ChrW\(&H([0-9A-F]+)\)', expression):
        out.append(chr(int(code, 16)) if code else literal.replace('""', '"'))
    return "".join(out)


def test_insert_function_help_is_the_python_docs_in_both_languages(modules: dict[str, str]):
    code = modules["huikuan_udfs"]
    body = code[code.index("Sub HuikuanRegisterFunctions()") :]
    blocks = body.split("Application.MacroOptions")[:-1]
    functions = vba.cell_functions()
    assert len(blocks) == len(functions) == len(udfs.FUNCTIONS)
    for block, fn in zip(blocks, functions, strict=True):
        values: dict[str, str] = {}
        for var, expr in re.findall(r"^\s*(description|category|args\(\d+\)) = (.*)$", block, re.M):
            prefix = f"{var} & "
            values[var] = (
                values.get(var, "") + vba_text(expr.removeprefix(prefix))
                if expr.startswith(prefix)
                else vba_text(expr)
            )
        assert values["description"] == fn.doc
        assert "回款" in vba_text(re.search(r"category = (.*)", body)[1])
        assert [values[f"args({i})"] for i in range(len(fn.params))] == [p.doc for p in fn.params]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in fn.doc)


def test_the_vba_source_is_plain_ascii(modules: dict[str, str]):
    for name, code in modules.items():
        assert code.isascii(), name  # Excel stores VBA in the system's ANSI code page
        assert max(map(len, code.splitlines()), default=0) < 1024, name


def test_pyopenvba_reads_the_project_back_without_complaint(addin: Path):
    from pyopenvba import ExcelFile

    with ExcelFile(addin) as wb:
        assert wb.validate() == []
        assert "Office" in [r.name for r in wb.references()]  # IRibbonControl's library
        assert "Module1" not in wb.module_names()


# ---- the ribbon ---------------------------------------------------------------------------


def test_the_ribbon_is_valid_customui14(addin: Path):
    schema = xmlschema.XMLSchema(SCHEMA)
    schema.validate(part(addin, RIBBON_PART).decode("utf-8"))


def test_the_schema_subset_rejects_what_excel_rejects():
    schema = xmlschema.XMLSchema(SCHEMA)
    good = ribbon.custom_ui("zh").decode("utf-8")
    assert schema.is_valid(good)
    for bad in (
        good.replace('size="large"', 'size="huge"', 1),
        good.replace('keytip="HK"', 'keytip="HKXY"'),
        good.replace('id="huikuan_split"', 'id="huikuan_refresh"'),  # ids are unique
        good.replace('label="刷新"', 'label=""'),
        good.replace("<group ", '<group colour="red" ', 1),  # no such attribute
        good.replace("2009/07/customui", "2006/01/customui"),
    ):
        assert not schema.is_valid(bad)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tab_is_huikuan_with_labels_in_one_language_and_tips_in_both(lang: str):
    root = fromstring(ribbon.custom_ui(lang))
    (tab,) = root.iterfind(".//ui:tab", UI_NS)
    assert tab.get("label") == "回款"
    buttons = list(root.iterfind(".//ui:button", UI_NS))
    labels = [b.get("label") for b in buttons]
    if lang == "zh":
        assert labels == ["刷新", "跟进计划", "诊断", "检查", "新月份", "拆分", "汇总", "自检"]
    else:
        assert labels == [
            "Refresh",
            "Schedule",
            "Diagnose",
            "Check",
            "New month",
            "Split",
            "Collect",
            "Self-test",
        ]
    for b in buttons:
        tip = b.get("supertip")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in tip) and re.search("[A-Za-z]{4}", tip)
        assert b.get("imageMso") and b.get("size") == "large"


def test_the_ribbon_buttons_are_the_macros():
    assert [b.macro for b in ribbon.BUTTONS] == [f.__name__ for f in macros.BUTTONS]


# ---- the package ---------------------------------------------------------------------------


def content_types(addin: Path) -> tuple[dict[str, str], dict[str, str]]:
    root = fromstring(part(addin, "[Content_Types].xml"))
    defaults = {e.get("Extension"): e.get("ContentType") for e in root if e.tag.endswith("Default")}
    overrides = {
        e.get("PartName"): e.get("ContentType") for e in root if e.tag.endswith("Override")
    }
    return defaults, overrides


def relationships(addin: Path, rels: str) -> list[tuple[str, str]]:
    return [(r.get("Type"), r.get("Target")) for r in fromstring(part(addin, rels))]


def test_the_package_is_an_addin_with_a_vba_project_and_a_ribbon(addin: Path):
    defaults, overrides = content_types(addin)
    assert overrides["/xl/workbook.xml"] == ADDIN_TYPE
    assert overrides.get("/xl/vbaProject.bin", defaults.get("bin")) == VBA_TYPE
    assert defaults["xml"] == "application/xml"  # the customUI part's content type
    root_rels = relationships(addin, "_rels/.rels")
    assert (RIBBON_REL, RIBBON_PART) in root_rels
    assert [t for t, _ in root_rels].count(RIBBON_REL) == 1
    assert (OFFICE_DOC_REL, "xl/workbook.xml") in root_rels
    assert (VBA_REL, "vbaProject.bin") in relationships(addin, "xl/_rels/workbook.xml.rels")


def test_every_part_has_a_content_type_and_every_relationship_a_target(addin: Path):
    defaults, overrides = content_types(addin)
    with zipfile.ZipFile(addin) as zf:
        names = set(zf.namelist())
        assert zf.testzip() is None
    for name in names - {"[Content_Types].xml"}:
        assert f"/{name}" in overrides or name.rsplit(".", 1)[-1] in defaults, name
    for rels in (n for n in names if n.endswith(".rels")):
        base = PurePosixPath(rels).parent.parent
        for _, target in relationships(addin, rels):
            resolved = (
                PurePosixPath(target.lstrip("/")) if target.startswith("/") else base / target
            )
            assert str(resolved) in names, (rels, target)


def test_the_workbook_part_is_a_minimal_workbook(addin: Path):
    root = fromstring(part(addin, "xl/workbook.xml"))
    sheets = [e for e in root.iter() if e.tag.endswith("}sheet")]
    assert len(sheets) == 1


# ---- the command ----------------------------------------------------------------------------


def test_the_command_builds_the_addin_and_keeps_an_existing_file(tmp_path: Path):
    out = tmp_path / "huikuan.xlam"
    done = huikuan("addin", "build", "-o", out, "--lang", "en")
    assert done.returncode == 0, done.stderr
    assert "written" in done.stdout and out.is_file()
    again = huikuan("addin", "build", "-o", out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert huikuan("addin", "build", "-o", out, "--force").returncode == 0
