"""Issue 8, parts 2 and 8 in the pages: return for explanation by leaf, the unit's
answers, the appraisers' "done" mark, the council's page and decision, the admin's N/A,
and the decision named on the public page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from parindex.assessments.models import AssessmentStatus, CouncilDecision, ExplanationRequest
from parindex.assessments.services import (
    appraisal_round2_start,
    appraisal_start,
    assessment_submit,
)

from .conftest import fill, sc
from .results_case import build

pytestmark = pytest.mark.django_db
S = AssessmentStatus


def in_round1(w):
    fill(w)
    return appraisal_start(
        assessment=assessment_submit(assessment=w.a, actor=w.head), actor=w.appraiser
    )


def status(w):
    w.a.refresh_from_db()
    return w.a.status


def due():
    return (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")


def test_returning_with_no_leaf_ticked_is_refused_and_nothing_changes(client, w):
    in_round1(w)
    client.force_login(w.appraiser)
    page = client.get(reverse("appraisal_unit", args=[w.a.pk])).content.decode()
    assert 'name="leaf" value="1.1"' in page and 'name="message_1.1"' in page
    r = client.post(
        reverse("assessment_return", args=[w.a.pk]),
        {"deadline": due(), "message": "Bổ sung"},
        follow=True,
    )
    assert "Chọn ít nhất một tiêu chí cần giải trình." in r.content.decode()
    assert status(w) == S.ROUND1 and not ExplanationRequest.objects.exists()


def test_the_unit_sees_exactly_the_returned_leaves_and_answers_them(client, w):
    in_round1(w)
    client.force_login(w.appraiser)
    client.post(
        reverse("assessment_return", args=[w.a.pk]),
        {"deadline": due(), "leaf": ["1.1"], "message_1.1": "Ngày ban hành kế hoạch?"},
    )
    assert status(w) == S.RETURNED
    s11 = sc(w.a, "1.1")
    client.force_login(w.staff)
    body = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert body.count("Cần giải trình</span>") == 1 and "Ngày ban hành kế hoạch?" in body
    answer = reverse("explanation_answer", args=[w.a.pk, s11.pk])
    assert f'action="{answer}"' in body
    r = client.post(answer, {"answer": ""}, follow=True)
    assert "Nhập nội dung giải trình." in r.content.decode()
    assert ExplanationRequest.objects.get().answer == ""
    client.post(answer, {"answer": "Ban hành ngày 20/12"})
    assert ExplanationRequest.objects.get().answer == "Ban hành ngày 20/12"
    # Another unit's staff and the appraiser cannot answer.
    for user in (w.other_staff, w.appraiser):
        client.force_login(user)
        assert client.post(answer, {"answer": "x"}).status_code == 404
    # The appraiser sees the answer beside the request.
    client.force_login(w.appraiser)
    page = client.get(reverse("appraisal_unit", args=[w.a.pk])).content.decode()
    assert "Ngày ban hành kế hoạch?" in page and "Ban hành ngày 20/12" in page


def test_the_council_page_and_a_decision_refused_then_approved(client, w):
    a = appraisal_round2_start(assessment=in_round1(w), actor=w.appraiser)
    council = reverse("council_list", args=[w.cycle.pk])
    client.force_login(w.council)
    body = client.get(council).content.decode()
    assert "Công tác chỉ đạo, điều hành" in body and "Thẩm định vòng 2" in body
    assert "Chưa thẩm định xong (2):</b> Sở Tư pháp, Sở Y tế." in body and "2.1" in body
    assert reverse("council_unit", args=[a.pk]) in body
    readonly = client.get(reverse("council_unit", args=[a.pk])).content.decode()
    assert "Lưu điểm" not in readonly and "Kế hoạch CCHC" in readonly
    form = {
        "decided_on": date.today().isoformat(),
        "number": "12/BB-HĐTĐ",
        "members": "Ông A, Bà B",
        "assessment": [str(a.pk)],
        "scope": "selected",
    }
    r = client.post(reverse("council_decision", args=[w.cycle.pk]), form, follow=True)
    text = r.content.decode()
    assert "Chưa phê duyệt đơn vị nào" in text and "2.1: chưa có điểm khảo sát" in text
    assert status(w) == S.ROUND2 and not CouncilDecision.objects.exists()
    # The admin marks the survey leaf not applicable from the external-points page.
    client.force_login(w.admin)
    ext = client.get(reverse("cycle_external", args=[w.cycle.pk])).content.decode()
    na = reverse("cycle_external_na", args=[w.cycle.pk, sc(a, "2.1").pk])
    assert na in ext
    r = client.post(na, {"reason": ""}, follow=True)
    assert "cần nêu lý do không áp dụng" in r.content.decode()
    assert not sc(a, "2.1").not_applicable
    client.post(na, {"reason": "Không tổ chức khảo sát"})
    assert sc(a, "2.1").not_applicable
    # The appraiser marks the unit done; the council approves by its decision.
    client.force_login(w.appraiser)
    client.post(reverse("appraisal_done", args=[a.pk]), {"done": "1"})
    client.force_login(w.council)
    assert "Chưa thẩm định xong (1):</b> Sở Y tế." in client.get(council).content.decode()
    r = client.post(reverse("council_decision", args=[w.cycle.pk]), form, follow=True)
    assert "Đã ghi nhận Quyết định số 12/BB-HĐTĐ" in r.content.decode()
    assert status(w) == S.APPROVED
    assert CouncilDecision.objects.get().number == "12/BB-HĐTĐ"


def test_the_public_page_names_the_approving_decision(client):
    c = build(3)
    CouncilDecision.objects.create(
        cycle=c.old, decided_on=date(2025, 1, 15), number="5/QĐ-HĐTĐ", members="Hội đồng"
    )
    body = client.get(reverse("public:cycle", args=[c.old.pk])).content.decode()
    assert "Quyết định số 5/QĐ-HĐTĐ ngày 15/01/2025" in body
