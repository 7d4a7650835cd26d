"""The API reads a bounded number of rows per request: lists do not issue a query per
item, and the tree of an assessment does not issue one per leaf."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.assessments.services import cycle_open
from parindex.frameworks.models import Framework
from parindex.testing import make_unit

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # warm up: the token's last use is written at most once a minute
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_the_number_of_items(w, query_counts):
    leader = w.client("leader")
    urls = ["/api/assessments", "/api/cycles", f"/api/assessments/{w.a.pk}/audit"]
    before = {url: queries(leader, url) for url in urls}
    more = [make_unit(f"so-{i}", group=w.tu_phap.group) for i in range(6)]
    cycle_open(
        year=2026,
        name="Kỳ 2026",
        frameworks={w.tu_phap.group: Framework.objects.get()},
        units=more,
        deadlines={},
        actor=w.admin,
    )
    w.fill()
    after = {url: queries(leader, url) for url in urls}
    assert after == before
    for name, url in zip(("assessments", "cycles", "assessment_audit"), urls, strict=True):
        query_counts.check(f"api.{name}", after[url])  # tests/query_counts.json


def test_the_tree_needs_a_fixed_number_of_queries(w, query_counts):
    staff = w.client("staff")
    url = f"/api/assessments/{w.a.pk}"
    empty = queries(staff, url)
    w.fill()
    assert queries(staff, url) == empty
    query_counts.check("api.assessment_tree", empty)  # tests/query_counts.json
