"""The oversight API: the admin plans, records and finds; the unit resolves and
registers; the refusals carry the Vietnamese message (the session login of the pages is
accepted by the API, so ``force_login`` stands for a signed-in client)."""

from __future__ import annotations

import json

import pytest

from parindex.oversight.models import Finding

pytestmark = pytest.mark.django_db


def _json(client, method, url, body):
    r = client.generic(method, url, json.dumps(body), "application/json")
    return r.status_code, r.json()


def test_the_inspection_flow_through_the_api(client, world):
    c = world.cycle.pk
    client.force_login(world.admin)
    code, plan = _json(
        client, "PUT", f"/api/cycles/{c}/inspection-plan", {"title": "Kế hoạch 2025"}
    )
    assert code == 200 and plan["short"] == 1 and "Kế hoạch chưa đủ" in plan["warning"]
    p = plan["id"]
    code, body = _json(
        client, "POST", f"/api/inspection-plans/{p}/entries",
        {"unit": "khong-co", "planned_on": "2025-10-01", "team": "Đoàn 1"},
    )  # fmt: skip
    assert code == 400 and "Không có đơn vị mã “khong-co”" in body["detail"]
    code, entry = _json(
        client, "POST", f"/api/inspection-plans/{p}/entries",
        {"unit": world.tuphap.code, "planned_on": "2025-10-01", "team": "Đoàn 1"},
    )  # fmt: skip
    assert code == 201 and entry["unit"] == world.tuphap.code
    assert client.get(f"/api/cycles/{c}/inspection-plan").json()["warning"] == ""
    code, record = _json(
        client, "POST", f"/api/inspection-entries/{entry['id']}/records",
        {"inspected_on": "2025-10-02", "team": "Đoàn 1", "content": "Kiểm tra kế hoạch CCHC"},
    )  # fmt: skip
    assert code == 201
    code, finding = _json(
        client, "POST", f"/api/inspection-records/{record['id']}/findings",
        {"issue": "Chưa niêm yết TTHC", "recommendation": "Niêm yết đầy đủ"},
    )  # fmt: skip
    assert code == 201 and finding["status"] == "in_progress"

    client.force_login(world.staff)
    url = f"/api/findings/{finding['id']}/resolution"
    code, body = _json(client, "PUT", url, {"status": "unresolved"})
    assert code == 400 and body["errors"][0]["field"] == "reason"
    code, body = _json(client, "PUT", url, {"status": "unresolved", "reason": "Chờ in bảng"})
    assert code == 200 and body["reason"] == "Chờ in bảng"
    report = client.get(f"/api/inspection-plans/{p}/report").json()
    assert report["total"] | {"reasons": None} == {
        "unit": "", "unit_name": "Tổng cộng", "recommended": 1, "resolved": 0,
        "in_progress": 0, "unresolved": 1, "reasons": None,
    }  # fmt: skip
    client.force_login(world.other_staff)
    assert client.get(f"/api/inspection-plans/{p}/findings").json() == []
    assert _json(client, "PUT", url, {"status": "resolved"})[0] == 404
    client.force_login(world.leader)
    assert _json(client, "PUT", url, {"status": "resolved"})[0] == 403
    assert Finding.objects.get().status == "unresolved"

    # the admin corrects the record and the finding; the unit's resolution stays
    client.force_login(world.admin)
    code, body = _json(
        client, "PUT", f"/api/inspection-records/{record['id']}",
        {"inspected_on": "2025-10-03", "team": "Đoàn 2", "content": "Kiểm tra lại"},
    )  # fmt: skip
    assert code == 200 and (body["inspected_on"], body["team"]) == ("2025-10-03", "Đoàn 2")
    code, body = _json(
        client, "PUT", f"/api/findings/{finding['id']}",
        {"issue": "Chưa niêm yết 3 TTHC", "recommendation": "  ", "due_on": None},
    )  # fmt: skip
    assert code == 400 and body["errors"][0]["field"] == "recommendation"
    code, body = _json(
        client, "PUT", f"/api/findings/{finding['id']}",
        {"issue": "Chưa niêm yết 3 TTHC", "recommendation": "Niêm yết", "due_on": "2025-12-01"},
    )  # fmt: skip
    assert code == 200 and body["issue"] == "Chưa niêm yết 3 TTHC"
    assert (body["status"], body["reason"]) == ("unresolved", "Chờ in bảng")
    client.force_login(world.staff)
    change = {"issue": "x", "recommendation": "y"}
    assert _json(client, "PUT", f"/api/findings/{finding['id']}", change)[0] == 403


def test_a_unit_outside_the_cycle_is_refused_by_the_api(client, world):
    from parindex.testing import make_unit

    make_unit("so-ngoai-vu", "Sở Ngoại vụ", group=world.group)
    client.force_login(world.admin)
    _, plan = _json(
        client, "PUT", f"/api/cycles/{world.cycle.pk}/inspection-plan", {"title": "Kế hoạch"}
    )
    code, body = _json(
        client, "POST", f"/api/inspection-plans/{plan['id']}/entries",
        {"unit": "so-ngoai-vu", "planned_on": "2025-10-01", "team": "Đoàn 1"},
    )  # fmt: skip
    assert code == 400 and "không tham gia kỳ đánh giá" in body["detail"]


def test_initiatives_and_targets_through_the_api(client, world):
    client.force_login(world.staff)
    code, row = _json(
        client, "POST", "/api/initiatives",
        {"unit": world.tuphap.code, "year": 2025, "title": "Hẹn giờ trả kết quả qua Zalo",
         "level": "province", "decision": "QĐ 15/QĐ-UBND"},
    )  # fmt: skip
    assert code == 201 and row["level"] == "province"
    progress = client.get("/api/initiatives/progress?year=2025").json()
    assert progress["departments_missing"] == [] and progress["by_level"] == {"province": 1}
    client.force_login(world.admin)
    progress = client.get("/api/initiatives/progress?year=2025").json()
    assert progress["departments_missing"] == [world.yte.code] and progress["ministry_met"] is False
    code, target = _json(
        client, "POST", f"/api/cycles/{world.cycle.pk}/targets",
        {"kind": "budget", "name": "Thu ngân sách", "unit": world.tuphap.code,
         "lead_unit": world.yte.code, "measure": "tỷ đồng", "target": "1200", "actual": 1250},
    )  # fmt: skip
    assert code == 201 and float(target["actual"]) == 1250
    assert client.get(f"/api/cycles/{world.cycle.pk}/targets").json()[0]["name"] == "Thu ngân sách"
    code, body = _json(client, "POST", f"/api/cycles/{world.cycle.pk}/targets/feed", {})
    assert code == 200 and body == {"leaves": 0, "waiting": 0}
