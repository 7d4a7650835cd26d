"""Sở Nội vụ pages (open a cycle, appraisal teams, extensions, external points, progress)
and the notification pages, with personas: only the admin writes; leaders read progress."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from parindex.assessments.models import AppraisalAssignment, DeadlineExtension
from parindex.cycles.models import Cycle
from parindex.notifications.models import Notification
from parindex.notifications.services import notify
from parindex.testing import make_unit

from .conftest import put, sc, status_of

pytestmark = pytest.mark.django_db


def admin_urls(w):
    return [
        reverse("cycle_open"),
        reverse("cycle_assignments", args=[w.cycle.pk]),
        reverse("cycle_extensions", args=[w.cycle.pk]),
        reverse("cycle_external", args=[w.cycle.pk]),
    ]


def test_admin_pages_are_the_admins_alone(client, w):
    for url in [*admin_urls(w), reverse("cycle_progress", args=[w.cycle.pk])]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url
    for url in admin_urls(w):
        assert status_of(client, w.admin, "get", url) == 200, url
        for user in (w.staff, w.head, w.appraiser, w.council, w.leader):
            assert status_of(client, user, "get", url) == 404, (user, url)
            assert status_of(client, user, "post", url, {"reason": "x"}) == 404, (user, url)


def test_the_admin_opens_a_cycle(client, w):
    client.force_login(w.admin)
    body = client.get(reverse("cycle_open")).content.decode()
    assert "Chọn tất cả đơn vị của nhóm" in body and "Sở Tư pháp" in body
    # Nothing chosen: messages, no cycle.
    r = client.post(reverse("cycle_open"), {"year": "2026", "name": ""})
    text = r.content.decode()
    assert "Nhập tên kỳ đánh giá" in text and "Chọn ít nhất một đơn vị" in text
    assert Cycle.objects.count() == 1
    r = client.post(
        reverse("cycle_open"),
        {
            "year": "2026",
            "name": "Chỉ số CCHC năm 2026",
            f"fw-{w.group.pk}": str(w.fw.pk),
            "units": [str(w.tuphap.pk), str(w.yte.pk)],
            "deadline-self_assessment": "2026-12-15T17:00",
        },
    )
    assert r.status_code == 302
    cycle = Cycle.objects.get(year=2026)
    assert cycle.status == "self_assessment" and cycle.assessments.count() == 2
    assert cycle.self_assessment_deadline is not None


def test_appraisal_teams_are_set_by_the_admin(client, w):
    client.force_login(w.admin)
    url = reverse("cycle_assignments", args=[w.cycle.pk])
    assert "thamdinh" in client.get(url).content.decode()
    r = client.post(
        url,
        {"appraiser": w.other_appraiser.pk, "units": [w.tuphap.pk], "criteria_codes": "2, 1.2"},
    )
    assert r.status_code == 302
    a = AppraisalAssignment.objects.get(cycle=w.cycle, appraiser=w.other_appraiser)
    assert sorted(a.criteria_codes) == ["1.2", "2"] and [u.pk for u in a.units.all()] == [
        w.tuphap.pk
    ]
    r = client.post(url, {"appraiser": w.other_appraiser.pk, "criteria_codes": "9.9"})
    assert r.status_code == 200 and 'class="card error-card"' in r.content.decode()


def test_a_deadline_extension_needs_a_reason_and_unlocks_the_unit(client, w):
    Cycle.objects.filter(pk=w.cycle.pk).update(
        self_assessment_deadline=timezone.now() - timedelta(hours=1)
    )
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Đã hết hạn tự đánh giá" in body and "quá hạn" in body
    client.force_login(w.admin)
    url = reverse("cycle_extensions", args=[w.cycle.pk])
    until = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url, {"unit": w.tuphap.pk, "stage": "self_assessment", "until": until})
    assert "Nhập lý do gia hạn" in r.content.decode()
    assert not DeadlineExtension.objects.exists()
    r = client.post(
        url,
        {"unit": w.tuphap.pk, "stage": "self_assessment", "until": until, "reason": "Sáp nhập"},
    )
    assert r.status_code == 302
    assert DeadlineExtension.objects.get().reason == "Sáp nhập"
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Đã hết hạn" not in body and 'name="na_shown"' in body


def test_external_points_by_form_and_csv_with_row_errors(client, w):
    client.force_login(w.admin)
    url = reverse("cycle_external", args=[w.cycle.pk])
    r = client.post(
        url,
        {"what": "one", "unit": w.tuphap.pk, "code": "2.1", "points": "3,5", "note": "XHH 2025"},
    )
    assert r.status_code == 302
    assert sc(w.a, "2.1").final_points == Decimal("3.5")
    # Above the maximum: the message, nothing saved.
    r = client.post(url, {"what": "one", "unit": w.tuphap.pk, "code": "2.1", "points": "9"})
    assert r.status_code == 200 and 'class="card error-card"' in r.content.decode()
    assert sc(w.a, "2.1").final_points == Decimal("3.5")
    # A self-scored leaf is not an external one.
    r = client.post(url, {"what": "one", "unit": w.tuphap.pk, "code": "1.1", "points": "1"})
    assert "không lấy điểm từ nguồn bên ngoài" in r.content.decode()
    bad = "unit,code,points\nso-tu-phap,2.1,2\nkhong-co,2.1,1\nso-y-te,2.1,99\n"
    r = client.post(
        url,
        {"what": "csv", "file": SimpleUploadedFile("diem.csv", bad.encode(), "text/csv")},
    )
    text = r.content.decode()
    assert "Tệp có lỗi, chưa nhập điểm nào" in text
    assert "dòng 3" in text and "dòng 4" in text and "cột points" in text
    assert sc(w.a, "2.1").final_points == Decimal("3.5")  # nothing imported
    good = "unit,code,points\nso-tu-phap,2.1,2\nso-y-te,2.1,4\n"
    r = client.post(url, {"what": "csv", "text": good})
    assert r.status_code == 200 and "Đã nhập điểm" in r.content.decode()
    assert sc(w.a, "2.1").final_points == Decimal("2")
    # Units see it read-only with its source.
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Điểm do Sở Nội vụ nhập từ nguồn bên ngoài" in body


def test_progress_for_the_admin_and_read_only_for_leaders(client, w):
    put(w, "1.1", value="Kịp thời", explanation="Có kế hoạch")
    url = reverse("cycle_progress", args=[w.cycle.pk])
    for user in (w.staff, w.head, w.appraiser, w.council):
        assert status_of(client, user, "get", url) == 404, user
    client.force_login(w.admin)
    body = client.get(url).content.decode()
    assert "Sở Tư pháp" in body and "Sở Y tế" in body
    assert "33%" in body  # one of three self-scored leaves
    assert reverse("assessment_detail", args=[w.a.pk]) in body  # drill-down
    partial = client.get(url, {"status": "draft"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Sở Tư pháp" in partial
    client.force_login(w.leader)
    body = client.get(url).content.decode()
    assert "chỉ xem" in body


def test_overdue_units_come_first(client, w):
    late = make_unit("so-xd", "Sở Xây dựng", group=w.group)
    assert late
    Cycle.objects.filter(pk=w.cycle.pk).update(
        self_assessment_deadline=timezone.now() - timedelta(days=1)
    )
    until = timezone.now() + timedelta(days=2)
    DeadlineExtension.objects.create(
        cycle=w.cycle, unit=w.yte, stage="self_assessment", until=until, reason="x"
    )
    client.force_login(w.admin)
    body = client.get(reverse("cycle_progress", args=[w.cycle.pk])).content.decode()
    assert body.index("Sở Tư pháp") < body.index("Sở Y tế")
    assert "quá hạn" in body


# ---------------------------------------------------------------- notifications


def test_the_bell_counts_unread_and_the_list_marks_read(client, w):
    notify(users=[w.staff], kind="returned", title="Phiếu bị trả lại", body="Giải trình", url="/")
    notify(users=[w.head], kind="approved", title="Của người khác", body="", url="/")
    r = client.get(reverse("notification_list"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    client.force_login(w.staff)
    body = client.get(reverse("home")).content.decode()
    assert 'id="bell"' in body and '<span class="count">1</span>' in body
    body = client.get(reverse("notification_list")).content.decode()
    assert "Phiếu bị trả lại" in body and "Của người khác" not in body
    mine = Notification.objects.get(user=w.staff)
    theirs = Notification.objects.get(user=w.head)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    r = client.post(reverse("notification_read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'hx-swap-oob="true"' in r.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    notify(users=[w.staff], kind="overdue", title="Quá hạn", body="", url="/")
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(user=w.staff, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=w.head, read_at__isnull=True).exists()
