"""Small builders shared by the app tests: personas, units, a tiny framework."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parindex.engine.framework import Framework as EngineFramework
from parindex.engine.framework import Node, Rule

PASSWORD = "mat-khau-thu-nghiem"


def make_group(
    code: str = "so-ban-nganh", name: str = "Sở, ban, ngành", kind: str = "department"
) -> Any:
    from parindex.units.models import UnitGroup

    return UnitGroup.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]


def make_unit(
    code: str, name: str | None = None, group: Any = None, kind: str = "department"
) -> Any:
    from parindex.units.models import Unit

    return Unit.objects.create(
        code=code, name=name or code, kind=kind, group=group if group is not None else make_group()
    )


def make_user(username: str, role: str, unit: Any = None, **extra: Any) -> Any:
    from parindex.accounts.models import User

    user = User(username=username, role=role, unit=unit, full_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def tiny_framework(code: str = "thu-nghiem-2025") -> EngineFramework:
    """Two areas, a sub-criterion level, several rule types, texts and notes."""
    d = Decimal
    return EngineFramework(
        code=code,
        name="Bộ tiêu chí thử nghiệm",
        decision="Quyết định số 1/QĐ-UBND",
        year=2025,
        total=d("10"),
        label="Bộ tiêu chí mẫu",
        nodes=(
            Node(
                code="1",
                name="Công tác chỉ đạo, điều hành",
                max_points=d("6"),
                children=(
                    Node(
                        code="1.1",
                        name="Kế hoạch CCHC",
                        max_points=d("2"),
                        rule=Rule(
                            type="tiers",
                            params={
                                "tiers": [
                                    {"label": "Kịp thời", "points": d("2")},
                                    {"label": "1", "points": d("0.5")},
                                ]
                            },
                        ),
                        guidance="Ban hành trước 31/12",
                        evidence="Kế hoạch",
                    ),
                    Node(
                        code="1.2",
                        name="Báo cáo",
                        max_points=d("4"),
                        note="Có điểm thưởng",
                        children=(
                            Node(
                                code="1.2.1",
                                name="Đủ số lượng",
                                max_points=d("2.5"),
                                rule=Rule(
                                    type="bands",
                                    params={
                                        "bands": [
                                            {
                                                "min": d("0"),
                                                "max": d("50"),
                                                "min_inclusive": True,
                                                "max_inclusive": False,
                                                "points": d("0"),
                                            },
                                            {
                                                "min": d("50"),
                                                "max": d("100"),
                                                "min_inclusive": True,
                                                "max_inclusive": True,
                                                "points": d("2.5"),
                                            },
                                        ]
                                    },
                                ),
                            ),
                            Node(code="1.2.2", name="Đúng hạn", max_points=d("1.5")),
                        ),
                    ),
                ),
            ),
            Node(
                code="2",
                name="Mức độ hài lòng",
                max_points=d("4"),
                children=(
                    Node(
                        code="2.1",
                        name="Khảo sát",
                        max_points=d("4"),
                        source="survey",
                        rule=Rule(type="survey", params={"scale_min": d("1"), "scale_max": d("5")}),
                    ),
                ),
            ),
        ),
    )


def framework_with_bonus() -> EngineFramework:
    """:func:`tiny_framework` plus a bonus area "3" capped at 1 point."""
    import dataclasses

    fw = tiny_framework()
    bonus = Node(code="3", name="Điểm thưởng", max_points=Decimal("1"), source="bonus")
    return dataclasses.replace(fw, nodes=(*fw.nodes, bonus))


def workflow_world() -> Any:
    """A cycle open for two departments (Tư pháp, Y tế) on :func:`framework_with_bonus`, with
    every persona of the workflow tests: the unit's staff and head, a colleague heading the
    other unit, an appraiser assigned to Tư pháp for 1.1 and 3 and one assigned to Y tế, the
    council, a leader and the Sở Nội vụ admin."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    from parindex.assessments.models import Assessment
    from parindex.assessments.services import assignment_set, cycle_open
    from parindex.frameworks.services import framework_import

    fw = framework_import(framework=framework_with_bonus(), actor=None)
    group = make_group()
    tuphap = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
    yte = make_unit("so-y-te", "Sở Y tế", group=group)
    admin = make_user("quantri", "admin")
    cycle = cycle_open(
        year=2025,
        name="Chỉ số CCHC năm 2025",
        frameworks={group: fw},
        units=[tuphap, yte],
        deadlines={"self_assessment": timezone.now() + timedelta(days=10)},
        actor=admin,
    )
    appraiser = make_user("thamdinh", "appraiser")
    other_appraiser = make_user("thamdinh2", "appraiser")
    assignment_set(
        cycle=cycle, appraiser=appraiser, units=[tuphap], criteria_codes=["1.1", "3"], actor=admin
    )
    assignment_set(
        cycle=cycle, appraiser=other_appraiser, units=[yte], criteria_codes=[], actor=admin
    )
    return SimpleNamespace(
        fw=fw,
        group=group,
        cycle=cycle,
        tuphap=tuphap,
        yte=yte,
        a=Assessment.objects.get(unit=tuphap),
        b=Assessment.objects.get(unit=yte),
        admin=admin,
        staff=make_user("canbo", "unit_staff", unit=tuphap),
        head=make_user("thutruong", "unit_head", unit=tuphap),
        colleague=make_user("canbo.yte", "unit_head", unit=yte),
        appraiser=appraiser,
        other_appraiser=other_appraiser,
        council=make_user("hoidong", "council"),
        leader=make_user("lanhdao", "leader"),
    )


def leaf_score(assessment: Any, code: str) -> Any:
    from parindex.assessments.models import LeafScore

    return LeafScore.objects.select_related("criterion").get(
        assessment=assessment, criterion__code=code
    )


def put(w: Any, code: str, actor: Any = None, **kw: Any) -> Any:
    """Save leaf ``code`` of the world's Tư pháp assessment (as its staff by default)."""
    from parindex.assessments.services import score_set

    s = leaf_score(w.a, code)
    return score_set(score=s, expected_version=s.version, actor=actor or w.staff, **kw)


def fill(w: Any) -> None:
    """Score every self-assessed leaf of the world's Tư pháp assessment, with evidence
    replaced by explanations, so that it can be submitted."""
    put(w, "1.1", value="Kịp thời", explanation="Kế hoạch số 12/KH")
    put(w, "1.2.1", value="75", explanation="Báo cáo quý")
    put(w, "1.2.2", not_applicable=True)
