"""Stage control (issue 8, part 1) and frozen results (part 3): the blockers per stage,
the moves forward/back with their reason, audit and notifications, the page and the API,
publication versions, the freeze guard on every score, metric and rating write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Coalesce
from django.test import Client
from django.urls import reverse

from parindex.api.services import token_create
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.services import (
    adjustment_set,
    appraisal_set,
    assessment_reopen,
    external_points_import,
    external_points_set,
)
from parindex.audit.models import AuditEvent
from parindex.cycles.admin import CycleAdmin
from parindex.cycles.models import Cycle
from parindex.cycles.services import FROZEN_MESSAGE
from parindex.cycles.stage_checks import stage_blockers
from parindex.formats.scores import read_points
from parindex.notifications.models import Notification
from parindex.results.models import Publication, RatingConfig, UnitMetric
from parindex.results.services import (
    cycle_stage_move,
    metric_set,
    metrics_import,
    rating_config_set,
)
from parindex.testing import leaf_score, put


def _status(world) -> str:
    return Cycle.objects.get(pk=world.cycle.pk).status


def _at(world, cycle_status: str, assessment_status: str | None = None) -> Cycle:
    """Put the world's cycle (and its assessments) in a stage directly (test set-up)."""
    Cycle.objects.filter(pk=world.cycle.pk).update(status=cycle_status)
    if assessment_status:
        Assessment.objects.filter(cycle=world.cycle).update(status=assessment_status)
    return Cycle.objects.get(pk=world.cycle.pk)


def _approved_everything(world) -> Cycle:
    LeafScore.objects.filter(assessment__cycle=world.cycle, not_applicable=False).update(
        final_points=Coalesce("round2_points", "round1_points", "self_points")
    )
    LeafScore.objects.filter(assessment__cycle=world.cycle, final_points__isnull=True).update(
        final_points=0
    )
    return _at(world, "council", "approved")


def _refused(fn, **kw) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(**kw)
    return " ".join(exc.value.messages)


# ------------------------------------------------------------------ blockers and moves


def test_moving_forward_while_units_have_not_submitted_is_refused_with_the_list(world):
    before = AuditEvent.objects.count()
    msg = _refused(cycle_stage_move, cycle=world.cycle, to="appraisal_round1", actor=world.admin)
    assert "Chưa chuyển được sang “Thẩm định vòng 1”" in msg
    assert "Đơn vị chưa gửi phiếu tự chấm: 2 (Sở Tư pháp, Sở Y tế)" in msg
    assert _status(world) == "self_assessment"
    assert AuditEvent.objects.count() == before  # nothing changed


def test_the_blockers_of_each_stage(world):
    cycle = _at(world, "explanation", "returned")
    codes = [b.code for b in stage_blockers(cycle, "appraisal_round2")]
    assert codes == ["not_answered"]
    cycle = _at(world, "appraisal_round2", "round2")
    blockers = stage_blockers(cycle, "council")
    assert [b.code for b in blockers] == ["external_missing"]
    assert blockers[0].count == 2 and "Sở Tư pháp 2.1" in blockers[0].items
    cycle = _at(world, "council", "round2")
    assert {b.code for b in stage_blockers(cycle, "approved")} == {
        "not_approved",
        "external_missing",
    }
    assert stage_blockers(cycle, "appraisal_round2") == []  # going back is never blocked


def test_going_back_needs_a_reason_and_is_audited_and_notified(
    world, django_capture_on_commit_callbacks
):
    msg = _refused(cycle_stage_move, cycle=world.cycle, to="draft", actor=world.admin)
    assert "Nhập lý do" in msg and _status(world) == "self_assessment"
    with pytest.raises(PermissionDenied):
        cycle_stage_move(cycle=world.cycle, to="draft", reason="x", actor=world.head)
    assert _status(world) == "self_assessment"
    with django_capture_on_commit_callbacks(execute=True):
        cycle_stage_move(cycle=world.cycle, to="draft", reason="Sai bộ tiêu chí", actor=world.admin)
    assert _status(world) == "draft"
    ev = AuditEvent.objects.filter(action="cycle.transition").latest("id")
    assert (ev.before, ev.after, ev.reason) == ("self_assessment", "draft", "Sai bộ tiêu chí")
    n = Notification.objects.filter(kind="cycle_stage", user=world.staff).get()
    assert "Sai bộ tiêu chí" in n.body


def test_a_forward_move_notifies_the_appraisers_and_the_units(
    world, django_capture_on_commit_callbacks
):
    cycle = _at(world, "self_assessment", "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        cycle_stage_move(cycle=cycle, to="appraisal_round1", actor=world.admin)
    assert _status(world) == "appraisal_round1"
    told = set(
        Notification.objects.filter(kind="cycle_stage").values_list("user__username", flat=True)
    )
    assert {"thamdinh", "thamdinh2", "canbo", "thutruong"} <= told
    assert "hoidong" not in told


def test_publication_and_reopen_keep_versions_and_freeze_the_results(
    world, client, django_capture_on_commit_callbacks
):
    cycle = _approved_everything(world)
    with django_capture_on_commit_callbacks(execute=True):
        cycle_stage_move(cycle=cycle, to="approved", actor=world.admin)
    cycle_stage_move(cycle=cycle, to="published", actor=world.admin)
    assert _status(world) == "published"
    assert Publication.objects.get(cycle=cycle).number == 1
    assert "hoidong" in set(
        Notification.objects.filter(kind="cycle_stage").values_list("user__username", flat=True)
    )
    page = client.get(reverse("public:cycle", args=[cycle.pk])).content.decode()
    assert "cập nhật ngày" not in page

    # Frozen: nothing changes
    _assert_frozen(world, cycle)

    # Reopen with a reason (required), republish
    msg = _refused(cycle_stage_move, cycle=cycle, to="council", actor=world.admin)
    assert "Nhập lý do" in msg
    with django_capture_on_commit_callbacks(execute=True):
        cycle_stage_move(cycle=cycle, to="council", reason="Sửa số liệu SIPAS", actor=world.admin)
    ev = AuditEvent.objects.get(action="cycle.reopen")
    assert (ev.before, ev.after, ev.reason) == ("published", "council", "Sửa số liệu SIPAS")
    assert Notification.objects.filter(title__contains="mở lại kỳ", user=world.staff).exists()
    metric_set(
        cycle=cycle, unit=world.tuphap, metric="late_dossier_rate", value="2", actor=world.admin
    )
    cycle_stage_move(cycle=cycle, to="approved", actor=world.admin)
    cycle_stage_move(cycle=cycle, to="published", reason="Cập nhật SIPAS", actor=world.admin)
    assert list(
        Publication.objects.filter(cycle=cycle).order_by("-number").values_list("number", flat=True)
    ) == [2, 1]
    page = client.get(reverse("public:cycle", args=[cycle.pk])).content.decode()
    assert "Kết quả cập nhật ngày" in page and "Các phiên bản trước" in page
    old = client.get(reverse("public:version", args=[cycle.pk, 1, "csv"]))
    assert old.status_code == 200 and "so-tu-phap" in old.content.decode()
    assert client.get(reverse("public:version", args=[cycle.pk, 3, "csv"])).status_code == 404


def _assert_frozen(world, cycle) -> None:
    s = leaf_score(world.a, "1.1")
    ext = leaf_score(world.a, "2.1")
    before = (s.self_points, s.round1_points, s.version, ext.final_points)
    for fn, kw in (
        (put, {"w": world, "code": "1.1", "value": "Kịp thời"}),
        (
            appraisal_set,
            {"score": s, "round": 1, "points": 0, "reason": "x", "expected_version": s.version},
        ),
        (adjustment_set, {"score": leaf_score(world.a, "3"), "points": 1, "reason": "x"}),
        (external_points_set, {"score": ext, "points": "1", "note": "x"}),
    ):
        kw.setdefault("actor", world.admin)
        assert _refused(fn, **kw) == FROZEN_MESSAGE, fn
    rows, _ = read_points("unit,code,points\nso-tu-phap,2.1,1\n", name="a.csv")
    msg = _refused(
        external_points_import, cycle=cycle, rows=rows, source="a.csv", actor=world.admin
    )
    assert msg == FROZEN_MESSAGE
    assert (
        _refused(
            metric_set,
            cycle=cycle,
            unit=world.tuphap,
            metric="late_dossier_rate",
            value="6",
            actor=world.admin,
        )
        == FROZEN_MESSAGE
    )
    assert (
        _refused(metrics_import, cycle=cycle, rows=[], source_name="m.csv", actor=world.admin)
        == FROZEN_MESSAGE
    )
    assert (
        _refused(rating_config_set, cycle=cycle, classes=[], conditions=[], actor=world.admin)
        == FROZEN_MESSAGE
    )
    approved = Assessment.objects.get(pk=world.a.pk)
    msg = _refused(assessment_reopen, assessment=approved, reason="Sửa điểm", actor=world.admin)
    assert msg == FROZEN_MESSAGE
    assert Assessment.objects.get(pk=world.a.pk).status == "approved"
    s.refresh_from_db()
    ext.refresh_from_db()
    assert (s.self_points, s.round1_points, s.version, ext.final_points) == before
    assert UnitMetric.objects.count() == 0 and RatingConfig.objects.count() == 0


# ------------------------------------------------------------------ page, API, admin


def test_the_stage_page_shows_the_blockers_and_refuses_a_blocked_move(world, client):
    client.force_login(world.admin)
    url = reverse("cycle_stage", args=[world.cycle.pk])
    page = client.get(url).content.decode()
    assert "Đơn vị chưa gửi phiếu tự chấm: 2" in page and "Chuyển sang “Thẩm định vòng 1”" in page
    r = client.post(url, {"to": "appraisal_round1", "reason": ""})
    assert r.status_code == 400 and "Chưa chuyển được sang" in r.content.decode()
    assert _status(world) == "self_assessment"
    detail = client.get(reverse("cycle_detail", args=[world.cycle.pk])).content.decode()
    assert url in detail


def test_the_stage_page_publishes(world, client):
    cycle = _approved_everything(world)
    client.force_login(world.admin)
    url = reverse("cycle_stage", args=[cycle.pk])
    assert client.post(url, {"to": "approved"}).status_code == 302
    assert "Công bố kết quả" in client.get(url).content.decode()
    assert client.post(url, {"to": "published"}).status_code == 302
    assert _status(world) == "published"
    assert "Mở lại kỳ" in client.get(url).content.decode()


def test_the_stage_page_lists_the_moves_with_who_and_the_reason(world, client):
    cycle = _approved_everything(world)
    client.force_login(world.admin)
    url = reverse("cycle_stage", args=[cycle.pk])
    client.post(url, {"to": "approved"})
    client.post(url, {"to": "published"})
    assert client.post(url, {"to": "council", "reason": "Sửa điểm SIPAS"}).status_code == 302
    page = client.get(url).content.decode()
    history = page[page.index('id="stage-history"') :]
    assert "Lịch sử chuyển giai đoạn" in page
    assert "Đã công bố → Hội đồng thẩm định" in history and "Mở lại kỳ" in history
    assert "Sửa điểm SIPAS" in history and str(world.admin) in history
    assert history.index("Sửa điểm SIPAS") < history.index("Đã phê duyệt → Đã công bố")


def test_the_api_transition(world):
    key = token_create(user=world.admin, name="t", actor=world.admin)[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/cycles/{world.cycle.pk}/transition"
    r = api.post(url, {"to": "appraisal_round1"}, content_type="application/json")
    assert r.status_code == 400
    assert "Đơn vị chưa gửi phiếu tự chấm" in r.json()["errors"][0]["message"]
    _at(world, "self_assessment", "submitted")
    r = api.post(url, {"to": "appraisal_round1", "reason": ""}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "appraisal_round1"
    r = api.post(url, {"to": "council"}, content_type="application/json")
    assert r.status_code == 409  # not in the table: one stage at a time


def test_the_django_admin_shows_the_status_read_only():
    assert "status" in CycleAdmin.readonly_fields


def test_a_metrics_csv_posted_to_a_published_cycle_is_refused(world, client):
    cycle = _approved_everything(world)
    cycle_stage_move(cycle=cycle, to="approved", actor=world.admin)
    cycle_stage_move(cycle=cycle, to="published", actor=world.admin)
    client.force_login(world.admin)
    r = client.post(
        reverse("results_metrics", args=[cycle.pk]),
        {"action": "csv", "text": "unit,metric,value\nso-tu-phap,late_dossier_rate,6,5\n"},
    )
    assert r.status_code == 422 and FROZEN_MESSAGE in r.content.decode()
    assert UnitMetric.objects.count() == 0 and _status(world) == "published"


def test_a_stale_stage_form_is_refused_without_moving_again(world, client):
    _at(world, "self_assessment", "submitted")
    client.force_login(world.admin)
    url = reverse("cycle_stage", args=[world.cycle.pk])
    form = {"to": "appraisal_round1", "from": "self_assessment"}
    assert client.post(url, form).status_code == 302
    r = client.post(url, form)  # the same form again, e.g. a second tab
    assert r.status_code == 400 and "người khác thay đổi" in r.content.decode()
    assert "Chuyển sang “Giải trình”" in r.content.decode()  # the page shows the real stage
    assert _status(world) == "appraisal_round1"
    assert (
        AuditEvent.objects.filter(action="cycle.transition", after="appraisal_round1").count() == 1
    )


def test_the_pages_refuse_points_and_rating_changes_on_a_published_cycle(world, client):
    cycle = _approved_everything(world)
    cycle_stage_move(cycle=cycle, to="approved", actor=world.admin)
    cycle_stage_move(cycle=cycle, to="published", actor=world.admin)
    before = leaf_score(world.a, "2.1").final_points
    client.force_login(world.admin)
    r = client.post(
        reverse("cycle_external", args=[cycle.pk]),
        {"what": "csv", "text": "unit,code,points\nso-tu-phap,2.1,1\n"},
    )
    assert FROZEN_MESSAGE in r.content.decode()
    assert leaf_score(world.a, "2.1").final_points == before
    r = client.post(
        reverse("results_rating", args=[cycle.pk]),
        {"class-0-name": "Tốt", "class-0-min": "0", "decimals": "2"},
    )
    assert FROZEN_MESSAGE in r.content.decode()
    assert RatingConfig.objects.count() == 0
