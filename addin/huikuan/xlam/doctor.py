"""`huikuan addin doctor` and the ribbon's 自检 Self-test: one set of checks, two surfaces.

Each check says what it looked at, ok / FAIL / cannot check here, and what to do
about it in Chinese and English. The checks follow the route Excel takes: the
add-in file, the settings file (found through %USERPROFILE%, read in the ANSI
code page), the interpreter it names, the xlwings DLL beside that interpreter,
and a cell function computed by that interpreter from the module the settings
name. What only Windows has (the add-in folder, the DLL) is "cannot check here"
elsewhere; the rest runs with this interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import install as inst

OK, FAIL, NA = "ok", "FAIL", "cannot check here"
SAY = {OK: ("正常", "ok"), FAIL: ("失败", "FAIL"), NA: ("此处无法检查", "cannot check here")}
TIMEOUT = 120  # seconds for the interpreter's import and one cell function

# Run by the configured interpreter: what Excel's Python server would import and call.
# On Windows the function carries xlwings' __xlfunc__ and its arguments are converted
# as xlwings' call_udf converts them; elsewhere the decorators leave a plain function.
PROBE = """
import importlib, json, sys
out = {}
try:
    import huikuan, xlwings
    out["huikuan"], out["xlwings"], out["prefix"] = huikuan.__version__, xlwings.__version__, sys.prefix
    module = importlib.import_module(sys.argv[2])
    fn = getattr(module, sys.argv[3])
    args = [float(a) for a in sys.argv[4:]]
    info = getattr(fn, "__xlfunc__", None)
    if info is not None:
        from xlwings import conversion
        args = [conversion.read(None, a, info["args"][i]["options"]) for i, a in enumerate(args)]
    value = fn(*args)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    out["value"] = value
except Exception as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
with open(sys.argv[1], "w", encoding="utf-8") as f:  # pythonw.exe has no stdout
    json.dump(out, f, default=str)
"""
PROBE_CALL = ("GAP", "100", "40")
NO_WINDOW = 0x08000000 if sys.platform == "win32" else 0  # CREATE_NO_WINDOW: no console flash
PROBE_WANT = 60.0


@dataclass(frozen=True)
class Check:
    what_zh: str
    what_en: str
    state: str  # OK, FAIL or NA
    fix_zh: str = ""
    fix_en: str = ""

    def line(self, lang: str | None = None) -> str:
        """One line: [state] what — what to do; in `lang`, or both (None)."""
        zh, en = SAY[self.state]
        if lang == "zh":
            return f"[{zh}] {self.what_zh}" + (f" — {self.fix_zh}" if self.fix_zh else "")
        if lang == "en":
            return f"[{en}] {self.what_en}" + (f" — {self.fix_en}" if self.fix_en else "")
        fix = f" — {self.fix_zh} / {self.fix_en}" if self.fix_en else ""
        return f"{'[' + en + ']':<20}{self.what_zh} / {self.what_en}{fix}"


REINSTALL = ("运行 huikuan addin install", "run huikuan addin install")


def _probe(python: Path) -> dict[str, object]:
    """What `python` imports and computes (PROBE); its answer goes through a file, since
    pythonw.exe, the interpreter Excel is given, writes no console output."""
    with tempfile.TemporaryDirectory(prefix="huikuan-doctor-") as tmp:
        answer = Path(tmp) / "answer.json"
        try:
            done = subprocess.run(
                [str(python), "-c", PROBE, str(answer), inst.UDF_MODULE, *PROBE_CALL],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                creationflags=NO_WINDOW,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        try:
            found = json.loads(answer.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            return {"error": last}
    return found if isinstance(found, dict) else {"error": repr(found)}


def read_version(version: Callable[[Path], str | None], addin: Path) -> str | None:
    """A version the add-in file records; None when it is missing or unreadable."""
    if not addin.is_file():
        return None
    try:
        return version(addin)
    except Exception:  # a damaged or foreign file: the check fails, install again
        return None


def _dll_folders(python: str) -> list[Path]:
    """Where the add-in's VBA loads the DLL from: the interpreter's folder, then its parent
    (a virtual environment's Scripts\\pythonw.exe)."""
    folder = Path(python).parent
    return [folder, folder.parent]


def checks(
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    python: Path | None = None,
) -> list[Check]:
    """Every check, in the order Excel meets them."""
    import xlwings

    env = {} if env is None else env
    windows = platform == "win32"
    out: list[Check] = []
    where = inst.places(env) if windows and "APPDATA" in env and "USERPROFILE" in env else None

    # 1. the add-in file and the xlwings it was built for
    if where is None:
        out.append(
            Check(
                "加载项文件",
                "add-in file",
                NA,
                "只在 Windows 上安装；在 Windows 上运行 huikuan addin doctor",
                "installed on Windows only; run huikuan addin doctor there",
            )
        )
        built = None
    else:
        built = read_version(inst.addin_xlwings_version, where.addin)
        out.append(
            Check(
                f"加载项文件 {where.addin}",
                f"add-in file {where.addin}",
                OK if built else FAIL,
                *(("", "") if built else REINSTALL),
            )
        )

    # 2. the settings file: there, readable by VBA, naming huikuan's module
    settings: dict[str, str] = {}
    if where is None:
        out.append(
            Check(
                "设置文件 %USERPROFILE%\\.huikuan\\huikuan.conf",
                "settings file %USERPROFILE%\\.huikuan\\huikuan.conf",
                NA,
                "只在 Windows 上有",
                "Windows only",
            )
        )
        out.append(
            Check(
                "设置文件编码（VBA 按本机 ANSI 代码页读取）",
                "settings file encoding (VBA reads it in the system's ANSI code page)",
                NA,
                "只在 Windows 上有；install 会按该代码页写入",
                "Windows only; install writes it in that code page",
            )
        )
    else:
        settings = inst.read_config(where.config)
        exists = where.config.exists()
        right = settings.get("UDF MODULES") == inst.UDF_MODULE and "INTERPRETER_WIN" in settings
        out.append(
            Check(
                f"设置文件 {where.config}",
                f"settings file {where.config}",
                OK if exists and right else FAIL,
                *(("", "") if exists and right else REINSTALL),
            )
        )
        bad = inst.unencodable(str(where.config)) or next(
            (c for v in settings.values() if (c := inst.unencodable(v))), None
        )
        misread = inst.config_needs_rewrite(where.config)
        code_page = inst.ansi_encoding()
        if bad:
            fix = (
                f"字符 {bad!r} 无法用本机代码页表示：请把 Python 装到只含英文字符的文件夹后重装",
                f"{bad!r} does not fit the system code page: install Python in a folder "
                "with an ASCII name, then install again",
            )
        elif misread:
            fix = (
                "文件是 UTF-8，VBA 会读成乱码：" + REINSTALL[0] + " 以重写",
                "the file is UTF-8, which VBA misreads: " + REINSTALL[1] + " to rewrite it",
            )
        else:
            fix = ("", "")
        out.append(
            Check(
                f"设置文件编码（{code_page}，VBA 所用）",
                f"settings file encoding ({code_page}, as VBA reads it)",
                FAIL if exists and (bad or misread) else (OK if exists else FAIL),
                *(fix if exists else REINSTALL),
            )
        )

    # 3. the interpreter Excel runs
    configured = settings.get("INTERPRETER_WIN", "")
    if where is None:
        interpreter = python or Path(sys.executable)
        out.append(
            Check(
                f"解释器（此处用本解释器 {interpreter}）",
                f"interpreter (here: this one, {interpreter})",
                OK if interpreter.exists() else FAIL,
            )
        )
    else:
        interpreter = Path(configured) if configured else Path()
        there = bool(configured) and interpreter.is_file()
        out.append(
            Check(
                f"设置中的解释器 {configured or '（无）'}",
                f"interpreter in the settings {configured or '(none)'}",
                OK if there else FAIL,
                *(
                    ("", "")
                    if there
                    else (
                        "安装 Python 后运行 huikuan addin install --python <pythonw.exe 的路径>",
                        "install Python, then run huikuan addin install --python "
                        "<path to pythonw.exe>",
                    )
                ),
            )
        )

    # 4. huikuan and xlwings import there, at the add-in's versions
    probe = _probe(interpreter) if interpreter.is_file() else {"error": "no interpreter"}
    versions = probe.get("huikuan"), probe.get("xlwings")
    want_xlwings = built or xlwings.__version__
    want_huikuan = (where and read_version(inst.addin_huikuan_version, where.addin)) or __version__
    fine = versions == (want_huikuan, want_xlwings)
    out.append(
        Check(
            f"huikuan {versions[0] or '—'} 与 xlwings {versions[1] or '—'} 可导入"
            f"（加载项需要 huikuan {want_huikuan}、xlwings {want_xlwings}）",
            f"huikuan {versions[0] or '—'} and xlwings {versions[1] or '—'} import "
            f"(the add-in wants huikuan {want_huikuan}, xlwings {want_xlwings})",
            OK if fine else FAIL,
            *(
                ("", "")
                if fine
                else (
                    f"用该解释器运行 pip install . 与 pip install xlwings=={want_xlwings}，"
                    "再 " + REINSTALL[0],
                    f"with that interpreter run pip install . and pip install "
                    f"xlwings=={want_xlwings}, then " + REINSTALL[1],
                )
            ),
        )
    )

    # 5. the xlwings DLL where the wrappers load it
    if where is None or not configured:
        out.append(
            Check(
                "xlwings 组件（DLL）",
                "xlwings DLL",
                NA,
                "只在 Windows 上有",
                "Windows only",
            )
        )
    else:
        version = want_xlwings
        names = [f"xlwings{bits}-{version}.dll" for bits in (64, 32)]
        folders = _dll_folders(configured)
        found = [f / n for f in folders for n in names if (f / n).is_file()]
        out.append(
            Check(
                f"xlwings 组件 {names[0]} / {names[1]}（在 {folders[0]} 或 {folders[1]}）",
                f"xlwings DLL {names[0]} / {names[1]} (in {folders[0]} or {folders[1]})",
                OK if found else FAIL,
                *(
                    ("", "")
                    if found
                    else (
                        f"用该解释器运行 pip install --force-reinstall xlwings=={version}",
                        f"with that interpreter run pip install --force-reinstall "
                        f"xlwings=={version}",
                    )
                ),
            )
        )

    # 6. a cell function computes through that interpreter
    value = probe.get("value")
    computed = isinstance(value, (int, float)) and float(value) == PROBE_WANT
    shown = value if "value" in probe else probe.get("error", "—")
    out.append(
        Check(
            f"单元格函数 =GAP(100,40) 得 {shown}（应为 60）",
            f"cell function =GAP(100,40) gives {shown} (want 60)",
            OK if computed else FAIL,
            *(
                ("", "")
                if computed
                else (
                    "先解决上面的问题；仍失败请报告这一行",
                    "fix the lines above first; if it still fails, report this line",
                )
            ),
        )
    )
    return out


def exit_code(found: list[Check]) -> int:
    """0 when nothing failed ("cannot check here" is not a failure), else 1."""
    return 1 if any(c.state == FAIL for c in found) else 0


def report(found: list[Check], lang: str | None = None) -> str:
    return "\n".join(c.line(lang) for c in found)
