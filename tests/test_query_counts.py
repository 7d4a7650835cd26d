"""The query-count baseline (tests/query_counts.json): the list pages, dashboards, exports
and API lists of one cycle, each asked once to warm the caches and then counted. A count
above or below the baseline fails; ``pytest --refresh-query-counts`` rewrites the file.

The results pages of the results case and the self-assessment page with 100 leaves are
pinned beside their own tests (``web.results.*``, ``web.public.*``,
``web.assessment_detail.100_leaves``, ``api.*``); this file holds the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from parindex.reports.services import export_build
from parindex.testing import QueryCounts, World, fill
from parindex.web.tests.results_case import build

pytestmark = pytest.mark.django_db

#: Pages of the open cycle: scenario → (persona, URL of the world).
PAGES: dict[str, tuple[str, Callable[[World], str]]] = {
    "web.home.staff": ("staff", lambda w: reverse("home")),
    "web.home.admin": ("admin", lambda w: reverse("home")),
    "web.self_assessment": ("staff", lambda w: reverse("assessment_detail", args=[w.a.pk])),
    "web.appraisal_home": ("appraiser", lambda w: reverse("appraisal_home", args=[w.cycle.pk])),
    "web.appraisal_unit": ("appraiser", lambda w: reverse("appraisal_unit", args=[w.a.pk])),
    "web.council_list": ("council", lambda w: reverse("council_list", args=[w.cycle.pk])),
    "web.cycle_list": ("admin", lambda w: reverse("cycle_list")),
    "web.cycle_detail": ("admin", lambda w: reverse("cycle_detail", args=[w.cycle.pk])),
    "web.cycle_progress": ("admin", lambda w: reverse("cycle_progress", args=[w.cycle.pk])),
    "web.cycle_stage": ("admin", lambda w: reverse("cycle_stage", args=[w.cycle.pk])),
    "web.cycle_assignments": (
        "admin",
        lambda w: reverse("cycle_assignments", args=[w.cycle.pk]),
    ),
    "web.unit_list": ("admin", lambda w: reverse("unit_list")),
    "web.framework_list": ("admin", lambda w: reverse("framework_list")),
    "web.notification_list": ("staff", lambda w: reverse("notification_list")),
    "web.assessment_audit": ("admin", lambda w: reverse("assessment_audit", args=[w.a.pk])),
    "web.cycle_external": ("admin", lambda w: reverse("cycle_external", args=[w.cycle.pk])),
    "export.external_template": (
        "admin",
        lambda w: reverse("cycle_external_template", args=[w.cycle.pk]),
    ),
    "export.metrics_template": (
        "admin",
        lambda w: reverse("results_metrics_template", args=[w.cycle.pk]),
    ),
    "web.unit_import": ("admin", lambda w: reverse("unit_import")),
    "export.units_template": ("admin", lambda w: reverse("unit_template")),
    "api.cycle_progress": ("admin", lambda w: f"/api/cycles/{w.cycle.pk}/progress"),
    "api.cycle_units": ("leader", lambda w: f"/api/cycles/{w.cycle.pk}/units"),
    "api.notifications": ("staff", lambda w: "/api/notifications"),
    "api.library": ("staff", lambda w: f"/api/units/{w.tuphap.code}/documents"),
    "web.dossiers_metrics": ("admin", lambda w: reverse("dossiers:metrics") + "?period=2025"),
    "web.dossiers_list": ("staff", lambda w: reverse("dossiers:list") + "?period=2025"),
    "web.dossiers_officials": ("head", lambda w: reverse("dossiers:officials") + "?year=2025"),
    "web.dossiers_imports": ("admin", lambda w: reverse("dossiers:imports")),
    "api.dossiers": ("staff", lambda w: "/api/dossiers"),
    "web.dossiers_mappings": ("admin", lambda w: reverse("dossiers:mappings")),
}


def count(query_counts: QueryCounts, name: str, client: Client, url: str) -> None:
    assert client.get(url).status_code == 200, f"{name}: {url}"  # warm caches and sessions
    with query_counts(name):
        response = client.get(url)
    assert response.status_code == 200, name


@pytest.mark.parametrize("name", PAGES)
def test_each_page_of_the_open_cycle_keeps_its_query_count(world, client, query_counts, name):
    fill(world)  # a scored assessment: the tree, totals and audit trail have rows
    persona, url = PAGES[name]
    client.force_login(getattr(world, persona))
    count(query_counts, name, client, url(world))


#: Pages and API reads of a computed results case (five units, last year published).
RESULTS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "web.results_home": ("admin", lambda c: reverse("results_home")),
    "web.reports.exports": ("admin", lambda c: reverse("reports:exports", args=[c.cycle.pk])),
    "web.reports.jobs": ("admin", lambda c: reverse("reports:jobs", args=[c.cycle.pk])),
    "api.results": ("leader", lambda c: f"/api/cycles/{c.cycle.pk}/results"),
    "api.results_csv": ("leader", lambda c: f"/api/cycles/{c.cycle.pk}/results.csv"),
}


@pytest.mark.parametrize("name", RESULTS)
def test_each_results_page_keeps_its_query_count(client, query_counts, name):
    case = build(5)
    persona, url = RESULTS[name]
    client.force_login(getattr(case, persona))
    count(query_counts, name, client, url(case))


@pytest.mark.parametrize("kind", ["csv", "json", "xlsx"])
def test_each_export_builder_keeps_its_query_count(query_counts, kind):
    case = build(5)
    export_build(case.cycle, kind, case.admin)  # warm the compiled framework
    with query_counts(f"export.{kind}"):
        assert export_build(case.cycle, kind, case.admin)
