"""`huikuan addin build | install | uninstall | status | doctor`.

Exit codes as the other commands: 0 done; 2 unusable (an existing file without
--force, or install/uninstall where there is no Excel: not Windows); doctor: 0 when
no check failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import install as inst

_NOT_WINDOWS = {
    "zh": (
        "此系统上没有桌面版 Excel（只在 Windows 上安装）。在 Windows 电脑上：\n"
        "  1. 安装 Python 3.10+，然后在 huikuan 源码目录运行  pip install .\n"
        "  2. 运行  huikuan addin install\n"
        "  3. 打开 Excel：文件 → 选项 → 加载项 → 管理“Excel 加载项” → 转到，勾选 huikuan\n"
        "也可以在这里生成加载项文件（huikuan addin build -o huikuan.xlam）再复制过去，"
        "但 Windows 上须装有同版本的 xlwings。"
    ),
    "en": (
        "There is no desktop Excel to install into on this system (Windows only). On a "
        "Windows PC:\n"
        "  1. install Python 3.10+, then in the huikuan source folder run  pip install .\n"
        "  2. run  huikuan addin install\n"
        "  3. in Excel: File → Options → Add-ins → Manage: Excel Add-ins → Go…, tick huikuan\n"
        "You can also build the add-in here (huikuan addin build -o huikuan.xlam) and copy "
        "it over; the Windows side needs the same xlwings version."
    ),
}


_NOT_INSTALLED_HERE = {
    "zh": "此系统上没有安装加载项（只在 Windows 上安装），无需删除。在 Windows 上运行  huikuan addin uninstall",
    "en": "Nothing to remove on this system: the add-in is installed on Windows only. "
    "On Windows run  huikuan addin uninstall",
}


def add_parser(sub: Any) -> None:
    """The `addin` command and its actions, on the main parser's subcommands."""
    a = sub.add_parser(
        "addin",
        help="build or install the Excel add-in (回款 ribbon tab, cell functions)",
        description="The Excel add-in: a 回款 ribbon tab whose buttons run huikuan on the "
        'open workbook, and cell functions such as =GAP(B2,C2) and =AMOUNT("12.5万").',
    )
    actions = a.add_subparsers(dest="addin_command", required=True, metavar="ACTION")
    b = actions.add_parser(
        "build",
        help="write huikuan.xlam (any system)",
        description="Build the add-in from source against the installed xlwings.",
    )
    b.add_argument("-o", "--output", type=Path, default=Path(inst.ADDIN_NAME), metavar="FILE.xlam")
    b.add_argument("--lang", choices=("zh", "en"), default="zh", help="ribbon labels (default zh)")
    b.add_argument("--force", action="store_true", help="replace FILE.xlam if it exists")
    i = actions.add_parser(
        "install",
        help="build the add-in into Excel's add-in folder and configure it (Windows)",
        description="Build huikuan.xlam into %APPDATA%\\Microsoft\\AddIns and write its "
        "xlwings settings (interpreter, UDF module) to %USERPROFILE%\\.huikuan\\huikuan.conf.",
    )
    i.add_argument("--lang", choices=("zh", "en"), default="zh", help="ribbon labels (default zh)")
    i.add_argument(
        "--python",
        type=Path,
        default=None,
        metavar="PYTHON.exe",
        help="the interpreter Excel runs (default: this one, pythonw.exe when present)",
    )
    actions.add_parser("uninstall", help="remove the add-in and its settings (Windows)")
    actions.add_parser("status", help="say what is installed and what is missing")
    actions.add_parser(
        "doctor",
        help="check that Excel can run the add-in: one line per check, and what to do",
        description="The checks of the ribbon's 自检 Self-test button: the add-in file, its "
        "settings and their encoding, the interpreter, huikuan and xlwings versions, the "
        "xlwings DLL, and =GAP(100,40) computed as Excel computes it. Exit 0 when no check "
        "failed, 1 otherwise; what only Windows has is reported as 'cannot check here'.",
    )


def _say(lang: str, zh: str, en: str, err: bool = False) -> None:
    print(zh if lang == "zh" else en, file=sys.stderr if err else sys.stdout)


def run(
    args: argparse.Namespace,
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
) -> int:
    env = os.environ if env is None else env
    lang = getattr(args, "lang", "zh")
    action = args.addin_command
    if action == "build":
        from ..fileio import refuse_overwrite, require_suffix
        from .build import build

        require_suffix(args.output, (".xlam",))
        refuse_overwrite(args.output, args.force)
        out = build(args.output, args.lang)
        _say(lang, f"已写入 {out}", f"written: {out}")
        return 0
    if action == "doctor":
        from . import doctor as doc  # it runs subprocesses: imported only for the doctor

        found = doc.checks(env, platform)
        print(doc.report(found))
        return doc.exit_code(found)
    if platform != "win32":
        return _elsewhere(action, lang)
    where = inst.places(env)
    if action == "install":
        python = args.python or inst.interpreter()
        out = inst.install(where, python, args.lang)
        _say(
            lang,
            f"已安装 {out}\n已写入设置 {where.config}（解释器 {python}）\n"
            "请打开 Excel：文件 → 选项 → 加载项 → 管理“Excel 加载项” → 转到，勾选 huikuan。\n"
            "然后可在“回款”选项卡点“自检”，或运行 huikuan addin doctor。",
            f"installed: {out}\nsettings: {where.config} (interpreter {python})\n"
            "In Excel: File → Options → Add-ins → Manage: Excel Add-ins → Go…, tick huikuan.\n"
            "Then click Self-test on the 回款 tab, or run huikuan addin doctor.",
        )
        return 0
    if action == "uninstall":
        gone = inst.uninstall(where)
        for path in gone:
            _say(lang, f"已删除 {path}", f"removed: {path}")
        if not gone:
            _say(lang, "未安装，无需删除。", "nothing installed; nothing removed.")
        return 0
    return _status(where, lang)


def _elsewhere(action: str, lang: str) -> int:
    """Not Windows: install says how to install there; uninstall that nothing is here;
    status what this system has (xlwings, whether the add-in can be built)."""
    if action == "install":
        _say(lang, _NOT_WINDOWS["zh"], _NOT_WINDOWS["en"], err=True)
        return 2
    if action == "uninstall":
        _say(lang, _NOT_INSTALLED_HERE["zh"], _NOT_INSTALLED_HERE["en"], err=True)
        return 2
    import xlwings

    _say(
        lang,
        f"此系统不是 Windows，没有可安装加载项的 Excel。\n"
        f"✓ xlwings {xlwings.__version__}（可在此生成加载项：huikuan addin build -o huikuan.xlam）\n"
        "- xlwings 组件（DLL）：只在 Windows 上有，此处无法检查\n"
        "在 Windows 上：pip install . 然后 huikuan addin install；详见 huikuan addin doctor。",
        f"This system is not Windows: there is no Excel to install the add-in into.\n"
        f"ok   xlwings {xlwings.__version__} (the add-in can be built here: "
        "huikuan addin build -o huikuan.xlam)\n"
        "-    xlwings DLL: Windows only, cannot check here\n"
        "On Windows: pip install . then huikuan addin install; see huikuan addin doctor.",
    )
    return 0


def _status(where: inst.Places, lang: str) -> int:
    import xlwings

    from . import doctor as doc

    def line(ok: bool, zh: str, en: str) -> None:
        _say(lang, ("✓ " if ok else "✗ ") + zh, ("ok   " if ok else "MISSING ") + en)

    built = doc.read_version(inst.addin_xlwings_version, where.addin)
    line(bool(built), f"加载项 {where.addin}", f"add-in {where.addin}")
    if built and built != xlwings.__version__:
        line(
            False,
            f"加载项为 xlwings {built} 生成，已安装的是 {xlwings.__version__}：请重新 install",
            f"add-in built for xlwings {built}, installed {xlwings.__version__}: install again",
        )
    settings = inst.read_config(where.config)
    python = settings.get("INTERPRETER_WIN", "")
    line(bool(python) and Path(python).exists(), f"解释器 {python}", f"interpreter {python}")
    if inst.config_needs_rewrite(where.config):
        line(
            False,
            f"设置文件 {where.config} 是 UTF-8，VBA 会读成乱码：请重新 install 以按本机代码页重写",
            f"settings file {where.config} is UTF-8, which VBA misreads: install again to "
            "rewrite it in the system code page",
        )
    modules = settings.get("UDF MODULES", "")
    line(modules == inst.UDF_MODULE, f"函数模块 {modules}", f"UDF module {modules}")
    dlls = ", ".join(map(str, inst.xlwings_dlls())) or sys.prefix
    line(bool(inst.xlwings_dlls()), f"xlwings 组件 {dlls}", f"xlwings DLL {dlls}")
    return 0
