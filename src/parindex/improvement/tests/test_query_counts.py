"""The list pages, the dashboard and the exports run a fixed number of queries whatever the
number of tasks and matrix rows (tests/query_counts.json)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from parindex.improvement.services import task_save
from parindex.improvement.tests.helpers import approved_plan, assign, criterion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [2, 6])
def test_pages_and_exports_do_not_grow_with_the_tasks(world, client, query_counts, n):
    for code in ("1.1", "1.2", "2", "2.1")[: 2 if n == 2 else 4]:
        assign(world, code, world.tuphap, partners=[world.yte])
    plan, _ = approved_plan(world)
    for k in range(n):
        task_save(
            plan=plan,
            title=f"Nhiệm vụ {k}",
            criterion=criterion(world, ("1.2", "2.1")[k % 2]),
            lead_unit=(world.tuphap, world.yte)[k % 2],
            partner_units=[world.yte, world.tuphap],
            deadline=timezone.localdate() + dt.timedelta(days=k - 3),
            actor=world.admin,
        )
    client.force_login(world.admin)
    pages = [
        ("web.improvement_matrix", reverse("improvement:matrix")),
        ("web.improvement_plan", reverse("improvement:plan", args=[plan.pk])),
        ("web.improvement_dashboard", reverse("improvement:dashboard", args=[plan.pk])),
        ("web.improvement_my_criteria", reverse("improvement:my_criteria")),
        ("export.improvement_docx", reverse("improvement:plan_docx", args=[plan.pk])),
        ("export.improvement_xlsx", reverse("improvement:plan_xlsx", args=[plan.pk])),
        ("api.improvement_tasks", f"/api/improvement/plans/{plan.pk}/tasks"),
    ]
    for name, url in pages:
        with query_counts(name):
            assert client.get(url).status_code == 200
