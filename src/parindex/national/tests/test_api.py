"""The REST API of the national results: the datasets, the import (every problem by
line, nothing saved), comparison, lost points, what-if both ways and the rank bands."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parindex.national.models import NationalDataset
from parindex.national.tests.helpers import national_world
from parindex.results.services import results_recompute
from parindex.testing import cp1258_bytes

pytestmark = pytest.mark.django_db
BASE = "/api/national/datasets"


@pytest.fixture
def years(world):
    return national_world()


def test_the_datasets_are_listed_for_the_readers_only(world, client, years):
    client.force_login(world.leader)
    got = client.get(BASE).json()
    assert {(d["year"], d["kind"]) for d in got} == {
        (2023, "par"), (2024, "par"), (2025, "par"), (2025, "sipas")
    }  # fmt: skip
    assert all(d["is_sample"] and d["home"] == "ca_mau" for d in got if d["kind"] == "par")
    client.force_login(world.staff)
    assert client.get(BASE).json() == []
    assert client.get(f"{BASE}/{years[2025].pk}/comparison").status_code == 404


def test_an_import_with_unknown_provinces_answers_every_problem(world, client, years):
    client.force_login(world.admin)
    data = cp1258_bytes("tinh;ma;diem\nTỉnh Hà Tây;;70\nTỉnh Cà Mau;99;1\n")
    r = client.post(
        BASE,
        {"year": 2026, "kind": "par", "framework": "mau-par-index-quoc-gia",
         "file": SimpleUploadedFile("kq.csv", data)},
    )  # fmt: skip
    assert r.status_code == 400
    lines = [e["field"] for e in r.json()["errors"]]
    assert lines == ["dòng 2", "dòng 3"]
    assert not NationalDataset.objects.filter(year=2026).exists()
    good = SimpleUploadedFile("kq.csv", "tinh,ma,diem\nCà Mau,,80\n".encode())
    r = client.post(
        BASE, {"year": 2026, "kind": "par", "framework": "mau-par-index-quoc-gia", "file": good}
    )
    assert r.status_code == 200 and r.json()["year"] == 2026


def test_comparison_lost_points_whatif_and_bands(world, client, years):
    client.force_login(world.council)
    ds = years[2025].pk
    c = client.get(f"{BASE}/{ds}/comparison").json()
    assert c["province"] == "ca_mau" and c["previous_year"] == 2024
    assert c["previous_label"].startswith("gồm: ")
    lost = client.get(f"{BASE}/{ds}/lost-points").json()
    assert lost[0]["lost"] >= lost[-1]["lost"]
    r = client.post(
        f"{BASE}/{ds}/whatif", json.dumps({"target_rank": 1}), content_type="application/json"
    )
    a = r.json()
    assert r.status_code == 200 and a["reached"] and a["to_rank"] == 1
    assert all({"code", "from", "to"} <= set(ch) for ch in a["changes"])
    r = client.post(
        f"{BASE}/{ds}/whatif", json.dumps({"targets": {"3.3": 99}}), content_type="application/json"
    )
    assert r.status_code == 400
    bands = client.get(f"{BASE}/{ds}/rank-bands", {"spread": 0}).json()
    assert len(bands) == 34 and all(b["p05"] == b["p95"] == b["rank"] for b in bands)


def test_a_unit_reads_its_own_internal_analyses_once_final(world, client):
    from parindex.results.models import ResultSet, ResultStatus

    rs = results_recompute(cycle=world.cycle, actor=None)
    client.force_login(world.staff)
    url = f"/api/cycles/{world.cycle.pk}/lost-points"
    assert client.get(url).status_code == 404  # provisional results
    ResultSet.objects.filter(pk=rs.pk).update(status=ResultStatus.FINAL)
    assert client.get(url).status_code == 200
    assert client.get(url, {"unit": world.yte.code}).status_code == 404
    r = client.post(
        f"/api/cycles/{world.cycle.pk}/whatif",
        json.dumps({"target_rank": 1}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["unit"] == world.tuphap.code
    assert client.get(f"/api/cycles/{world.cycle.pk}/rank-bands").status_code == 404
