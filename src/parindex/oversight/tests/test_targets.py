"""The target register feeds the statistic leaves through
``assessments.services.external.external_points_set``: the points follow the formula,
the note names the register row, and the change is audited."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parindex.assessments.models import AssessmentStatus, LeafScore
from parindex.audit.models import AuditEvent
from parindex.engine.framework import Node
from parindex.oversight.services import TargetFields, target_save, targets_feed
from parindex.testing import leaf_score, tiny_framework, workflow_world

pytestmark = pytest.mark.django_db


def statistic_framework():
    """The tiny framework with leaf 1.2.2 (max 1.5) taken from statistics."""
    fw = tiny_framework("thong-ke-2025")

    def swap(node: Node) -> Node:
        if node.code == "1.2.2":
            return dataclasses.replace(node, source="statistic")
        return dataclasses.replace(node, children=tuple(swap(c) for c in node.children))

    return dataclasses.replace(fw, nodes=tuple(swap(n) for n in fw.nodes))


@pytest.fixture
def sworld(db):
    return workflow_world(framework=statistic_framework(), appraiser_criteria=("1.1",))


def _fields(w, **kw):
    values = {
        "kind": "disbursement", "name": "Tỷ lệ giải ngân vốn đầu tư công", "unit": w.tuphap,
        "lead_unit": w.yte, "measure": "%", "target": "95", "actual": "90",
        "criterion_code": "1.2.2",
    } | kw  # fmt: skip
    return TargetFields(**values)


def test_the_register_feeds_the_statistic_leaf_through_the_service(sworld, client):
    w = sworld
    row = target_save(cycle=w.cycle, fields=_fields(w), actor=w.admin)
    assert targets_feed(cycle=w.cycle, actor=w.admin) == {"leaves": 1, "waiting": 0}
    score = leaf_score(w.a, "1.2.2")
    assert score.final_points == Decimal("1.421")  # 1.5 × 90/95 = 1.42105… → 1.421
    assert score.final_source == "external"
    assert f"dòng #{row.pk} “Tỷ lệ giải ngân vốn đầu tư công”" in score.external_note
    assert "thực hiện 90/95 %" in score.external_note
    event = AuditEvent.objects.filter(action="score.external", actor=w.admin).latest("pk")
    assert event.object_id == str(score.pk) and event.after["final_points"] == "1.421"
    assert AuditEvent.objects.filter(action="target.feed").exists()
    # Reaching 95 % gives the full points; the page shows the row.
    target_save(cycle=w.cycle, fields=_fields(w, actual="96,2"), row=row, actor=w.admin)
    client.force_login(w.admin)
    client.post(reverse("oversight:targets_feed", args=[w.cycle.pk]))
    assert leaf_score(w.a, "1.2.2").final_points == Decimal("1.500")
    page = client.get(reverse("oversight:targets", args=[w.cycle.pk])).content.decode()
    assert "Tỷ lệ giải ngân vốn đầu tư công" in page and "1.2.2" in page


def test_rows_without_an_actual_wait_and_several_rows_average(sworld):
    w = sworld
    target_save(cycle=w.cycle, fields=_fields(w, actual=""), actor=w.admin)
    assert targets_feed(cycle=w.cycle, actor=w.admin) == {"leaves": 0, "waiting": 1}
    assert leaf_score(w.a, "1.2.2").final_points is None
    for n, (target, actual) in enumerate((("3", "4"), ("2", "1"))):
        target_save(
            cycle=w.cycle,
            fields=_fields(
                w, kind="autonomy", name=f"Nhóm tự chủ {n}", target=target, actual=actual
            ),
            actor=w.admin,
        )
    targets_feed(cycle=w.cycle, actor=w.admin)
    assert leaf_score(w.a, "1.2.2").final_points == Decimal("1.125")  # 1.5 × (1 + 0.5) / 2


def test_only_a_statistic_leaf_of_a_unit_in_the_cycle_is_accepted(sworld):
    w = sworld
    with pytest.raises(ValidationError, match="không lấy điểm từ số liệu thống kê"):
        target_save(cycle=w.cycle, fields=_fields(w, criterion_code="1.1"), actor=w.admin)
    with pytest.raises(ValidationError, match=r"không có tiêu chí lá “9\.9”"):
        target_save(cycle=w.cycle, fields=_fields(w, criterion_code="9.9"), actor=w.admin)
    with pytest.raises(ValidationError, match="phải là một số"):
        target_save(cycle=w.cycle, fields=_fields(w, target="nhiều"), actor=w.admin)
    # A province-wide figure without a leaf is kept in the register all the same.
    row = target_save(
        cycle=w.cycle,
        fields=_fields(
            w, kind="budget", name="Thu ngân sách", criterion_code="", measure="tỷ đồng"
        ),
        actor=w.admin,
    )
    assert row.criterion is None


def test_an_approved_assessment_stops_the_feed_before_anything_is_written(sworld):
    w = sworld
    target_save(cycle=w.cycle, fields=_fields(w), actor=w.admin)
    target_save(cycle=w.cycle, fields=_fields(w, unit=w.yte), actor=w.admin)
    type(w.b).objects.filter(pk=w.b.pk).update(status=AssessmentStatus.APPROVED)
    with pytest.raises(ValidationError, match="Sở Y tế đã được phê duyệt"):
        targets_feed(cycle=w.cycle, actor=w.admin)
    assert not LeafScore.objects.filter(final_points__isnull=False).exists()


def test_a_rule_row_is_scored_by_the_leafs_own_rule(db):
    """The demo's disbursement leaf 6.1.2 has bands (80–95 %: 1 of 2, ≥ 95 %: 2)."""
    from parindex.engine.framework import Rule

    bands = Rule(
        type="bands",
        params={
            "bands": [
                {"min": Decimal("0"), "max": Decimal("80"), "min_inclusive": True,
                 "max_inclusive": False, "points": Decimal("0")},
                {"min": Decimal("80"), "max": Decimal("95"), "min_inclusive": True,
                 "max_inclusive": False, "points": Decimal("0.5")},
                {"min": Decimal("95"), "max": Decimal("100"), "min_inclusive": True,
                 "max_inclusive": True, "points": Decimal("1.5")},
            ]
        },
    )  # fmt: skip
    fw = statistic_framework()

    def with_rule(node: Node) -> Node:
        if node.code == "1.2.2":
            return dataclasses.replace(node, rule=bands)
        return dataclasses.replace(node, children=tuple(with_rule(c) for c in node.children))

    fw = dataclasses.replace(fw, nodes=tuple(with_rule(n) for n in fw.nodes))
    w = workflow_world(framework=fw, appraiser_criteria=("1.1",))
    target_save(cycle=w.cycle, fields=_fields(w, formula="rule"), actor=w.admin)
    targets_feed(cycle=w.cycle, actor=w.admin)
    assert leaf_score(w.a, "1.2.2").final_points == Decimal("0.500")
