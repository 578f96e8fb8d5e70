"""The doctor stays pure: no module under fitscope/doctor imports the tracking package, by an
import statement or by a string handed to importlib / __import__, and importing the doctor
does not load it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fitscope.doctor

DOCTOR = Path(fitscope.doctor.__file__).resolve().parent
FORBIDDEN = "fitscope.track"


def _names_track(name: str) -> bool:
    return name == FORBIDDEN or name.startswith(FORBIDDEN + ".")


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an AST imports: import statements, and string constants passed to
    importlib.import_module, __import__ or importlib.util.find_spec (and ``from fitscope
    import track``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__", "find_spec"):
                found += [
                    (node.lineno, arg.value)
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ]
    return found


def test_no_doctor_module_imports_the_tracking_package() -> None:
    modules = sorted(DOCTOR.rglob("*.py"))
    assert len(modules) >= 8  # every module of the doctor, not an empty folder
    offenders = [
        f"{path.relative_to(DOCTOR.parent)}:{line} imports {name}"
        for path in modules
        for line, name in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if _names_track(name)
    ]
    assert offenders == []


def test_the_scan_sees_every_way_of_importing() -> None:
    source = (
        "import fitscope.track\n"
        "from fitscope.track.store import Store\n"
        "from fitscope import track\n"
        "import importlib\n"
        "importlib.import_module('fitscope.track')\n"
        "__import__('fitscope.track.records')\n"
    )
    lines = sorted({line for line, name in _imports(ast.parse(source)) if _names_track(name)})
    assert lines == [1, 2, 3, 5, 6]


def test_importing_the_doctor_loads_no_tracking_module() -> None:
    # fitscope's own __init__ imports the store for the public API, so the doctor is loaded
    # under a bare ``fitscope`` package (its folder, none of its __init__): what is then in
    # sys.modules is what the doctor itself pulls in.
    code = (
        "import importlib.util, sys, types\n"
        "spec = importlib.util.find_spec('fitscope')\n"
        "bare = types.ModuleType('fitscope')\n"
        "bare.__path__ = list(spec.submodule_search_locations)\n"
        "sys.modules['fitscope'] = bare\n"
        "import fitscope.doctor\n"
        "fitscope.doctor.diagnose({'loss': [0.5, 0.4], 'val_loss': [0.6, 0.5]})\n"
        "print(sorted(m for m in sys.modules if m.startswith('fitscope.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = ast.literal_eval(done.stdout.strip())
    assert "fitscope.doctor.curves" in loaded  # the doctor really ran
    assert [m for m in loaded if _names_track(m)] == [], done.stdout
