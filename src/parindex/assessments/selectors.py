from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parindex.assessments.models import Assessment, LeafScore


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """Province-wide roles see every assessment; unit staff and heads their unit's."""
    if not getattr(user, "is_authenticated", False):
        return Assessment.objects.none()
    qs = Assessment.objects.select_related("cycle", "unit", "unit__group", "framework")
    if user.sees_all_units:
        return qs
    if not user.unit_id:
        return qs.none()
    return qs.filter(unit_id=user.unit_id)


def assessment_get(user: Any, pk: int) -> Assessment:
    """The assessment if the user may see it; 404 otherwise (never 403)."""
    return get_object_or_404(assessments_for(user), pk=pk)


def scores_of(assessment: Assessment) -> QuerySet[LeafScore]:
    return assessment.scores.select_related("criterion").order_by("criterion__position")
