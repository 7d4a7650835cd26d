"""Small checks the improvement services share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from parindex.frameworks.models import Criterion, Framework
from parindex.improvement.models import WorkStatus
from parindex.units.models import Unit


def text(value: Any, limit: int | None = None) -> str:
    out = str(value or "").strip()
    return out[:limit] if limit else out


def check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": f"Năm {year} không hợp lệ (2000–2100)."})
    return year


def check_status(status: str) -> str:
    if status not in WorkStatus.values:
        raise ValidationError({"status": f"Trạng thái “{status}” không hợp lệ."})
    return status


def check_criterion(framework: Framework, criterion: Criterion | None) -> None:
    if criterion is not None and criterion.framework_id != framework.pk:
        raise ValidationError(
            {"criterion": f"Tiêu chí {criterion.code} không thuộc bộ tiêu chí {framework.name}."}
        )


def partners_without(lead: Unit | None, partners: Iterable[Unit]) -> list[Unit]:
    """The partner units, without the lead unit and without repeats."""
    seen: set[int] = set()
    out = []
    for u in partners:
        if u.pk in seen or (lead is not None and u.pk == lead.pk):
            continue
        seen.add(u.pk)
        out.append(u)
    return out


def unit_names(units: Iterable[Unit]) -> list[str]:
    return [u.name for u in units]
