"""The engine and the file formats never import Django (DESIGN §3)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import parindex.engine
import parindex.formats


def modules() -> list[Path]:
    out = []
    for pkg in (parindex.engine, parindex.formats):
        for path in pkg.__path__:
            out += sorted(Path(path).rglob("*.py"))
    return out


def test_no_module_imports_django() -> None:
    offenders = []
    files = modules()
    assert any(p.name == "compute.py" for p in files)
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}:{node.lineno} {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_running_the_engine_loads_no_django() -> None:
    code = """
import sys
from decimal import Decimal
import pkgutil, importlib
import parindex.engine, parindex.formats
for pkg in (parindex.engine, parindex.formats):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(m.name)
from parindex.engine.framework import Framework, Node
from parindex.engine.compute import compute
fw = Framework("f", "f", total=Decimal(1), nodes=(Node("1", "a", Decimal(1)),))
assert compute(fw, {"u": {"1": Decimal(1)}})[0].index == 100
print(sorted(m for m in sys.modules if m.split(".")[0] == "django"))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "[]"


def test_pkgutil_sees_the_engine_modules() -> None:
    names = {m.name for m in pkgutil.iter_modules(parindex.engine.__path__)}
    assert {"framework", "rules", "aggregate", "ranking", "rating", "compare", "compute"} <= names
