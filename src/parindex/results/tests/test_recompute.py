from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.db.models import F

from parindex.assessments.models import Assessment
from parindex.audit.models import AuditEvent
from parindex.engine.framework import Node as EngineNode
from parindex.engine.framework import Rule as EngineRule
from parindex.frameworks.models import Criterion, Framework
from parindex.frameworks.services import framework_import
from parindex.results.models import NodeResult, ResultSet, UnitResult
from parindex.results.services import metric_set, rating_config_set, results_recompute
from parindex.results.tests.conftest import approve_all, open_cycle, set_points
from parindex.testing import make_unit, tiny_framework
from parindex.web.tree import build_tree

pytestmark = pytest.mark.django_db

CLASSES = [
    {"name": "Xuất sắc", "min": 90},
    {"name": "Tốt", "min": 80},
    {"name": "Khá", "min": 70},
    {"name": "Trung bình", "min": 50},
    {"name": "Yếu", "min": 0},
]
LATE = {
    "metric": "late_dossier_rate",
    "op": ">=",
    "value": 5,
    "cap": "Khá",
    "reason": "≥ 5% hồ sơ trễ hạn",
}


def by_code(rs):
    return {r.unit.code: r for r in rs.units.select_related("unit")}


def test_recompute_matches_the_hand_checked_example(five, admin):
    cycle, (_a, b, *_rest) = five
    rating_config_set(cycle=cycle, classes=CLASSES, conditions=[LATE], actor=admin)
    metric_set(cycle=cycle, unit=b, metric="late_dossier_rate", value="6", actor=admin)
    rs = results_recompute(cycle=cycle, actor=admin)
    assert rs.status == "provisional"
    r = by_code(rs)
    # A: 2 + 2.5 + 1.5 + 4 = 10 / 10
    assert (r["so-a"].points, r["so-a"].index, r["so-a"].rank) == (10, 100, 1)
    assert r["so-a"].rating == "Xuất sắc"
    # B: round 1 lowered 1.2.2 to 0.5 → 8 / 10 = 80 → Tốt, capped at Khá by late dossiers
    assert (r["so-b"].points, r["so-b"].index, r["so-b"].rank) == (8, 80, 2)
    assert (r["so-b"].base_rating, r["so-b"].rating) == ("Tốt", "Khá")
    assert r["so-b"].applied_conditions == [
        {"metric": "late_dossier_rate", "value": "6", "cap": "Khá", "reason": "≥ 5% hồ sơ trễ hạn"}
    ]
    # self 9, appraised 8: gap +1 point, self index 90
    assert (r["so-b"].self_points, r["so-b"].gap, r["so-b"].self_index) == (9, 1, 90)
    # C: 1.1 N/A → 6 / 8 = 75; D: 7.5 / 10 = 75 → tie, both 3rd
    assert (r["so-c"].points, r["so-c"].max_points, r["so-c"].index) == (6, 8, 75)
    assert (r["so-d"].index, r["so-c"].rank, r["so-d"].rank) == (75, 3, 3)
    assert r["so-c"].rating == r["so-d"].rating == "Khá"
    # E: only 1.1 = 0.5 self-scored; the rest missing (0, listed)
    assert (r["so-e"].index, r["so-e"].rank, r["so-e"].rating) == (5, 5, "Yếu")
    assert r["so-e"].missing_leaves == ["1.2.1", "1.2.2", "2.1"]
    assert r["so-e"].missing_metrics == ["late_dossier_rate"]
    # Areas and criteria of C: area 1 = 4 of an applicable 4 (1.1 N/A), 1.2 = 4 / 4
    nodes = {n.code: n for n in NodeResult.objects.filter(unit_result=r["so-c"])}
    assert set(nodes) == {"1", "1.2", "2"}
    assert (nodes["1"].points, nodes["1"].max_points, nodes["1"].index) == (4, 4, 100)
    assert (nodes["2"].points, nodes["2"].index, nodes["2"].depth) == (2, 50, 1)
    assert nodes["1"].rank == 1 and nodes["1.2"].rank is None
    assert AuditEvent.objects.filter(action="results.recompute").count() == 1


def test_recompute_replaces_the_result_set_and_is_final_once_all_approved(five, admin):
    cycle, _units = five
    first = results_recompute(cycle=cycle, actor=admin)
    assert first.status == "provisional"
    approve_all(cycle)
    second = results_recompute(cycle=cycle, actor=admin)
    assert second.status == "final"
    assert ResultSet.objects.filter(cycle=cycle).count() == 1
    assert UnitResult.objects.count() == 5
    assert NodeResult.objects.count() == 5 * 3
    assert by_code(second)["so-b"].index == Decimal(80)


def test_recompute_with_unchanged_input_keeps_the_result_set(five, admin):
    cycle, _units = five
    first = results_recompute(cycle=cycle, actor=admin)
    assert results_recompute(cycle=cycle, actor=admin).pk == first.pk


def test_a_new_framework_revision_is_seen_by_the_next_recompute_and_page(five, admin):
    """The compiled framework is cached per (framework, revision): a corrected tree that
    bumps the revision is what the next recompute and the next page use, in this process."""
    cycle, (a, *_rest) = five
    rs = results_recompute(cycle=cycle, actor=admin)
    assert NodeResult.objects.filter(unit_result__result_set=rs, code="2").exists()
    before = build_tree(Assessment.objects.select_related("framework").get(cycle=cycle, unit=a))
    assert before.compiled is not None and "2" in before.compiled.area_codes

    fw = Framework.objects.get(assessments__cycle=cycle, assessments__unit=a)
    Criterion.objects.filter(framework=fw, code="2").update(code="B")
    Framework.objects.filter(pk=fw.pk).update(revision=F("revision") + 1)

    rs = results_recompute(cycle=cycle, actor=admin)
    codes = set(
        NodeResult.objects.filter(unit_result__result_set=rs).values_list("code", flat=True)
    )
    assert "B" in codes and "2" not in codes
    after = build_tree(Assessment.objects.select_related("framework").get(cycle=cycle, unit=a))
    assert after.compiled is not None and after.compiled.area_codes == ("1", "B")


def test_a_metric_fed_leaf_counts_in_the_node_rows_as_in_the_total(db, admin, group):
    """A leaf converted from the unit's metric (SIPAS) when it has no points of its own
    counts in its area's stored row and area rank, as it does in the unit's total: the
    areas add up to the total on the results pages."""
    fw = tiny_framework()
    area2 = dataclasses.replace(
        fw.nodes[1],
        children=(
            EngineNode(
                code="2.1",
                name="SIPAS",
                max_points=Decimal("4"),
                source="sipas",
                rule=EngineRule(type="metric", params={"metric": "satisfaction_index"}),
            ),
        ),
    )
    framework = framework_import(
        framework=dataclasses.replace(fw, nodes=(fw.nodes[0], area2)), actor=None
    )
    a, b = make_unit("so-a", group=group), make_unit("so-b", group=group)
    cycle = open_cycle(2025, framework, {group: [a, b]})
    for unit in (a, b):
        set_points(cycle, unit, {"1.1": 2, "1.2.1": 2.5, "1.2.2": 1.5})
    metric_set(cycle=cycle, unit=a, metric="satisfaction_index", value="75", actor=admin)
    metric_set(cycle=cycle, unit=b, metric="satisfaction_index", value="50", actor=admin)
    rs = results_recompute(cycle=cycle, actor=admin)
    r = by_code(rs)
    assert (r["so-a"].points, r["so-b"].points) == (9, 8)  # 6 + 4 × 75 %, 6 + 4 × 50 %
    for unit, sipas in (("so-a", 3), ("so-b", 2)):
        nodes = {n.code: n for n in NodeResult.objects.filter(unit_result=r[unit])}
        assert (nodes["2"].points, nodes["2"].max_points, nodes["2"].index) == (
            sipas,
            4,
            25 * sipas,
        )
        assert nodes["1"].points + nodes["2"].points == r[unit].points
    area_ranks = {
        n.unit_result.unit.code: n.rank
        for n in NodeResult.objects.filter(unit_result__result_set=rs, code="2")
    }
    assert area_ranks == {"so-a": 1, "so-b": 2}
