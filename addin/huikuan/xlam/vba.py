"""The add-in's VBA modules, generated from the Python they call.

- xlwings: the module xlwings ships for custom add-ins (xlwings_custom_addin.bas,
  BSD), read from the installed package at build time, its project name set to
  "huikuan" — so settings come from %USERPROFILE%\\.huikuan\\huikuan.conf and the
  DLL it loads is the installed xlwings' own.
- huikuan_ribbon: one `Sub X(control As IRibbonControl)` per ribbon button, each
  running its function of huikuan.macros.
- huikuan_udfs: one wrapper per cell function of huikuan.udfs, written the way
  xlwings' "Import Functions" writes them (udfs.generate_vba_wrapper), from the
  Python signatures; results pass through HuikuanErrors, which turns xlwings'
  "#VALUE!" strings into real error values; HuikuanRegisterFunctions gives Insert
  Function the bilingual help of the @xw.arg docs.
- ThisWorkbook: registers that help when the add-in opens.

Excel keeps VBA source in the system's ANSI code page, so the source is ASCII and
Chinese text is spelled with ChrW.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .. import macros, udfs
from .ribbon import BUTTONS

UDF_MODULE = "huikuan.udfs"
PROJECT_NAME = "huikuan"
MAX_LINE = 900  # VBA allows 1023 characters a line; stay well below
MAX_DESCRIPTION = 255  # Application.MacroOptions' limit

# Excel's error values by their text, as udfs.ERRORS spells them (CVErr numbers).
CVERR = {
    "#NULL!": 2000,
    "#DIV/0!": 2007,
    "#VALUE!": 2015,
    "#REF!": 2023,
    "#NAME?": 2029,
    "#NUM!": 2036,
    "#N/A": 2042,
}


def crlf(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


def vba_string(text: str) -> str:
    """A VBA string expression for `text` in any code page: ASCII quoted, the rest ChrW."""
    parts: list[str] = []
    run = ""
    for ch in text:
        if ord(ch) > 0xFFFF:
            raise ValueError(f"{ch!r} is outside what ChrW spells")
        if 32 <= ord(ch) < 127:
            run += '""' if ch == '"' else ch
            continue
        if run:
            parts.append(f'"{run}"')
            run = ""
        parts.append(f"ChrW(&H{ord(ch):04X})")
    if run or not parts:
        parts.append(f'"{run}"')
    return " & ".join(parts)


def assign(var: str, text: str) -> list[str]:
    """`var = <text>` as statements short enough for VBA's line limit."""
    parts = vba_string(text).split(" & ")
    lines, line = [], ""
    for part in parts:
        if line and len(line) + len(part) + 3 > MAX_LINE:
            lines.append(line)
            line = ""
        line = f"{line} & {part}" if line else part
    lines.append(line)
    return [f"{var} = {lines[0]}"] + [f"{var} = {var} & {rest}" for rest in lines[1:]]


# ---- the xlwings module ---------------------------------------------------------------


def xlwings_module() -> str:
    """xlwings' VBA for custom add-ins from the installed package, for the project 'huikuan'."""
    import xlwings

    path = Path(xlwings.__file__).parent / "xlwings_custom_addin.bas"
    source = path.read_text(encoding="utf-8")
    old = 'PROJECT_NAME As String = "myaddin"'
    if old not in source:
        raise RuntimeError(f"{path}: no {old!r} to set; this xlwings version is not supported")
    source = source.replace(old, f'PROJECT_NAME As String = "{PROJECT_NAME}"')
    return crlf(source.replace("\r\n", "\n").rstrip("\n").split("\n"))


# ---- the ribbon callbacks ---------------------------------------------------------------


def run_python(macro: str) -> str:
    return f'RunPython "import huikuan.macros; huikuan.macros.{macro}()"'


NO_BOOK = (
    "请先打开或新建一个工作簿，再点此按钮。",
    "Open or create a workbook first, then click the button again.",
)
WINDOWS_ONLY = (
    "回款加载项只在 Windows 版 Excel 中运行。",
    "The huikuan add-in runs in Excel for Windows only.",
)
BUILT_BY = "' Built by huikuan {huikuan} for xlwings {xlwings}."


def _message_box(sub: str, text: tuple[str, str]) -> list[str]:
    """A Sub showing `text` (both languages) in a message box titled 回款 huikuan."""
    return [
        f"Private Sub {sub}()",
        "    Dim text As String",
        *(f"    {line}" for line in assign("text", f"{text[0]}\n{text[1]}")),
        f"    MsgBox text, vbExclamation, {vba_string('回款 huikuan')}",
        "End Sub",
        "",
    ]


def ribbon_module() -> str:
    """One callback per button. With no workbook open, a message (xlwings' RunPython would
    stop at ActiveWorkbook with error 91). On a Mac, where xlwings' UDFs and this add-in's
    settings do not exist, a message too: the call into the xlwings module is compiled out
    there (`#If Mac`), so its Mac-only branch, which needs a Dictionary class, is never
    compiled."""
    import xlwings

    from .. import __version__

    lines = [
        'Attribute VB_Name = "huikuan_ribbon"',
        "' The ribbon's callbacks: each button runs one function of huikuan.macros.",
        "' Generated by `huikuan addin build`; changes are lost with the next build.",
        BUILT_BY.format(huikuan=__version__, xlwings=xlwings.__version__),
        "Option Explicit",
        "",
        *_message_box("HuikuanNoBook", NO_BOOK),
        *_message_box("HuikuanWindowsOnly", WINDOWS_ONLY),
    ]
    for button in BUTTONS:
        if not callable(getattr(macros, button.macro, None)):
            raise RuntimeError(f"huikuan.macros has no {button.macro}() for its ribbon button")
        lines += [
            f"Sub {button.callback}(control As IRibbonControl)",
            "#If Mac Then",
            "    HuikuanWindowsOnly",
            "#Else",
            "    If ActiveWorkbook Is Nothing Then",
            "        HuikuanNoBook",
            "    Else",
            f"        {run_python(button.macro)}",
            "    End If",
            "#End If",
            "End Sub",
            "",
        ]
    return crlf(lines)


# ---- the cell functions ----------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    optional: bool
    doc: str


@dataclass(frozen=True)
class CellFunction:
    """A cell function as Excel sees it: name, arguments, help, category."""

    name: str
    params: tuple[Param, ...]
    doc: str
    category: str


def _arg_docs(module: ModuleType) -> dict[str, dict[str, str]]:
    """The `doc=` of every @xw.arg, by function and argument, read from the source."""
    docs: dict[str, dict[str, str]] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "arg":
                doc = next((k.value for k in deco.keywords if k.arg == "doc"), None)
                if doc is not None:
                    name = ast.literal_eval(deco.args[0])
                    docs.setdefault(node.name, {})[name] = ast.literal_eval(doc)
    return docs


def _summary(doc: str | None) -> str:
    """A docstring's first paragraph on one line, within Excel's description limit."""
    first = (doc or "").strip().split("\n\n")[0]
    return " ".join(line.strip() for line in first.splitlines())[:MAX_DESCRIPTION]


def cell_functions(module: ModuleType = udfs) -> list[CellFunction]:
    """Every function of module.FUNCTIONS with its Python signature and @xw.arg docs."""
    docs = _arg_docs(module)
    out = []
    for fn in module.FUNCTIONS:
        params = []
        for p in inspect.signature(fn).parameters.values():
            if p.kind is not p.POSITIONAL_OR_KEYWORD:
                raise ValueError(f"{fn.__name__}: xlwings UDFs take positional arguments only")
            doc = docs.get(fn.__name__, {}).get(p.name, "")
            params.append(Param(p.name, p.default is not p.empty, doc[:MAX_DESCRIPTION]))
        out.append(CellFunction(fn.__name__, tuple(params), _summary(fn.__doc__), module.CATEGORY))
    return out


def wrapper(fn: CellFunction) -> list[str]:
    """The VBA function Excel calls, as xlwings' generate_vba_wrapper writes it for an .xlam."""
    signature = ", ".join(("Optional " if p.optional else "") + p.name for p in fn.params)
    args = ", ".join(p.name for p in fn.params)
    call = f'XLPy.CallUDF("{UDF_MODULE}", "{fn.name}", Array({args}), ActiveWorkbook, Application.Caller)'
    return [
        f"Function {fn.name}({signature})",
        "    If TypeOf Application.Caller Is Range Then On Error GoTo failed",
        f"    {fn.name} = HuikuanErrors({call})",
        "    Exit Function",
        "failed:",
        f"    {fn.name} = Err.Description",
        "End Function",
        "",
    ]


_ERROR_HELPERS = [
    "Private Function HuikuanError(ByVal v As Variant) As Variant",
    '    \' xlwings hands errors over as text ("#VALUE!"); Excel shows CVErr as an error.',
    "    HuikuanError = v",
    "    If VarType(v) <> vbString Then Exit Function",
    "    Select Case v",
    *(f'        Case "{text}": HuikuanError = CVErr({code})' for text, code in CVERR.items()),
    "    End Select",
    "End Function",
    "",
    "Private Function HuikuanDims(ByVal a As Variant) As Long",
    "    Dim n As Long, bound As Long",
    "    If Not IsArray(a) Then Exit Function",
    "    On Error GoTo done",
    "    Do",
    "        bound = UBound(a, n + 1)",
    "        n = n + 1",
    "    Loop",
    "done:",
    "    HuikuanDims = n",
    "End Function",
    "",
    "Private Function HuikuanErrors(ByVal result As Variant) As Variant",
    "    Dim i As Long, j As Long",
    "    Select Case HuikuanDims(result)",
    "        Case 0",
    "            result = HuikuanError(result)",
    "        Case 1",
    "            For i = LBound(result) To UBound(result)",
    "                result(i) = HuikuanError(result(i))",
    "            Next i",
    "        Case 2",
    "            For i = LBound(result, 1) To UBound(result, 1)",
    "                For j = LBound(result, 2) To UBound(result, 2)",
    "                    result(i, j) = HuikuanError(result(i, j))",
    "                Next j",
    "            Next i",
    "    End Select",
    "    HuikuanErrors = result",
    "End Function",
    "",
]


def register(functions: list[CellFunction]) -> list[str]:
    """HuikuanRegisterFunctions: Insert Function's help for each cell function."""
    lines = [
        "Sub HuikuanRegisterFunctions()",
        "    ' Help text for Insert Function (fx), from the docs of huikuan.udfs.",
        "    Dim category As String, description As String",
        "    Dim args() As Variant",
        "    On Error Resume Next",
        *(f"    {line}" for line in assign("category", functions[0].category)),
    ]
    for fn in functions:
        lines += [f"    {line}" for line in assign("description", fn.doc)]
        lines.append(f"    ReDim args(0 To {len(fn.params) - 1})")
        for i, p in enumerate(fn.params):
            lines += [f"    {line}" for line in assign(f"args({i})", p.doc)]
        lines.append(
            f'    Application.MacroOptions Macro:="\'" & ThisWorkbook.Name & "\'!{fn.name}", '
            "Description:=description, Category:=category, ArgumentDescriptions:=args"
        )
    return [*lines, "End Sub", ""]


def udf_module(functions: list[CellFunction] | None = None) -> str:
    functions = cell_functions() if functions is None else functions
    lines = [
        'Attribute VB_Name = "huikuan_udfs"',
        f"' Cell functions of {UDF_MODULE}, called through xlwings.",
        "' Generated by `huikuan addin build` from the Python signatures; changes are lost",
        "' with the next build.",
        "",
    ]
    for fn in functions:
        lines += wrapper(fn)
    return crlf([*lines, *_ERROR_HELPERS, *register(functions)])


def this_workbook() -> str:
    """The code behind ThisWorkbook (its attribute header is the template's)."""
    return crlf(
        [
            "Private Sub Workbook_Open()",
            "#If Not Mac Then",
            "    HuikuanRegisterFunctions",
            "#End If",
            "End Sub",
        ]
    )
