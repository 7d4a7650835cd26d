"""Writes of the results app (docs/results.md): recompute, rating configuration, metrics,
publication. Keyword-only, actor last, one transaction each with its audit row.

The scoring itself is the engine's (:mod:`parindex.engine.compute`); this module loads the
cycle's data in a few ``values_list`` queries, calls the engine and stores what it returns.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Value
from django.db.models.functions import Cast, Round
from django.utils import timezone

from parindex.assessments.models import Assessment, AssessmentStatus, LeafScore
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleFramework, CycleStatus, CycleUnit
from parindex.engine.aggregate import CompiledFramework, compile_framework
from parindex.engine.compute import (
    MISSING,
    NOT_APPLICABLE,
    PreviousResult,
    ScoreTable,
    UnitInfo,
    finish,
    score_units,
)
from parindex.engine.framework import ADJUSTMENT_SOURCES, EXTERNAL_SOURCES
from parindex.engine.ranking import rank_ratios
from parindex.engine.rating import OPS, Condition, RatingScheme
from parindex.formats.errors import FormatError, Problem
from parindex.formats.tables import parse_decimal
from parindex.results.models import (
    KNOWN_METRICS,
    MetricSource,
    NodeResult,
    RatingConfig,
    ResultSet,
    ResultStatus,
    UnitMetric,
    UnitResult,
)
from parindex.units.models import Unit, UnitLineage
from parindex.workflow import compare_and_set

__all__ = [
    "DEFAULT_ACCOUNTABILITY",
    "cycle_publish",
    "default_rating",
    "metric_set",
    "metrics_import",
    "rating_config_for",
    "rating_config_set",
    "request_recompute",
    "results_recompute",
]

DEFAULT_RATING_PATH = Path(__file__).resolve().parent.parent / "data" / "rating" / "default.yaml"

#: Seed 002 (Khánh Hòa): heads of units rated Trung bình two years in a row or Yếu once.
DEFAULT_ACCOUNTABILITY: dict[str, Any] = {
    "consecutive": {"class": "Trung bình", "years": 2},
    "once": ["Yếu"],
    "head_not_good_at_or_below": "Trung bình",
}

SIX = Decimal("0.000001")


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None


def _require_admin(actor: Any, what: str) -> None:
    if actor is None or not getattr(actor, "is_province_admin", False):
        raise ValidationError(f"Chỉ Quản trị Sở Nội vụ được {what}.")


# --------------------------------------------------------------------------- rating config


def default_rating() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Classes and conditions of ``data/rating/default.yaml`` as JSON-ready lists."""
    from parindex.formats.tables import read_rating

    scheme = read_rating(DEFAULT_RATING_PATH)
    return _scheme_json(scheme)


def _scheme_json(scheme: RatingScheme) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    classes = [{"name": n, "min": str(m)} for n, m in scheme.classes]
    conditions = [
        {"metric": c.metric, "op": c.op, "value": str(c.value), "cap": c.cap, "reason": c.reason}
        for c in scheme.conditions
    ]
    return classes, conditions


def rating_config_for(cycle: Cycle) -> RatingConfig:
    """The cycle's rating configuration, created from the shipped default on first use."""
    config = RatingConfig.objects.filter(cycle=cycle).first()
    if config is not None:
        return config
    classes, conditions = default_rating()
    config, _ = RatingConfig.objects.get_or_create(
        cycle=cycle,
        defaults={
            "classes": classes,
            "conditions": conditions,
            "accountability": dict(DEFAULT_ACCOUNTABILITY),
        },
    )
    return config


def scheme_of(config: RatingConfig) -> RatingScheme:
    """The engine's rating scheme for a stored configuration."""
    return RatingScheme(
        classes=tuple((c["name"], Decimal(str(c["min"]))) for c in config.classes),
        conditions=tuple(
            Condition(
                metric=c["metric"],
                op=c["op"],
                value=Decimal(str(c["value"])),
                cap=c["cap"],
                reason=c.get("reason", ""),
            )
            for c in config.conditions
        ),
    )


def known_metrics(cycle: Cycle) -> set[str]:
    """Metric names a condition may use: the built-in ones and any entered for the cycle."""
    present = UnitMetric.objects.filter(cycle=cycle).values_list("metric", flat=True).distinct()
    return set(KNOWN_METRICS) | set(present)


def _number(value: Any, what: str, errors: list[str]) -> Decimal | None:
    try:
        return parse_decimal(str(value)) if not isinstance(value, Decimal) else value
    except (ValueError, InvalidOperation):
        errors.append(f"{what}: “{value}” không phải là số.")
        return None


def validate_rating(
    classes: Sequence[Mapping[str, Any]],
    conditions: Sequence[Mapping[str, Any]],
    metrics: Iterable[str],
) -> tuple[list[tuple[str, Decimal]], list[Condition], list[str]]:
    """Parse and check classes/conditions; returns them with every problem (Vietnamese)."""
    errors: list[str] = []
    parsed: list[tuple[str, Decimal]] = []
    for i, c in enumerate(classes, 1):
        name = str(c.get("name") or "").strip()
        if not name:
            errors.append(f"Mức xếp loại thứ {i}: thiếu tên mức.")
            continue
        lower = _number(c.get("min"), f"Mức “{name}”", errors)
        if lower is None:
            continue
        if lower < 0 or lower > 100:
            errors.append(f"Mức “{name}”: ngưỡng {lower} phải nằm trong khoảng 0–100.")
        parsed.append((name, lower))
    if not classes:
        errors.append("Chưa khai báo mức xếp loại nào.")
    names = [n for n, _ in parsed]
    for n in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"Mức xếp loại “{n}” bị trùng tên.")
    for (n1, m1), (n2, m2) in itertools.pairwise(parsed):
        if m2 == m1:
            errors.append(f"Các mức “{n1}” và “{n2}” trùng ngưỡng {m1}: các khoảng chồng lên nhau.")
        elif m2 > m1:
            errors.append(
                f"Các mức phải xếp từ cao xuống thấp với ngưỡng giảm dần: “{n2}” (từ {m2}) "
                f"đứng sau “{n1}” (từ {m1}) làm các khoảng chồng lên nhau."
            )
    if parsed and parsed[-1][1] != 0:
        n, m = parsed[-1]
        errors.append(
            f"Mức thấp nhất “{n}” phải bắt đầu từ 0; hiện từ {m}, chỉ số dưới {m} "
            "không thuộc mức nào (có khoảng trống)."
        )
    known = set(metrics)
    conds: list[Condition] = []
    for i, c in enumerate(conditions, 1):
        metric = str(c.get("metric") or "").strip()
        op = str(c.get("op") or "").strip()
        cap = str(c.get("cap") or "").strip()
        where = f"Điều kiện thứ {i}"
        if not metric:
            errors.append(f"{where}: thiếu tên chỉ số.")
        elif metric not in known:
            errors.append(
                f"{where}: chỉ số “{metric}” không có (các chỉ số đã biết: "
                f"{', '.join(sorted(known))})."
            )
        if op not in OPS:
            errors.append(f"{where}: phép so sánh “{op}” không hợp lệ (dùng {', '.join(OPS)}).")
        value = _number(c.get("value"), where, errors)
        if value is not None and (value < 0 or value > 100):
            errors.append(f"{where}: giá trị {value} phải nằm trong khoảng 0–100 (%).")
        if cap not in names:
            errors.append(f"{where}: mức trần “{cap}” không có trong các mức xếp loại.")
        if metric and op in OPS and value is not None and cap:
            conds.append(Condition(metric, op, value, cap, str(c.get("reason") or "").strip()))
    return parsed, conds, errors


def _validate_accountability(rule: Mapping[str, Any], names: list[str]) -> list[str]:
    errors: list[str] = []
    consecutive = rule.get("consecutive")
    if consecutive:
        if consecutive.get("class") not in names:
            errors.append(
                f"Quy tắc trách nhiệm: mức “{consecutive.get('class')}” không có trong các mức."
            )
        years = consecutive.get("years")
        if not isinstance(years, int) or years < 1:
            errors.append("Quy tắc trách nhiệm: số năm liên tục phải là số nguyên dương.")
    for n in rule.get("once") or []:
        if n not in names:
            errors.append(f"Quy tắc trách nhiệm: mức “{n}” không có trong các mức.")
    head = rule.get("head_not_good_at_or_below")
    if head and head not in names:
        errors.append(f"Quy tắc trách nhiệm: mức “{head}” không có trong các mức.")
    return errors


def rating_config_set(
    *,
    cycle: Cycle,
    classes: Sequence[Mapping[str, Any]],
    conditions: Sequence[Mapping[str, Any]],
    actor: Any,
    decimals: int = 2,
    accountability: Mapping[str, Any] | None = None,
) -> RatingConfig:
    """Set the cycle's rating classes (highest first, lowest from 0, no gap or overlap),
    capping conditions (known metrics, existing cap) and display decimals."""
    _require_admin(actor, "cấu hình xếp loại")
    parsed, conds, errors = validate_rating(classes, conditions, known_metrics(cycle))
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        errors.append("Số chữ số thập phân phải từ 0 đến 6.")
    if accountability is not None:
        errors += _validate_accountability(accountability, [n for n, _ in parsed])
    if errors:
        raise ValidationError(errors)
    scheme = RatingScheme(tuple(parsed), tuple(conds))  # the engine re-validates
    new_classes, new_conditions = _scheme_json(scheme)
    with transaction.atomic():
        config = rating_config_for(cycle)
        before = {
            "classes": config.classes,
            "conditions": config.conditions,
            "decimals": config.decimals,
            "accountability": config.accountability,
        }
        config.classes = new_classes
        config.conditions = new_conditions
        config.decimals = decimals
        if accountability is not None:
            config.accountability = dict(accountability)
        config.updated_by = _user(actor)
        config.save()
        record(
            actor=actor,
            action="results.rating_config",
            obj=config,
            before=before,
            after={
                "classes": new_classes,
                "conditions": new_conditions,
                "decimals": decimals,
                "accountability": config.accountability,
            },
        )
        request_recompute(cycle)
    return config


# --------------------------------------------------------------------------- metrics


def _metric_value(value: Any) -> Decimal:
    try:
        d = value if isinstance(value, Decimal) else parse_decimal(str(value))
    except (ValueError, InvalidOperation) as exc:
        raise ValidationError({"value": f"Giá trị “{value}” không phải là số."}) from exc
    if d < 0 or d > 100:
        raise ValidationError({"value": f"Giá trị {value} nằm ngoài khoảng 0–100 (%)."})
    return d


def metric_set(
    *, cycle: Cycle, unit: Unit, metric: str, value: Any, actor: Any, source: str = "form"
) -> UnitMetric:
    """Enter one unit's metric (percent, 0–100) for the rating conditions."""
    _require_admin(actor, "nhập chỉ số xếp loại")
    metric = (metric or "").strip()
    if not metric:
        raise ValidationError({"metric": "Thiếu tên chỉ số."})
    d = _metric_value(value)
    if not CycleUnit.objects.filter(cycle=cycle, unit=unit).exists():
        raise ValidationError({"unit": f"Đơn vị “{unit}” không tham gia kỳ đánh giá này."})
    with transaction.atomic():
        old = UnitMetric.objects.filter(cycle=cycle, unit=unit, metric=metric).first()
        row, _ = UnitMetric.objects.update_or_create(
            cycle=cycle,
            unit=unit,
            metric=metric,
            defaults={"value": d, "source": source, "updated_by": _user(actor)},
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
    *, cycle: Cycle, actor: Any, file_path: str | Path | None = None, text: str | None = None
) -> dict[str, int]:
    """CSV ``unit,metric,value`` (DESIGN §5); every problem with its row and column, and
    nothing saved when there is one (atomic). Returns ``{"created": n, "updated": m}``."""
    _require_admin(actor, "nhập chỉ số xếp loại")
    from parindex.formats.tables import read_metrics

    if (file_path is None) == (text is None):
        raise ValidationError("Cần đúng một trong hai: tệp CSV hoặc nội dung CSV.")
    if text is not None:
        import tempfile

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
    who = _user(actor)
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


# --------------------------------------------------------------------------- recompute


@dataclass(slots=True)
class _Compiled:
    cf: CompiledFramework
    leaf_of_criterion: dict[int, int]  # Criterion pk → leaf index
    external: frozenset[int]  # leaf indices whose points come from outside (final_points)
    adjustment: frozenset[int]
    parents: list[tuple[int, str, int, int]]  # (node number, code, depth, position)
    area_numbers: tuple[int, ...]


_COMPILED: dict[tuple[int, int], _Compiled] = {}


def _compiled(framework_id: int) -> _Compiled:
    """The compiled framework with its criterion ids; frameworks used by a cycle are
    immutable, so this is cached per process (keyed also by the criteria count)."""
    from parindex.frameworks.models import Criterion, Framework
    from parindex.frameworks.selectors import engine_framework

    rows = list(
        Criterion.objects.filter(framework_id=framework_id).values_list(
            "pk", "code", "depth", "position"
        )
    )
    key = (framework_id, len(rows))
    hit = _COMPILED.get(key)
    if hit is not None:
        return hit
    fw = engine_framework(Framework.objects.get(pk=framework_id))
    cf = compile_framework(fw)
    by_code = {code: (pk, depth, pos) for pk, code, depth, pos in rows}
    leaf_of = {by_code[c][0]: j for j, c in enumerate(cf.leaf_codes)}
    external = frozenset(j for j, n in enumerate(cf.leaf_nodes) if n.source in EXTERNAL_SOURCES)
    adjustment = frozenset(j for j, n in enumerate(cf.leaf_nodes) if n.source in ADJUSTMENT_SOURCES)
    L = cf.n_leaves
    parents = [
        (n, code, by_code[code][1], by_code[code][2])
        for n, code in enumerate(cf.codes)
        if n >= L and code
    ]
    out = _Compiled(cf, leaf_of, external, adjustment, parents, cf.area_numbers)
    _COMPILED[key] = out
    return out


def _q(x: Fraction | Decimal | None) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Fraction):
        x = Decimal(x.numerator) / Decimal(x.denominator)
    return x.quantize(SIX, rounding=ROUND_HALF_EVEN)


def _plain(d: Decimal | None) -> str:
    """``6.0000`` → ``6``, ``60.50`` → ``60.5`` (machine-readable, no exponent)."""
    return "" if d is None else format(d.normalize(), "f")


def _m(micro: int | None) -> Decimal | None:
    return None if micro is None else Decimal(micro).scaleb(-6)


def _raw_rows(qs: Any) -> list[tuple[Any, ...]]:
    """Rows of a ``values_list`` queryset straight from the cursor: the values are
    integers (see :func:`_micro`) and flags, so Django's per-value converters are skipped."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _micro(field: str) -> Cast:
    """Points in millionths as an integer, computed by the database (no Decimal
    conversion of thousands of values in Python)."""
    return Cast(Round(F(field) * Value(1_000_000)), BigIntegerField())


def _previous(
    cycle: Cycle, participants: dict[int, tuple[str, str, int, str]]
) -> tuple[dict[str, PreviousResult], dict[int, tuple[int | None, str]]]:
    """Previous results keyed by current unit code, following lineage (docs/results.md).

    Returns the engine's ``previous`` mapping and, per current unit id, the unit compared
    with (or ``None``) and a note.
    """
    prev_set = (
        ResultSet.objects.filter(status=ResultStatus.FINAL, cycle__year__lt=cycle.year)
        .order_by("-cycle__year", "-cycle_id")
        .first()
    )
    if prev_set is None:
        return {}, {}
    prev = {
        unit_id: (index, rank, group_code)
        for unit_id, index, rank, group_code in UnitResult.objects.filter(
            result_set=prev_set
        ).values_list("unit_id", "index", "rank", "group__code")
    }
    back: dict[int, list[int]] = {}
    for pred, succ in UnitLineage.objects.values_list("predecessor_id", "successor_id"):
        back.setdefault(succ, []).append(pred)
    engine_prev: dict[str, PreviousResult] = {}
    links: dict[int, tuple[int | None, str]] = {}
    for unit_id, (code, _name, _gid, group_code) in participants.items():
        if unit_id in prev:
            chosen: list[int] = [unit_id]
        else:
            seen = {unit_id}
            frontier = [unit_id]
            found: list[int] = []
            while frontier:
                nxt = []
                for u in frontier:
                    for p in back.get(u, ()):
                        if p not in seen:
                            seen.add(p)
                            nxt.append(p)
                            if p in prev:
                                found.append(p)
                frontier = nxt
            chosen = [p for p in found if prev[p][2] == group_code]
            if len(chosen) > 1:
                links[unit_id] = (
                    None,
                    f"Sáp nhập từ {len(chosen)} đơn vị cùng nhóm đã xếp hạng năm trước: "
                    "không so sánh với năm trước.",
                )
                continue
            if not chosen:
                if found:
                    links[unit_id] = (
                        None,
                        "Đơn vị tiền thân thuộc nhóm xếp hạng khác: không so sánh.",
                    )
                continue
        p = chosen[0]
        index, rank, _g = prev[p]
        engine_prev[code] = PreviousResult(index, rank)
        note = "" if p == unit_id else "So sánh với đơn vị tiền thân."
        links[unit_id] = (p, note)
    return engine_prev, links


def results_recompute(*, cycle: Cycle, actor: Any = None) -> ResultSet:
    """Recompute every result of ``cycle`` with the engine and replace its result set.

    Points per leaf: ``final_points`` once the assessment is approved; otherwise the
    latest appraised round, else the self points (external leaves: ``final_points``).
    Missing leaves count 0 and are listed. Status ``final`` when every participant's
    assessment is approved and the cycle is approved or published.
    """
    started = time.perf_counter()
    cycle = Cycle.objects.get(pk=cycle.pk)
    participants = {
        unit_id: (code, name, gid, gcode)
        for unit_id, code, name, gid, gcode in CycleUnit.objects.filter(cycle=cycle).values_list(
            "unit_id", "unit__code", "unit__name", "group_id", "group__code"
        )
    }
    fw_of_group = dict(
        CycleFramework.objects.filter(cycle=cycle).values_list("group_id", "framework_id")
    )
    assessments = {
        aid: (unit_id, fw_id, status)
        for aid, unit_id, fw_id, status in Assessment.objects.filter(cycle=cycle).values_list(
            "pk", "unit_id", "framework_id", "status"
        )
    }
    scores = _raw_rows(
        LeafScore.objects.filter(assessment__cycle=cycle)
        .order_by()
        .values_list(
            "assessment_id",
            "criterion_id",
            _micro("self_points"),
            _micro("round1_points"),
            _micro("round2_points"),
            _micro("final_points"),
            "not_applicable",
        )
    )
    metric_rows = list(
        UnitMetric.objects.filter(cycle=cycle).order_by().values_list("unit_id", "metric", "value")
    )
    config = rating_config_for(cycle)
    scheme = scheme_of(config)
    unit_of_assessment = {aid: a[0] for aid, a in assessments.items()}
    assessment_of_unit = {a[0]: (aid, a[1], a[2]) for aid, a in assessments.items()}

    # Framework per unit: its assessment's, else its group's.
    fw_of_unit: dict[int, int] = {}
    for unit_id, (_c, _n, gid, _g) in participants.items():
        a = assessment_of_unit.get(unit_id)
        fw_id = a[1] if a is not None else fw_of_group.get(gid)
        if fw_id is not None:
            fw_of_unit[unit_id] = fw_id
    compiled = {fw_id: _compiled(fw_id) for fw_id in set(fw_of_unit.values())}

    # Two flat tables per framework (appraised and self), filled from the scores.
    tables: dict[int, tuple[list[int], list[int], list[int], dict[int, int]]] = {}
    for fw_id, comp in compiled.items():
        members = [u for u in participants if fw_of_unit.get(u) == fw_id]
        L = comp.cf.n_leaves
        tables[fw_id] = (
            members,
            [MISSING] * (L * len(members)),
            [MISSING] * (L * len(members)),
            {u: i for i, u in enumerate(members)},
        )
    approved = AssessmentStatus.APPROVED
    for aid, crit_id, self_p, r1, r2, final, na in scores:
        unit_id = unit_of_assessment[aid]
        fw_id = fw_of_unit.get(unit_id)
        if fw_id is None:
            continue
        comp = compiled[fw_id]
        j = comp.leaf_of_criterion.get(crit_id)
        if j is None:
            continue
        _members, appraised, own, pos = tables[fw_id]
        k = pos[unit_id] * comp.cf.n_leaves + j
        if na:
            appraised[k] = own[k] = NOT_APPLICABLE
            continue
        if j in comp.external:
            value = final
            self_value = final
        else:
            if assessments[aid][2] == approved and final is not None:
                value = final
            else:
                value = r2 if r2 is not None else (r1 if r1 is not None else self_p)
            self_value = value if j in comp.adjustment else self_p
        if value is not None:
            appraised[k] = value
        if self_value is not None:
            own[k] = self_value

    metrics: dict[str, dict[str, Decimal]] = {}
    for unit_id, metric, value in metric_rows:
        if unit_id in participants:
            metrics.setdefault(participants[unit_id][0], {})[metric] = value
    infos = {code: UnitInfo(name, gcode) for code, name, _gid, gcode in participants.values()}
    previous, links = _previous(cycle, participants)

    fingerprint = hashlib.sha256()
    fingerprint.update(repr((cycle.status, sorted(assessments.items()))).encode())
    for fw_id in sorted(tables):
        members, appraised, own, _pos = tables[fw_id]
        fingerprint.update(repr((fw_id, members, appraised, own)).encode())
    fingerprint.update(
        json.dumps(
            [config.classes, config.conditions, config.decimals], sort_keys=True, default=str
        ).encode()
    )
    fingerprint.update(repr(sorted((k, sorted(v.items())) for k, v in metrics.items())).encode())
    fingerprint.update(repr(sorted(previous.items())).encode())
    fingerprint.update(repr(sorted(links.items())).encode())
    input_hash = fingerprint.hexdigest()

    all_approved = bool(participants) and all(
        (a := assessment_of_unit.get(u)) is not None and a[2] == approved for u in participants
    )
    final_stage = cycle.status in (CycleStatus.APPROVED, CycleStatus.PUBLISHED)
    status = ResultStatus.FINAL if all_approved and final_stage else ResultStatus.PROVISIONAL

    current = ResultSet.objects.filter(cycle=cycle).first()
    if current is not None and current.input_hash == input_hash and current.status == status:
        return current

    # Engine: points per unit (per framework), then ranks, ratings and changes at once.
    results = []
    own_totals: dict[str, tuple[int, int | None]] = {}
    nodes_of: dict[str, tuple[_Compiled, list[int], list[int | None]]] = {}
    code_to_id = {p[0]: u for u, p in participants.items()}
    for fw_id, comp in compiled.items():
        members, appraised, own, _pos = tables[fw_id]
        codes = [participants[u][0] for u in members]
        cf = comp.cf
        table = ScoreTable(cf.leaf_codes, codes, appraised)
        results += score_units(cf, table, infos, metrics, include_unscored=False)
        for r in score_units(cf, ScoreTable(cf.leaf_codes, codes, own), infos, metrics, False):
            own_totals[r.unit] = (r.points_micro, r.max_micro)
        L = cf.n_leaves
        for i, code in enumerate(codes):
            row = appraised[i * L : (i + 1) * L]
            v: list[int | None] = [
                None if x == NOT_APPLICABLE else (0 if x == MISSING else x) for x in row
            ]
            pts, app = cf.evaluate(v)
            nodes_of[code] = (comp, pts, app)
    results = finish(results, metrics, scheme, previous)

    # Area ranks within groups (engine ranking on exact ratios).
    area_rank: dict[tuple[str, str], int | None] = {}
    by_area: dict[str, list[tuple[str, int, int | None, str]]] = {}
    for r in results:
        comp, pts, app = nodes_of[r.unit]
        for n in comp.area_numbers:
            by_area.setdefault(comp.cf.codes[n], []).append((r.unit, pts[n], app[n], r.group))
    for area, rows in by_area.items():
        ranks = rank_ratios(
            [p for _, p, _, _ in rows], [a for _, _, a, _ in rows], [g for *_, g in rows]
        )
        for (unit_code, *_rest), rk in zip(rows, ranks, strict=True):
            area_rank[(unit_code, area)] = rk

    group_ids = {gcode: gid for _c, _n, gid, gcode in participants.values()}
    fw_codes = {fw_id: comp.cf.framework.code for fw_id, comp in compiled.items()}
    unit_rows: list[UnitResult] = []
    for r in results:
        unit_id = code_to_id[r.unit]
        a = assessment_of_unit.get(unit_id)
        rating = r.rating
        applied = []
        missing_metrics: list[str] = []
        if rating is not None:
            um = metrics.get(r.unit, {})
            applied = [
                {
                    "metric": c.metric,
                    "value": _plain(um.get(c.metric)),
                    "cap": c.cap,
                    "reason": c.describe(),
                }
                for c, _text in rating.applied
            ]
            missing_metrics = [c.metric for c in rating.missing]
        own_p, _own_max = own_totals.get(r.unit, (0, None))
        self_points = _m(own_p)
        self_index = None if not r.max_micro else _q(Fraction(own_p * 100, r.max_micro))
        link = links.get(unit_id, (None, ""))
        unit_rows.append(
            UnitResult(
                unit_id=unit_id,
                group_id=group_ids[r.group],
                framework_code=fw_codes.get(fw_of_unit.get(unit_id, -1), ""),
                assessment_status="" if a is None else a[2],
                points=_m(r.points_micro),
                max_points=_m(r.max_micro),
                index=_q(r.index),
                rank=r.rank,
                rating="" if rating is None or rating.name is None else rating.name,
                base_rating="" if rating is None or rating.base_name is None else rating.base_name,
                applied_conditions=applied,
                missing_metrics=missing_metrics,
                missing_leaves=list(r.missing),
                index_change=_q(r.index_change),
                rank_change=r.rank_change,
                previous_unit_id=link[0],
                previous_index=None if r.previous is None else _q(r.previous.index),
                previous_rank=None if r.previous is None else r.previous.rank,
                comparison_note=link[1],
                self_points=self_points,
                self_index=self_index,
                gap=None if self_points is None else self_points - _m(r.points_micro),
            )
        )

    with transaction.atomic():
        # Serialise concurrent recomputes of one cycle (PostgreSQL; SQLite is IMMEDIATE).
        Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk").first()
        # Delete bottom-up so each step is one DELETE (no per-row collection): node rows,
        # then unit rows, then the set. Database-level cascades (DB_CASCADE) would do the
        # same, but Django refuses to mix them with the PROTECT on Unit and UnitGroup.
        NodeResult.objects.filter(unit_result__result_set__cycle=cycle).delete()
        UnitResult.objects.filter(result_set__cycle=cycle).delete()
        ResultSet.objects.filter(cycle=cycle).delete()
        rs = ResultSet.objects.create(
            cycle=cycle,
            status=status,
            computed_at=timezone.now(),
            computed_by=_user(actor),
            input_hash=input_hash,
            decimals=config.decimals,
        )
        for row in unit_rows:
            row.result_set = rs
        UnitResult.objects.bulk_create(unit_rows)
        node_rows: list[tuple[Any, ...]] = []
        for r, ur in zip(results, unit_rows, strict=True):
            comp, pts, app = nodes_of[r.unit]
            for n, code, depth, position in comp.parents:
                mx = app[n]
                node_rows.append(
                    (
                        ur.pk,
                        code,
                        depth,
                        position,
                        _m(pts[n]),
                        _m(mx),
                        None if not mx else _q(Fraction(pts[n] * 100, mx)),
                        area_rank.get((r.unit, code)) if depth == 1 else None,
                    )
                )
        _insert_nodes(node_rows)
        rs.duration_ms = int((time.perf_counter() - started) * 1000)
        ResultSet.objects.filter(pk=rs.pk).update(duration_ms=rs.duration_ms)
        record(
            actor=actor,
            action="results.recompute",
            obj=cycle,
            after={"status": status, "units": len(unit_rows), "input_hash": input_hash},
            context={"duration_ms": rs.duration_ms},
        )
    return rs


def _insert_nodes(rows: list[tuple[Any, ...]]) -> None:
    """Insert NodeResult rows with one ``executemany`` (thousands of rows: building model
    instances for ``bulk_create`` would dominate the recompute time)."""
    meta = NodeResult._meta
    names = ["unit_result", "code", "depth", "position", "points", "max_points", "index", "rank"]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(n).column) for n in names)
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


# --------------------------------------------------------------------------- background


def request_recompute(cycle: Cycle | int) -> None:
    """Ask for a background recompute of ``cycle`` once the current transaction commits;
    at most one task is pending per cycle (compare-and-set on ``RecomputeRequest``)."""
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    transaction.on_commit(lambda: _enqueue_recompute(cycle_id))


def _enqueue_recompute(cycle_id: int) -> bool:
    from parindex.results.models import RecomputeRequest
    from parindex.results.tasks import recompute_cycle

    RecomputeRequest.objects.get_or_create(cycle_id=cycle_id)
    flipped = RecomputeRequest.objects.filter(cycle_id=cycle_id, pending=False).update(
        pending=True, requested_at=timezone.now()
    )
    if flipped != 1:
        return False  # one is already pending: it will see this change
    recompute_cycle.enqueue(cycle_id)
    return True


# --------------------------------------------------------------------------- publication


def cycle_publish(*, cycle: Cycle, actor: Any) -> Cycle:
    """Publish a final cycle (approved → published). Refused while a participating unit's
    assessment is not approved (they are listed) or the results are not final."""
    _require_admin(actor, "công bố kết quả")
    errors: list[str] = []
    if cycle.status != CycleStatus.APPROVED:
        errors.append(
            f"Chỉ công bố được kỳ đã phê duyệt; kỳ này đang ở giai đoạn "
            f"“{CycleStatus(cycle.status).label}”."
        )
    approved = set(
        Assessment.objects.filter(cycle=cycle, status=AssessmentStatus.APPROVED).values_list(
            "unit_id", flat=True
        )
    )
    pending = [
        name
        for unit_id, name in CycleUnit.objects.filter(cycle=cycle)
        .order_by("unit__name")
        .values_list("unit_id", "unit__name")
        if unit_id not in approved
    ]
    if pending:
        errors.append(
            f"Còn {len(pending)} đơn vị chưa được Hội đồng phê duyệt kết quả: "
            + ", ".join(pending)
            + "."
        )
    rs = ResultSet.objects.filter(cycle=cycle).only("status").first()
    if not errors and (rs is None or rs.status != ResultStatus.FINAL):
        rs = results_recompute(cycle=cycle, actor=actor)  # the council stage just ended
    if rs is None or rs.status != ResultStatus.FINAL:
        errors.append("Kết quả của kỳ chưa được tính chính thức; hãy tính lại kết quả trước.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        compare_and_set(
            Cycle, pk=cycle.pk, field="status", old=CycleStatus.APPROVED, new=CycleStatus.PUBLISHED
        )
        record(
            actor=actor,
            action="cycle.publish",
            obj=cycle,
            field="status",
            before=CycleStatus.APPROVED,
            after=CycleStatus.PUBLISHED,
        )
    cycle.status = CycleStatus.PUBLISHED
    return cycle


__all__ += ["known_metrics", "scheme_of", "validate_rating"]
