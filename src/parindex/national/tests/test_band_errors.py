"""Survey sampling error in the cycle's rank bands (issue 12 part 4): a survey fed into the
cycle gives the areas holding its leaves an interval (the points at the index ± the
sampling margin), and the bands draw within it; without a fed survey nothing changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from parindex.engine.survey import area_interval, points_interval
from parindex.national.tests.helpers import fed_survey

pytestmark = pytest.mark.django_db


def _bands(client, w, **params):
    params = {"luot": "400", "dao_dong": "0", "hat_giong": "7", **params}
    r = client.get(reverse("national:cycle_bands", args=[w.cycle.pk]), params)
    assert r.status_code == 200
    return r


def _ranks(r):
    return {name: (b.rank, b.p05, b.p50, b.p95) for b, name, _ in r.context["rows"]}


def test_a_fed_survey_widens_the_bands_by_its_sampling_error_only(world, client):
    w = world
    fed_survey(w)
    client.force_login(w.leader)
    r = _bands(client, w)
    assert r.context["survey_error"] is True  # on by default: intervals exist
    got = {(iv.unit, iv.area): (iv.points, iv.low, iv.high) for iv in r.context["intervals"]}
    # Tư pháp leaf 2.1 = 4 × 75 % = 3 points; at 75 ∓ 50 %: 1 and 4 (clipped at the max)
    assert got[("so-tu-phap", "2")] == (Decimal(3), Decimal(1), Decimal(4))
    assert set(got) == {("so-tu-phap", "2"), ("so-y-te", "2")}
    ranks = _ranks(r)
    # spread 0: only the sampling error moves the ranks, and it does
    assert ranks[w.yte.name][0] == 1 and ranks[w.tuphap.name][0] == 2
    assert ranks[w.yte.name][3] == 2 and ranks[w.tuphap.name][1] == 1
    page = r.content.decode()
    assert 'name="sai_so" value="1" checked' in page
    assert "Tính cả sai số chọn mẫu khảo sát" in page and "±50,0%" in page
    assert "4 người trả lời" in page
    # unticked (the form sends ``tinh``): the old, collapsed bands
    off = _bands(client, w, tinh="1")
    assert off.context["survey_error"] is False
    assert all(b.p05 == b.p50 == b.p95 == b.rank for b, _, _ in off.context["rows"])
    assert 'value="1" checked' not in off.content.decode()
    # reproducible with the seed, on the page and through the API
    assert _ranks(_bands(client, w, tinh="1", sai_so="1")) == ranks
    api = f"/api/cycles/{w.cycle.pk}/rank-bands"
    one = client.get(api, {"draws": 400, "spread": 0, "seed": 7}).json()
    assert one == client.get(api, {"draws": 400, "spread": 0, "seed": 7}).json()
    assert {b["name"]: (b["rank"], b["p05"], b["p50"], b["p95"]) for b in one} == ranks
    plain = client.get(api, {"draws": 400, "spread": 0, "survey_error": "false"}).json()
    assert all(b["p05"] == b["p95"] == b["rank"] for b in plain)


def test_without_a_fed_survey_the_bands_are_the_old_ones(world, client):
    w = world
    fed_survey(w, feed=False)  # responses approved but never fed: no interval
    client.force_login(w.admin)
    r = _bands(client, w, dao_dong="30")
    assert r.context["intervals"] == [] and r.context["survey_error"] is False
    assert _ranks(r) == _ranks(_bands(client, w, dao_dong="30", tinh="1"))
    page = r.content.decode()
    assert "Chưa có khảo sát nào được đưa vào kỳ đánh giá" in page
    assert 'id="f-sai-so" type="checkbox" name="sai_so" value="1" disabled' in page
    still = _bands(client, w)
    assert all(b.p05 == b.p95 == b.rank for b, _, _ in still.context["rows"])


def test_the_interval_formulas_keep_the_points_within_their_maxima():
    assert points_interval(Decimal(4), Decimal(75), 0.1) == (Decimal("2.6"), Decimal("3.4"))
    # full points from 80 %: 75 ± 10 → 65 and 85 (capped) of 80
    assert points_interval(Decimal(4), Decimal(75), 0.1, Decimal(80)) == (
        Decimal("3.25"),
        Decimal(4),
    )
    assert points_interval(Decimal(4), Decimal(5), 0.2)[0] == 0
    # an area of 10 at 9 points, its survey leaf 3 within [1, 4]: [7, 10] (capped at 10)
    leaves = [(Decimal(3), Decimal(1), Decimal(4))]
    assert area_interval(Decimal(9), Decimal(10), leaves) == (Decimal(7), Decimal(10))
