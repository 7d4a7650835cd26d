from __future__ import annotations

from collections.abc import Sequence
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


def criterion_rule(c: Criterion) -> eng.Rule | None:
    """The engine's rule of a stored criterion (``None`` when it has none), params decoded
    exactly as they were imported."""
    try:
        stored = c.rule
    except Criterion.rule.RelatedObjectDoesNotExist:
        return None
    # Decoded once per loaded rule object (the autosave's service and answer share it).
    cached = stored.__dict__.get("_engine_rule")
    if cached is None or cached[0] != (stored.type, stored.params):
        cached = (
            (stored.type, stored.params),
            eng.Rule(type=stored.type, params=codec.decode(stored.params)),
        )
        stored.__dict__["_engine_rule"] = cached
    return cached[1]


def engine_framework(
    fw_model: Framework, criteria: Sequence[Criterion] | None = None
) -> eng.Framework:
    """The engine's plain-data framework for a stored one (exact inverse of the import).

    ``criteria``: the framework's criteria in document order with their rules loaded
    (``criteria_of``), when the caller already has them; otherwise they are read."""
    rows = list(criteria_of(fw_model)) if criteria is None else list(criteria)
    children: dict[int | None, list[Criterion]] = {}
    for c in rows:
        children.setdefault(c.parent_id, []).append(c)

    def build(c: Criterion) -> eng.Node:
        return eng.Node(
            code=c.code,
            name=c.name,
            max_points=c.max_points,
            source=c.source,
            rule=criterion_rule(c),
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
