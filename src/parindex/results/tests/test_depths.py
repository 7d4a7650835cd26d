"""Frameworks of any depth in the running app (issue 8, part 5): a tree mixing a scored
leaf area, depths 2, 4 and 6 and a bonus leaf area goes through self-assessment,
appraisal, recompute, the results pages, every export and the API tree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models.functions import Coalesce
from django.test import Client
from django.urls import reverse

from parindex.api.services import token_create
from parindex.assessments.models import Assessment, LeafScore
from parindex.cycles.models import Cycle
from parindex.reports.services import export_build
from parindex.results.models import NodeResult, UnitResult
from parindex.results.services import results_recompute
from parindex.testing import World, leaf_score, mixed_depth_framework, put, workflow_world


@pytest.fixture
def deep(db: None) -> World:
    return workflow_world(framework=mixed_depth_framework(), appraiser_criteria=())


def _score_and_approve(w: World) -> None:
    put(w, "1", value="có", explanation="Đã thực hiện")
    put(w, "2.1", points="2.5", explanation="x")
    put(w, "2.2.1.1", not_applicable=True, explanation="không áp dụng")
    put(w, "2.2.1.2", points="3", explanation="x")
    put(w, "3.1.1.1.1.2", points="5", explanation="x")
    external = {"3.1.1.1.1.1": Decimal(3), "4": Decimal(1)}  # survey, bonus
    for code, points in external.items():
        LeafScore.objects.filter(assessment__cycle=w.cycle, criterion__code=code).update(
            final_points=points
        )
    LeafScore.objects.filter(assessment__cycle=w.cycle, not_applicable=False).exclude(
        criterion__code__in=external
    ).update(final_points=Coalesce("round2_points", "round1_points", "self_points"))
    Assessment.objects.filter(cycle=w.cycle).update(status="approved")
    Cycle.objects.filter(pk=w.cycle.pk).update(status="approved")


def test_recompute_scores_every_depth(deep: World) -> None:
    _score_and_approve(deep)
    rs = results_recompute(cycle=deep.cycle, actor=deep.admin)
    r = UnitResult.objects.get(result_set=rs, unit=deep.tuphap)
    # 1: 2/2; 2: 2.5 + 3 of an applicable 3 + 3 (2.2.1.1 N/A) = 5.5/6;
    # 3: 3 + 5 = 8/10; bonus 1 → total 16.5 of an applicable 18.
    assert r.points == Decimal("16.5") and r.max_points == Decimal("18")
    nodes = {n.code: (n.points, n.max_points) for n in NodeResult.objects.filter(unit_result=r)}
    assert nodes["1"] == (Decimal(2), Decimal(2))
    assert nodes["2"] == (Decimal("5.5"), Decimal(6))
    assert nodes["3"] == (Decimal(8), Decimal(10))


def test_pages_exports_and_api_render_every_depth(deep: World, client) -> None:
    # Self-assessment and appraisal pages while the assessment is open.
    client.force_login(deep.staff)
    assert client.get(reverse("assessment_detail", args=[deep.a.pk])).status_code == 200
    leaf = leaf_score(deep.a, "3.1.1.1.1.2")
    page = client.get(reverse("leaf", args=[deep.a.pk, leaf.pk]), HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    _score_and_approve(deep)
    results_recompute(cycle=deep.cycle, actor=deep.admin)
    client.force_login(deep.appraiser)
    assert client.get(reverse("appraisal_unit", args=[deep.a.pk])).status_code == 200
    client.force_login(deep.admin)
    urls = [
        reverse("assessment_detail", args=[deep.a.pk]),
        reverse("framework_detail", args=[deep.fw.code]),
        reverse("results_overview", args=[deep.cycle.pk]),
        reverse("results_unit", args=[deep.cycle.pk, deep.tuphap.code]),
        reverse("results_criterion", args=[deep.cycle.pk, "3.1.1.1.1.1"]),
        reverse("results_criterion", args=[deep.cycle.pk, "1"]),
        reverse("council_list", args=[deep.cycle.pk]),
    ]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        if "phieu" in url or "don-vi" in url or "bo-tieu-chi" in url:
            # the leaf area and the deepest leaf are both shown
            assert "Lĩnh vực là tiêu chí lá" in text, url
            assert "Tự chấm sâu" in text or "ket-qua" in url, url
    for kind in ("xlsx", "docx", "pdf", "csv", "json"):
        assert export_build(deep.cycle, kind, deep.admin), kind
    token = token_create(user=deep.admin, name="kiểm thử", actor=deep.admin)[1]
    tree = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"/api/assessments/{deep.a.pk}")
    assert tree.status_code == 200
    assert "3.1.1.1.1.2" in tree.content.decode()
