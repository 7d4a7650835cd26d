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
