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


def read_config(path: Path) -> dict[str, str]:
    """xlwings' config format: one `"KEY","VALUE"` a line."""
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if match:
            out[match["key"]] = match["value"]
    return out


def write_config(path: Path, settings: Mapping[str, str]) -> None:
    """Set `settings` in the file, keeping its other lines (as `xlwings config` does)."""
    keep = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _LINE.match(line)
            if line.strip() and not (match and match["key"].upper() in settings):
                keep.append(line)
    keep += [f'"{key}","{value}"' for key, value in settings.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")


def remove_settings(path: Path) -> None:
    """Drop huikuan's settings; the file goes when nothing else is left in it."""
    if not path.exists():
        return
    rest = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not ((m := _LINE.match(line)) and m["key"].upper() in SETTINGS)
    ]
    if rest:
        path.write_text("\n".join(rest) + "\n", encoding="utf-8")
    else:
        path.unlink()


# ---- the three actions ------------------------------------------------------------------


def install(where: Places, python: Path, lang: str = "zh") -> Path:
    """Build the add-in into Excel's add-in folder and write its xlwings settings."""
    from .build import build

    where.addins.mkdir(parents=True, exist_ok=True)
    build(where.addin, lang)
    write_config(where.config, {"INTERPRETER_WIN": str(python), "UDF MODULES": UDF_MODULE})
    return where.addin


def uninstall(where: Places) -> list[Path]:
    """Remove the add-in file and huikuan's settings; what was removed."""
    gone = []
    if where.addin.exists():
        where.addin.unlink()  # PermissionError while Excel has it open
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
