"""Results through the API: the DESIGN §5 results format as JSON and CSV, and export jobs
with progress, scoped like the pages (outsiders get 404)."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from django.test import Client, override_settings

from parindex.api.services import token_create
from parindex.web.tests.results_case import build

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def case():
    return build(4)


def client_for(user) -> Client:
    _, key = token_create(user=user, name="test", actor=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_results_as_json_follow_the_results_format(case):
    response = client_for(case.leader).get(f"/api/cycles/{case.cycle.pk}/results")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 4
    first = rows[0]
    for column in ("unit", "group", "points", "max_points", "index", "rank", "rating"):
        assert column in first
    assert any(k.startswith("area_") and k.endswith("_index") for k in first)
    # Against the published 2024 results: a rank change, positive = moved up.
    assert "rank_change" in first and "index_change" in first
    # Ranks agree with the index: a higher index never has a worse rank.
    by_index = sorted(rows, key=lambda r: -r["index"])
    assert by_index[0]["rank"] == 1
    assert all(a["rank"] <= b["rank"] for a, b in itertools.pairwise(by_index))
    assert any(r["rank_change"] not in (None, 0) for r in rows)


def test_results_as_csv_have_the_same_rows(case):
    client = client_for(case.admin)
    as_json = client.get(f"/api/cycles/{case.cycle.pk}/results").json()
    response = client.get(f"/api/cycles/{case.cycle.pk}/results.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [r["unit"] for r in rows] == [r["unit"] for r in as_json]
    assert all("," not in r["index"] for r in rows)  # machine-readable: decimal dot


def test_anonymous_callers_get_401_and_unit_staff_of_another_cycle_404(case):
    assert Client().get(f"/api/cycles/{case.cycle.pk}/results").status_code == 401
    assert client_for(case.leader).get("/api/cycles/999999/results").status_code == 404


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_an_export_job_runs_in_the_background_and_its_file_downloads(
    case, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(case.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/cycles/{case.cycle.pk}/exports", {"kind": "csv"}, content_type="application/json"
        )
    assert response.status_code == 202, response.content
    detail = client.get(f"/api/exports/{response.json()['id']}").json()
    assert detail["status"] == "done" and detail["progress"] == 100
    download = client.get(detail["download"])
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert {r["unit"] for r in rows} == {u.code for u in case.units}
    # The job belongs to the province-wide roles: unit staff cannot see it.
    assert client_for(case.staff).get(f"/api/exports/{detail['id']}").status_code == 404


def test_exports_are_refused_to_unit_staff_and_unknown_kinds(case):
    staff = client_for(case.staff)
    url = f"/api/cycles/{case.cycle.pk}/exports"
    assert staff.post(url, {"kind": "xlsx"}, content_type="application/json").status_code == 404
    response = client_for(case.admin).post(url, {"kind": "exe"}, content_type="application/json")
    # the schema lists the kinds (an enum), so an unknown one is refused before the service
    assert response.status_code == 422
    assert "Phải là một trong" in response.json()["errors"][0]["message"]
    assert "xlsx" in response.json()["errors"][0]["message"]
