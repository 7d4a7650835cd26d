from __future__ import annotations

import json

import pytest
from django.utils import timezone

from parindex.improvement.models import PlanTask
from parindex.improvement.tests.helpers import approved_plan, assign

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _post(client, url, body, method="post"):  # type: ignore[no-untyped-def]
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_the_matrix_through_the_api_is_scoped_and_the_lead_reports(world, client):
    row = assign(world, "1.1", world.tuphap)
    assign(world, "2", world.yte)
    client.force_login(world.staff)
    got = client.get("/api/improvement/matrix").json()
    assert [r["criterion"] for r in got] == ["1.1"]
    assert got[0]["lead_unit"] == "so-tu-phap"
    answer = _post(client, f"/api/improvement/matrix/{row.pk}/progress", {"status": "done"})
    assert answer.status_code == 200 and answer.json()["status"] == "done"
    bad = _post(client, f"/api/improvement/matrix/{row.pk}/progress", {"status": "xong"})
    assert bad.status_code == 400 and "không hợp lệ" in bad.json()["detail"]
    client.force_login(world.leader)
    assert len(client.get(f"/api/improvement/matrix?year={YEAR}").json()) == 2
    denied = _post(client, f"/api/improvement/matrix/{row.pk}/progress", {"status": "todo"})
    assert denied.status_code == 403


def test_plans_targets_and_tasks_through_the_api(world, client):
    client.force_login(world.admin)
    made = _post(client, "/api/improvement/plans", {"year": YEAR, "framework": world.fw.code})
    assert made.status_code == 201 and made.json()["status"] == "draft"
    pk = made.json()["id"]
    over = _post(
        client, f"/api/improvement/plans/{pk}/targets", {"criterion": "1.1", "target_points": 3},
        method="put",
    )  # fmt: skip
    assert over.status_code == 400
    assert over.json()["detail"] == "Điểm mục tiêu của tiêu chí 1.1 3 vượt điểm tối đa 2."
    missing = _post(client, f"/api/improvement/plans/{pk}/tasks", {"title": "Rà soát"})
    assert missing.status_code == 400
    fields = {e["field"] for e in missing.json()["errors"]}
    assert {"lead_unit", "deadline"} <= fields
    assert not PlanTask.objects.exists()
    task = _post(
        client,
        f"/api/improvement/plans/{pk}/tasks",
        {"title": "Rà soát", "lead_unit": "so-tu-phap", "deadline": f"{YEAR}-10-31",
         "criterion": "1.2", "partner_units": ["so-y-te"]},
    )  # fmt: skip
    assert task.status_code == 201 and task.json()["partner_units"] == ["so-y-te"]
    assert _post(client, f"/api/improvement/plans/{pk}/approve", {}).json()["status"] == "approved"
    assert _post(client, f"/api/improvement/plans/{pk}/approve", {}).status_code == 409
    docx = client.get(f"/api/improvement/plans/{pk}/export.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert client.get(f"/api/improvement/plans/{pk}/export.pdf").status_code == 400


def test_a_task_is_reported_by_its_lead_and_hidden_from_another_unit(world, client):
    _, task = approved_plan(world)
    client.force_login(world.head)
    answer = _post(
        client, f"/api/improvement/tasks/{task.pk}/progress", {"status": "doing", "progress": 50}
    )
    assert answer.json()["progress"] == 50
    client.force_login(world.colleague)
    assert client.get(f"/api/improvement/tasks/{task.pk}").status_code == 404
    assert client.get("/api/improvement/plans").json() == []


def test_the_admin_drafts_from_a_units_lost_points_and_edits_a_task(world, client):
    from parindex.results.services import results_recompute
    from parindex.testing import fill

    fill(world)
    results_recompute(cycle=world.cycle, actor=None)
    assign(world, "2", world.yte)
    client.force_login(world.admin)
    pk = _post(client, "/api/improvement/plans", {"year": YEAR, "framework": world.fw.code}).json()[
        "id"
    ]
    draft = _post(
        client,
        f"/api/improvement/plans/{pk}/draft",
        {"cycle_id": world.cycle.pk, "unit": "so-tu-phap"},
    ).json()
    assert draft["tasks"] == 1 and draft["without_lead"] == []
    task = PlanTask.objects.get()
    assert (task.criterion.code, task.lead_unit) == ("2.1", world.yte)
    edited = _post(
        client,
        f"/api/improvement/tasks/{task.pk}",
        {"title": "Khảo sát lại", "lead_unit": "so-y-te", "deadline": f"{YEAR}-09-30"},
        method="put",
    )
    assert edited.json()["title"] == "Khảo sát lại"
    missing = _post(client, f"/api/improvement/tasks/{task.pk}", {"title": "X"}, method="put")
    assert missing.status_code == 400
    task.refresh_from_db()
    assert task.title == "Khảo sát lại"
