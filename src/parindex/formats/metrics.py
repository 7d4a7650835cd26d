"""Metrics files (DESIGN §5): ``unit,metric,value`` with values in percent (0–100),
used by the rating conditions. :func:`read_metrics` reads text for the import service;
:func:`load_metrics` reads a file for ``parindex compute`` (which ignores, with a warning,
the metrics of units that are not scored: a national file may cover more units)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

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


@dataclass(frozen=True, slots=True)
class MetricRow:
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
    parsed: dict[str, Decimal] = {}
    for line, row in rows:
        if not any(c.strip() for c in row):
            continue
        if len(row) < width:
            problems.append(Problem(name, line, None, width_reason(len(row), width)))
            continue
        unit, metric, text = row[iu].strip(), row[im].strip(), row[iv]
        if not unit:
            problems.append(Problem(name, line, "unit", "thiếu mã đơn vị"))
            continue
        if not metric:
            problems.append(Problem(name, line, "metric", "thiếu tên chỉ số"))
            continue
        value = parsed.get(text)
        if value is None:
            try:
                value = parsed[text] = parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(name, line, "value", f"giá trị {exc}"))
                continue
        if value < 0 or value > 100:
            problems.append(
                Problem(
                    name, line, "value", f"giá trị {text.strip()} nằm ngoài khoảng [0, 100] (%)"
                )
            )
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
