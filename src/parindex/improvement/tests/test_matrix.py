from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from parindex.audit.models import AuditEvent
from parindex.improvement.models import ResponsibilityRow, WorkStatus
from parindex.improvement.services import CopyNeedsConfirm, matrix_copy, matrix_row_progress
from parindex.improvement.tests.helpers import assign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def test_the_admin_assigns_a_criterion_on_the_page_without_javascript(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("improvement:matrix_add"),
        {
            "year": YEAR,
            "framework": world.fw.pk,
            "criterion": "1.2",
            "lead_unit": world.tuphap.pk,
            "partner_units": [world.yte.pk, world.tuphap.pk],
            "lead_evidence": "Báo cáo quý, báo cáo năm",
        },
    )
    assert response.status_code == 302
    row = ResponsibilityRow.objects.get(year=YEAR, criterion__code="1.2")
    assert row.lead_unit == world.tuphap
    assert list(row.partner_units.all()) == [world.yte]  # the lead is not its own partner
    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu phân công tiêu chí 1.2." in page
    assert "Báo cáo quý, báo cáo năm" in page
    assert AuditEvent.objects.filter(action="improvement.matrix_save").count() == 1


def test_a_row_without_a_lead_unit_is_refused_with_a_message(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("improvement:matrix_add"),
        {"year": YEAR, "framework": world.fw.pk, "criterion": "1.2"},
        follow=True,
    )
    assert "Cần chọn đơn vị chủ trì." in response.content.decode()
    assert not ResponsibilityRow.objects.exists()


def test_the_lead_unit_reports_progress_and_a_partner_may_not(world, client):
    row = assign(world, "1.1", world.tuphap, partners=[world.yte])
    client.force_login(world.staff)
    response = client.post(
        reverse("improvement:matrix_progress", args=[row.pk]),
        {"status": "doing", "note": "Đã có dự thảo kế hoạch"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.note) == (WorkStatus.DOING, "Đã có dự thảo kế hoạch")
    with pytest.raises(PermissionDenied):
        matrix_row_progress(row=row, status="done", note="", actor=world.other_staff)
    client.force_login(world.other_staff)
    assert client.post(
        reverse("improvement:matrix_progress", args=[row.pk]), {"status": "done"}
    ).status_code in (302, 404)
    row.refresh_from_db()
    assert row.status == WorkStatus.DOING


def test_my_criteria_lists_the_lead_and_partner_rows_of_my_unit_only(world, client):
    mine = assign(world, "1.1", world.tuphap)
    assign(world, "1.2", world.yte, partners=[world.tuphap])
    assign(world, "2", world.yte)
    link = reverse("improvement:matrix_row", args=[mine.pk])
    client.force_login(world.staff)
    page = client.get(reverse("improvement:my_criteria")).content.decode()
    assert "Chủ trì" in page and "Phối hợp (Sở Y tế chủ trì)" in page
    assert "Mức độ hài lòng" not in page  # area 2 is Y tế's alone
    client.force_login(world.other_staff)
    page = client.get(reverse("improvement:my_criteria")).content.decode()
    assert f'href="{link}"' not in page  # 1.1 is Tư pháp's
    assert client.get(link).status_code == 404


def test_copy_from_last_year_refuses_an_existing_year_unless_confirmed(world, client):
    assign(world, "1.1", world.tuphap, partners=[world.yte], year=YEAR - 1)
    assign(world, "1.2", world.yte, year=YEAR - 1)
    ResponsibilityRow.objects.filter(year=YEAR - 1).update(status=WorkStatus.DONE)
    assert matrix_copy(from_year=YEAR - 1, to_year=YEAR, actor=world.admin) == 2
    copied = ResponsibilityRow.objects.get(year=YEAR, criterion__code="1.1")
    assert copied.status == WorkStatus.TODO
    assert list(copied.partner_units.all()) == [world.yte]
    with pytest.raises(CopyNeedsConfirm, match="đã có 2 dòng phân công"):
        matrix_copy(from_year=YEAR - 1, to_year=YEAR, actor=world.admin)
    client.force_login(world.admin)
    response = client.post(
        reverse("improvement:matrix_copy"),
        {"from_year": YEAR - 1, "to_year": YEAR, "confirm": "1"},
        follow=True,
    )
    assert f"Đã sao chép ma trận phân công năm {YEAR - 1} sang năm {YEAR}." in (
        response.content.decode()
    )
    assert ResponsibilityRow.objects.filter(year=YEAR).count() == 2
    assert AuditEvent.objects.filter(action="improvement.matrix_copy").count() == 2


def test_copy_is_for_the_admin_and_needs_a_source_year(world):
    with pytest.raises(PermissionDenied):
        matrix_copy(from_year=YEAR - 1, to_year=YEAR, actor=world.staff)
    with pytest.raises(ValidationError, match="chưa có ma trận phân công"):
        matrix_copy(from_year=YEAR - 1, to_year=YEAR, actor=world.admin)
