"""Install the add-in for Excel on Windows: the add-in folder and its xlwings settings.

`install` builds huikuan.xlam against the xlwings installed here (its VBA must match
the xlwings DLL of the same version) into Excel's add-in folder,
%APPDATA%\\Microsoft\\AddIns, and writes the add-in's xlwings configuration —
the interpreter and the UDF module — to %USERPROFILE%\\.huikuan\\huikuan.conf, the
file xlwings' add-in VBA reads for the project "huikuan" (the user's own
xlwings.conf stays as it is). Elsewhere there is no Excel to install into: the
commands say what to do instead.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Unusable
from ..fileio import write_atomic

ADDIN_NAME = "huikuan.xlam"
UDF_MODULE = "huikuan.udfs"
SETTINGS = ("INTERPRETER_WIN", "UDF MODULES")


@dataclass(frozen=True)
class Places:
    """Where Excel and xlwings look, for one Windows user."""

    addins: Path  # %APPDATA%\Microsoft\AddIns
    config: Path  # %USERPROFILE%\.huikuan\huikuan.conf

    @property
    def addin(self) -> Path:
        return self.addins / ADDIN_NAME


def places(env: Mapping[str, str]) -> Places:
    return Places(
        addins=Path(env["APPDATA"]) / "Microsoft" / "AddIns",
        config=Path(env["USERPROFILE"]) / ".huikuan" / "huikuan.conf",
    )


def interpreter(executable: str = sys.executable) -> Path:
    """pythonw.exe beside python.exe when there is one: no console window for the UDF server."""
    path = Path(executable)
    quiet = path.with_name("pythonw.exe")
    return quiet if quiet.exists() else path


def xlwings_dlls(prefix: Path = Path(sys.prefix)) -> list[Path]:
    """The xlwings DLLs the add-in's VBA loads (32- or 64-bit, as Excel is), installed by pip
    beside the environment; those that exist."""
    import xlwings

    names = (f"xlwings{bits}-{xlwings.__version__}.dll" for bits in (64, 32))
    return [prefix / name for name in names if (prefix / name).exists()]


# ---- the configuration file -------------------------------------------------------------

_LINE = re.compile(r'^"(?P<key>[^"]*)","(?P<value>[^"]*)"\s*$')


def ansi_encoding() -> str:
    """The code page the add-in's VBA reads the file in (`Open … For Input`, `Input #`).

    VBA's file I/O uses the system's ANSI code page — "mbcs" is Python's name for it
    (cp936 on a Chinese Windows, UTF-8 when Windows' "Beta: UTF-8" option is on), as
    xlwings' own `config create` writes it. Elsewhere there is no VBA; tests point this
    at "cp936".
    """
    return "mbcs" if sys.platform == "win32" else "utf-8"


def _decode(data: bytes) -> tuple[str, bool]:
    """The file's text and whether it is UTF-8 that VBA would misread (an old install's)."""
    ansi = ansi_encoding()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(ansi, errors="replace"), False
    try:
        misread = text.encode(ansi) != data
    except UnicodeEncodeError:
        misread = True
    return text, misread


def unencodable(text: str) -> str | None:
    """The first character of `text` the ANSI code page cannot hold (None: all fit)."""
    try:
        text.encode(ansi_encoding())
    except UnicodeEncodeError as exc:
        return str(exc.object[exc.start])
    return None


def _encode(path: Path, text: str) -> bytes:
    """`text` in the ANSI code page, or Unusable naming the first character it cannot hold."""
    ansi = ansi_encoding()
    bad = unencodable(text)
    if bad is None:
        return text.encode(ansi)
    line = next(ln for ln in [*text.splitlines(), text] if bad in ln)
    fix_en = (
        "Install Python in a folder whose name uses only ASCII or letters of the system "
        "language (e.g. C:\\Python312) and run  huikuan addin install --python "
        "C:\\Python312\\pythonw.exe"
    )
    fix_zh = (
        "请把 Python 安装到只含英文或本机语言字符的文件夹（如 C:\\Python312），再运行  "
        "huikuan addin install --python C:\\Python312\\pythonw.exe"
    )
    if line == str(path):  # the user folder itself: %USERPROFILE% is how VBA finds the file
        fix_en = "Use a Windows account whose user folder name the system code page can hold"
        fix_zh = "请使用用户文件夹名可以用本机代码页表示的 Windows 账户"
    raise Unusable(
        f"{path}: {line} holds {bad!r} (U+{ord(bad):04X}), which this PC's code page "
        f"({ansi}) cannot hold, so Excel's VBA could not read it. {fix_en}",
        f"{path}：{line} 含有字符 {bad!r}（U+{ord(bad):04X}），本机代码页（{ansi}）无法表示，"
        f"Excel 的 VBA 读不到它。{fix_zh}",
    )


def config_lines(path: Path) -> tuple[list[str], bool]:
    """The file's lines and whether it must be rewritten in the ANSI code page."""
    if not path.exists():
        return [], False
    text, misread = _decode(path.read_bytes())
    return text.splitlines(), misread


def read_config(path: Path) -> dict[str, str]:
    """xlwings' config format: one `"KEY","VALUE"` a line."""
    out = {}
    for line in config_lines(path)[0]:
        match = _LINE.match(line)
        if match:
            out[match["key"]] = match["value"]
    return out


def config_needs_rewrite(path: Path) -> bool:
    """True for a UTF-8 file (an older install's) that VBA would read as mojibake."""
    return config_lines(path)[1]


def _write_lines(path: Path, lines: list[str]) -> None:
    data = _encode(path, "".join(f"{line}\r\n" for line in lines))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


def write_config(path: Path, settings: Mapping[str, str]) -> None:
    """Set `settings` in the file, keeping its other lines (as `xlwings config` does),
    in the code page VBA reads (an existing UTF-8 file is rewritten)."""
    keep = []
    for line in config_lines(path)[0]:
        match = _LINE.match(line)
        if line.strip() and not (match and match["key"].upper() in settings):
            keep.append(line)
    keep += [f'"{key}","{value}"' for key, value in settings.items()]
    _write_lines(path, keep)


def remove_settings(path: Path) -> None:
    """Drop huikuan's settings; the file goes when nothing else is left in it."""
    if not path.exists():
        return
    rest = [
        line
        for line in config_lines(path)[0]
        if line.strip() and not ((m := _LINE.match(line)) and m["key"].upper() in SETTINGS)
    ]
    if rest:
        _write_lines(path, rest)
    else:
        path.unlink()


# ---- the three actions ------------------------------------------------------------------


def in_use(path: Path) -> Unusable:
    """The message for a file Excel holds open (install and uninstall cannot replace it)."""
    return Unusable(
        f"{path}: Excel has it open; close Excel first, then run the command again",
        f"{path}：Excel 正在使用该文件；请先关闭 Excel，再重新运行此命令",
    )


def _check_free(path: Path) -> None:
    """Unusable when `path` exists and cannot be opened for writing (Excel holds an open
    add-in with a share lock; the error is PermissionError on Windows)."""
    if not path.exists():
        return
    try:
        with path.open("r+b"):
            pass
    except PermissionError:
        raise in_use(path) from None


def install(where: Places, python: Path, lang: str = "zh") -> Path:
    """Build the add-in into Excel's add-in folder and write its xlwings settings."""
    from .build import build

    settings = {"INTERPRETER_WIN": str(python), "UDF MODULES": UDF_MODULE}
    _encode(where.config, str(where.config))  # VBA finds the file through %USERPROFILE%
    _encode(where.config, "".join(f'"{k}","{v}"\r\n' for k, v in settings.items()))
    _check_free(where.addin)
    where.addins.mkdir(parents=True, exist_ok=True)
    build(where.addin, lang)
    write_config(where.config, settings)
    return where.addin


def uninstall(where: Places) -> list[Path]:
    """Remove the add-in file and huikuan's settings; what was removed."""
    gone = []
    if where.addin.exists():
        _check_free(where.addin)
        try:
            where.addin.unlink()
        except PermissionError:
            raise in_use(where.addin) from None
        gone.append(where.addin)
    if where.config.exists():
        remove_settings(where.config)
        gone.append(where.config)
    return gone


def addin_xlwings_version(path: Path) -> str | None:
    """The xlwings version an add-in's VBA was built for."""
    from pyopenvba import ExcelFile

    with ExcelFile(path) as wb:
        match = re.search(r"'Version: (\S+)", wb.get_module("xlwings"))
    return match[1] if match else None


def addin_huikuan_version(path: Path) -> str | None:
    """The huikuan version that built an add-in (its ribbon module says so)."""
    from pyopenvba import ExcelFile

    with ExcelFile(path) as wb:
        match = re.search(r"' Built by huikuan (\S+) ", wb.get_module("huikuan_ribbon"))
    return match[1] if match else None
