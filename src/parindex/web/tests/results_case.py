"""A computed results case for the results pages and the public page: ``n`` departments
scored in 2024 (approved, final, optionally published) and 2025 (in appraisal,
provisional), with appraisers' reasons and one rating condition applied."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models.functions import Coalesce

from parindex.accounts.models import User
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.services import assessments_open
from parindex.cycles.models import Cycle
from parindex.cycles.services import cycle_create
from parindex.frameworks.models import Framework
from parindex.frameworks.services import framework_import
from parindex.results.models import UnitMetric
from parindex.results.services import cycle_publish, results_recompute
from parindex.testing import make_group, make_unit, make_user, tiny_framework
from parindex.units.models import Unit, UnitGroup

REASON = "Báo cáo quý III nộp trễ 12 ngày so với quy định"
#: Part of the default rating condition's reason (data/rating/default.yaml), applied to A.
CONDITION_REASON = "Có từ 5% hồ sơ trễ hạn trở lên"


def _open(year: int, fw: Any, group: Any, units: list[Any]) -> Cycle:
    cycle = cycle_create(
        year=year, name=f"Chỉ số CCHC năm {year}", frameworks={group: fw}, units=units, actor=None
    )
    assessments_open(cycle=cycle, actor=None)
    Cycle.objects.filter(pk=cycle.pk).update(status="appraisal_round1")
    cycle.refresh_from_db()
    return cycle


def _score(cycle: Cycle, units: list[Any], shift: int) -> None:
    d = Decimal
    for i, unit in enumerate(units):
        qs = LeafScore.objects.filter(assessment__cycle=cycle, assessment__unit=unit)
        qs.update(self_points=None)
        k = (i + shift) % 4
        qs.filter(criterion__code="1.1").update(self_points=d(2), round1_points=d(2 - k * 0.5))
        qs.filter(criterion__code="1.2.1").update(self_points=d("2.5"), round1_points=d("2.5"))
        qs.filter(criterion__code="1.2.2").update(
            self_points=d("1.5"), round1_points=d("0.5") if k else d("1.5")
        )
        qs.filter(criterion__code="2.1").update(final_points=d(4 - k))
        if k:
            qs.filter(criterion__code="1.2.2").update(round1_reason=REASON)


def _approve(cycle: Cycle) -> None:
    LeafScore.objects.filter(assessment__cycle=cycle, not_applicable=False).exclude(
        criterion__code="2.1"
    ).update(final_points=Coalesce("round2_points", "round1_points", "self_points"))
    Assessment.objects.filter(cycle=cycle).update(status="approved")
    Cycle.objects.filter(pk=cycle.pk).update(status="approved")
    cycle.refresh_from_db()


@dataclass(frozen=True)
class ResultsCase:
    """The results-ready variant of the test world (see :func:`build`); its personas carry
    the usernames of :class:`parindex.testing.World`."""

    fw: Framework
    group: UnitGroup
    units: list[Unit]
    a: Unit
    b: Unit
    old: Cycle  # 2024: approved, final results, published unless asked otherwise
    cycle: Cycle  # 2025: in appraisal, provisional results
    admin: User
    leader: User
    council: User
    staff: User  # of ``a``
    head: User  # of ``a``


def build(n: int = 5, *, publish_previous: bool = True) -> ResultsCase:
    fw = framework_import(framework=tiny_framework(), actor=None)
    group = make_group()
    units = [make_unit(f"so-{i:02d}", f"Sở thử nghiệm {i:02d}", group=group) for i in range(n)]
    admin = make_user("quantri", "admin")
    old = _open(2024, fw, group, units)
    _score(old, units, shift=1)
    UnitMetric.objects.create(cycle=old, unit=units[0], metric="late_dossier_rate", value=7)
    _approve(old)
    results_recompute(cycle=old)
    if publish_previous:
        cycle_publish(cycle=old, actor=admin)
    cycle = _open(2025, fw, group, units)
    _score(cycle, units, shift=0)
    UnitMetric.objects.create(cycle=cycle, unit=units[0], metric="late_dossier_rate", value=9)
    results_recompute(cycle=cycle)
    return ResultsCase(
        fw=fw,
        group=group,
        units=units,
        a=units[0],
        b=units[1],
        old=old,
        cycle=cycle,
        admin=admin,
        leader=make_user("lanhdao", "leader"),
        council=make_user("hoidong", "council"),
        staff=make_user("canbo", "unit_staff", unit=units[0]),
        head=make_user("thutruong", "unit_head", unit=units[0]),
    )
