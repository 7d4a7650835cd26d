"""The annual cycle with personas: unit staff and head, a colleague of another unit, an
appraiser assigned / not assigned, the council, a leader and the admin."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from parindex import outbox
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    Comment,
    DeadlineExtension,
    FinalSource,
)
from parindex.assessments.permissions import (
    can_appraise,
    can_edit_self,
    can_submit,
    can_view,
    effective_deadline,
)
from parindex.assessments.selectors import (
    assessment_get,
    assessment_tree,
    assessments_for,
    audit_of,
    progress,
)
from parindex.assessments.services import (
    StaleScore,
    adjustment_set,
    appraisal_round2_start,
    appraisal_set,
    appraisal_start,
    assessment_reopen,
    assessment_resubmit,
    assessment_return,
    assessment_submit,
    assessment_withdraw,
    assignment_set,
    comment_add,
    council_approve,
    cycle_open,
    deadline_extend,
    external_points_import,
    external_points_set,
    score_set,
)
from parindex.audit.models import AuditEvent
from parindex.cycles.models import Cycle, CycleStatus
from parindex.engine.framework import Framework as EngineFramework
from parindex.engine.framework import Node
from parindex.evidence.models import EvidenceDocument, EvidenceLink
from parindex.formats.errors import FormatError
from parindex.formats.scores import read_points
from parindex.formats.text import read_text_file
from parindex.frameworks.services import framework_import
from parindex.testing import (
    fill,
    leaf_score,
    make_group,
    make_unit,
    make_user,
    put,
    workflow_world,
)
from parindex.workflow import ConcurrentChange, InvalidTransition

pytestmark = pytest.mark.django_db
S = AssessmentStatus
D = Decimal


@pytest.fixture
def notes(monkeypatch):
    sent = []
    monkeypatch.setattr(outbox, "notify_after_commit", lambda **kw: sent.append(kw))
    return sent


@pytest.fixture
def w(notes):
    """A cycle open for two units, with every persona (``parindex.testing.workflow_world``)."""
    return workflow_world()


sc = leaf_score


def submitted(w):
    fill(w)
    return assessment_submit(assessment=w.a, actor=w.head)


def in_round1(w):
    return appraisal_start(assessment=submitted(w), actor=w.appraiser)


def refresh(a):
    return Assessment.objects.get(pk=a.pk)


# ---------------------------------------------------------------- opening and scope


def test_cycle_open_creates_assessments_moves_to_self_assessment_and_notifies(w, notes):
    assert w.cycle.status == CycleStatus.SELF_ASSESSMENT
    assert Cycle.objects.get(pk=w.cycle.pk).status == CycleStatus.SELF_ASSESSMENT
    assert Assessment.objects.filter(cycle=w.cycle, status=S.DRAFT).count() == 2
    assert notes[0]["kind"] == "cycle_opened"


def test_cycle_open_is_refused_to_a_unit_head(w):
    with pytest.raises(PermissionDenied):
        cycle_open(
            year=2026,
            name="Kỳ 2026",
            frameworks={},
            units=[],
            deadlines=None,
            actor=w.head,
        )


def test_scope_per_persona(w):
    assert list(assessments_for(w.staff)) == [w.a]
    assert list(assessments_for(w.appraiser)) == [w.a]
    assert list(assessments_for(w.other_appraiser)) == [w.b]
    for u in (w.admin, w.council, w.leader):
        assert assessments_for(u).count() == 2
    with pytest.raises(Http404):
        assessment_get(w.colleague, w.a.pk)
    with pytest.raises(Http404):
        assessment_get(w.other_appraiser, w.a.pk)
    assert not can_view(w.other_appraiser, w.a)


# ---------------------------------------------------------------- self-assessment


def test_points_come_from_the_engine_with_decimal_comma(w):
    assert put(w, "1.1", value="Kịp thời").self_points == D("2")
    assert put(w, "1.2.1", value="49,5").self_points == D("0")
    assert put(w, "1.2.2", points="1,25").self_points == D("1.25")
    row = sc(w.a, "1.2.2")
    assert row.self_value == "1,25" and row.version == 2 and row.updated_by == w.staff


@pytest.mark.parametrize(
    ("code", "kw", "fragment"),
    [
        ("1.2.2", {"points": "2"}, "[0; 1,5]"),
        ("1.2.2", {"points": "-1"}, "[0; 1,5]"),
        ("1.2.1", {"value": "150"}, "[0, 100]"),
        ("1.1", {"value": "Chậm"}, "không có trong danh sách"),
        ("1.1", {"points": "1"}, "hãy nhập giá trị"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_leaves_nothing(w, code, kw, fragment):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as e:
        put(w, code, **kw)
    assert fragment in str(e.value)
    row = sc(w.a, code)
    assert row.self_points is None and row.version == 1
    assert AuditEvent.objects.count() == before


def test_non_self_leaves_are_not_self_scored(w):
    with pytest.raises(ValidationError, match="không do đơn vị tự chấm"):
        put(w, "2.1", value="4")
    with pytest.raises(ValidationError, match="không do đơn vị tự chấm"):
        put(w, "3", points="1")


def test_only_the_units_own_users_edit(w):
    s = sc(w.a, "1.1")
    with pytest.raises(Http404):
        score_set(score=s, expected_version=1, actor=w.colleague, value="1")
    with pytest.raises(Http404):
        score_set(score=s, expected_version=1, actor=w.other_appraiser, value="1")
    for outsider_with_view in (w.appraiser, w.leader, w.council, w.admin):
        with pytest.raises(PermissionDenied):
            score_set(score=s, expected_version=1, actor=outsider_with_view, value="1")
    assert can_edit_self(w.staff, w.a, s) and not can_edit_self(w.leader, w.a, s)


def test_a_passed_deadline_locks_and_an_extension_reopens_it_for_one_unit(w):
    Cycle.objects.filter(pk=w.cycle.pk).update(
        self_assessment_deadline=timezone.now() - timedelta(hours=1)
    )
    w.a.refresh_from_db()
    with pytest.raises(ValidationError, match="hết hạn"):
        put(w, "1.1", value="Kịp thời")
    with pytest.raises(ValidationError):
        deadline_extend(
            cycle=w.cycle,
            unit=w.tuphap,
            stage="self_assessment",
            until=timezone.now() + timedelta(days=2),
            reason="",
            actor=w.admin,
        )
    with pytest.raises(PermissionDenied):
        deadline_extend(
            cycle=w.cycle,
            unit=w.tuphap,
            stage="self_assessment",
            until=timezone.now() + timedelta(days=2),
            reason="Ốm",
            actor=w.head,
        )
    until = timezone.now() + timedelta(days=2)
    ext = deadline_extend(
        cycle=w.cycle,
        unit=w.tuphap,
        stage="self_assessment",
        until=until,
        reason="Đơn vị sáp nhập",
        actor=w.admin,
    )
    assert ext.granted_by == w.admin
    assert effective_deadline(w.cycle, w.tuphap, "self_assessment") == until
    assert put(w, "1.1", value="Kịp thời").self_points == D("2")
    s = sc(w.b, "1.1")
    with pytest.raises(ValidationError, match="hết hạn"):
        score_set(score=s, expected_version=1, actor=w.colleague, value="Kịp thời")
    event = AuditEvent.objects.get(action="deadline.extend")
    assert event.reason == "Đơn vị sáp nhập" and event.context["assessment"] == w.a.pk
    assert DeadlineExtension.objects.count() == 1


def test_two_saves_with_the_same_version_the_second_gets_the_firsts_value(w):
    s1 = sc(w.a, "1.2.1")
    s2 = sc(w.a, "1.2.1")
    score_set(score=s1, expected_version=1, actor=w.staff, value="80")
    with pytest.raises(StaleScore) as e:
        score_set(score=s2, expected_version=1, actor=w.head, value="10")
    assert e.value.current.self_points == D("2.5")
    assert e.value.current.version == 2
    assert "canbo" in str(e.value) and "2,5" in str(e.value)
    assert sc(w.a, "1.2.1").self_points == D("2.5")


def test_a_save_writes_its_audit_row_with_before_and_after(w):
    put(w, "1.1", value="Kịp thời")
    s = sc(w.a, "1.1")
    event = AuditEvent.objects.get(action="score.self")
    assert event.actor == w.staff
    assert event.before["self_points"] is None and D(event.after["self_points"]) == D("2")
    assert event.context == {"assessment": w.a.pk, "score": s.pk, "code": "1.1"}
    assert list(audit_of(w.staff, score=s)) == [event]
    assert event in audit_of(w.staff, assessment=w.a)
    with pytest.raises(Http404):
        audit_of(w.colleague, score=s)


# ---------------------------------------------------------------- submission


def test_submit_is_refused_with_every_missing_leaf(w):
    with pytest.raises(ValidationError) as e:
        assessment_submit(assessment=w.a, actor=w.head)
    assert [m.split(":")[0] for m in e.value.messages] == ["1.1", "1.2.1", "1.2.2"]
    put(w, "1.1", value="Kịp thời")
    put(w, "1.2.1", value="10")  # 0 points: no evidence needed
    put(w, "1.2.2", points="1")
    with pytest.raises(ValidationError) as e:
        assessment_submit(assessment=w.a, actor=w.head)
    assert len(e.value.messages) == 2
    assert "tài liệu kiểm chứng hoặc giải trình" in e.value.messages[0]
    put(w, "1.1", explanation="Kế hoạch đăng trên cổng")
    doc = EvidenceDocument.objects.create(
        unit=w.tuphap, kind="reference", title="Báo cáo 5/BC", year=2025
    )
    EvidenceLink.objects.create(score=sc(w.a, "1.2.2"), document=doc)
    assert assessment_submit(assessment=w.a, actor=w.head).status == S.SUBMITTED


def test_only_the_unit_head_submits_and_then_the_unit_is_locked(w):
    fill(w)
    assert not can_submit(w.staff, w.a) and can_submit(w.head, w.a)
    with pytest.raises(PermissionDenied):
        assessment_submit(assessment=w.a, actor=w.staff)
    with pytest.raises(Http404):
        assessment_submit(assessment=w.a, actor=w.colleague)
    a = assessment_submit(assessment=w.a, actor=w.head)
    assert a.submitted_by == w.head and a.version == 2
    with pytest.raises(InvalidTransition):
        put(w, "1.1", value="1")


def test_submit_after_the_deadline_is_refused(w):
    fill(w)
    Cycle.objects.filter(pk=w.cycle.pk).update(
        self_assessment_deadline=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="hết hạn"):
        assessment_submit(assessment=refresh(w.a), actor=w.head)
    assert refresh(w.a).status == S.DRAFT


def test_two_transitions_from_the_same_state_the_second_is_a_concurrent_change(w):
    fill(w)
    first, second = refresh(w.a), refresh(w.a)
    assessment_submit(assessment=first, actor=w.head)
    with pytest.raises(ConcurrentChange):
        assessment_submit(assessment=second, actor=w.head)
    assert AuditEvent.objects.filter(action="assessment.submit").count() == 1


def test_withdraw_until_appraisal_starts(w):
    a = submitted(w)
    with pytest.raises(PermissionDenied):
        assessment_withdraw(assessment=a, actor=w.staff)
    a = assessment_withdraw(assessment=a, actor=w.head)
    assert a.status == S.DRAFT and a.submitted_at is None
    a = assessment_submit(assessment=a, actor=w.head)
    appraisal_start(assessment=a, actor=w.appraiser)
    with pytest.raises(InvalidTransition):
        assessment_withdraw(assessment=refresh(a), actor=w.head)


# ---------------------------------------------------------------- appraisal


def test_appraisal_start_by_assigned_appraiser_only(w):
    a = submitted(w)
    with pytest.raises(Http404):
        appraisal_start(assessment=a, actor=w.other_appraiser)
    with pytest.raises(PermissionDenied):
        appraisal_start(assessment=a, actor=w.leader)
    a = appraisal_start(assessment=a, actor=w.appraiser)
    assert a.status == S.ROUND1
    event = AuditEvent.objects.get(action="appraisal.start")
    assert (event.before, event.after) == ("submitted", "round1")


def test_appraisal_points_need_a_reason_when_they_differ(w):
    a = in_round1(w)
    s = sc(a, "1.1")
    with pytest.raises(ValidationError, match="lý do"):
        appraisal_set(
            score=s, round=1, points="0,5", reason="", expected_version=s.version, actor=w.appraiser
        )
    s = appraisal_set(
        score=s,
        round=1,
        points="0,5",
        reason="Ban hành muộn",
        expected_version=s.version,
        actor=w.appraiser,
    )
    assert (s.round1_points, s.round1_reason) == (D("0.5"), "Ban hành muộn")
    same = appraisal_set(
        score=sc(a, "1.1"),
        round=1,
        points="2",
        reason="",
        expected_version=s.version,
        actor=w.appraiser,
    )
    assert same.round1_points == D("2")
    with pytest.raises(ValidationError, match="vòng 2"):
        appraisal_set(
            score=same,
            round=2,
            points="2",
            reason="",
            expected_version=same.version,
            actor=w.appraiser,
        )
    with pytest.raises(ValidationError, match=r"\[0, 2\]"):
        appraisal_set(
            score=same,
            round=1,
            points="3",
            reason="x",
            expected_version=same.version,
            actor=w.appraiser,
        )


def test_an_appraiser_appraises_only_assigned_criteria(w):
    a = in_round1(w)
    s = sc(a, "1.2.1")
    assert not can_appraise(w.appraiser, s) and can_appraise(w.admin, s)
    with pytest.raises(PermissionDenied):
        appraisal_set(
            score=s, round=1, points="0", reason="x", expected_version=s.version, actor=w.appraiser
        )
    appraisal_set(
        score=s,
        round=1,
        points="0",
        reason="Thiếu báo cáo quý 4",
        expected_version=s.version,
        actor=w.admin,
    )


def test_bonus_points_by_the_appraiser_with_a_reason_within_the_cap(w):
    a = in_round1(w)
    s = sc(a, "3")
    with pytest.raises(ValidationError, match="lý do"):
        adjustment_set(score=s, points="1", reason="", actor=w.appraiser)
    with pytest.raises(ValidationError, match=r"\[0, 1\]"):
        adjustment_set(score=s, points="2", reason="Sáng kiến", actor=w.appraiser)
    with pytest.raises(ValidationError, match="không phải tiêu chí điểm thưởng"):
        adjustment_set(score=sc(a, "1.1"), points="1", reason="x", actor=w.appraiser)
    s = adjustment_set(score=s, points="0,75", reason="Sáng kiến cấp tỉnh", actor=w.appraiser)
    assert (s.round1_points, s.adjustment_reason) == (D("0.75"), "Sáng kiến cấp tỉnh")


def test_return_explain_resubmit_with_the_explanation_deadline(w, notes):
    a = in_round1(w)
    with pytest.raises(ValidationError):
        assessment_return(
            assessment=a, deadline=timezone.now() + timedelta(days=3), message="", actor=w.appraiser
        )
    with pytest.raises(ValidationError):
        assessment_return(
            assessment=a,
            deadline=timezone.now() - timedelta(days=1),
            message="Bổ sung",
            actor=w.appraiser,
        )
    due = timezone.now() + timedelta(days=3)
    a = assessment_return(
        assessment=a,
        deadline=due,
        leaves={"1.1": "Bổ sung kế hoạch"},
        message="Bổ sung kế hoạch",
        actor=w.appraiser,
    )
    assert (a.status, a.explanation_due, a.return_message) == (S.RETURNED, due, "Bổ sung kế hoạch")
    assert notes[-1]["kind"] == "returned" and {u.username for u in notes[-1]["users"]} == {
        "canbo",
        "thutruong",
    }
    # explanation only; points stay locked
    put(w, "1.1", explanation="Kế hoạch ban hành ngày 20/12")
    with pytest.raises(InvalidTransition):
        put(w, "1.1", value="1")
    with pytest.raises(PermissionDenied):
        assessment_resubmit(assessment=a, actor=w.staff)
    # the explanation deadline passes, then an extension reopens it
    Assessment.objects.filter(pk=a.pk).update(explanation_due=timezone.now() - timedelta(1))
    a = refresh(a)
    with pytest.raises(ValidationError, match="hết hạn"):
        assessment_resubmit(assessment=a, actor=w.head)
    deadline_extend(
        cycle=w.cycle,
        unit=w.tuphap,
        stage="explanation",
        until=timezone.now() + timedelta(days=1),
        reason="Mất điện",
        actor=w.admin,
    )
    a = assessment_resubmit(assessment=a, actor=w.head)
    assert a.status == S.EXPLAINED and a.explained_at is not None


def full_round2(w):
    a = in_round1(w)
    s = sc(a, "1.1")
    appraisal_set(
        score=s, round=1, points="0,5", reason="Muộn", expected_version=s.version, actor=w.appraiser
    )
    external_points_set(score=sc(a, "2.1"), points="3,2", note="Khảo sát 2025", actor=w.admin)
    return appraisal_round2_start(assessment=a, actor=w.appraiser)


def test_round2_starts_from_round1_points(w):
    a = full_round2(w)
    assert a.status == S.ROUND2
    assert (sc(a, "1.1").round2_points, sc(a, "1.1").round2_reason) == (D("0.5"), "Muộn")
    assert sc(a, "1.2.1").round2_points == D("2.5")  # no round 1: self points
    assert sc(a, "2.1").round2_points is None  # external: untouched


def test_council_approves_and_final_points_follow_the_rounds(w, notes):
    a = full_round2(w)
    with pytest.raises(PermissionDenied):
        council_approve(assessment=a, actor=w.appraiser)
    with pytest.raises(PermissionDenied):
        council_approve(assessment=a, actor=w.admin)
    a = council_approve(assessment=a, actor=w.council)
    assert a.status == S.APPROVED and a.approved_by == w.council
    rows = {s.criterion.code: s for s in a.scores.select_related("criterion")}
    assert (rows["1.1"].final_points, rows["1.1"].final_source) == (D("0.5"), FinalSource.ROUND2)
    assert rows["1.2.1"].final_points == D("2.5")
    assert rows["1.2.2"].final_points is None and rows["1.2.2"].not_applicable
    assert (rows["2.1"].final_points, rows["2.1"].final_source) == (D("3.2"), "external")
    tree = assessment_tree(a)
    assert tree.final.points == D("6.2")  # 0.5 + 2.5 + 3.2 (1.2.2 N/A)
    assert tree.self_total.points == D("7.7")
    assert notes[-1]["kind"] == "approved"
    with pytest.raises(InvalidTransition):
        appraisal_set(
            score=rows["1.1"],
            round=2,
            points="1",
            reason="x",
            expected_version=rows["1.1"].version,
            actor=w.appraiser,
        )
    with pytest.raises(ValidationError, match="phê duyệt"):
        external_points_set(score=rows["2.1"], points="4", note="", actor=w.admin)


def test_only_the_admin_reopens_with_a_reason(w):
    a = council_approve(assessment=full_round2(w), actor=w.council)
    with pytest.raises(PermissionDenied):
        assessment_reopen(assessment=a, reason="Sai sót", actor=w.council)
    with pytest.raises(ValidationError):
        assessment_reopen(assessment=a, reason=" ", actor=w.admin)
    assert refresh(a).status == S.APPROVED
    a = assessment_reopen(assessment=a, reason="Sai sót số liệu", actor=w.admin)
    assert a.status == S.ROUND2 and a.approved_at is None
    event = AuditEvent.objects.get(action="assessment.reopen")
    assert (event.before, event.after, event.reason) == ("approved", "round2", "Sai sót số liệu")


def test_comments_by_unit_and_appraisers(w):
    s = sc(w.a, "1.1")
    c = comment_add(score=s, text="Đã đăng tải", actor=w.staff)
    assert c.round == 0 and c.author == w.staff
    with pytest.raises(Http404):
        comment_add(score=s, text="?", actor=w.colleague)
    with pytest.raises(PermissionDenied):
        comment_add(score=s, text="?", actor=w.leader)
    in_round1(w)
    c = comment_add(score=s, text="Cần bản ký", actor=w.appraiser)
    assert c.round == 1
    assert assessment_tree(refresh(w.a)).leaf("1.1").comments_count == 2
    assert Comment.objects.count() == 2


# ---------------------------------------------------------------- external points


def test_external_points_csv_import(w, tmp_path):
    path = tmp_path / "khao-sat.csv"
    path.write_text('unit,code,points\nso-tu-phap,2.1,"3,5"\nso-y-te,2.1,NA\n', "utf-8")
    rows, problems = read_points(read_text_file(path), name=path.name)
    result = external_points_import(
        cycle=w.cycle, rows=rows, problems=problems, source=path.name, actor=w.admin
    )
    assert result == {"rows": 2, "changed": 2, "unchanged": 0}
    a, b = sc(w.a, "2.1"), sc(w.b, "2.1")
    assert (a.final_points, a.final_source, a.external_note) == (
        D("3.5"),
        "external",
        "Nhập từ khao-sat.csv",
    )
    assert b.not_applicable and b.final_points is None
    assert AuditEvent.objects.filter(action="score.external").count() == 2


def import_points(cycle, text, actor):
    rows, problems = read_points(text, name="dữ liệu nhập")
    return external_points_import(
        cycle=cycle, rows=rows, problems=problems, source="dữ liệu nhập", actor=actor
    )


def test_a_bad_csv_names_every_row_and_column_and_imports_nothing(w):
    text = (
        "unit,code,points\n"
        "so-tu-phap,2.1,3\n"
        "so-khong-co,2.1,3\n"
        "so-y-te,9.9,3\n"
        "so-y-te,1.1,2\n"
        "so-y-te,2.1,4,5\n"
        "so-y-te,2.1,abc\n"
    )
    with pytest.raises(FormatError) as e:
        import_points(w.cycle, text, w.admin)
    msgs = [str(p) for p in e.value.problems]
    assert [(p.line, p.column) for p in e.value.problems] == [
        (3, "unit"),
        (4, "code"),
        (5, "code"),
        (6, None),
        (7, "points"),
    ]
    assert "so-khong-co" in msgs[0] and "không lấy điểm từ nguồn bên ngoài" in msgs[2]
    assert sc(w.a, "2.1").final_points is None
    assert not AuditEvent.objects.filter(action__startswith="score.external").exists()
    with pytest.raises(FormatError, match=r"\[0, 4\]"):
        import_points(w.cycle, "so-y-te,2.1,5\n", w.admin)
    with pytest.raises(PermissionDenied):
        import_points(w.cycle, "so-y-te,2.1,3\n", w.head)


# ---------------------------------------------------------------- reads


def test_tree_totals_and_missing(w):
    put(w, "1.1", value="Kịp thời")
    tree = assessment_tree(assessment_get(w.staff, w.a.pk))
    assert [n.code for n in tree.areas] == ["1", "2", "3"]
    assert [r.criterion.code for r in tree.leaves] == ["1.1", "1.2.1", "1.2.2", "2.1", "3"]
    assert tree.leaf("1.1").rule.type == "tiers"
    assert tree.areas[0].self_score.points == D("2")
    assert tree.self_total.points == D("2") and tree.self_total.max_points == D("10")
    assert [(m.code, "giải trình" in m.reason) for m in tree.missing] == [
        ("1.1", True),
        ("1.2.1", False),
        ("1.2.2", False),
    ]


def hundred_leaf_framework(code="tram-tieu-chi"):
    areas = tuple(
        Node(
            code=str(i),
            name=f"Lĩnh vực {i}",
            max_points=D("10"),
            children=tuple(
                Node(code=f"{i}.{j}", name=f"Tiêu chí {i}.{j}", max_points=D("1"))
                for j in range(1, 11)
            ),
        )
        for i in range(1, 11)
    )
    return EngineFramework(code=code, name="Một trăm tiêu chí", total=D("100"), nodes=areas)


def test_tree_query_count_does_not_grow_with_leaves(w, django_assert_max_num_queries):
    fw = framework_import(framework=hundred_leaf_framework(), actor=None)
    group = make_group("xa", "Xã", "commune")
    unit = make_unit("xa-mot", group=group, kind="commune")
    cycle_open(
        year=2025, name="Kỳ xã", frameworks={group: fw}, units=[unit], deadlines=None, actor=None
    )
    big = assessments_for(w.admin).get(unit=unit)
    user = make_user("canbo.xa", "unit_staff", unit=unit)
    for i in range(1, 101, 7):
        s = big.scores.get(criterion__code=f"{(i - 1) // 10 + 1}.{(i - 1) % 10 + 1}")
        score_set(score=s, expected_version=1, actor=user, points="1", explanation="x")
    small = assessments_for(w.admin).get(pk=w.a.pk)
    with django_assert_max_num_queries(3):
        tree = assessment_tree(small)
    with django_assert_max_num_queries(3):
        tree = assessment_tree(big)
    assert len(tree.leaves) == 100 and tree.self_total.points == D("15")
    assert len(tree.missing) == 85


def test_progress_lists_overdue_units_first(w):
    put(w, "1.1", value="Kịp thời", explanation="x")
    put(w, "1.2.1", value="80")
    Cycle.objects.filter(pk=w.cycle.pk).update(
        self_assessment_deadline=timezone.now() - timedelta(days=1)
    )
    deadline_extend(
        cycle=w.cycle,
        unit=w.tuphap,
        stage="self_assessment",
        until=timezone.now() + timedelta(days=5),
        reason="Gia hạn",
        actor=w.admin,
    )
    cycle = Cycle.objects.get(pk=w.cycle.pk)
    rows = progress(w.admin, cycle)
    assert [r.unit.code for r in rows] == ["so-y-te", "so-tu-phap"]
    yte, tuphap = rows
    assert yte.overdue and yte.days_left == -1 and yte.scored_share == 0
    assert not tuphap.overdue and tuphap.days_left == 5
    assert tuphap.scored_share == D(2) / D(3)
    assert tuphap.evidenced_share == D("0.5")
    assert [r.unit.code for r in progress(w.staff, cycle)] == ["so-tu-phap"]
    assert progress(w.colleague, cycle)[0].unit.code == "so-y-te"


def test_assignments_are_checked(w):
    with pytest.raises(ValidationError, match=r"9\.9"):
        assignment_set(
            cycle=w.cycle, appraiser=w.appraiser, units=[], criteria_codes=["9.9"], actor=w.admin
        )
    with pytest.raises(ValidationError, match="không phải thành viên"):
        assignment_set(
            cycle=w.cycle, appraiser=w.leader, units=[], criteria_codes=[], actor=w.admin
        )
    with pytest.raises(PermissionDenied):
        assignment_set(
            cycle=w.cycle, appraiser=w.appraiser, units=[], criteria_codes=[], actor=w.appraiser
        )
    assignment_set(cycle=w.cycle, appraiser=w.appraiser, units=[], criteria_codes=[], actor=w.admin)
    assert assessments_for(w.appraiser).count() == 2
