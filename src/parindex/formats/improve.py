"""Input tables of the improvement commands (``parindex whatif``, ``parindex rank-bands``).

* Effort weights (CSV): ``code,effort`` — the effort of one point of the leaf ``code``
  (a number ≥ 0, dot or decimal comma). Leaves not listed cost 1 per point.
* Area intervals (CSV): ``unit,code,low,high`` — the known interval of unit ``unit``'s
  points in area ``code`` (e.g. a survey's 95% confidence interval converted to points),
  ``0 ≤ low ≤ high ≤`` the area's maximum.

Readers take text or a text stream (a path through
:func:`parindex.formats.text.read_text_file`) and return ``(rows, problems)``: every problem
of the file at once (file, line, column, Vietnamese reason); the caller uses the rows only
when there is none.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import replace
from decimal import Decimal

from parindex.engine.aggregate import CompiledFramework
from parindex.formats.errors import Problem
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import Source, csv_rows, header_positions

__all__ = ["read_effort", "read_intervals"]


def read_effort(
    source: Source, *, name: str, cf: CompiledFramework
) -> tuple[dict[str, Decimal], list[Problem]]:
    """Effort CSV → ``{leaf code: effort per point}``."""
    problems: list[Problem] = []
    rows = csv_rows(source, name, problems)
    pos = header_positions(name, rows, ("code", "effort"), (), problems)
    if pos is None:
        return {}, problems
    ic, ie, _ = pos
    out: dict[str, Decimal] = {}
    seen: dict[str, int] = {}
    for line, row in _filled(rows):
        code, text = _cell(row, ic), _cell(row, ie)
        if code not in cf.leaf_index:
            reason = (
                f"mã {code!r} là tiêu chí có tiêu chí con, công sức đặt cho tiêu chí lá"
                if code in cf.node_number
                else f"mã {code!r} không có trong bộ tiêu chí"
            )
            problems.append(Problem(name, line, "code", reason))
            continue
        if _repeated(seen, code, Problem(name, line, "code", f"mã {code!r} bị trùng"), problems):
            continue
        value = _number(name, line, "effort", text, problems)
        if value is not None and value < 0:
            problems.append(Problem(name, line, "effort", f"công sức {text} âm (cần ≥ 0)"))
        elif value is not None:
            out[code] = value
    return out, problems


def read_intervals(
    source: Source, *, name: str, cf: CompiledFramework
) -> tuple[dict[tuple[str, str], tuple[Decimal, Decimal]], list[Problem]]:
    """Interval CSV → ``{(unit, area code): (low, high)}`` in points.

    Units are checked by the caller (against the scored units); area codes and bounds
    here.
    """
    problems: list[Problem] = []
    rows = csv_rows(source, name, problems)
    pos = header_positions(name, rows, ("unit", "code", "low", "high"), (), problems)
    if pos is None:
        return {}, problems
    iu, ic, il, ih, _ = pos
    areas = {n.code: n for n in cf.framework.nodes}
    out: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, row in _filled(rows):
        unit, code = _cell(row, iu), _cell(row, ic)
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        area = areas.get(code)
        if area is None:
            problems.append(
                Problem(name, line, "code", f"mã {code!r} không phải lĩnh vực của bộ tiêu chí")
            )
            continue
        twice = Problem(name, line, "code", f"trùng đơn vị {unit!r} + mã {code!r}")
        if _repeated(seen, (unit, code), twice, problems):
            continue
        low = _number(name, line, "low", _cell(row, il), problems)
        high = _number(name, line, "high", _cell(row, ih), problems)
        if low is None or high is None:
            continue
        top = area.max_points or Decimal(0)
        if not Decimal(0) <= low <= high <= top:
            problems.append(
                Problem(
                    name,
                    line,
                    None,
                    f"khoảng [{low}, {high}] không hợp lệ: cần 0 ≤ low ≤ high ≤ {top} "
                    f"(điểm tối đa của lĩnh vực {code})",
                )
            )
            continue
        out[unit, code] = (low, high)
    return out, problems


def _filled(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows that are not blank."""
    return ((line, row) for line, row in rows if any(c.strip() for c in row))


def _repeated[K: Hashable](
    seen: dict[K, int], key: K, problem: Problem, problems: list[Problem]
) -> bool:
    """Whether ``key`` came before (then ``problem`` is added, naming the first line)."""
    first = seen.get(key)
    if first is None:
        assert problem.line is not None
        seen[key] = problem.line
        return False
    problems.append(replace(problem, reason=f"{problem.reason} (đã có ở dòng {first})"))
    return True


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if 0 <= i < len(row) else ""


def _number(
    name: str, line: int, column: str, text: str, problems: list[Problem]
) -> Decimal | None:
    try:
        return parse_decimal(text)
    except ValueError as exc:
        problems.append(Problem(name, line, column, str(exc)))
        return None
