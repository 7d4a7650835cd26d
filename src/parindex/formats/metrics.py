"""Metrics files (DESIGN §5): ``unit,metric,value`` with values in percent (0–100),
used by the rating conditions. :func:`read_metrics` reads text for the import service;
:func:`load_metrics` reads a file for ``parindex compute`` (which ignores, with a warning,
the metrics of units that are not scored: a national file may cover more units)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import (
    Source,
    csv_rows,
    header_positions,
    read_text_file,
    width_reason,
)

__all__ = ["MetricRow", "load_metrics", "metrics_by_unit", "read_metrics"]


class MetricRow(NamedTuple):
    # Not a frozen dataclass: a national file has thousands of rows, built 3× cheaper.
    line: int
    unit: str
    metric: str
    value: Decimal


def read_metrics(source: Source, *, name: str) -> tuple[list[MetricRow], list[Problem]]:
    """Metrics CSV → rows and problems; a row with a problem is left out."""
    problems: list[Problem] = []
    rows = csv_rows(source, name, problems)
    pos = header_positions(name, rows, ("unit", "metric", "value"), (), problems)
    if pos is None:
        return [], problems
    iu, im, iv, _ = pos
    width = max(pos[:-1]) + 1
    out: list[MetricRow] = []
    seen: dict[tuple[str, str], int] = {}
    parsed: dict[str, Decimal | str] = {}  # each distinct text: its number or why not
    for line, row in rows:
        if len(row) < width:
            if any(c.strip() for c in row):  # a blank line is skipped
                problems.append(Problem(name, line, None, width_reason(len(row), width)))
            continue
        unit, metric, text = row[iu].strip(), row[im].strip(), row[iv]
        if not (unit and metric):
            if not any(c.strip() for c in row):
                continue
            why = ("unit", "thiếu mã đơn vị") if not unit else ("metric", "thiếu tên chỉ số")
            problems.append(Problem(name, line, *why))
            continue
        value = parsed.get(text)
        if value is None:
            value = parsed[text] = _value(text)
        if isinstance(value, str):
            problems.append(Problem(name, line, "value", value))
            continue
        key = (unit, metric)
        if key in seen:
            problems.append(
                Problem(
                    name,
                    line,
                    "metric",
                    f"trùng đơn vị {unit!r} + chỉ số {metric!r} (dòng {seen[key]})",
                )
            )
            continue
        seen[key] = line
        out.append(MetricRow(line, unit, metric, value))
    return out, problems


def _value(text: str) -> Decimal | str:
    """A value cell → its number, or the reason it is refused."""
    try:
        value = parse_decimal(text)
    except ValueError as exc:
        return f"giá trị {exc}"
    if value < 0 or value > 100:
        return f"giá trị {text.strip()} nằm ngoài khoảng [0, 100] (%)"
    return value


def load_metrics(path: str | Path, *, name: str | None = None) -> dict[str, dict[str, Decimal]]:
    """A metrics file → ``{unit: {metric: value}}``; :class:`FormatError` on a problem.
    ``name`` names the file in problems (default: the path)."""
    name = str(path) if name is None else name
    rows, problems = read_metrics(read_text_file(path), name=name)
    if problems:
        raise FormatError(problems)
    return metrics_by_unit(rows)


def metrics_by_unit(rows: list[MetricRow]) -> dict[str, dict[str, Decimal]]:
    """``{unit: {metric: value}}`` of checked rows (file order)."""
    out: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        out.setdefault(r.unit, {})[r.metric] = r.value
    return out
