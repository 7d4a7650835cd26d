"""Units files (DESIGN §5).

* ``parindex compute``: ``unit,name,group`` (``name`` and ``group`` optional); with a units
  file every scored unit must be listed. :func:`read_units`.
* The units register import: ``unit,name,group[,parent][,kind]``; codes use unaccented
  letters, digits, ``_``, ``-``, ``.`` (at most 64). :func:`read_units_csv` checks what
  needs no database; the import service checks parents and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from parindex.engine.compute import UnitInfo
from parindex.formats.errors import FormatError, Problem
from parindex.formats.text import Source, csv_rows, header_positions, read_text_file

__all__ = ["CODE_RE", "UNIT_KINDS", "UnitRow", "read_units", "read_units_csv"]

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: The ``kind`` values (``parindex.units.models.UnitKind``; a test keeps them equal).
UNIT_KINDS = ("province", "department", "commune", "vertical", "other")


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit of the register import; ``parent`` and ``kind`` may be empty."""

    line: int
    code: str
    name: str
    group: str
    parent: str
    kind: str


def read_units_csv(source: Source, *, name: str) -> tuple[list[UnitRow], list[Problem]]:
    """Units register CSV → rows (every non-blank line) and problems.

    The header needs ``unit``, ``name`` and ``group``; without them (or with an empty
    file) no row is returned.
    """
    problems: list[Problem] = []
    records = csv_rows(source, name, problems, strict=False)
    first = next(records, None)
    if first is None:
        return [], [Problem(name, 1, None, "Tệp trống.")]
    header = [h.strip().lower() for h in first[1]]
    for col in ("unit", "name", "group"):
        if col not in header:
            problems.append(Problem(name, 1, col, f"Thiếu cột “{col}” ở dòng tiêu đề."))
    if problems:
        return [], problems
    idx = {h: i for i, h in enumerate(header)}

    def cell(row: list[str], col: str) -> str:
        i = idx.get(col)
        return row[i].strip() if i is not None and i < len(row) else ""

    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for line, row in records:
        if not any(c.strip() for c in row):
            continue
        code, kind = cell(row, "unit"), cell(row, "kind")
        unit = UnitRow(line, code, cell(row, "name"), cell(row, "group"), cell(row, "parent"), kind)
        if not code:
            problems.append(Problem(name, line, "unit", "Thiếu mã đơn vị."))
        elif not CODE_RE.match(code) or len(code) > 64:
            problems.append(
                Problem(
                    name,
                    line,
                    "unit",
                    f"Mã “{code}” không hợp lệ: chỉ dùng chữ không dấu, "
                    "chữ số, “_”, “-”, “.” (tối đa 64 ký tự).",
                )
            )
        elif code in seen:
            problems.append(
                Problem(name, line, "unit", f"Mã “{code}” bị trùng với dòng {seen[code]}.")
            )
        else:
            seen[code] = line
        if not unit.name:
            problems.append(Problem(name, line, "name", "Thiếu tên đơn vị."))
        if not unit.group:
            problems.append(Problem(name, line, "group", "Thiếu nhóm đơn vị."))
        if kind and kind not in UNIT_KINDS:
            problems.append(
                Problem(
                    name,
                    line,
                    "kind",
                    f"Loại “{kind}” không hợp lệ; dùng một trong: {', '.join(UNIT_KINDS)}.",
                )
            )
        rows.append(unit)
    return rows, problems


def read_units(path: str | Path) -> dict[str, UnitInfo]:
    """Units CSV of ``parindex compute`` ``unit,name,group`` → ``{unit: UnitInfo}``."""
    name = str(path)
    problems: list[Problem] = []
    rows = csv_rows(read_text_file(path), name, problems)
    pos = header_positions(name, rows, ("unit",), ("name", "group"), problems)
    if pos is None:
        raise FormatError(problems)
    iu, iname, igroup, _ = pos
    out: dict[str, UnitInfo] = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        unit = _cell(row, iu)
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        if unit in seen:
            problems.append(
                Problem(name, line, "unit", f"đơn vị {unit!r} bị trùng (dòng {seen[unit]})")
            )
            continue
        seen[unit] = line
        out[unit] = UnitInfo(_cell(row, iname), _cell(row, igroup))
    if problems:
        raise FormatError(problems)
    return out


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if 0 <= i < len(row) else ""
