"""A small province for the API tests: two participating departments (Tư pháp, Y tế), one
that does not take part (Công thương), a framework with self, external and bonus leaves,
an open cycle, and every persona with an API token."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parindex.api.services import token_create
from parindex.assessments.models import Assessment
from parindex.assessments.services import assignment_set, cycle_open, score_set
from parindex.frameworks.services import framework_import
from parindex.testing import framework_with_bonus, make_group, make_unit, make_user

PERSONAS = (
    "admin",
    "staff",
    "head",
    "other_staff",
    "other_head",
    "appraiser",
    "unassigned_appraiser",
    "council",
    "leader",
    "outsider_unit_staff",
)


class World:
    def __init__(self) -> None:
        group = make_group()
        self.tu_phap = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
        self.y_te = make_unit("so-y-te", "Sở Y tế", group=group)
        self.cong_thuong = make_unit("so-cong-thuong", "Sở Công thương", group=group)
        self.users: dict[str, Any] = {
            "admin": make_user("snv", "admin"),
            "staff": make_user("canbo", "unit_staff", unit=self.tu_phap),
            "head": make_user("giamdoc", "unit_head", unit=self.tu_phap),
            "other_staff": make_user("canbo-yte", "unit_staff", unit=self.y_te),
            "other_head": make_user("giamdoc-yte", "unit_head", unit=self.y_te),
            "appraiser": make_user("thamdinh", "appraiser"),
            "unassigned_appraiser": make_user("thamdinh-yte", "appraiser"),
            "council": make_user("hoidong", "council"),
            "leader": make_user("lanhdao", "leader"),
            "outsider_unit_staff": make_user("canbo-ct", "unit_staff", unit=self.cong_thuong),
        }
        self.admin = self.users["admin"]
        fw = framework_import(framework=framework_with_bonus(), actor=self.admin)
        now = timezone.now()
        self.cycle = cycle_open(
            year=2025,
            name="Chỉ số CCHC năm 2025",
            frameworks={group: fw},
            units=[self.tu_phap, self.y_te],
            deadlines={
                "self_assessment": now + timedelta(days=10),
                "appraisal_round1": now + timedelta(days=20),
                "explanation": now + timedelta(days=30),
                "appraisal_round2": now + timedelta(days=40),
            },
            actor=self.admin,
        )
        assignment_set(
            cycle=self.cycle,
            appraiser=self.users["appraiser"],
            units=[self.tu_phap],
            criteria_codes=[],
            actor=self.admin,
        )
        assignment_set(
            cycle=self.cycle,
            appraiser=self.users["unassigned_appraiser"],
            units=[self.y_te],
            criteria_codes=[],
            actor=self.admin,
        )
        self.a = Assessment.objects.get(cycle=self.cycle, unit=self.tu_phap)
        self.b = Assessment.objects.get(cycle=self.cycle, unit=self.y_te)
        self.keys = {
            name: token_create(user=user, name="kiểm thử", actor=user)[1]
            for name, user in self.users.items()
        }

    def client(self, persona: str | None) -> Client:
        """A client authenticated by the persona's API token (anonymous for None)."""
        if persona is None:
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.keys[persona]}")

    def score(self, code: str, assessment: Any = None) -> Any:
        return (assessment or self.a).scores.select_related("criterion").get(criterion__code=code)

    def fill(self, assessment: Any = None, actor: str = "head") -> None:
        """Score every self-scored leaf, each with an explanation."""
        user = self.users[actor if assessment is None else "other_head"]
        for code, kwargs in (
            ("1.1", {"value": "Kịp thời"}),
            ("1.2.1", {"value": "80"}),
            ("1.2.2", {"points": Decimal("1")}),
        ):
            s = self.score(code, assessment)
            score_set(
                score=s,
                expected_version=s.version,
                actor=user,
                explanation="Đã ban hành, xem công văn số 12/STP",
                **kwargs,
            )


@pytest.fixture(autouse=True)
def fast_passwords_and_private_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploads go to a temporary folder (fast password hashing: the root conftest)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def w(db) -> World:  # type: ignore[no-untyped-def]
    return World()
