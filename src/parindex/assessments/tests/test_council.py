"""Issue 8, parts 2 and 8: the council cannot lock incomplete scores (external leaves too),
the admin's N/A with a reason, the council's decision (all or nothing), the appraisers'
“done” mark, and the return for explanation by leaf with the unit's answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    CouncilDecision,
    ExplanationRequest,
)
from parindex.assessments.services import (
    appraisal_done_set,
    appraisal_round2_start,
    appraisal_start,
    assessment_resubmit,
    assessment_return,
    assessment_submit,
    council_approve,
    council_decision_record,
    explanation_answer,
    external_na_mark,
    external_points_set,
)
from parindex.audit.models import AuditEvent
from parindex.testing import fill, leaf_score
from parindex.workflow import InvalidTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return world


S = AssessmentStatus


def round2(w):
    fill(w)
    a = assessment_submit(assessment=w.a, actor=w.head)
    a = appraisal_start(assessment=a, actor=w.appraiser)
    return appraisal_round2_start(assessment=a, actor=w.appraiser)


def status(a):
    return Assessment.objects.get(pk=a.pk).status


def test_approval_is_refused_while_a_survey_leaf_has_no_points(w):
    a = round2(w)
    with pytest.raises(ValidationError) as exc:
        council_approve(assessment=a, actor=w.council)
    text = " ".join(exc.value.messages)
    assert "2.1: chưa có điểm khảo sát" in text and "1 tiêu chí chưa có điểm" in text
    assert status(a) == S.ROUND2 and leaf_score(a, "1.1").final_points is None
    assert not AuditEvent.objects.filter(action="assessment.approve").exists()


def test_the_admin_marks_the_leaf_na_with_a_reason_then_the_council_approves(w):
    a = round2(w)
    s = leaf_score(a, "2.1")
    for user in (w.council, w.appraiser, w.staff):
        with pytest.raises((PermissionDenied, Exception)):
            external_na_mark(score=s, reason="Không khảo sát", actor=user)
    with pytest.raises(ValidationError, match="cần nêu lý do không áp dụng"):
        external_na_mark(score=s, reason="  ", actor=w.admin)
    assert not leaf_score(a, "2.1").not_applicable
    with pytest.raises(ValidationError, match="không lấy điểm từ nguồn bên ngoài"):
        external_na_mark(score=leaf_score(a, "1.1"), reason="x", actor=w.admin)
    s = external_na_mark(score=s, reason="Năm nay không tổ chức khảo sát", actor=w.admin)
    assert s.not_applicable and "Năm nay không tổ chức khảo sát" in s.external_note
    event = AuditEvent.objects.get(action="score.external_na")
    assert event.reason == "Năm nay không tổ chức khảo sát"
    assert council_approve(assessment=a, actor=w.council).status == S.APPROVED


def test_the_council_decision_approves_all_or_nothing(w):
    a = round2(w)
    kwargs = {
        "cycle": w.cycle,
        "decided_on": date.today(),
        "number": "12/BB-HĐTĐ",
        "members": "Ông A, Bà B",
        "notes": "",
    }
    # Missing points: refused with the unit and its leaves, nothing kept.
    with pytest.raises(ValidationError) as exc:
        council_decision_record(**kwargs, assessments=[a], actor=w.council)
    assert any("2.1" in m for m in exc.value.messages)
    assert any("Chưa phê duyệt đơn vị nào" in m for m in exc.value.messages)
    assert status(a) == S.ROUND2 and not CouncilDecision.objects.exists()
    external_points_set(score=leaf_score(a, "2.1"), points="3", note="XHH", actor=w.admin)
    # Another unit not ready (still in draft): refused too, and Tư pháp is not approved.
    with pytest.raises(ValidationError) as exc:
        council_decision_record(**kwargs, assessments=[a, w.b], actor=w.council)
    assert any("Sở Y tế" in m for m in exc.value.messages)
    assert status(a) == S.ROUND2 and not CouncilDecision.objects.exists()
    # Bad fields and the wrong role.
    with pytest.raises(ValidationError) as exc:
        council_decision_record(
            **{**kwargs, "number": "", "members": "", "decided_on": None},
            assessments=[],
            actor=w.council,
        )
    assert set(exc.value.message_dict) == {"number", "members", "decided_on", "units"}
    with pytest.raises(PermissionDenied):
        council_decision_record(**kwargs, assessments=[a], actor=w.admin)
    assert status(a) == S.ROUND2
    d = council_decision_record(**kwargs, assessments=[a], actor=w.council)
    assert status(a) == S.APPROVED and list(d.units.all()) == [w.tuphap]
    assert str(d) == f"Quyết định số 12/BB-HĐTĐ ngày {date.today():%d/%m/%Y}"
    assert AuditEvent.objects.filter(action="council.decision").count() == 1
    assert AuditEvent.objects.filter(action="assessment.approve").count() == 1


def test_the_appraisers_mark_a_unit_done_and_undo_it_before_approval(w):
    a = round2(w)
    with pytest.raises(PermissionDenied):
        appraisal_done_set(assessment=a, done=True, actor=w.council)
    a = appraisal_done_set(assessment=a, done=True, actor=w.appraiser)
    assert a.appraisal_done_at is not None and a.appraisal_done_by == w.appraiser
    a = appraisal_done_set(assessment=a, done=False, actor=w.appraiser)
    assert a.appraisal_done_at is None
    a = appraisal_done_set(assessment=a, done=True, actor=w.appraiser)
    assert [
        e.action
        for e in AuditEvent.objects.filter(
            action__in=["appraisal.done", "appraisal.undone"]
        ).order_by("id")
    ] == [
        "appraisal.done",
        "appraisal.undone",
        "appraisal.done",
    ]
    external_points_set(score=leaf_score(a, "2.1"), points="3", note="XHH", actor=w.admin)
    a = council_approve(assessment=a, actor=w.council)
    with pytest.raises(InvalidTransition):
        appraisal_done_set(assessment=a, done=False, actor=w.appraiser)
    assert Assessment.objects.get(pk=a.pk).appraisal_done_at is not None


def test_return_for_explanation_needs_at_least_one_leaf_and_nothing_changes(w):
    fill(w)
    a = appraisal_start(
        assessment=assessment_submit(assessment=w.a, actor=w.head), actor=w.appraiser
    )
    due = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as exc:
        assessment_return(
            assessment=a, deadline=due, leaves={}, message="Bổ sung", actor=w.appraiser
        )
    assert exc.value.message_dict["leaves"] == ["Chọn ít nhất một tiêu chí cần giải trình."]
    with pytest.raises(ValidationError, match="cần nêu nội dung yêu cầu giải trình"):
        assessment_return(assessment=a, deadline=due, leaves={"1.1": " "}, actor=w.appraiser)
    # The appraiser is assigned 1.1 and 3 only.
    with pytest.raises(ValidationError, match="không thuộc phần bạn được phân công"):
        assessment_return(assessment=a, deadline=due, leaves={"1.2.1": "x"}, actor=w.appraiser)
    assert status(a) == S.ROUND1 and not ExplanationRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="assessment.return").exists()


def test_the_unit_answers_each_leaf_and_the_appraiser_sees_the_answers(w):
    fill(w)
    a = appraisal_start(
        assessment=assessment_submit(assessment=w.a, actor=w.head), actor=w.appraiser
    )
    due = timezone.now() + timedelta(days=3)
    a = assessment_return(
        assessment=a,
        deadline=due,
        leaves={"1.1": "Kế hoạch ban hành ngày nào?", "3": "Sáng kiến có quyết định công nhận?"},
        actor=w.appraiser,
    )
    assert a.status == S.RETURNED
    reqs = list(ExplanationRequest.objects.order_by("score__criterion__position"))
    assert [(r.score.criterion.code, r.message) for r in reqs] == [
        ("1.1", "Kế hoạch ban hành ngày nào?"),
        ("3", "Sáng kiến có quyết định công nhận?"),
    ]
    with pytest.raises(ValidationError, match="Nhập nội dung giải trình"):
        explanation_answer(score=leaf_score(a, "1.1"), answer="", actor=w.staff)
    with pytest.raises(ValidationError, match="không có yêu cầu giải trình"):
        explanation_answer(score=leaf_score(a, "1.2.1"), answer="x", actor=w.staff)
    with pytest.raises(PermissionDenied):
        explanation_answer(score=leaf_score(a, "1.1"), answer="x", actor=w.appraiser)
    r = explanation_answer(score=leaf_score(a, "1.1"), answer="Ngày 20/12/2024", actor=w.staff)
    assert (r.answer, r.answered_by) == ("Ngày 20/12/2024", w.staff)
    assert AuditEvent.objects.filter(action="explanation.answer").count() == 1
    assessment_resubmit(assessment=a, actor=w.head)
    assert ExplanationRequest.objects.get(pk=r.pk).answer == "Ngày 20/12/2024"
