"""Writes of the rating metrics (late dossier rate, satisfaction index, ...): one value from
the form, several values at once, or a CSV file (DESIGN §5 ``unit,metric,value``)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleUnit
from parindex.formats.errors import FormatError, Problem
from parindex.formats.tables import parse_decimal, read_metrics
from parindex.results.models import METRIC_LABELS, MetricSource, UnitMetric
from parindex.results.services.background import request_recompute
from parindex.units.models import Unit

if TYPE_CHECKING:
    from parindex.accounts.models import User

__all__ = ["metric_set", "metrics_import", "metrics_set"]


def _metric_value(value: Any) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else parse_decimal(str(value))
    except (ValueError, InvalidOperation) as exc:
        raise ValidationError({"value": f"Giá trị “{value}” không phải là số."}) from exc
    if d < 0 or d > 100:
        raise ValidationError({"value": f"Giá trị {value} nằm ngoài khoảng 0–100 (%)."})
    return d


def metric_set(
    *, cycle: Cycle, unit: Unit, metric: str, value: Any, actor: User | None, source: str = "form"
) -> UnitMetric:
    """Enter one unit's metric (percent, 0–100) for the rating conditions."""
    require_admin(actor, "nhập chỉ số xếp loại")
    with transaction.atomic(durable=True):
        return _set_one(cycle, unit, metric, value, actor, source)


def metrics_set(
    *, cycle: Cycle, values: Sequence[tuple[Unit, str, Any]], actor: User | None
) -> int:
    """Enter several (unit, metric, value) at once, as on the metrics form: every value is
    checked and nothing is saved when one is refused (``ValidationError`` listing each
    refusal as “unit — metric: reason”). Returns the number of values saved."""
    require_admin(actor, "nhập chỉ số xếp loại")
    errors: list[str] = []
    with transaction.atomic(durable=True):
        for unit, metric, value in values:
            try:
                _set_one(cycle, unit, metric, value, actor, MetricSource.FORM)
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
    request_recompute(cycle)
    return row


def metrics_import(
    *,
    cycle: Cycle,
    actor: User | None,
    file_path: str | Path | None = None,
    text: str | None = None,
) -> dict[str, int]:
    """CSV ``unit,metric,value`` (DESIGN §5); every problem with its row and column, and
    nothing saved when there is one (atomic). Returns ``{"created": n, "updated": m}``."""
    require_admin(actor, "nhập chỉ số xếp loại")
    if (file_path is None) == (text is None):
        raise ValidationError("Cần đúng một trong hai: tệp CSV hoặc nội dung CSV.")
    if text is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as tmp:
            tmp.write(text)
        path = Path(tmp.name)
        name = "metrics.csv"
    else:
        path = Path(file_path)  # type: ignore[arg-type]
        name = str(file_path)
    try:
        try:
            data = read_metrics(path)
        except FormatError as exc:
            if text is None:
                raise
            raise FormatError(
                [Problem(name, p.line, p.column, p.reason) for p in exc.problems]
            ) from None
    finally:
        if text is not None:
            path.unlink(missing_ok=True)
    units = dict(
        CycleUnit.objects.filter(cycle=cycle, unit__code__in=list(data)).values_list(
            "unit__code", "unit_id"
        )
    )
    unknown = [u for u in data if u not in units]
    if unknown:
        raise FormatError(
            [
                Problem(name, _line_of(text, path, u), "unit", f"đơn vị {u} không tham gia kỳ")
                for u in unknown
            ]
        )
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
    for code, metrics in data.items():
        for metric, value in metrics.items():
            key = (units[code], metric)
            if key in existing:
                pk, old = existing[key]
                if old != value:
                    updated.append(
                        UnitMetric(
                            pk=pk,
                            cycle=cycle,
                            unit_id=units[code],
                            metric=metric,
                            value=value,
                            source=MetricSource.CSV,
                            updated_by=who,
                            updated_at=now,
                        )
                    )
            else:
                created.append(
                    UnitMetric(
                        cycle=cycle,
                        unit_id=units[code],
                        metric=metric,
                        value=value,
                        source=MetricSource.CSV,
                        updated_by=who,
                    )
                )
    with transaction.atomic():
        UnitMetric.objects.bulk_create(created)
        UnitMetric.objects.bulk_update(updated, ["value", "source", "updated_by", "updated_at"])
        record(
            actor=actor,
            action="results.metrics_import",
            obj=cycle,
            after={"created": len(created), "updated": len(updated)},
            context={"file": name},
        )
        request_recompute(cycle)
    return {"created": len(created), "updated": len(updated)}


def _line_of(text: str | None, path: Path, unit: str) -> int | None:
    try:
        body = text if text is not None else path.read_text(encoding="utf-8-sig")
    except OSError:
        return None
    for i, row in enumerate(csv.reader(io.StringIO(body)), 1):
        if row and row[0].strip() == unit:
            return i
    return None
