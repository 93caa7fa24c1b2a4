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


# ---- icons Excel has ------------------------------------------------------------------------

# Excel's own control IDs used as imageMso, extracted from Microsoft's public Office Fluent UI
# command identifier lists: github.com/OfficeDev/office-fluent-ui-command-identifiers at
# commit b230a0df45036b2d5e8b49ebf368b3f90ada8d63, files "Office 2016/excelcontrols.xlsx"
# (last changed in 0fc32475), "Office 2019/excelcontrols.xlsx" (84f8506c) and
# "Microsoft 365/Current Channel/excelcontrols.xlsx" (9a4944b3); sheet excelcontrols,
# column A "Control Name". Each ID: its row in the 2016, 2019 and Microsoft 365 lists,
# its control type, tab and group there.
EXCEL_CONTROL_IDS = {
    "Refresh": ((500, 676, 859), "button", "TabData", "GroupConnections"),
    "HeaderFooterCurrentDate": (
        (1901, 2173, 2571),
        "button",
        "TabHeaderAndFooterToolsDesign",
        "GroupHeaderFooterElements",
    ),
    "FormulaEvaluate": ((433, 488, 602), "button", "TabFormulas", "GroupFormulaAuditing"),
    "DataValidation": ((520, 708, 902), "button", "TabData", "GroupDataTools"),
    "FileNew": ((1038, 1291, 1549), "button", "None (Not in the Ribbon)", ""),
    "WindowSplitToggle": ((591, 798, 1024), "toggleButton", "TabView", "GroupWindow"),
    "Consolidate": ((523, 711, 905), "button", "TabData", "GroupDataTools"),
    "ErrorChecking": ((430, 485, 599), "button", "TabFormulas", "GroupFormulaAuditing"),
}
# Word's IDs the ribbon used before: in none of the three Excel lists (they may draw blank).
NOT_EXCEL = ("DateAndTimeInsert", "WindowSplit")


def test_every_icon_is_an_excel_control_in_2016_2019_and_365():
    used = [b.image for b in ribbon.BUTTONS]
    assert len(set(used)) == len(used)  # one icon per button
    for image in used:
        assert image in EXCEL_CONTROL_IDS, f"{image} is not in Excel's control lists"
        assert image not in NOT_EXCEL
    images = {b.get("imageMso") for b in ui_root_of(ribbon.custom_ui("zh"))}
    assert images == set(used)


def ui_root_of(ui: bytes):
    return fromstring(ui).iterfind(".//ui:button", UI_NS)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_labels_and_screentips_carry_both_languages(lang: str):
    for b, button in zip(ui_root_of(ribbon.custom_ui(lang)), ribbon.BUTTONS, strict=True):
        assert b.get("label") == (button.zh if lang == "zh" else button.en)
        assert b.get("screentip") == f"{button.zh} {button.en}"
        assert button.tip_zh in b.get("supertip") and button.tip_en in b.get("supertip")


# ---- the VBA project header, as MS-OVBA says a writer emits it --------------------------------


def test_the_vba_project_stream_is_the_seven_bytes_a_writer_emits(addin: Path):
    import olefile  # an independent reader of the compound file

    ole = olefile.OleFileIO(part(addin, "xl/vbaProject.bin"))
    try:
        stream = ole.openstream("VBA/_VBA_PROJECT").read()
        modules = {"/".join(s) for s in ole.listdir()}
    finally:
        ole.close()
    # MS-OVBA 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 (ignored;
    # 0x0001 as xlwings' own add-in has it), no PerformanceCache
    assert stream == bytes.fromhex("CC61FFFF000100")
    assert {f"VBA/{m}" for m in (*MODULE_NAMES, "_VBA_PROJECT", "dir")} <= modules


MODULE_NAMES = ("ThisWorkbook", "Sheet1", "xlwings", "huikuan_ribbon", "huikuan_udfs")


def test_no_module_stream_carries_a_compiled_cache(addin: Path):
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import parse_vba_project

    project = parse_vba_project(CFB.from_bytes(part(addin, "xl/vbaProject.bin")))
    offsets = {m.name: m.text_offset for m in project.modules}
    assert offsets == dict.fromkeys(MODULE_NAMES, 0)  # source starts at byte 0: no cache


def test_olevba_still_extracts_every_module(modules: dict[str, str]):
    assert set(modules) == set(MODULE_NAMES)
    assert "Function GAP(target, committed)" in modules["huikuan_udfs"]
    assert "Sub HuikuanRefresh(control As IRibbonControl)" in modules["huikuan_ribbon"]


def test_libreoffice_reads_every_module(addin: Path, tmp_path: Path):
    """LibreOffice imports the VBA project into Basic libraries: converted to .ods, each
    module is a Basic/VBAProject/<name>.xml holding its source."""
    import shutil
    import subprocess

    from libreoffice import TIMEOUT, find_soffice, make_profile

    src = tmp_path / "huikuan.xlsm"  # the filter is named; the suffix only has to be Excel's
    shutil.copyfile(addin, src)
    command = [
        find_soffice(),
        "--headless",
        "--norestore",
        f"-env:UserInstallation={make_profile(tmp_path / 'profile').resolve().as_uri()}",
        "--infilter=Calc MS Excel 2007 VBA XML",
        "--convert-to",
        "ods",
        "--outdir",
        str(tmp_path / "out"),
        str(src),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    ods = tmp_path / "out" / "huikuan.ods"
    assert ods.exists(), done.stdout + done.stderr
    with zipfile.ZipFile(ods) as zf:
        basic = {
            PurePosixPath(n).stem: zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("Basic/VBAProject/") and not n.endswith("script-lb.xml")
        }
    assert set(basic) == set(MODULE_NAMES)
    assert "Function GAP(target, committed)" in basic["huikuan_udfs"]
    assert "Sub HuikuanSelfTest(control As IRibbonControl)" in basic["huikuan_ribbon"]
    assert "Function RunPython(" in basic["xlwings"]


def test_the_addin_names_huikuan_as_its_author(addin: Path):
    core = fromstring(part(addin, "docProps/core.xml"))
    dc = "{http://purl.org/dc/elements/1.1/}"
    cp = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
    assert core.findtext(f"{dc}creator") == "huikuan"
    assert core.findtext(f"{cp}lastModifiedBy") == "huikuan"
    assert b"William Smith" not in Path(addin).read_bytes()  # pyOpenVBA's template author


# ---- buttons with no workbook, and on a Mac -------------------------------------------------


def test_every_callback_says_open_a_workbook_instead_of_error_91(modules: dict[str, str]):
    code = modules["huikuan_ribbon"]
    subs = re.findall(r"^Sub (\w+)\(control As IRibbonControl\)\n(.*?)^End Sub", code, re.M | re.S)
    assert len(subs) == len(ribbon.BUTTONS)
    for name, body in subs:
        lines = [line.strip() for line in body.splitlines()]
        # RunPython (whose xlwings code reads ActiveWorkbook.FullName) only with a workbook;
        # the Mac branch never names the xlwings module, so it is never compiled there
        assert lines[:3] == ["#If Mac Then", "HuikuanWindowsOnly", "#Else"], name
        assert lines[3:6] == ["If ActiveWorkbook Is Nothing Then", "HuikuanNoBook", "Else"], name
        assert lines[6].startswith("RunPython ") and lines[7:] == ["End If", "#End If"], name
    assert vba_text_of(code, "HuikuanNoBook") == "\n".join(vba.NO_BOOK)
    assert vba_text_of(code, "HuikuanWindowsOnly") == "\n".join(vba.WINDOWS_ONLY)
    assert "#If Not Mac Then" in modules["ThisWorkbook"]


def vba_text_of(code: str, sub: str) -> str:
    """The text a message-box Sub shows, its ChrW() pieces put back together."""
    body = re.search(rf"^Private Sub {sub}\(\)\n(.*?)^End Sub", code, re.M | re.S)[1]
    text = ""
    for line in re.findall(r"^\s*text = (.*)$", body, re.M):
        text = text if line.startswith("text & ") else ""
        expression = line.removeprefix("text & ")
        text += vba_text(expression)
    return text


def test_the_windows_smoke_script_names_what_the_addin_has():
    """scripts/excel-smoke.ps1 runs only on Windows with Excel; here: it is ASCII (Windows
    PowerShell 5.1 reads a BOM-less script in the ANSI code page) and what it calls exists."""
    script = (Path(__file__).parents[1] / "scripts" / "excel-smoke.ps1").read_text("utf-8")
    assert script.isascii()
    code = vba.ribbon_module() + vba.udf_module() + vba.xlwings_module()
    called = re.findall(r"'huikuan\.xlam'!(\w+)", script)
    assert set(called) == {"HuikuanRefresh", "RunPython"}
    for name in called:
        assert re.search(rf"^(Public )?(Sub|Function) {name}\(", code, re.M), name
    entered = re.findall(r"=(\w+)\(", script)
    assert set(entered) == {"GAP", "AMOUNT"}
    for fn in entered:
        assert fn in {f.__name__ for f in udfs.FUNCTIONS}, fn
    for action in re.findall(r"-m huikuan (addin \w+|demo)", script):
        assert huikuan(*action.split(), "--help").returncode == 0, action
