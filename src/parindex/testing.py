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
