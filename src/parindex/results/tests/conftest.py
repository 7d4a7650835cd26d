from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.services import assessments_open
from parindex.cycles.models import Cycle
from parindex.cycles.services import cycle_create
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework

NA = "NA"


def set_points(cycle: Cycle, unit: Any, points: dict[str, Any], field: str = "round1_points"):
    """Points of one unit's leaves: ``{code: value | NA}``; the survey leaf 2.1 goes to
    ``final_points`` (external), others to ``field`` (and self points unless given)."""
    for code, value in points.items():
        qs = LeafScore.objects.filter(
            assessment__cycle=cycle, assessment__unit=unit, criterion__code=code
        )
        if value == NA:
            qs.update(not_applicable=True)
        elif code == "2.1":
            qs.update(final_points=Decimal(str(value)))
        else:
            qs.update(**{field: Decimal(str(value))})


def approve_all(cycle: Cycle) -> None:
    from django.db.models.functions import Coalesce

    for a in Assessment.objects.filter(cycle=cycle):
        LeafScore.objects.filter(assessment=a, not_applicable=False).exclude(
            criterion__code="2.1"
        ).update(final_points=Coalesce("round2_points", "round1_points", "self_points"))
    Assessment.objects.filter(cycle=cycle).update(status="approved")
    Cycle.objects.filter(pk=cycle.pk).update(status="approved")


@pytest.fixture
def admin(db):
    return make_user("quantri", "admin")


@pytest.fixture
def fw(db):
    return framework_import(framework=tiny_framework(), actor=None)


@pytest.fixture
def group(db):
    return make_group()


def open_cycle(year: int, fw: Any, groups: dict[Any, list[Any]]) -> Cycle:
    units = [u for us in groups.values() for u in us]
    cycle = cycle_create(
        year=year, name=f"Kỳ {year}", frameworks={g: fw for g in groups}, units=units, actor=None
    )
    assessments_open(cycle=cycle, actor=None)
    Cycle.objects.filter(pk=cycle.pk).update(status="appraisal_round1")
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def five(db, fw, group):
    """Five departments scored as in docs/results.md's hand-checked example."""
    units = [
        make_unit(c, name=n, group=group)
        for c, n in [
            ("so-a", "Sở Tư pháp"),
            ("so-b", "Sở Y tế"),
            ("so-c", "Sở Xây dựng"),
            ("so-d", "Sở Tài chính"),
            ("so-e", "Sở Nội vụ"),
        ]
    ]
    cycle = open_cycle(2025, fw, {group: units})
    a, b, c, d, e = units
    set_points(cycle, a, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 4})
    set_points(cycle, b, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 3}, "self_points")
    set_points(cycle, b, {"1.2.2": 0.5})
    set_points(cycle, c, {"1.1": NA, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 2})
    set_points(cycle, d, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 1.5})
    set_points(cycle, e, {"1.1": 0.5}, "self_points")
    return cycle, units
