"""The same analyses for a unit of an internal cycle: its lost points against its
group, the what-if among the other units of its group, and the rank bands of the cycle —
each unit sees its own, the province-wide readers every unit."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from parindex.national.internal import unit_lost_points
from parindex.results.models import ResultSet, ResultStatus
from parindex.results.services import results_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world):
    """The cycle's results, final: units read their own analyses once results are final
    (or published), as they read their results."""
    rs = results_recompute(cycle=world.cycle, actor=None)
    ResultSet.objects.filter(pk=rs.pk).update(status=ResultStatus.FINAL)
    return world


def test_a_unit_reads_its_own_lost_points_largest_first(scored, client):
    w = scored
    client.force_login(w.staff)
    r = client.get(reverse("national:unit_lost", args=[w.cycle.pk]))
    assert r.status_code == 200
    lines = r.context["lines"]
    assert r.context["page"].context.me.unit == w.tuphap
    assert lines and all(a.row.lost >= b.row.lost for a, b in itertools.pairwise(lines))
    assert any(ln.row.level >= 2 for ln in lines)  # leaves too, not only areas
    assert all(ln.average is not None for ln in lines)
    rows = unit_lost_points(w.staff, w.cycle)
    assert [x.code for x in rows] == [ln.row.code for ln in lines]


def test_a_unit_waits_for_final_results(world, client):
    results_recompute(cycle=world.cycle, actor=None)  # provisional
    client.force_login(world.staff)
    assert client.get(reverse("national:unit_lost", args=[world.cycle.pk])).status_code == 404
    client.force_login(world.admin)
    assert client.get(reverse("national:unit_lost", args=[world.cycle.pk])).status_code == 200


def test_a_unit_cannot_read_another_units_analyses(scored, client):
    w = scored
    client.force_login(w.staff)
    for name in ("national:unit_lost", "national:unit_whatif"):
        r = client.get(reverse(name, args=[w.cycle.pk]), {"don_vi": w.yte.code})
        assert r.status_code == 404
    client.force_login(w.leader)
    r = client.get(reverse("national:unit_lost", args=[w.cycle.pk]), {"don_vi": w.yte.code})
    assert r.status_code == 200 and r.context["page"].context.me.unit == w.yte


def test_the_unit_what_if_ranks_it_among_its_group(scored, client):
    w = scored
    client.force_login(w.head)
    url = reverse("national:unit_whatif", args=[w.cycle.pk])
    r = client.get(url, {"mode": "reverse", "hang": "1"})
    assert r.status_code == 200
    page = r.context["page"]
    assert page.others == 1 and page.answer.to_rank == 1
    leaf = next(x for x in page.leaves if x.applicable)
    r = client.get(url, {"mode": "forward", f"diem-{leaf.code}": str(leaf.max_points)})
    assert r.status_code == 200 and r.context["page"].answer.to_index >= 0


def test_the_cycle_rank_bands_page_is_for_the_province_wide_readers(scored, client):
    w = scored
    client.force_login(w.admin)
    r = client.get(reverse("national:cycle_bands", args=[w.cycle.pk]), {"luot": "100"})
    assert r.status_code == 200
    rows = r.context["rows"]
    assert {name for _, name, _ in rows} == {w.tuphap.name, w.yte.name}
    client.force_login(w.staff)
    assert client.get(reverse("national:cycle_bands", args=[w.cycle.pk])).status_code == 404
