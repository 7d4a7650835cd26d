"""The year's inspection plan: coverage against the minimum share (with the warning), the
refusal of a unit outside the cycle, findings and their resolution (a reason when
unresolved), and seed 000's report on the page, in the API and in Excel."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from parindex.audit.models import AuditEvent
from parindex.oversight.models import Finding, FindingStatus, PlannedInspection
from parindex.oversight.selectors import plan_coverage
from parindex.oversight.services import (
    finding_correct,
    finding_create,
    finding_resolve,
    inspection_plan_save,
    inspection_record_create,
    planned_inspection_add,
)
from parindex.testing import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return inspection_plan_save(
        cycle=world.cycle, title="Kế hoạch kiểm tra 2025", actor=world.admin
    )


def _add(w, plan, unit, day=15):
    return planned_inspection_add(
        plan=plan, unit=unit, planned_on=date(2025, 10, day), team="Đoàn số 1", actor=w.admin
    )


def _finding(w, entry, issue="Báo cáo trễ hạn"):
    record = inspection_record_create(
        entry=entry,
        inspected_on=date(2025, 10, 20),
        team="Đoàn số 1",
        content="Kiểm tra",
        actor=w.admin,
    )
    return finding_create(
        record_row=record, issue=issue, recommendation="Chấn chỉnh", actor=w.admin
    )


def test_the_plan_warns_while_it_covers_less_than_the_minimum_share(world, plan, client):
    # Two units in the cycle, 30 %: one unit is needed; none planned yet.
    client.force_login(world.admin)
    url = reverse("oversight:inspections", args=[world.cycle.pk])
    page = client.get(url).content.decode()
    assert "Kế hoạch chưa đủ" in page and "còn thiếu 1 đơn vị" in page
    _add(world, plan, world.tuphap)
    page = client.get(url).content.decode()
    assert "Kế hoạch chưa đủ" not in page and "đã bao phủ đủ 30%" in page
    coverage = plan_coverage(plan)
    assert (coverage.total, coverage.planned, coverage.required, coverage.short) == (2, 1, 1, 0)
    assert str(coverage.share) == "50.00"


def test_a_higher_share_and_each_unit_kind_are_checked(world, plan):
    plan = inspection_plan_save(
        cycle=world.cycle, title=plan.title, min_share="60", actor=world.admin
    )
    _add(world, plan, world.tuphap)
    coverage = plan_coverage(plan)
    assert coverage.required == 2 and coverage.short == 1  # ceil(2 × 60 %) = 2
    [departments] = coverage.by_kind
    assert (departments.label, departments.total, departments.planned, departments.short) == (
        "Sở, ban, ngành",
        2,
        1,
        1,
    )


def test_a_share_outside_0_to_100_is_refused(world, plan):
    with pytest.raises(ValidationError, match="không quá 100%"):
        inspection_plan_save(cycle=world.cycle, title="x", min_share="120", actor=world.admin)


def test_a_unit_outside_the_cycle_is_refused_with_a_clear_message(world, plan, client):
    outside = make_unit("so-ngoai-vu", "Sở Ngoại vụ", group=world.group)
    with pytest.raises(ValidationError) as exc:
        _add(world, plan, outside)
    assert "Sở Ngoại vụ” không tham gia kỳ đánh giá" in exc.value.messages[0]
    client.force_login(world.admin)
    response = client.post(
        reverse("oversight:entry_add", args=[world.cycle.pk]),
        {"unit": outside.code, "planned_on": "2025-10-15", "team": "Đoàn 1"},
        follow=True,
    )
    assert "không tham gia kỳ đánh giá" in response.content.decode()
    assert not PlannedInspection.objects.exists()


def test_a_unit_is_planned_once(world, plan):
    _add(world, plan, world.tuphap)
    with pytest.raises(ValidationError, match="đã có trong kế hoạch"):
        _add(world, plan, world.tuphap, day=20)


def test_an_unresolved_finding_needs_its_reason(world, plan):
    finding = _finding(world, _add(world, plan, world.tuphap))
    with pytest.raises(ValidationError, match="cần nêu lý do"):
        finding_resolve(finding=finding, status="unresolved", reason="  ", actor=world.staff)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.IN_PROGRESS
    finding_resolve(
        finding=finding, status="unresolved", reason="Chờ bố trí kinh phí", actor=world.staff
    )
    finding.refresh_from_db()
    assert (finding.status, finding.reason, finding.updated_by) == (
        "unresolved",
        "Chờ bố trí kinh phí",
        world.staff,
    )
    event = AuditEvent.objects.get(action="inspection.finding_resolve")
    assert (
        event.before["status"] == "in_progress" and event.after["reason"] == "Chờ bố trí kinh phí"
    )


def test_only_the_unit_or_the_admin_resolves_a_finding(world, plan, client):
    finding = _finding(world, _add(world, plan, world.tuphap))
    for user in (world.other_staff, world.council, world.leader):
        with pytest.raises(PermissionDenied):
            finding_resolve(finding=finding, status="resolved", actor=user)
    client.force_login(world.head)
    url = reverse("oversight:finding_resolve", args=[finding.pk])
    response = client.post(url, {"status": "unresolved", "reason": ""}, follow=True)
    assert "cần nêu lý do chưa xử lý" in response.content.decode()
    client.post(url, {"status": "resolved", "note": "Đã gửi bổ sung"})
    finding.refresh_from_db()
    assert finding.status == "resolved" and finding.resolution_note == "Đã gửi bổ sung"


def _seed_findings(world, plan):
    a = _add(world, plan, world.tuphap)
    b = _add(world, plan, world.yte, day=16)
    f1, f2, f3 = (_finding(world, a, f"Vấn đề {n}") for n in (1, 2, 3))
    g1, g2 = (_finding(world, b, f"Vấn đề Y tế {n}") for n in (1, 2))
    finding_resolve(finding=f1, status="resolved", actor=world.staff)
    finding_resolve(finding=f2, status="unresolved", reason="Chờ sửa quy chế", actor=world.staff)
    finding_resolve(finding=g1, status="resolved", actor=world.other_staff)
    finding_resolve(finding=g2, status="unresolved", reason="Thiếu nhân lực", actor=world.admin)
    return f3


def test_the_report_counts_as_seed_000_asks(world, plan, client):
    _seed_findings(world, plan)
    client.force_login(world.leader)
    page = client.get(reverse("oversight:report", args=[world.cycle.pk])).content.decode()
    assert "Số vấn đề đã kiến nghị xử lý" in page and "Lý do chưa xử lý" in page
    assert "<b>5</b>" in page and "<b>2</b>" in page and "<b>3</b>" in page  # total, done, open
    assert "Chờ sửa quy chế" in page and "Thiếu nhân lực" in page
    # Tư pháp's staff sees its own unit only.
    client.force_login(world.staff)
    page = client.get(reverse("oversight:report", args=[world.cycle.pk])).content.decode()
    assert "Chờ sửa quy chế" in page and "Thiếu nhân lực" not in page


def test_the_report_in_excel(world, plan, client, tmp_path):
    _seed_findings(world, plan)
    Finding.objects.filter(reason="Thiếu nhân lực").update(reason="=HYPERLINK(1)")
    client.force_login(world.admin)
    response = client.get(reverse("oversight:report_xlsx", args=[world.cycle.pk]))
    assert response.status_code == 200
    path = tmp_path / "kien-nghi.xlsx"
    path.write_bytes(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    ws = load_workbook(path).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert rows[0][1:6] == [
        "Đơn vị được kiểm tra",
        "Số vấn đề đã kiến nghị xử lý",
        "Số đã xử lý xong",
        "Số đang xử lý",
        "Số chưa xử lý",
    ]
    by_unit = {r[1]: r for r in rows[1:]}
    assert by_unit["Sở Tư pháp"][2:7] == [3, 1, 1, 1, "Chờ sửa quy chế"]
    assert by_unit["Sở Y tế"][2:7] == [2, 1, 0, 1, "=HYPERLINK(1)"]
    assert by_unit["Tổng cộng"][2:6] == [5, 2, 1, 2]
    assert ws.cell(6, 7).data_type == "s"  # the hostile reason stays text


def test_libreoffice_opens_the_report(world, plan, client, tmp_path):
    from parindex.reports.tests.conftest import pdf_text, soffice_to_pdf

    _seed_findings(world, plan)
    client.force_login(world.admin)
    response = client.get(reverse("oversight:report_xlsx", args=[world.cycle.pk]))
    path = tmp_path / "kien-nghi.xlsx"
    path.write_bytes(response.content)
    text = " ".join(pdf_text(soffice_to_pdf(path, tmp_path)).split())
    assert "BÁO CÁO KẾT QUẢ XỬ LÝ KIẾN NGHỊ" in text
    assert "Sở Tư pháp" in text and "Chờ sửa quy chế" in text and "Tổng cộng" in text


def test_the_entry_page_shows_records_and_findings_to_the_unit(world, plan, client):
    finding = _finding(world, _add(world, plan, world.tuphap))
    client.force_login(world.staff)
    page = client.get(reverse("oversight:entry", args=[finding.record.entry_id])).content.decode()
    assert (
        "Báo cáo trễ hạn" in page
        and f'action="{reverse("oversight:finding_resolve", args=[finding.pk])}"' in page
    )
    assert "Ghi biên bản kiểm tra" not in page  # the admin's form
    client.force_login(world.other_staff)
    assert client.get(reverse("oversight:entry", args=[finding.record.entry_id])).status_code == 404


def test_the_admin_corrects_a_record_and_a_finding_on_the_page_audited(world, plan, client):
    finding = _finding(world, _add(world, plan, world.tuphap))
    record_row = finding.record
    entry_url = reverse("oversight:entry", args=[record_row.entry_id])
    edit_record = reverse("oversight:record_edit", args=[record_row.pk])
    edit_finding = reverse("oversight:finding_edit", args=[finding.pk])
    client.force_login(world.admin)
    page = client.get(entry_url).content.decode()
    assert f'action="{edit_record}"' in page and f'action="{edit_finding}"' in page

    client.post(
        edit_record,
        {"inspected_on": "2025-10-21", "team": "Đoàn số 2", "content": "Kiểm tra lại hồ sơ"},
    )
    client.post(
        edit_finding,
        {"issue": "Báo cáo quý III trễ", "recommendation": "Nộp đúng hạn", "due_on": "2025-12-31"},
    )
    record_row.refresh_from_db()
    finding.refresh_from_db()
    assert (record_row.inspected_on, record_row.team) == (date(2025, 10, 21), "Đoàn số 2")
    assert record_row.content == "Kiểm tra lại hồ sơ"
    assert (finding.issue, finding.due_on) == ("Báo cáo quý III trễ", date(2025, 12, 31))
    assert finding.status == FindingStatus.IN_PROGRESS  # the unit's resolution is untouched
    change = AuditEvent.objects.get(action="inspection.finding_correct")
    assert change.before["issue"] == "Báo cáo trễ hạn"
    assert AuditEvent.objects.filter(action="inspection.record_correct").count() == 1

    # an empty content is refused with a message, nothing changed
    page = client.post(
        edit_record, {"inspected_on": "2025-10-22", "team": "Đoàn", "content": " "}, follow=True
    ).content.decode()
    assert "Cần ghi nội dung kiểm tra." in page
    record_row.refresh_from_db()
    assert record_row.inspected_on == date(2025, 10, 21)

    # the unit sees no edit form and may not post one
    client.force_login(world.staff)
    page = client.get(entry_url).content.decode()
    assert edit_record not in page and edit_finding not in page
    assert client.post(edit_finding, {"issue": "x", "recommendation": "y"}).status_code == 404
    with pytest.raises(PermissionDenied):
        finding_correct(
            finding=finding, issue="x", recommendation="y", due_on=None, actor=world.staff
        )
