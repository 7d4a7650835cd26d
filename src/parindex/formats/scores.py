"""Scores files (DESIGN §5).

* ``parindex compute`` scores: ``unit,code,points[,value]``. ``points`` is the leaf's
  points (a "not applicable" word, see :mod:`parindex.formats.numbers`, within
  ``[0, max]``, up to 6 decimals). When ``points`` is empty and ``value`` is given, the
  leaf's rule converts the value (a percentage, a label, a count…) into points. A row with
  both empty leaves the leaf missing (0 points, reported). :func:`read_scores`.
* External points (survey, SIPAS, statistic) imported into a cycle: ``unit,code,points``,
  header optional. :func:`read_points` checks the file; the import service checks the
  rows against the cycle (units, leaves, maximum points).
"""

from __future__ import annotations

import collections
import itertools
import operator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.engine.aggregate import CompiledFramework, to_micro
from parindex.engine.compute import MISSING, NOT_APPLICABLE, ScoreTable
from parindex.engine.numtext import range_text
from parindex.engine.rules import RuleInputError, points_for
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import is_na, parse_decimal, parse_micro
from parindex.formats.text import (
    Source,
    csv_rows,
    header_positions,
    read_text_file,
    width_reason,
)

__all__ = ["PointRow", "read_points", "read_scores", "scores_from_text"]

_HEADER_WORDS = ("unit", "đơn vị", "don_vi")


@dataclass(frozen=True, slots=True)
class PointRow:
    """One data row of an external points file. ``points`` is None when the cell is
    empty (``not_applicable`` False: the import reports "thiếu điểm") or not applicable."""

    line: int
    unit: str
    code: str
    points: Decimal | None
    not_applicable: bool


def read_points(source: Source, *, name: str) -> tuple[list[PointRow], list[Problem]]:
    """External points CSV ``unit,code,points`` → rows and problems (line order).

    The header is optional; a first line starting with a unit header word but other
    columns is a problem. Blank lines are skipped; every other line needs exactly three
    cells. Numbers take a dot or a decimal comma. A row with a problem is left out.
    """
    problems: list[Problem] = []
    records = list(csv_rows(source, name, problems, strict=False))
    start = 0
    if records:
        first = [c.strip().lower() for c in records[0][1]]
        if first[:3] == ["unit", "code", "points"]:
            start = 1
        elif first and first[0] in _HEADER_WORDS:
            problems.append(Problem(name, 1, None, "tiêu đề phải là unit,code,points"))
            start = 1
    body = [(line, r) for line, r in records[start:] if any(c.strip() for c in r)]
    if not body and not problems:
        problems.append(Problem(name, None, None, "tệp không có dòng dữ liệu nào"))
    rows: list[PointRow] = []
    for line, r in body:
        if len(r) != 3:
            problems.append(
                Problem(name, line, None, f"cần đúng 3 cột unit,code,points, có {len(r)} cột")
            )
            continue
        unit, code, text = (c.strip() for c in r)
        points: Decimal | None = None
        na = False
        if is_na(text):
            na = True
        elif text:
            try:
                points = parse_decimal(text)
            except ValueError as exc:
                why = str(exc).rstrip(".")  # the message may end with its own full stop
                problems.append(Problem(name, line, "points", f"Tiêu chí {code}: giá trị {why}."))
                continue
        rows.append(PointRow(line, unit, code, points, na))
    return rows, problems


def read_scores(
    path: str | Path,
    cf: CompiledFramework,
    known_units: set[str] | dict[str, Any] | None = None,
) -> ScoreTable:
    """Scores CSV of ``parindex compute`` → :class:`ScoreTable` (see the module docstring).

    Built for speed (hundreds of thousands of rows): a clean file is checked column-wise
    (:func:`scores_from_text`); otherwise every row is read, text → points is cached,
    and each row touches two dictionaries and one list slot.
    """
    head, _, body = read_text_file(path).partition("\n")
    fast = scores_from_text(head, body, cf, known_units)
    if fast is not None:
        return fast
    del head, body  # the careful reader reads the file again (peak memory: one copy)
    return _read_rows(read_text_file(path), str(path), cf, known_units)


def scores_from_text(
    head: str,
    body: str,
    cf: CompiledFramework,
    known_units: set[str] | dict[str, Any] | None,
) -> ScoreTable | None:
    """The fast path on text already read: ``head`` = header line, ``body`` = data lines.

    ``None`` when the text does not qualify — quotes, blank or ragged lines, unknown
    codes or units, points that do not parse (or a value column needed), duplicates,
    out-of-range points; all checked column-wise in C —; then the caller must fall back
    to the careful row reader, which names each problem's line and column.
    """
    if '"' in body or "\r" in body or "\r" in head or '"' in head:
        return None
    cols = [c.strip().lower() for c in head.split(",")]
    if len(set(cols)) != len(cols) or not {"unit", "code", "points"} <= set(cols):
        return None
    n = len(cols)
    if body.endswith("\n"):
        body = body[:-1]
    if not body:
        return None
    n_lines = body.count("\n") + 1
    cells = body.replace("\n", ",").split(",")
    if len(cells) != n_lines * n:
        return None
    unit_col = cells[cols.index("unit") :: n]
    code_col = cells[cols.index("code") :: n]
    text_col = cells[cols.index("points") :: n]
    del cells
    L = cf.n_leaves
    cache: dict[str, int] = {}
    for t in set(text_col):
        if is_na(t):
            cache[t] = NOT_APPLICABLE
            continue
        try:
            micro = parse_micro(t)
        except ValueError:
            return None
        if micro < 0:
            return None
        cache[t] = micro
    micros = list(map(cache.__getitem__, text_col))
    U, rest = divmod(n_lines, L)
    if not rest and code_col == list(cf.leaf_codes) * U:
        # The usual layout: one block per unit, leaves in framework order. Every line has
        # exactly the expected code, so the columns cannot have shifted, and the points
        # column already is the table.
        order = unit_col[::L]
        repeated = list(
            itertools.chain.from_iterable(map(itertools.repeat, order, itertools.repeat(L, U)))
        )
        if unit_col != repeated or len(set(order)) != U:
            return None
        # each leaf's column is a slice: its largest value against the leaf's maximum
        if any(max(micros[j::L]) > top for j, top in enumerate(cf.leaf_max)):
            return None
    else:
        lines = body.split("\n")
        if set(map(str.count, lines, itertools.repeat(",", len(lines)))) != {n - 1}:
            return None
        js = list(map(cf.leaf_index.get, code_col))
        if None in js:
            return None
        if any(map(operator.gt, micros, map(cf.leaf_max.__getitem__, js))):  # type: ignore[arg-type]
            return None
        order = list(dict.fromkeys(unit_col))
        U = len(order)
        base = {u: i * L for i, u in enumerate(order)}
        slots = list(map(operator.add, map(base.__getitem__, unit_col), js))
        values = [MISSING] * (L * U)
        collections.deque(map(values.__setitem__, slots, micros), maxlen=0)
        if len(values) - values.count(MISSING) != len(slots):
            return None  # a unit + code given twice
        micros = values
    if any(not u or u != u.strip() for u in order):
        return None
    if known_units is not None and not all(u in known_units for u in order):
        return None
    return ScoreTable(cf.leaf_codes, order, micros)


def _read_rows(
    content: str,
    name: str,
    cf: CompiledFramework,
    known_units: set[str] | dict[str, Any] | None,
) -> ScoreTable:
    """The careful reader: names each problem's line and column."""
    problems: list[Problem] = []
    L = cf.n_leaves
    leaf_index = dict(cf.leaf_index)
    leaf_max = cf.leaf_max
    unit_index: dict[str, int] = {}
    units: list[str] = []
    values: list[int] = []
    blank = [MISSING] * L
    cache: dict[str, int] = {}
    duplicates: list[tuple[int, int]] = []  # (slot, line)
    rows = csv_rows(content, name, problems)
    pos = header_positions(name, rows, ("unit", "code", "points"), ("value",), problems)
    if pos is None:
        raise FormatError(problems)
    iu, ic, ip, iv, ncols = pos
    width = max(pos[:-1]) + 1
    for line, row in rows:
        if len(row) != ncols:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) < width or len(row) > ncols:
                problems.append(Problem(name, line, None, width_reason(len(row), ncols)))
                continue
        code = row[ic]
        j = leaf_index.get(code)
        if j is None:
            j = leaf_index.get(code.strip())
            if j is None:
                reason = (
                    f"mã {code!r} là tiêu chí có tiêu chí con, chỉ chấm tiêu chí lá"
                    if code.strip() in cf.node_number
                    else f"mã {code!r} không có trong bộ tiêu chí"
                )
                problems.append(Problem(name, line, "code", reason))
                continue
            leaf_index[code] = j
        unit = row[iu]
        u = unit_index.get(unit)
        if u is None:
            clean = unit.strip()
            if not clean:
                problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
                continue
            if known_units is not None and clean not in known_units:
                problems.append(
                    Problem(name, line, "unit", f"đơn vị {clean!r} không có trong tệp đơn vị")
                )
                continue
            u = unit_index.get(clean)
            if u is None:
                u = len(units)
                units.append(clean)
                values.extend(blank)
                unit_index[clean] = u
            unit_index[unit] = u
        k = u * L + j
        text = row[ip]
        try:
            micro = cache[text]
        except KeyError:
            if not text.strip():
                raw = row[iv].strip() if 0 <= iv < len(row) else ""
                if not raw:
                    continue  # neither points nor value: the leaf stays missing
                try:
                    micro = to_micro(points_for(cf.leaf_rules[j], cf.leaf_max_decimal[j], raw))
                except RuleInputError as exc:
                    problems.append(Problem(name, line, "value", str(exc)))
                    continue
            elif is_na(text):
                micro = cache[text] = NOT_APPLICABLE
            else:
                try:
                    micro = parse_micro(text)
                except ValueError as exc:
                    problems.append(Problem(name, line, "points", f"điểm {exc}"))
                    continue
                if micro < 0:
                    problems.append(
                        Problem(
                            name,
                            line,
                            "points",
                            f"điểm {text.strip()} âm (điểm nằm trong [0, tối đa])",
                        )
                    )
                    continue
                cache[text] = micro
        if values[k] != MISSING:
            duplicates.append((k, line))
            continue
        if micro > leaf_max[j]:
            problems.append(
                Problem(
                    name,
                    line,
                    "points",
                    f"điểm {text.strip()} nằm ngoài khoảng "
                    f"{range_text(0, cf.leaf_max_decimal[j])} của tiêu chí {cf.leaf_codes[j]}",
                )
            )
            continue
        values[k] = micro
    if duplicates:
        problems.extend(_duplicate_problems(content, name, cf, units, duplicates))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise FormatError(problems)
    return ScoreTable(cf.leaf_codes, units, values)


def _duplicate_problems(
    text: str,
    name: str,
    cf: CompiledFramework,
    units: list[str],
    duplicates: list[tuple[int, int]],
) -> list[Problem]:
    """Name the first line of each duplicated unit + code (a second, rare pass)."""
    L = cf.n_leaves
    wanted = {(units[k // L], cf.leaf_codes[k % L]) for k, _ in duplicates}
    first: dict[tuple[str, str], int] = {}
    rows = csv_rows(text, name, [], strict=False)
    _, head = next(rows)
    cols = [h.strip().lower() for h in head]
    iu, ic = cols.index("unit"), cols.index("code")
    for line, row in rows:
        if len(row) > max(iu, ic):
            key = (row[iu].strip(), row[ic].strip())
            if key in wanted and key not in first:
                first[key] = line
    out = []
    for k, line in duplicates:
        unit, code = units[k // L], cf.leaf_codes[k % L]
        out.append(
            Problem(
                name,
                line,
                "code",
                f"trùng đơn vị {unit!r} + mã {code!r} "
                f"(đã có ở dòng {first.get((unit, code), '?')})",
            )
        )
    return out
