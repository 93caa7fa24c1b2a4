"""The import direction of the package: surfaces → workbook → engine → model."""

from __future__ import annotations

import ast
from pathlib import Path

import huikuan

PACKAGE = Path(huikuan.__file__).parent
IO_MODULES = {
    "openpyxl",
    "python_calamine",
    "xlwings",
    "zipfile",
    "tempfile",
    "shutil",
    "subprocess",
    "pathlib",
    "io",
    "os",
    "sqlalchemy",
    "psycopg",
}


def imports(path: Path) -> set[str]:
    """Top-level module names and huikuan subpackages a file imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: name the huikuan subpackage it reaches
                names.add("huikuan." + (node.module or "").split(".")[0])
            elif node.module:
                names.add(node.module.split(".")[0])
    return names


def test_engine_does_no_io_and_imports_no_spreadsheet_library():
    for path in (PACKAGE / "engine").glob("*.py"):
        found = imports(path) & IO_MODULES
        assert not found, f"{path.name} imports {found}"


def test_engine_imports_only_model_values_contract_and_itself():
    allowed = {"huikuan.model", "huikuan.values", "huikuan.contract", "huikuan."}
    for path in (PACKAGE / "engine").glob("*.py"):
        reached = {n for n in imports(path) if n.startswith("huikuan.")}
        # relative imports inside engine show as "huikuan.<module>" of engine's own files
        own = {f"huikuan.{p.stem}" for p in (PACKAGE / "engine").glob("*.py")}
        assert reached <= allowed | own, f"{path.name} reaches {reached - allowed - own}"


def test_model_and_values_import_no_spreadsheet_library():
    for name in ("model.py", "values.py", "contract.py"):
        found = imports(PACKAGE / name) & IO_MODULES
        assert not found, f"{name} imports {found}"


def test_workbook_layer_does_not_import_the_surfaces():
    for path in (PACKAGE / "workbook").glob("*.py"):
        reached = imports(path)
        assert not reached & {"huikuan.cli", "huikuan.jobs", "huikuan.udfs", "huikuan.macros"}


def test_public_names_are_the_documented_few():
    assert sorted(huikuan.__all__) == [
        "BadValue",
        "Book",
        "Customer",
        "FollowUp",
        "Installment",
        "Measure",
        "PlanRow",
        "Problem",
        "Receipt",
        "StatusRow",
        "Totals",
        "parse_amount",
        "parse_date",
        "parse_month",
        "status",
        "totals_by_rep",
    ]
    for name in huikuan.__all__:
        assert getattr(huikuan, name) is not None


def test_team_layer_does_not_import_the_surfaces():
    """team/ sits under the surfaces: only its commands module is one (cli imports it)."""
    for path in (PACKAGE / "team").glob("*.py"):
        if path.name == "commands.py":
            continue
        reached = imports(path)
        assert not reached & {"huikuan.cli", "huikuan.jobs"}, path.name
    for path in (*(PACKAGE / "workbook").glob("*.py"), *(PACKAGE / "engine").glob("*.py")):
        assert "huikuan.team" not in imports(path), path.name
