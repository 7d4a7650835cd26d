from __future__ import annotations

import pytest
from django.utils import timezone

from parindex.formats.frameworks import load_framework_file, shipped_frameworks
from parindex.frameworks.services import framework_import
from parindex.improvement.demo import EVERYONE, seed_improvement
from parindex.improvement.models import ImprovementPlan, PlanStatus, ResponsibilityRow
from parindex.improvement.selectors import dashboard
from parindex.testing import make_unit, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_has_this_years_matrix_and_an_approved_plan_with_overdue_tasks():
    framework_import(framework=load_framework_file(shipped_frameworks()["par-province-2024"]),
                     actor=None)  # fmt: skip
    for code in (*EVERYONE, "tt-phvhcc"):
        make_unit(code, f"Đơn vị {code}")
    admin = make_user("snv.admin", "admin")
    assert seed_improvement(admin=admin) == {"rows": 16, "tasks": 10}
    year = timezone.localdate().year
    assert ResponsibilityRow.objects.filter(year=year).count() == 16
    assert ResponsibilityRow.objects.filter(year=year - 1).count() == 16
    plan = ImprovementPlan.objects.get(year=year)
    assert plan.status == PlanStatus.APPROVED
    board = dashboard(admin, plan)
    assert board.overall.done >= 1 and board.overall.doing >= 3 and board.overall.overdue == 3
    assert seed_improvement(admin=admin) == {"rows": 0, "tasks": 0}  # a second run: nothing


def test_the_demo_drafts_next_years_plan_from_the_national_results():
    from parindex.improvement.demo import AREA_LEADS, seed_next_year_draft
    from parindex.improvement.models import PlanTask
    from parindex.national.tests.helpers import national_world

    national_world()
    for code in set(AREA_LEADS.values()):
        make_unit(code, f"Đơn vị {code}")
    admin = make_user("snv.admin", "admin")
    year = timezone.localdate().year + 1
    tasks = seed_next_year_draft(admin=admin, year=year)
    plan = ImprovementPlan.objects.get(year=year)
    assert plan.status == PlanStatus.DRAFT and plan.framework.code == "mau-par-index-quoc-gia"
    assert tasks > 0 and PlanTask.objects.filter(plan=plan).count() == tasks
    assert all(t.lead_unit.code == AREA_LEADS[t.criterion.code.split(".")[0]]
               for t in PlanTask.objects.filter(plan=plan))  # fmt: skip
    assert seed_next_year_draft(admin=admin, year=year) == 0  # idempotent
