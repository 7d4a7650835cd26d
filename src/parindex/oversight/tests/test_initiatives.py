"""The initiatives register: a unit registers its own, levels need their decision, the
file is checked as evidence is, and progress against the year's goals names the
departments that have none."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.audit.models import AuditEvent
from parindex.evidence.tests.samples import sample_upload
from parindex.oversight.models import Initiative
from parindex.oversight.selectors import initiative_progress
from parindex.oversight.services import initiative_goal_set, initiative_register
from parindex.testing import make_unit

pytestmark = pytest.mark.django_db


def _register(w, unit, level="unit", n=1, actor=None):
    return initiative_register(
        unit=unit,
        year=2025,
        title=f"Sáng kiến {unit.code} {n}",
        level=level,
        decision="" if level == "unit" else f"QĐ số {n}/QĐ-BNV",
        actor=actor or w.admin,
    )


def test_progress_names_the_departments_without_an_initiative(world, client):
    make_unit("so-noi-vu", "Sở Nội vụ", group=world.group)
    _register(world, world.tuphap, "ministry", 1)
    _register(world, world.tuphap, "ministry", 2)
    _register(world, world.tuphap, "province", 3)
    progress = initiative_progress(world.admin, 2025)
    assert progress.by_level == {"ministry": 2, "province": 1}
    assert (progress.ministry, progress.goal.ministry, progress.ministry_met) == (2, 3, False)
    assert [d["unit"].name for d in progress.missing] == ["Sở Nội vụ", "Sở Y tế"]
    _register(world, world.yte, "ministry", 4)
    progress = initiative_progress(world.admin, 2025)
    assert progress.ministry_met and [d["unit"].name for d in progress.missing] == ["Sở Nội vụ"]
    client.force_login(world.leader)
    page = client.get(reverse("oversight:initiatives") + "?year=2025").content.decode()
    assert "Chưa đủ 1 sáng kiến (1):</b> Sở Nội vụ (0)" in page
    assert "<b>3/3</b>" in page


def test_the_goals_are_configurable_per_year(world):
    _register(world, world.tuphap)
    initiative_goal_set(year=2025, per_department=2, ministry=1, actor=world.admin)
    progress = initiative_progress(world.admin, 2025)
    assert progress.goal.per_department == 2
    assert [d["unit"].name for d in progress.missing] == ["Sở Tư pháp", "Sở Y tế"]
    assert initiative_progress(world.admin, 2026).goal.per_department == 1  # default
    with pytest.raises(PermissionDenied):
        initiative_goal_set(year=2025, per_department=1, ministry=3, actor=world.leader)


def test_a_unit_registers_its_own_initiatives_only(world, client):
    with pytest.raises(PermissionDenied):
        _register(world, world.yte, actor=world.staff)
    client.force_login(world.staff)
    client.post(
        reverse("oversight:initiative_add"),
        {"unit": world.yte.code, "year": "2025", "title": "Một cửa điện tử", "level": "unit"},
    )
    row = Initiative.objects.get()
    assert row.unit == world.tuphap and row.created_by == world.staff  # the posted unit is ignored
    assert AuditEvent.objects.filter(action="initiative.register", actor=world.staff).exists()
    client.force_login(world.other_staff)
    page = client.get(reverse("oversight:initiatives") + "?year=2025").content.decode()
    assert "Một cửa điện tử" not in page


def test_a_recognised_level_needs_its_decision_number(world):
    with pytest.raises(ValidationError, match="cần ghi số quyết định"):
        initiative_register(
            unit=world.tuphap, year=2025, title="Sáng kiến", level="ministry", actor=world.admin
        )
    assert not Initiative.objects.exists()


def test_the_evidence_file_is_checked_and_downloadable(world, client):
    fake = SimpleUploadedFile("quyet-dinh.pdf", b"MZ\x90\x00 not a pdf at all")
    with pytest.raises(ValidationError) as exc:
        initiative_register(
            unit=world.tuphap, year=2025, title="Sáng kiến", file=fake, actor=world.staff
        )
    assert "quyet-dinh.pdf" in exc.value.messages[0]
    assert not Initiative.objects.exists()
    row = initiative_register(
        unit=world.tuphap,
        year=2025,
        title="Sáng kiến",
        file=sample_upload("pdf"),
        actor=world.staff,
    )
    client.force_login(world.head)
    response = client.get(reverse("oversight:initiative_file", args=[row.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(world.colleague)
    assert client.get(reverse("oversight:initiative_file", args=[row.pk])).status_code == 404
