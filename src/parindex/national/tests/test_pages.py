"""The national pages as Sở Nội vụ and the leaders use them: the comparison with the
country, the region and last year (a merged province against its predecessors), the lost
points largest first with the two-year highlight, the what-if both ways through the form,
and the rank bands."""

from __future__ import annotations

import itertools
import re
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from parindex.formats.frameworks import load_framework_file
from parindex.frameworks.services import framework_import
from parindex.national.analysis import merge_rule
from parindex.national.selectors import province_lost_points
from parindex.national.services import national_dataset_import
from parindex.national.tests.helpers import national_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(world):
    return national_world()


def test_the_merged_province_compares_with_its_predecessors_labelled(world, client, years):
    client.force_login(world.leader)
    r = client.get(reverse("national:compare", args=[years[2025].pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "gồm: Tỉnh Cà Mau, Tỉnh Bạc Liêu (trước 01/07/2025) trước sáp nhập" in page
    assert merge_rule() == "mean" and "trung bình điểm" in page
    c = r.context["c"]
    total = c.rows[0]
    assert c.ranked == 34 and c.previous_ranked == 34
    # last year's rank: the combined row among the 33 other provinces of 2024
    assert total.previous_rank is not None and 1 <= total.previous_rank <= 34
    assert total.rank_change_text in page
    assert re.search(r"(tăng|giảm) \d+ bậc|giữ nguyên", total.rank_change_text)
    assert [r.code for r in c.rows] == ["", "1", "2", "3", "4", "5", "6", "7", "8"]
    assert total.region_average is not None and total.best is not None


def test_the_comparison_of_a_province_present_both_years_is_direct(world, client, years):
    client.force_login(world.admin)
    r = client.get(reverse("national:compare", args=[years[2024].pk]), {"tinh": "can_tho"})
    c = r.context["c"]
    assert c.province.code == "can_tho" and c.previous.label == ""


def test_lost_points_are_largest_first_and_repeated_losses_are_marked(world, client, years):
    rows = province_lost_points(world.admin, dataset=years[2025])
    assert rows and all(a.lost >= b.lost for a, b in itertools.pairwise(rows))
    assert {r.level for r in rows} == {1, 2}
    client.force_login(world.council)
    r = client.get(reverse("national:lost", args=[years[2025].pk]))
    assert r.status_code == 200
    repeated = {ln.row.code for ln in r.context["lines"] if ln.repeated}
    # the sample has Cà Mau lose on 3.3, 6.2 and 7.2 every year
    assert {"3.3", "6.2", "7.2"} <= repeated
    assert "Mất điểm 2 năm liền" in r.content.decode()
    first = r.context["lines"][0]
    assert first.average is not None and first.best_name


def test_the_forward_what_if_gives_the_new_index_and_rank(world, client, years):
    client.force_login(world.admin)
    url = reverse("national:whatif", args=[years[2025].pk])
    r = client.get(url, {"mode": "forward", "diem-3.3": "5", "diem-6.2": "4"})
    assert r.status_code == 200
    a = r.context["page"].answer
    assert a.to_index > a.from_index and a.to_rank <= a.from_rank
    assert {c.code for c in a.changes} == {"3.3", "6.2"}
    bad = client.get(url, {"mode": "forward", "diem-3.3": "50"})
    assert bad.status_code == 400 and "3.3" in bad.content.decode()


def test_the_reverse_what_if_finds_the_cheapest_path_up(world, client, years):
    client.force_login(world.leader)
    url = reverse("national:whatif", args=[years[2025].pk])
    now = client.get(url).context["page"]
    r = client.get(url, {"mode": "reverse", "hang": "1", "cong-3.3": "5"})
    a = r.context["page"].answer
    assert r.status_code == 200 and a.reached and a.to_rank == 1
    assert now.others == 33
    assert a.changes and "3.3" not in {c.code for c in a.changes[:1]}


def test_an_unreachable_rank_says_so_and_shows_the_best_reachable(world, client, years):
    # area 1 keeps 2 unallocated points: Cà Mau can reach 18 of 20, Cần Thơ has 19.
    yaml_text = (
        "code: nho\nname: Nhỏ\nyear: 2025\ntotal: 20\nnodes:\n"
        "  - {code: '1', name: A, max_points: 10, note: chưa phân bổ 2 điểm, children: "
        "[{code: '1.1', name: a, max_points: 4}, {code: '1.2', name: b, max_points: 4}]}\n"
        "  - {code: '2', name: B, max_points: 10, children: "
        "[{code: '2.1', name: c, max_points: 10}]}\n"
    )
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "nho.yaml"
        path.write_text(yaml_text, encoding="utf-8")
        fw = framework_import(framework=load_framework_file(path), actor=None)
    data = "tinh;ma;diem\nCà Mau;1.1;2\nCà Mau;1.2;2\nCà Mau;2.1;5\nCà Mau;;9\nCần Thơ;;19\n"
    ds = national_dataset_import(
        framework=fw, year=2019, kind="sipas", file_name="nho.csv", data=data.encode(),
        actor=None,
    )  # fmt: skip
    client.force_login(world.admin)
    r = client.get(reverse("national:whatif", args=[ds.pk]), {"mode": "reverse", "hang": "1"})
    a = r.context["page"].answer
    assert not a.reached and a.to_rank == 2
    assert "Không đạt được hạng 1" in r.content.decode()


def test_rank_bands_show_a_band_per_province_and_collapse_without_spread(world, client, years):
    client.force_login(world.admin)
    url = reverse("national:bands", args=[years[2025].pk])
    r = client.get(url, {"luot": "200", "dao_dong": "30", "hat_giong": "7"})
    assert r.status_code == 200
    rows = r.context["rows"]
    assert len(rows) == 34
    assert all(b.p05 <= b.p50 <= b.p95 for b, _, _ in rows)
    again = client.get(url, {"luot": "200", "dao_dong": "30", "hat_giong": "7"}).context["rows"]
    assert [b for b, _, _ in again] == [b for b, _, _ in rows]
    flat = client.get(url, {"dao_dong": "0"}).context["rows"]
    assert all(b.p05 == b.p50 == b.p95 == b.rank for b, _, _ in flat)
    assert client.get(url, {"dao_dong": "150"}).status_code == 400


def test_national_data_is_hidden_from_units_and_appraisers(world, client, years):
    for user in (world.staff, world.head, world.appraiser):
        client.force_login(user)
        assert client.get(reverse("national:index")).status_code == 404
        assert client.get(reverse("national:compare", args=[years[2025].pk])).status_code == 404


def test_the_national_pages_keep_their_query_counts(world, client, years, query_counts):
    client.force_login(world.admin)
    ds = years[2025].pk
    client.get(reverse("national:compare", args=[ds]))  # warm the framework cache
    with query_counts("web.national.index"):
        client.get(reverse("national:index"))
    with query_counts("web.national.compare"):
        client.get(reverse("national:compare", args=[ds]))
    with query_counts("web.national.lost"):
        client.get(reverse("national:lost", args=[ds]))
    with query_counts("web.national.whatif"):
        client.get(reverse("national:whatif", args=[ds]), {"mode": "reverse", "hang": "3"})
