"""Writes of the cycle's rating configuration: classes, capping conditions, display
decimals and the accountability rule (docs/results.md)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.cycles.models import Cycle
from parindex.cycles.services import require_unfrozen
from parindex.engine.rating import OPS, Condition, RatingScheme
from parindex.formats.numbers import parse_decimal
from parindex.results.models import RatingConfig
from parindex.results.selectors import known_metrics, rating_config_for, scheme_json
from parindex.results.services.background import request_recompute

__all__ = ["rating_config_set", "validate_rating"]


def _number(value: Any, what: str, errors: list[str]) -> Decimal | None:
    try:
        return parse_decimal(str(value)) if not isinstance(value, Decimal) else value
    except ValueError:
        errors.append(f"{what}: “{value}” không phải là số.")
        return None


def _validate_classes(
    classes: Sequence[Mapping[str, Any]],
) -> tuple[list[tuple[str, Decimal]], list[str]]:
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
    return parsed, errors


def _validate_conditions(
    conditions: Sequence[Mapping[str, Any]], names: list[str], known: set[str]
) -> tuple[list[Condition], list[str]]:
    errors: list[str] = []
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
    return conds, errors


def validate_rating(
    classes: Sequence[Mapping[str, Any]],
    conditions: Sequence[Mapping[str, Any]],
    metrics: Iterable[str],
) -> tuple[list[tuple[str, Decimal]], list[Condition], list[str]]:
    """Parse and check classes/conditions; returns them with every problem (Vietnamese)."""
    parsed, errors = _validate_classes(classes)
    conds, cond_errors = _validate_conditions(conditions, [n for n, _ in parsed], set(metrics))
    return parsed, conds, errors + cond_errors


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
    actor: User | None,
    decimals: int = 2,
    accountability: Mapping[str, Any] | None = None,
) -> RatingConfig:
    """Set the cycle's rating classes (highest first, lowest from 0, no gap or overlap),
    capping conditions (known metrics, existing cap) and display decimals. The cycle's
    row is created here, on its first change (until then the readers see the default)."""
    require_admin(actor, "cấu hình xếp loại")
    require_unfrozen(cycle)
    parsed, conds, errors = validate_rating(classes, conditions, known_metrics(cycle))
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        errors.append("Số chữ số thập phân phải từ 0 đến 6.")
    if accountability is not None:
        errors += _validate_accountability(accountability, [n for n, _ in parsed])
    if errors:
        raise ValidationError(errors)
    scheme = RatingScheme(tuple(parsed), tuple(conds))  # the engine re-validates
    new_classes, new_conditions = scheme_json(scheme)
    with transaction.atomic(durable=True):
        config = RatingConfig.objects.select_for_update().filter(cycle=cycle).first()
        if config is None:
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
        config.updated_by = actor_user(actor)
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
