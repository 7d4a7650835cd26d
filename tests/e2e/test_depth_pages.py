"""A framework of mixed depths in the browser (issue 8, part 5): the unit staff scores a
leaf area and a leaf six levels down on the self-assessment page and sees every total
above them update; the admin sees the results of the leaf area and the deep branch."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.test_cycle import Person, leaf

from parindex.assessments.models import Assessment, LeafScore
from parindex.cycles.models import Cycle
from parindex.results.services import results_recompute
from parindex.testing import mixed_depth_framework, workflow_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deep(db: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return workflow_world(framework=mixed_depth_framework(), appraiser_criteria=())


def test_staff_scores_a_leaf_area_and_a_depth_six_leaf(browser, live_server, deep) -> None:
    staff = Person(browser, live_server.url, "canbo")
    s = staff.page
    staff.go("/phieu-cua-don-vi/")
    expect(s.get_by_role("heading", name="Phiếu tự chấm: Sở Tư pháp")).to_be_visible()
    expect(s.locator("#tot-all")).to_contain_text("/ 20")

    # The area "1" is itself a yes/no leaf.
    area = leaf(s, "1")
    area.get_by_label("Đã thực hiện").check()
    area.get_by_label("Giải trình").fill("Đã ban hành kế hoạch.")
    area.get_by_role("button", name="Lưu").click()
    expect(leaf(s, "1").locator("output.leaf-points")).to_have_text("→ 2 điểm")
    expect(s.locator("#tot-all")).to_contain_text("2 / 20")

    # A leaf six levels down: every total on its branch follows.
    deep_leaf = leaf(s, "3.1.1.1.1.2")
    deep_leaf.get_by_label("Điểm tự chấm").fill("4,5")
    deep_leaf.get_by_label("Giải trình").fill("Số liệu năm 2025.")
    deep_leaf.get_by_role("button", name="Lưu").click()
    expect(leaf(s, "3.1.1.1.1.2").locator("output.leaf-points")).to_have_text("→ 4,5 điểm")
    expect(s.locator("#tot-3-1-1-1-1")).to_contain_text("4,5 / 10")
    expect(s.locator("#tot-3")).to_contain_text("4,5 / 10")
    expect(s.locator("#tot-all")).to_contain_text("6,5 / 20")
    assert staff.failed_posts == []
    staff.close()

    # The admin's results: the leaf area and the deep branch each have their row.
    LeafScore.objects.filter(assessment__cycle=deep.cycle).update(final_points=None)
    for code, points in (("1", 2), ("3.1.1.1.1.2", 4.5), ("3.1.1.1.1.1", 3)):
        LeafScore.objects.filter(assessment=deep.a, criterion__code=code).update(
            final_points=points
        )
    Assessment.objects.filter(cycle=deep.cycle).update(status="approved")
    Cycle.objects.filter(pk=deep.cycle.pk).update(status="approved")
    results_recompute(cycle=deep.cycle, actor=deep.admin)
    admin = Person(browser, live_server.url, "quantri")
    admin.go(f"/ket-qua/{deep.cycle.pk}/don-vi/{deep.tuphap.code}/")
    p = admin.page
    # (the charts' data tables, closed behind their toggles, hold the same names)
    expect(p.get_by_text("Lĩnh vực là tiêu chí lá").filter(visible=True).first).to_be_visible()
    expect(p.get_by_text("Nhánh 3").filter(visible=True).first).to_be_visible()
    # The custom ECharts build, loaded async, draws the radar chart.
    expect(p.locator("[data-chart=chart-radar] canvas")).to_have_count(1)
    admin.close()
