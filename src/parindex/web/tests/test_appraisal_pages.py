"""Appraisal, explanation and council pages with personas: the assigned appraiser works on
the unit and the criteria assigned; the other appraiser and the units never see them; the
council approves; only the admin reopens."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from parindex.assessments.models import AssessmentStatus, Comment
from parindex.assessments.services import (
    appraisal_round2_start,
    appraisal_start,
    assessment_submit,
    external_points_set,
)

from .conftest import fill, sc, status_of

pytestmark = pytest.mark.django_db
S = AssessmentStatus
HX = {"HTTP_HX_REQUEST": "true"}


def submitted(w):
    fill(w)
    return assessment_submit(assessment=w.a, actor=w.head)


def in_round1(w):
    return appraisal_start(assessment=submitted(w), actor=w.appraiser)


def refresh(w):
    w.a.refresh_from_db()
    return w.a


def test_anonymous_visitors_are_sent_to_login(client, w):
    s = sc(w.a, "1.1")
    gets = [
        reverse("appraisal_home", args=[w.cycle.pk]),
        reverse("appraisal_unit", args=[w.a.pk]),
        reverse("appraisal_criterion", args=[w.cycle.pk, "1.1"]),
        reverse("council_list", args=[w.cycle.pk]),
    ]
    posts = [
        reverse("appraisal_leaf", args=[w.a.pk, s.pk]),
        reverse("appraisal_start", args=[w.a.pk]),
        reverse("assessment_return", args=[w.a.pk]),
        reverse("appraisal_round2_start", args=[w.a.pk]),
        reverse("assessment_reopen", args=[w.a.pk]),
        reverse("council_approve", args=[w.a.pk]),
    ]
    for url in gets:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url
    for url in posts:
        r = client.post(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url


def test_the_appraisal_pages_are_for_the_assigned_appraiser_and_the_admin(client, w):
    in_round1(w)
    unit = reverse("appraisal_unit", args=[w.a.pk])
    home = reverse("appraisal_home", args=[w.cycle.pk])
    crit = reverse("appraisal_criterion", args=[w.cycle.pk, "1.1"])
    for user in (w.appraiser, w.admin):
        for url in (unit, home, crit):
            assert status_of(client, user, "get", url) == 200, (user, url)
    # The other appraiser: the unit does not exist for them; its criterion page lists
    # only their own unit.
    assert status_of(client, w.other_appraiser, "get", unit) == 404
    client.force_login(w.other_appraiser)
    body = client.get(crit).content.decode()
    assert "Sở Y tế" in body and "Sở Tư pháp" not in body
    # Units, council and leaders have no appraisal pages.
    for user in (w.staff, w.head, w.colleague, w.council, w.leader):
        for url in (unit, home, crit):
            assert status_of(client, user, "get", url) == 404, (user, url)
    # A criterion outside the appraiser's assignment (1.2.1) is a 404 for them.
    url = reverse("appraisal_criterion", args=[w.cycle.pk, "1.2.1"])
    assert status_of(client, w.appraiser, "get", url) == 404
    assert status_of(client, w.admin, "get", url) == 200


def test_round1_points_with_reasons_side_by_side(client, w):
    in_round1(w)
    s = sc(w.a, "1.1")
    client.force_login(w.appraiser)
    body = client.get(reverse("appraisal_unit", args=[w.a.pk])).content.decode()
    assert "Thẩm định vòng 1" in body and "Tự chấm" in body and "Cuối cùng" in body
    assert "Điểm vòng 1" in body
    url = reverse("appraisal_leaf", args=[w.a.pk, s.pk])
    # Lower points without a reason: refused with the message, nothing saved.
    r = client.post(
        url, {"what": "points", "round": 1, "version": s.version, "points": "0,5"}, **HX
    )
    assert r.status_code == 422 and 'class="leaf-error"' in r.content.decode()
    assert sc(w.a, "1.1").round1_points is None
    # Above the maximum: refused.
    r = client.post(
        url,
        {"what": "points", "round": 1, "version": s.version, "points": "5", "reason": "x"},
        **HX,
    )
    assert r.status_code == 422 and sc(w.a, "1.1").round1_points is None
    r = client.post(
        url,
        {
            "what": "points",
            "round": 1,
            "version": s.version,
            "points": "0,5",
            "reason": "Kế hoạch ban hành muộn",
        },
        **HX,
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "Kế hoạch ban hành muộn" in body and 'id="overall" hx-swap-oob="true"' in body
    fresh = sc(w.a, "1.1")
    assert fresh.round1_points == Decimal("0.5") and fresh.round1_reason == "Kế hoạch ban hành muộn"
    # The leaf outside the assignment (1.2.1) cannot be appraised by them.
    other = sc(w.a, "1.2.1")
    r = client.post(
        reverse("appraisal_leaf", args=[w.a.pk, other.pk]),
        {"what": "points", "round": 1, "version": other.version, "points": "0", "reason": "x"},
        **HX,
    )
    assert r.status_code == 404 and sc(w.a, "1.2.1").round1_points is None


def test_the_per_criterion_page_saves_compact_rows(client, w):
    in_round1(w)
    s = sc(w.a, "1.1")
    client.force_login(w.appraiser)
    body = client.get(reverse("appraisal_criterion", args=[w.cycle.pk, "1.1"])).content.decode()
    assert "Sở Tư pháp" in body and "Kế hoạch số 12/KH" in body
    r = client.post(
        reverse("appraisal_leaf", args=[w.a.pk, s.pk]),
        {"what": "points", "round": 1, "version": s.version, "points": "2", "compact": "1"},
        **HX,
    )
    assert r.status_code == 200 and "Sở Tư pháp" in r.content.decode()
    assert sc(w.a, "1.1").round1_points == Decimal("2")


def test_bonus_points_within_the_cap_with_a_reason_and_comments(client, w):
    in_round1(w)
    bonus = sc(w.a, "3")
    client.force_login(w.appraiser)
    url = reverse("appraisal_leaf", args=[w.a.pk, bonus.pk])
    r = client.post(url, {"what": "adjustment", "points": "2", "reason": "Sáng kiến"}, **HX)
    assert r.status_code == 422 and sc(w.a, "3").final_points is None
    r = client.post(url, {"what": "adjustment", "points": "1", "reason": "Sáng kiến"}, **HX)
    assert r.status_code == 200
    r = client.post(url, {"what": "comment", "text": "Đề nghị bổ sung"}, **HX)
    assert r.status_code == 200 and "Đề nghị bổ sung" in r.content.decode()
    assert Comment.objects.filter(text="Đề nghị bổ sung").exists()


def test_return_for_explanation_then_the_unit_explains_and_resubmits(client, w):
    in_round1(w)
    client.force_login(w.appraiser)
    back = reverse("appraisal_unit", args=[w.a.pk])
    # A missing deadline and message: the Vietnamese messages, nothing changes.
    r = client.post(reverse("assessment_return", args=[w.a.pk]), {}, follow=True)
    assert "Nhập hạn giải trình" in r.content.decode()
    assert refresh(w).status == S.ROUND1
    due = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        reverse("assessment_return", args=[w.a.pk]),
        {"deadline": due, "leaf": ["1.1"], "message_1.1": "Bổ sung kế hoạch"},
    )
    assert r.status_code == 302 and r["Location"] == back
    assert refresh(w).status == S.RETURNED
    # The unit explains: explanation editable, points locked.
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert "Bổ sung kế hoạch" in body and "Hạn giải trình" in body
    assert 'name="explanation"' in body and 'name="na_shown"' not in body
    s = sc(w.a, "1.1")
    r = client.post(
        reverse("leaf", args=[w.a.pk, s.pk]),
        {"version": s.version, "explanation": "Đã bổ sung kế hoạch số 12"},
        **HX,
    )
    assert r.status_code == 200
    assert sc(w.a, "1.1").explanation == "Đã bổ sung kế hoạch số 12"
    client.force_login(w.head)
    client.post(reverse("assessment_resubmit", args=[w.a.pk]))
    assert refresh(w).status == S.EXPLAINED
    client.force_login(w.appraiser)
    client.post(reverse("appraisal_round2_start", args=[w.a.pk]))
    assert refresh(w).status == S.ROUND2


def test_the_council_approves_and_only_the_admin_reopens(client, w):
    a = appraisal_round2_start(assessment=in_round1(w), actor=w.appraiser)
    external_points_set(score=sc(a, "2.1"), points="3", note="Khảo sát", actor=w.admin)
    council_page = reverse("council_list", args=[w.cycle.pk])
    for user in (w.council, w.admin, w.leader):
        assert status_of(client, user, "get", council_page) == 200
    for user in (w.staff, w.appraiser, w.colleague):
        assert status_of(client, user, "get", council_page) == 404
    client.force_login(w.council)
    assert "Sở Tư pháp" in client.get(council_page).content.decode()
    # Wrong roles cannot approve.
    for user in (w.appraiser, w.admin, w.head, w.leader):
        assert status_of(client, user, "post", reverse("council_approve", args=[a.pk])) == 404
    assert refresh(w).status == S.ROUND2
    client.force_login(w.council)
    client.post(reverse("council_approve", args=[a.pk]))
    assert refresh(w).status == S.APPROVED
    reopen = reverse("assessment_reopen", args=[a.pk])
    for user in (w.council, w.appraiser, w.head):
        assert status_of(client, user, "post", reopen, {"reason": "x"}) == 404
    client.force_login(w.admin)
    r = client.post(reopen, {"reason": ""}, follow=True)
    assert "Nhập lý do mở lại phiếu" in r.content.decode()
    assert refresh(w).status == S.APPROVED
    client.post(reopen, {"reason": "Sai sót số liệu"})
    assert refresh(w).status == S.ROUND2


def test_council_approval_with_an_invalid_state_shows_a_message(client, w):
    in_round1(w)
    client.force_login(w.council)
    r = client.post(reverse("council_approve", args=[w.a.pk]), follow=True)
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    assert refresh(w).status == S.ROUND1


def test_start_round1_button_for_the_assigned_appraiser_only(client, w):
    submitted(w)
    url = reverse("appraisal_start", args=[w.a.pk])
    assert status_of(client, w.other_appraiser, "post", url) == 404
    assert status_of(client, w.head, "post", url) == 404
    assert refresh(w).status == S.SUBMITTED
    client.force_login(w.appraiser)
    body = client.get(reverse("appraisal_unit", args=[w.a.pk])).content.decode()
    assert "Bắt đầu thẩm định vòng 1" in body
    client.post(url)
    assert refresh(w).status == S.ROUND1
