"""Writes of the rating metrics (late dossier rate, satisfaction index, ...): one value from
the form, several values at once, or a CSV file (DESIGN §5 ``unit,metric,value``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleUnit
from parindex.cycles.services import require_unfrozen
from parindex.formats.errors import FormatError, Problem
from parindex.formats.metrics import MetricRow
from parindex.formats.numbers import parse_decimal, vn_number
from parindex.results.models import METRIC_LABELS, MetricSource, UnitMetric
from parindex.results.services.background import request_recompute
from parindex.units.models import Unit

__all__ = ["metric_set", "metrics_import", "metrics_set", "unknown_metric"]


def unknown_metric(metric: str) -> str:
    """The reason a metric outside :data:`METRIC_LABELS` is refused (file rows and forms)."""
    known = "; ".join(f"{code} ({label})" for code, label in METRIC_LABELS.items())
    return f"chỉ số “{metric}” không có trong danh sách (dùng: {known})"


def _metric_value(value: Any) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else parse_decimal(str(value))
    except ValueError as exc:
        raise ValidationError({"value": f"Giá trị “{value}” không phải là số."}) from exc
    if d < 0 or d > 100:
        raise ValidationError({"value": f"Giá trị {vn_number(value)} nằm ngoài khoảng 0–100 (%)."})
    return d


def metric_set(
    *, cycle: Cycle, unit: Unit, metric: str, value: Any, actor: User | None, source: str = "form"
) -> UnitMetric:
    """Enter one unit's metric (percent, 0–100) for the rating conditions."""
    require_admin(actor, "nhập chỉ số xếp loại")
    require_unfrozen(cycle)
    with transaction.atomic(durable=True):
        return _set_one(cycle, unit, metric, value, actor, source)


def metrics_set(
    *,
    cycle: Cycle,
    values: Sequence[tuple[Unit, str, Any]],
    actor: User | None,
    source: str = MetricSource.FORM,
) -> int:
    """Enter several (unit, metric, value) at once, as on the metrics form: every value is
    checked and nothing is saved when one is refused (``ValidationError`` listing each
    refusal as “unit — metric: reason”). ``source`` says where the values come from (the
    dossiers app passes ``MetricSource.DOSSIERS``). Returns the number of values saved."""
    require_admin(actor, "nhập chỉ số xếp loại")
    require_unfrozen(cycle)
    errors: list[str] = []
    with transaction.atomic(durable=True):
        for unit, metric, value in values:
            try:
                _set_one(cycle, unit, metric, value, actor, source)
            except ValidationError as exc:
                label = METRIC_LABELS.get(metric, metric)
                errors += [f"{unit.name} — {label}: {m}" for m in exc.messages]
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)
    return len(values)


def _set_one(
    cycle: Cycle, unit: Unit, metric: str, value: Any, actor: User | None, source: str
) -> UnitMetric:
    metric = (metric or "").strip()
    if not metric:
        raise ValidationError({"metric": "Thiếu tên chỉ số."})
    if metric not in METRIC_LABELS:
        raise ValidationError({"metric": unknown_metric(metric).capitalize() + "."})
    d = _metric_value(value)
    if not CycleUnit.objects.filter(cycle=cycle, unit=unit).exists():
        raise ValidationError({"unit": f"Đơn vị “{unit}” không tham gia kỳ đánh giá này."})
    old = UnitMetric.objects.filter(cycle=cycle, unit=unit, metric=metric).first()
    row, _ = UnitMetric.objects.update_or_create(
        cycle=cycle,
        unit=unit,
        metric=metric,
        defaults={"value": d, "source": source, "updated_by": actor_user(actor)},
    )
    record(
        actor=actor,
        action="results.metric_set",
        obj=row,
        field=metric,
        before=None if old is None else str(old.value),
        after=str(d),
        context={"cycle": cycle.pk, "unit": unit.code},
    )
    request_recompute(cycle, units=[unit.pk])
    return row


def metrics_import(
    *, cycle: Cycle, rows: Sequence[MetricRow], source_name: str, actor: User | None
) -> dict[str, int]:
    """Store the rows of a metrics CSV (``unit,metric,value``, DESIGN §5) read by
    :func:`parindex.formats.metrics.read_metrics`. A unit outside the cycle is refused with
    its row (:class:`FormatError`) and nothing is saved. Returns
    ``{"created": n, "updated": m}``."""
    require_admin(actor, "nhập chỉ số xếp loại")
    require_unfrozen(cycle)
    first_line: dict[str, int] = {}
    for r in rows:
        first_line.setdefault(r.unit, r.line)
    units = dict(
        CycleUnit.objects.filter(cycle=cycle, unit__code__in=list(first_line)).values_list(
            "unit__code", "unit_id"
        )
    )
    found = [
        Problem(source_name, first_line[u], "unit", f"đơn vị {u} không tham gia kỳ")
        for u in first_line
        if u not in units
    ]
    found += [
        Problem(source_name, r.line, "metric", unknown_metric(r.metric))
        for r in rows
        if r.metric not in METRIC_LABELS
    ]
    if found:
        raise FormatError(sorted(found, key=lambda p: p.line or 0))
    existing = {
        (u, m): (pk, v)
        for pk, u, m, v in UnitMetric.objects.filter(cycle=cycle).values_list(
            "pk", "unit_id", "metric", "value"
        )
    }
    created: list[UnitMetric] = []
    updated: list[UnitMetric] = []
    who = actor_user(actor)
    now = timezone.now()
    for r in rows:
        key = (units[r.unit], r.metric)
        pk, old = existing.get(key, (None, None))
        if pk is not None and old == r.value:
            continue
        row = UnitMetric(
            pk=pk,
            cycle=cycle,
            unit_id=key[0],
            metric=r.metric,
            value=r.value,
            source=MetricSource.CSV,
            updated_by=who,
        )
        if pk is None:
            created.append(row)
        else:
            row.updated_at = now
            updated.append(row)
    # Plain atomic, not durable: the demo loader imports its metrics inside its own
    # transaction.
    with transaction.atomic():
        UnitMetric.objects.bulk_create(created)
        UnitMetric.objects.bulk_update(updated, ["value", "source", "updated_by", "updated_at"])
        record(
            actor=actor,
            action="results.metrics_import",
            obj=cycle,
            after={"created": len(created), "updated": len(updated)},
            context={"file": source_name},
        )
        request_recompute(cycle, units=[r.unit_id for r in (*created, *updated)])
    return {"created": len(created), "updated": len(updated)}
