"""The oversight pages, the report export and the API lists do not grow their number of
queries with the data (tests/query_counts.json, keys ``oversight.*``)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from parindex.oversight.services import (
    TargetFields,
    finding_create,
    initiative_register,
    inspection_plan_save,
    inspection_record_create,
    planned_inspection_add,
    target_save,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [1, 6])
def test_the_pages_queries_do_not_grow_with_the_rows(client, world, n, query_counts):
    w = world
    plan = inspection_plan_save(cycle=w.cycle, title="Kế hoạch", actor=w.admin)
    entries = [
        planned_inspection_add(
            plan=plan, unit=u, planned_on=date(2025, 10, 1), team="Đoàn 1", actor=w.admin
        )
        for u in (w.tuphap, w.yte)
    ]
    for k in range(n):
        record = inspection_record_create(
            entry=entries[k % 2], inspected_on=date(2025, 10, 2), team="Đoàn 1", content="x",
            actor=w.admin,
        )  # fmt: skip
        finding_create(record_row=record, issue=f"Vấn đề {k}", recommendation="y", actor=w.admin)
        initiative_register(unit=w.tuphap, year=2025, title=f"Sáng kiến {k}", actor=w.admin)
        target_save(
            cycle=w.cycle,
            fields=TargetFields(
                kind="budget", name=f"Chỉ tiêu {k}", unit=w.tuphap, lead_unit=w.yte,
                measure="tỷ đồng", target="10", actual="9",
            ),
            actor=w.admin,
        )  # fmt: skip
    client.force_login(w.admin)
    c = w.cycle.pk
    for name, url in [
        ("inspections", reverse("oversight:inspections", args=[c])),
        ("entry", reverse("oversight:entry", args=[entries[0].pk])),
        ("report", reverse("oversight:report", args=[c])),
        ("report_xlsx", reverse("oversight:report_xlsx", args=[c])),
        ("initiatives", reverse("oversight:initiatives") + "?year=2025"),
        ("targets", reverse("oversight:targets", args=[c])),
        ("api_findings", f"/api/inspection-plans/{plan.pk}/findings"),
        ("api_targets", f"/api/cycles/{c}/targets"),
    ]:
        with query_counts(f"oversight.{name}"):
            assert client.get(url).status_code == 200
