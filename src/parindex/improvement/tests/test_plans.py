from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parindex.audit.models import AuditEvent
from parindex.engine.lost_points import LostRow
from parindex.improvement.models import PlanStatus, PlanTarget, PlanTask, TaskNote, WorkStatus
from parindex.improvement.services import (
    plan_approve,
    plan_create,
    plan_draft_generate,
    plan_update,
    target_set,
    task_progress,
    task_save,
)
from parindex.improvement.tests.helpers import approved_plan, assign, criterion
from parindex.workflow import InvalidTransition

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
D = Decimal


@pytest.fixture
def plan(world):
    return plan_create(year=YEAR, framework=world.fw, actor=world.admin)


def test_a_target_above_the_criterion_maximum_is_refused_and_nothing_saved(world, plan, client):
    with pytest.raises(ValidationError) as exc:
        target_set(
            plan=plan, criterion=criterion(world, "1.2"), target_points="4,5", actor=world.admin
        )
    assert exc.value.message_dict["target_points"] == [
        "Điểm mục tiêu của tiêu chí 1.2 4,5 vượt điểm tối đa 4."
    ]
    client.force_login(world.admin)
    response = client.post(
        reverse("improvement:target_set", args=[plan.pk]),
        {"criterion": "1.1", "target_points": "3", "target_rank": "2"},
        follow=True,
    )
    assert "vượt điểm tối đa 2" in response.content.decode()
    assert not PlanTarget.objects.exists()
    target_set(plan=plan, criterion=criterion(world, "1.1"), target_points="2", target_rank=1,
               actor=world.admin)  # fmt: skip
    assert PlanTarget.objects.get().target_points == D("2")


def test_an_overall_target_above_the_framework_total_is_refused(world, plan):
    with pytest.raises(ValidationError) as exc:
        plan_update(plan=plan, target_points="11", target_rank="0", actor=world.admin)
    problems = exc.value.message_dict
    assert problems["target_points"] == ["Điểm mục tiêu 11 vượt điểm tối đa 10."]
    assert problems["target_rank"] == ["Xếp hạng mục tiêu phải từ 1 trở lên."]
    plan.refresh_from_db()
    assert plan.target_points is None
    plan_update(
        plan=plan, target_points="9,5", target_rank="3", baseline_rank="7", actor=world.admin
    )
    plan.refresh_from_db()
    assert (plan.target_points, plan.target_rank, plan.baseline_rank) == (D("9.5"), 3, 7)


def test_a_task_without_a_lead_or_a_deadline_is_refused_with_both_named(world, plan, client):
    with pytest.raises(ValidationError) as exc:
        task_save(plan=plan, title="Rà soát TTHC", lead_unit=None, deadline=None, actor=world.admin)
    assert exc.value.message_dict == {
        "lead_unit": ["Nhiệm vụ cần có đơn vị chủ trì."],
        "deadline": ["Nhiệm vụ cần có thời hạn hoàn thành (ngày/tháng/năm)."],
    }
    client.force_login(world.admin)
    page = client.post(
        reverse("improvement:task_add", args=[plan.pk]),
        {"title": "Rà soát TTHC", "criterion": "1.1", "deadline": ""},
        follow=True,
    ).content.decode()
    assert "Nhiệm vụ cần có đơn vị chủ trì." in page
    assert "Nhiệm vụ cần có thời hạn hoàn thành" in page
    assert not PlanTask.objects.exists()
    client.post(
        reverse("improvement:task_add", args=[plan.pk]),
        {"title": "Rà soát TTHC", "lead_unit": world.tuphap.pk, "deadline": "30/09/" + str(YEAR),
         "partner_units": [world.yte.pk]},
    )  # fmt: skip
    task = PlanTask.objects.get()
    assert task.deadline == dt.date(YEAR, 9, 30)
    assert list(task.partner_units.all()) == [world.yte]


def _lost(code: str, level: int, mx: str, pts: str) -> LostRow:
    return LostRow(code, f"Tiêu chí {code}", level, D(mx), D(pts), D(mx) - D(pts))


def test_the_draft_has_a_target_and_a_task_per_criterion_that_lost_points(world, plan):
    assign(world, "1", world.tuphap, partners=[world.yte])  # area 1 as a whole
    lost = [
        _lost("1", 1, "6", "3"),  # an area: not a criterion, no task of its own
        _lost("1.1", 2, "2", "1.5"),
        _lost("1.2", 2, "4", "2"),
        _lost("2.1", 2, "4", "3"),  # no lead unit in the matrix for area 2
        _lost("1.2.1", 3, "2.5", "0.5"),
    ]
    result = plan_draft_generate(plan=plan, lost=lost, actor=world.admin)
    assert (result.targets, result.tasks, result.without_lead) == (3, 2, ["2.1"])
    tasks = list(PlanTask.objects.order_by("position"))
    assert [t.criterion.code for t in tasks] == ["1.2", "1.1"]  # largest loss first
    assert {t.lead_unit for t in tasks} == {world.tuphap}
    assert list(tasks[0].partner_units.all()) == [world.yte]
    assert "bị trừ 2 điểm" in tasks[0].description
    target = PlanTarget.objects.get(criterion__code="1.2")
    assert (target.baseline_points, target.target_points) == (D("2"), D("4"))
    again = plan_draft_generate(plan=plan, lost=lost, actor=world.admin)
    assert (again.tasks, again.kept) == (0, ["1.2", "1.1"])
    assert PlanTask.objects.count() == 2


def test_approve_moves_draft_to_approved_once_and_needs_a_task(world, plan):
    with pytest.raises(ValidationError, match="chưa có nhiệm vụ"):
        plan_approve(plan=plan, actor=world.admin)
    task_save(plan=plan, title="Rà soát", lead_unit=world.tuphap,
              deadline=dt.date(YEAR, 10, 31), actor=world.admin)  # fmt: skip
    approved = plan_approve(plan=plan, actor=world.admin)
    assert approved.status == PlanStatus.APPROVED and approved.approved_by == world.admin
    with pytest.raises(InvalidTransition):
        plan_approve(plan=approved, actor=world.admin)
    with pytest.raises(InvalidTransition):
        plan_draft_generate(plan=approved, lost=[], actor=world.admin)
    assert AuditEvent.objects.filter(action="improvement.plan_approved").count() == 1


def test_drafts_are_the_admins_and_approved_plans_are_read_province_wide(world, plan, client):
    for user, code in ((world.admin, 200), (world.leader, 404), (world.staff, 404)):
        client.force_login(user)
        assert client.get(reverse("improvement:plan", args=[plan.pk])).status_code == code


def test_the_lead_unit_reports_progress_with_a_history(world, client):
    _, task = approved_plan(world)
    client.force_login(world.head)
    client.post(
        reverse("improvement:task_progress", args=[task.pk]),
        {"status": "doing", "progress": "40", "note": "Đã trình dự thảo"},
    )
    task_progress(task=task, status=WorkStatus.DONE, progress=60, note="", actor=world.staff)
    task.refresh_from_db()
    assert (task.status, task.progress) == (WorkStatus.DONE, 100)
    notes = list(TaskNote.objects.filter(task=task).order_by("pk"))
    assert [(n.progress, n.text) for n in notes] == [
        (40, "Đã trình dự thảo"),
        (100, "Cập nhật: Hoàn thành, 100%."),
    ]
    page = client.get(reverse("improvement:task", args=[task.pk])).content.decode()
    assert "Đã trình dự thảo" in page
    with pytest.raises(ValidationError, match="từ 0 đến 100"):
        task_progress(task=task, status="doing", progress=140, actor=world.staff)


def test_evidence_is_checked_like_every_upload_and_filed_in_the_lead_library(world, client):
    from parindex.evidence.tests.samples import sample_upload

    _, task = approved_plan(world)
    client.force_login(world.staff)
    client.post(
        reverse("improvement:task_evidence", args=[task.pk]),
        {"title": "Kế hoạch số 12/KH", "file": sample_upload("pdf")},
    )
    evidence = task.evidence.select_related("document").get()
    assert evidence.document.unit == world.tuphap
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        reverse("improvement:task_evidence", args=[task.pk]),
        {"file": SimpleUploadedFile("ke-hoach.pdf", b"MZ\x90\x00 not a pdf")},
        follow=True,
    ).content.decode()
    assert "ke-hoach.pdf" in page and task.evidence.count() == 1


def test_partner_units_download_the_evidence_of_their_task_outsiders_get_404(world, client):
    from parindex.evidence.tests.samples import SAMPLES, sample_upload
    from parindex.improvement.services import task_evidence_add, task_save

    plan, task = approved_plan(world)
    # Approved plans keep their tasks editable by the admin: make Y tế a partner.
    task = task_save(
        plan=plan,
        task=task,
        title=task.title,
        criterion=task.criterion,
        lead_unit=world.tuphap,
        partner_units=[world.yte],
        deadline=task.deadline,
        actor=world.admin,
    )
    doc = task_evidence_add(task=task, file=sample_upload("pdf"), title="KH 12", actor=world.staff)
    url = reverse("improvement:task_document", args=[task.pk, doc.pk])

    client.force_login(world.other_staff)  # Y tế, the partner: not in Tư pháp's library
    assert client.get(reverse("evidence:download", args=[doc.pk])).status_code == 404
    page = client.get(reverse("improvement:task", args=[task.pk])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SAMPLES["pdf"][1]()

    task_save(  # no longer a partner: the file is hidden again
        plan=plan,
        task=task,
        title=task.title,
        criterion=task.criterion,
        lead_unit=world.tuphap,
        partner_units=[],
        deadline=task.deadline,
        actor=world.admin,
    )
    assert client.get(url).status_code == 404
    # a document of the library not attached to this task is not reachable through it
    client.force_login(world.staff)
    other = task_evidence_add(task=task, file=sample_upload("pdf"), actor=world.staff)
    task.evidence.filter(document=other).delete()
    assert (
        client.get(reverse("improvement:task_document", args=[task.pk, other.pk])).status_code
        == 404
    )
