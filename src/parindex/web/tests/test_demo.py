from __future__ import annotations

import pytest

from parindex.accounts.models import User
from parindex.assessments.models import Assessment
from parindex.audit.models import AuditEvent
from parindex.cycles.models import Cycle
from parindex.units.models import Unit, UnitLineage
from parindex.web.demo import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_ca_mau_and_a_second_run_changes_nothing():
    first = seed_demo()
    assert first["created"] and first["province"] == "Tỉnh Cà Mau"
    counts = (
        Unit.objects.count(),
        User.objects.count(),
        Assessment.objects.count(),
        AuditEvent.objects.count(),
    )
    second = seed_demo()
    assert not second["created"]
    assert (
        Unit.objects.count(),
        User.objects.count(),
        Assessment.objects.count(),
        AuditEvent.objects.count(),
    ) == counts

    ca_mau = Unit.objects.get(code="ca_mau")
    assert ca_mau.children.filter(kind="commune", group__name="UBND xã, phường").count() == 64
    assert Unit.objects.filter(kind="department", group__name="Sở, ban, ngành").count() >= 15
    assert UnitLineage.objects.filter(
        successor=ca_mau, predecessor__name__contains="Bạc Liêu", kind="merged"
    ).exists()
    cycle = Cycle.objects.get(year=2025)
    assert cycle.status == "self_assessment"
    assert cycle.self_assessment_deadline is not None
    assert Assessment.objects.filter(cycle=cycle).count() == cycle.participants.count()
    current = Assessment.objects.filter(cycle=cycle)
    assert current.get(unit__code="so-tu-phap").framework.code == "sample-departments-2025"
    assert current.get(unit__code="thue").framework.code == "sample-departments-2025"
    assert (
        current.filter(unit__kind="commune").exclude(framework__code="sample-communes-2025").count()
        == 0
    )


def test_every_role_has_a_demo_login_that_works(client):
    logins = seed_demo()["logins"]
    roles = {login["role"] for login in logins}
    assert roles == {"admin", "unit_staff", "unit_head", "appraiser", "council", "leader"}
    for login in logins:  # through the login page (and django-axes' backend)
        credentials = {"username": login["username"], "password": DEMO_PASSWORD}
        response = client.post("/dang-nhap/", credentials)
        assert response.status_code == 302 and response["Location"] == "/", login
        client.logout()
    assert User.objects.get(username="canbo.tuphap").unit.name == "Sở Tư pháp"


def test_the_demo_appraiser_is_assigned_and_last_year_is_published_with_results():
    from parindex.assessments.models import AppraisalAssignment
    from parindex.results.models import ResultStatus

    seed_demo()
    current = Cycle.objects.get(year=2025)
    assignment = AppraisalAssignment.objects.get(cycle=current, appraiser__username="thamdinh")
    assert assignment.covers_code("1.1.1")  # every criterion of every unit
    previous = Cycle.objects.get(year=2024)
    assert previous.status == "published"
    results = previous.result_set
    assert results.status == ResultStatus.FINAL
    assert results.units.count() == previous.participants.count()
    # The made-up history exercises the rating conditions too.
    assert results.units.exclude(applied_conditions=[]).exists()


def test_the_demo_survey_is_answered_reviewed_and_fed_into_the_cycle():
    from parindex.assessments.models import LeafScore
    from parindex.results.models import UnitMetric
    from parindex.surveys.models import Response, Survey

    seed_demo()
    cycle = Cycle.objects.get(year=2025)
    survey = Survey.objects.get(cycle=cycle)
    assert survey.units.filter(kind="department").count() >= 15
    # two answers per department wait in the review queue, the rest counted
    assert Response.objects.filter(survey=survey, status="pending").count() == 2 * (
        survey.units.count()
    )
    leaf = LeafScore.objects.get(
        assessment__cycle=cycle, assessment__unit__code="so-tu-phap", criterion__code="1.8"
    )
    assert leaf.final_points is not None and "22 phiếu đã duyệt" in leaf.external_note
    assert UnitMetric.objects.filter(
        cycle=cycle, unit__code="so-tu-phap", metric="satisfaction_index", source="surveys"
    ).exists()
