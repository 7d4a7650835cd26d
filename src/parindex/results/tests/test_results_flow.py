from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from parindex.assessments.models import Assessment, LeafScore
from parindex.audit.models import AuditEvent
from parindex.cycles.models import Cycle
from parindex.engine.compare import describe_rank_change
from parindex.formats.errors import FormatError
from parindex.formats.metrics import read_metrics
from parindex.results.models import RatingConfig, RecomputeRequest, UnitMetric
from parindex.results.selectors import (
    accountability_report,
    criterion_results,
    province_overview,
    ranking,
    rating_config_for,
    result_set_for,
    unit_result,
)
from parindex.results.services import (
    cycle_publish,
    metric_set,
    metrics_import,
    rating_config_set,
    results_recompute,
)
from parindex.results.services.background import _enqueue_recompute
from parindex.results.tests.conftest import approve_all, open_cycle, set_points
from parindex.results.tests.test_recompute import CLASSES, LATE
from parindex.testing import make_group, make_unit, make_user
from parindex.units.models import UnitLineage

pytestmark = pytest.mark.django_db


def metrics_import_text(*, cycle, actor, text):
    """A metrics CSV as the page imports it: read by the format's reader, then stored."""
    rows, problems = read_metrics(text, name="metrics.csv")
    if problems:
        raise FormatError(problems)
    return metrics_import(cycle=cycle, rows=rows, source_name="metrics.csv", actor=actor)


# ---------------------------------------------------------------- bad input, nothing saved


def _refused(fn, **kw) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(**kw)
    return " ".join(exc.value.messages)


def test_overlapping_thresholds_are_refused_and_nothing_saved(five, admin):
    cycle, _ = five
    bad = [{"name": "Tốt", "min": 80}, {"name": "Khá", "min": 85}, {"name": "Yếu", "min": 0}]
    msg = _refused(rating_config_set, cycle=cycle, classes=bad, conditions=[], actor=admin)
    assert "chồng lên nhau" in msg
    same = [{"name": "Tốt", "min": 50}, {"name": "Khá", "min": 50}, {"name": "Yếu", "min": 0}]
    assert "trùng ngưỡng" in _refused(
        rating_config_set, cycle=cycle, classes=same, conditions=[], actor=admin
    )
    assert not RatingConfig.objects.filter(cycle=cycle).exists()


def test_thresholds_leaving_a_gap_below_are_refused(five, admin):
    cycle, _ = five
    gap = [{"name": "Tốt", "min": 80}, {"name": "Khá", "min": 50}]
    msg = _refused(rating_config_set, cycle=cycle, classes=gap, conditions=[], actor=admin)
    assert "phải bắt đầu từ 0" in msg and "khoảng trống" in msg


def test_a_condition_naming_an_unknown_metric_or_class_is_refused(five, admin):
    cycle, _ = five
    cond = dict(LATE, metric="ty_le_ma_quy")
    msg = _refused(rating_config_set, cycle=cycle, classes=CLASSES, conditions=[cond], actor=admin)
    assert "chỉ số “ty_le_ma_quy” không có" in msg
    cond = dict(LATE, cap="Khá giỏi")
    msg = _refused(rating_config_set, cycle=cycle, classes=CLASSES, conditions=[cond], actor=admin)
    assert "mức trần “Khá giỏi” không có" in msg
    assert not RatingConfig.objects.filter(cycle=cycle).exists()


def test_metrics_outside_0_100_are_refused(five, admin):
    cycle, (a, *_rest) = five
    for value in ("101", "-1", "abc"):
        msg = _refused(
            metric_set, cycle=cycle, unit=a, metric="late_dossier_rate", value=value, actor=admin
        )
        assert "0–100" in msg or "không phải là số" in msg
    with pytest.raises(FormatError) as exc:
        metrics_import_text(
            cycle=cycle,
            actor=admin,
            text="unit,metric,value\nso-a,late_dossier_rate,3\nso-b,late_dossier_rate,140\n",
        )
    assert "dòng 3" in str(exc.value) and "cột value" in str(exc.value)
    assert UnitMetric.objects.count() == 0  # atomic: the good row was not saved either


def test_metrics_import_saves_rows_and_a_unit_outside_the_cycle_is_refused(five, admin):
    cycle, _ = five
    stats = metrics_import_text(
        cycle=cycle, actor=admin, text="unit,metric,value\nso-a,late_dossier_rate,3,5\n"
    )
    assert stats == {"created": 1, "updated": 0}
    assert UnitMetric.objects.get().source == "csv"
    with pytest.raises(FormatError) as exc:
        metrics_import_text(
            cycle=cycle, actor=admin, text="unit,metric,value\nso-x,late_dossier_rate,3\n"
        )
    assert "so-x" in str(exc.value)


def test_only_the_admin_configures(five):
    cycle, _ = five
    leader = make_user("lanhdao", "leader")
    # PermissionDenied (was ValidationError): the one require_admin of every app.
    with pytest.raises(PermissionDenied) as exc:
        rating_config_set(cycle=cycle, classes=CLASSES, conditions=[], actor=leader)
    msg = str(exc.value)
    assert "Quản trị" in msg


def test_publishing_with_unapproved_units_is_refused_listing_them(five, admin):
    cycle, _ = five
    Cycle.objects.filter(pk=cycle.pk).update(status="approved")
    cycle.refresh_from_db()
    msg = _refused(cycle_publish, cycle=cycle, actor=admin)
    assert "Còn 5 đơn vị chưa được Hội đồng phê duyệt" in msg and "Sở Y tế" in msg
    assert Cycle.objects.get(pk=cycle.pk).status == "approved"


def test_publishing_a_final_cycle(five, admin):
    cycle, _ = five
    approve_all(cycle)
    cycle.refresh_from_db()
    cycle_publish(cycle=cycle, actor=admin)
    assert Cycle.objects.get(pk=cycle.pk).status == "published"
    assert cycle.result_set.status == "final"
    assert result_set_for(None, cycle) is not None  # the public page sees it


# ---------------------------------------------------------------- debounce


def test_two_changes_make_one_pending_recompute(five, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    cycle, _ = five
    assert _enqueue_recompute(cycle.pk) is True
    assert _enqueue_recompute(cycle.pk) is False
    assert DBTaskResult.objects.count() == 1
    assert RecomputeRequest.objects.get(cycle=cycle).pending is True


def test_the_task_recomputes_and_clears_the_flag(five, settings):
    from parindex.results.tasks import recompute_cycle

    cycle, _ = five
    _enqueue_recompute(cycle.pk)
    recompute_cycle.call(cycle.pk)
    assert RecomputeRequest.objects.get(cycle=cycle).pending is False
    assert cycle.result_set.units.count() == 5
    assert _enqueue_recompute(cycle.pk) is True  # a later change asks again


# ---------------------------------------------------------------- lineage across 2025


@pytest.fixture
def merged(fw):
    g = make_group("so", "Sở")
    h = make_group("xa", "Xã", kind="commune")
    p1, q, r = (make_unit(c, group=g) for c in ("p1", "q", "r"))
    p2 = make_unit("p2", group=h)
    old = open_cycle(2024, fw, {g: [p1, q, r], h: [p2]})
    for u, s in ((q, 4), (r, 3), (p1, 1), (p2, 2)):
        set_points(old, u, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": s})
    approve_all(old)
    results_recompute(cycle=old)
    z = make_unit("z", name="Sở Z (hợp nhất)", group=g)
    m = make_unit("m", name="Sở M (hợp nhất)", group=g)
    for pred, succ in ((p1, z), (p2, z), (q, m), (r, m)):
        UnitLineage.objects.create(
            predecessor=pred, successor=succ, kind="merged", effective=dt.date(2025, 7, 1)
        )
    new = open_cycle(2025, fw, {g: [z, m]})
    set_points(new, z, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 4})
    set_points(new, m, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5, "2.1": 1})
    return new, z, m, p1


def test_a_merged_unit_compares_with_its_predecessor_of_the_same_group(merged):
    new, z, m, p1 = merged
    rs = results_recompute(cycle=new)
    rz = rs.units.get(unit=z)
    # 2024: p1 was 3rd of 3 in "so" with 7 points (70); 2025: z is 1st with 10 (100)
    assert (rz.previous_unit, rz.previous_rank, rz.rank) == (p1, 3, 1)
    assert rz.rank_change == 2 and describe_rank_change(rz.rank_change) == "tăng 2 bậc"
    assert rz.index_change == 30
    rm = rs.units.get(unit=m)
    assert rm.previous_unit is None and rm.rank_change is None
    assert "Sáp nhập từ 2 đơn vị" in rm.comparison_note


# ---------------------------------------------------------------- selectors


def test_selectors_scope_and_query_counts(five, admin, django_assert_max_num_queries):
    cycle, (a, b, *_rest) = five
    LeafScoreReason = __import__("parindex.assessments.models", fromlist=["LeafScore"]).LeafScore
    LeafScoreReason.objects.filter(assessment__unit=b, criterion__code="1.2.2").update(
        round1_reason="Báo cáo nộp trễ 5 ngày"
    )
    rs = results_recompute(cycle=cycle, actor=admin)
    staff_a = make_user("canbo.a", "unit_staff", unit=a)
    assert result_set_for(staff_a, cycle) is None  # provisional: province-wide only
    assert result_set_for(admin, cycle) == rs
    with pytest.raises(Http404):
        unit_result(staff_a, cycle, b)
    with django_assert_max_num_queries(1):
        rows = ranking(rs)
        assert [r.rank for r in rows] == [1, 2, 3, 3, 5]
    with django_assert_max_num_queries(7):
        page = unit_result(staff_a, cycle, a)
    assert [n.code for n in page.areas] == ["1", "2"]
    assert page.best["2"] == ("Sở Tư pháp", 100)
    with django_assert_max_num_queries(7):
        page = unit_result(admin, cycle, b)
    assert page.lost[0].code == "1.2" and page.lost[0].lost == 1
    with django_assert_max_num_queries(5):
        crit = criterion_results(admin, cycle, "1.2.2")
    assert [r.unit.code for r in crit.rows][:2] == ["so-e", "so-b"]  # most lost first
    top = crit.rows[1]
    assert top.lost == 1
    assert top.reasons == [("1.2.2", "Báo cáo nộp trễ 5 ngày", "")]
    with django_assert_max_num_queries(5):
        ov = province_overview(admin, cycle)
    assert dict(ov.distribution)["70–80"] == 2 and ov.missing_points == 1
    assert ov.heat["areas"] == ["1", "2"]


# ---------------------------------------------------------------- accountability


def test_accountability_lists_heads_of_weak_and_twice_average_units(fw, admin):
    g = make_group()
    weak, avg, good = (make_unit(c, group=g) for c in ("yeu", "tb", "tot"))
    head = make_user("thutruong.tb", "unit_head", unit=avg)
    make_user("canbo.tb", "unit_staff", unit=avg)
    pts = {weak: (0, 0.5), avg: (1.5, 0.5), good: (2, 1.5)}
    for year in (2024, 2025):
        c = open_cycle(year, fw, {g: [weak, avg, good]})
        for u, (x, y) in pts.items():
            # weak: 0+2.5+y+0 ; avg: 1.5+2.5+0.5+1.5 = 6 (Trung bình); good: 10
            s = {"yeu": 0, "tb": 1.5, "tot": 4}[u.code]
            set_points(c, u, {"1.1": x, "1.2.1": 2.5 if u != weak else 0, "1.2.2": y, "2.1": s})
        approve_all(c)
        results_recompute(cycle=c)
    c.refresh_from_db()
    rows = {r.unit.code: r for r in accountability_report(admin, c)}
    assert set(rows) == {"yeu", "tb"}
    assert rows["tb"].heads == [head] and rows["tb"].rating == "Trung bình"
    assert any("2 năm liên tục (2024, 2025)" in r for r in rows["tb"].reasons)
    assert any("Năm 2025 xếp loại Yếu" in r for r in rows["yeu"].reasons)
    assert any("không được xếp loại hoàn thành tốt" in r for r in rows["tb"].reasons)


def test_appraised_points_changed_through_the_service_queue_one_recompute(
    five, admin, django_capture_on_commit_callbacks
):
    """The hook in the assessments services: changing points asks for a recompute once
    the change commits, and two changes leave a single pending task."""
    from django_tasks_db.models import DBTaskResult

    from parindex.assessments.services import appraisal_set

    cycle, units = five
    appraiser = admin  # the Sở Nội vụ admin may appraise any unit
    Assessment.objects.filter(cycle=cycle).update(status="round1")
    score = LeafScore.objects.get(
        assessment__cycle=cycle, assessment__unit=units[0], criterion__code="1.1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        appraisal_set(
            score=score,
            round=1,
            points="1",
            reason="Thiếu kế hoạch",
            expected_version=1,
            actor=appraiser,
        )
    score.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        appraisal_set(
            score=score,
            round=1,
            points="0",
            reason="Không ban hành",
            expected_version=score.version,
            actor=appraiser,
        )
    assert RecomputeRequest.objects.get(cycle=cycle).pending is True
    assert DBTaskResult.objects.count() == 1


def test_reading_the_rating_config_writes_nothing_and_the_first_change_creates_it(five, admin):
    cycle, _ = five
    results_recompute(cycle=cycle, actor=admin)
    config = rating_config_for(cycle)
    assert config.pk is None and config.classes[0]["name"] == "Xuất sắc"
    assert not RatingConfig.objects.filter(cycle=cycle).exists()
    rating_config_set(cycle=cycle, classes=CLASSES, conditions=[], actor=admin)
    stored = RatingConfig.objects.get(cycle=cycle)
    event = AuditEvent.objects.get(action="results.rating_config", object_id=str(stored.pk))
    assert [c["name"] for c in event.before["classes"]] == [c["name"] for c in config.classes]
