"""Reading and writing framework files by suffix, and the frameworks shipped with parindex.

No Django here: the database side (``parindex.frameworks.services``) calls these.
"""

from __future__ import annotations

from pathlib import Path

from parindex.engine.framework import Framework
from parindex.formats.errors import FormatError, Problem
from parindex.formats.framework_yaml import read_framework_yaml, write_framework_yaml

__all__ = [
    "EXCEL_SUFFIXES",
    "YAML_SUFFIXES",
    "load_framework_file",
    "save_framework_file",
    "shipped_frameworks",
]

YAML_SUFFIXES = frozenset({".yaml", ".yml"})
EXCEL_SUFFIXES = frozenset({".xlsx"})
#: Folder of the shipped framework files (one ``<code>.yaml`` each).
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "frameworks"


def load_framework_file(path: str | Path) -> Framework:
    """Read a framework from ``.yaml``/``.yml`` or ``.xlsx``. Raises :class:`FormatError`."""
    p = Path(path)
    suffix = p.suffix.lower()
    if not p.is_file():
        raise FormatError([Problem(str(p), None, None, "không tìm thấy tệp")])
    if suffix in YAML_SUFFIXES:
        return read_framework_yaml(p)
    if suffix in EXCEL_SUFFIXES:
        # Imported for this suffix only: the Excel reader (with the rule-text grammar and
        # openpyxl) costs `parindex compute` on a YAML framework ~10 ms of start-up.
        from parindex.formats.framework_excel import read_framework_excel

        return read_framework_excel(p)
    raise FormatError(
        [Problem(str(p), None, None, f"không hỗ trợ định dạng '{suffix}' (dùng .yaml hoặc .xlsx)")]
    )


def save_framework_file(fw: Framework, path: str | Path) -> None:
    """Write ``fw`` as YAML or Excel, chosen by the suffix of ``path``."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in YAML_SUFFIXES:
        write_framework_yaml(fw, p)
    elif suffix in EXCEL_SUFFIXES:
        from parindex.formats.framework_excel import write_framework_excel  # see above

        write_framework_excel(fw, p)
    else:
        raise ValueError(f"không hỗ trợ định dạng '{suffix}' (dùng .yaml hoặc .xlsx)")


def shipped_frameworks() -> dict[str, Path]:
    """Shipped framework code → its YAML file, sorted by code."""
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.yaml"))}
