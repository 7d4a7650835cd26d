"""A small province for the API tests, built on the shared world (parindex.testing): two
participating departments (Tư pháp, Y tế), one that does not take part (Công thương), a
framework with self, external and bonus leaves, an open cycle, and every persona with an
API token."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from parindex.api.services import token_create
from parindex.assessments.services import score_set
from parindex.testing import make_unit, make_user, workflow_world


class World:
    """:func:`parindex.testing.workflow_world` with every stage's deadline, the Tư pháp
    appraiser on every criterion, Công thương (not in the cycle) and its staff, and an API
    token for each persona (``keys``). Mutable: the tests keep the objects they make."""

    def __init__(self) -> None:
        now = timezone.now()
        world = workflow_world(
            deadlines={
                "self_assessment": now + timedelta(days=10),
                "appraisal_round1": now + timedelta(days=20),
                "explanation": now + timedelta(days=30),
                "appraisal_round2": now + timedelta(days=40),
            },
            appraiser_criteria=(),
            unassigned_appraiser="thamdinh-yte",
        )
        self.world = world
        self.tu_phap, self.y_te, self.cycle = world.tuphap, world.yte, world.cycle
        self.cong_thuong = make_unit("so-cong-thuong", "Sở Công thương", group=world.group)
        self.users: dict[str, Any] = {
            "admin": world.admin,
            "staff": world.staff,
            "head": world.head,
            "other_staff": world.other_staff,
            "other_head": world.colleague,
            "appraiser": world.appraiser,
            "unassigned_appraiser": world.other_appraiser,
            "council": world.council,
            "leader": world.leader,
            "outsider_unit_staff": make_user("canbo-ct", "unit_staff", unit=self.cong_thuong),
        }
        self.admin = world.admin
        self.a, self.b = world.a, world.b
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
