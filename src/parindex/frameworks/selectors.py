from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parindex.engine import framework as eng
from parindex.frameworks import codec
from parindex.frameworks.models import Criterion, Framework


def frameworks_for(user: Any) -> QuerySet[Framework]:
    """Frameworks are published regulations: every signed-in user may read them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Framework.objects.none()
    return Framework.objects.all()


def framework_get(user: Any, code: str) -> Framework:
    return get_object_or_404(frameworks_for(user), code=code)


def criteria_of(fw_model: Framework) -> QuerySet[Criterion]:
    """The criteria in document order, each with its rule."""
    return fw_model.criteria.select_related("rule").order_by("position")


def engine_framework(fw_model: Framework) -> eng.Framework:
    """The engine's plain-data framework for a stored one (exact inverse of the import)."""
    rows = list(criteria_of(fw_model))
    children: dict[int | None, list[Criterion]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)

    def build(c: Criterion) -> eng.Node:
        rule_obj = getattr(c, "rule", None) if _has_rule(c) else None
        rule = (
            eng.Rule(type=rule_obj.type, params=codec.decode(rule_obj.params))
            if rule_obj is not None
            else None
        )
        return eng.Node(
            code=c.code,
            name=c.name,
            max_points=c.max_points,
            source=c.source,
            rule=rule,
            guidance=c.guidance,
            evidence=c.evidence,
            note=c.note,
            children=tuple(build(k) for k in children.get(c.pk, [])),
        )

    return eng.Framework(
        code=fw_model.code,
        name=fw_model.name,
        decision=fw_model.decision,
        year=fw_model.year,
        total=fw_model.total,
        nodes=tuple(build(c) for c in children.get(None, [])),
        label=fw_model.label,
    )


def _has_rule(c: Criterion) -> bool:
    try:
        c.rule  # noqa: B018
    except Criterion.rule.RelatedObjectDoesNotExist:
        return False
    return True
