"""Results pages (issue 4) per persona: the admin, a leader, the council, the staff of
unit A (own page only; unit B and province pages are 404), anonymous (login redirect);
the admin pages' bad inputs show Vietnamese reasons and save nothing; query counts do
not grow with the number of units."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.cycles.models import Cycle
from parindex.results.models import RatingConfig, RecomputeRequest, UnitMetric
from parindex.results.selectors import rating_config_for
from parindex.web.tests.results_case import CONDITION_REASON, REASON, build


@pytest.fixture
def c(db):
    return build(5)


def urls(c):
    k = c.cycle.pk
    return {
        "home": reverse("results_home"),
        "overview": reverse("results_overview", args=[k]),
        "unit_a": reverse("results_unit", args=[k, c.a.code]),
        "unit_b": reverse("results_unit", args=[k, c.b.code]),
        "criterion": reverse("results_criterion", args=[k, "1.2"]),
        "accountability": reverse("results_accountability", args=[k]),
        "rating": reverse("results_rating", args=[k]),
        "metrics": reverse("results_metrics", args=[k]),
    }


READERS = ["overview", "unit_a", "unit_b", "criterion", "accountability"]
ADMIN_ONLY = ["rating", "metrics"]


def get(client, user, url):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.get(url)


# --------------------------------------------------------------------------- who sees what


@pytest.mark.parametrize("persona", ["admin", "leader", "council"])
def test_province_personas_read_every_dashboard(client, c, persona):
    u = urls(c)
    for page in ["home", *READERS]:
        assert get(client, getattr(c, persona), u[page]).status_code == 200, page
    expected = 200 if persona == "admin" else 404
    for page in ADMIN_ONLY:
        assert get(client, getattr(c, persona), u[page]).status_code == expected, page


@pytest.mark.parametrize("persona", ["leader", "council"])
def test_readers_cannot_recompute_or_publish(client, c, persona):
    client.force_login(getattr(c, persona))
    k = c.cycle.pk
    assert client.post(reverse("results_recompute", args=[k])).status_code == 404
    assert client.post(reverse("results_publish", args=[k])).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "head"])
def test_unit_users_see_their_own_unit_only(client, c, persona):
    u = urls(c)
    user = getattr(c, persona)
    assert get(client, user, u["unit_a"]).status_code == 200
    for page in ["unit_b", "overview", "criterion", "accountability", *ADMIN_ONLY]:
        assert get(client, user, u[page]).status_code == 404, page
    home = get(client, user, u["home"])
    assert home.status_code == 200
    assert u["unit_a"] in home.text
    assert u["unit_b"] not in home.text


def test_unit_users_do_not_see_other_units_even_after_publication(client, c):
    old_b = reverse("results_unit", args=[c.old.pk, c.b.code])
    assert get(client, c.staff, old_b).status_code == 404


def test_anonymous_is_sent_to_the_login_page(client, c):
    for page, url in urls(c).items():
        r = get(client, None, url)
        assert r.status_code == 302, page
        assert r.url.startswith(reverse("login")), page
    for name in ["results_recompute", "results_publish"]:
        r = client.post(reverse(name, args=[c.cycle.pk]))
        assert r.status_code == 302 and r.url.startswith(reverse("login"))


# --------------------------------------------------------------------------- content


def chart_data(html: str, dom_id: str) -> dict:
    m = re.search(rf'<script id="{dom_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, dom_id
    return json.loads(m.group(1))


def test_overview_shows_charts_as_json_and_the_provisional_badge(client, c):
    r = get(client, c.leader, urls(c)["overview"])
    html = r.text
    assert "tạm tính" in html
    assert "echarts-5.6.0.custom.min.js" in html and "charts.js" in html
    ranking = chart_data(html, f"rank-{c.group.pk}")
    assert ranking["kind"] == "ranking" and len(ranking["values"]) == 5
    assert ranking["values"] == sorted(ranking["values"], reverse=True)
    heat = chart_data(html, "chart-heat")
    assert heat["areas"] == ["LV 1", "LV 2"] and len(heat["units"]) == 5
    assert sum(chart_data(html, "chart-distribution")["values"]) == 5
    assert sum(chart_data(html, "chart-classes")["values"]) == 5
    assert chart_data(html, "chart-changes")["labels"]  # compared with 2024
    assert "tăng" in html or "giảm" in html


def test_final_results_have_no_provisional_badge(client, c):
    r = get(client, c.admin, reverse("results_overview", args=[c.old.pk]))
    assert "chính thức" in r.text
    assert 'class="badge provisional"' not in r.text


def test_unit_page_shows_radar_lost_points_trend_gap_and_applied_condition(client, c):
    r = get(client, c.staff, urls(c)["unit_a"])
    html = r.text
    radar = chart_data(html, "chart-radar")
    assert [s["name"] for s in radar["series"]] == [
        c.a.name,
        "Trung bình nhóm",
        "Đơn vị cao nhất",
    ]
    assert radar["series"][0]["values"] == [100.0, 100.0]
    trend = chart_data(html, "chart-trend")
    assert trend["labels"] == ["2024", "2025"]
    # A scored 100 but 9% of its dossiers were late: capped at Khá with the reason.
    assert "Xuất sắc" in html and "Khá" in html
    assert CONDITION_REASON in html
    assert "Tự chấm so với thẩm định" in html


def test_lost_points_are_listed_largest_first(client, c):
    r = get(client, c.admin, urls(c)["unit_b"])
    lost = chart_data(r.text, "chart-lost")
    assert lost["values"] == sorted(lost["values"])  # drawn bottom-up: largest last
    assert lost["values"][-1] == max(lost["values"]) > 0


def test_criterion_page_shows_who_lost_points_and_the_appraisers_reasons(client, c):
    r = get(client, c.council, urls(c)["criterion"])
    assert REASON in r.text
    data = chart_data(r.text, "chart-criterion")
    assert len(data["values"]) == 5


def test_accountability_report_names_units_and_reasons(client, c):
    from parindex.testing import make_user

    head = make_user("thutruong.d", "unit_head", unit=c.units[3])
    head.full_name = "Nguyễn Văn Bê"
    head.save()
    r = get(client, c.leader, urls(c)["accountability"])
    assert r.status_code == 200
    assert c.units[3].name in r.text  # 45 points: Yếu
    assert "Nguyễn Văn Bê" in r.text
    assert "xếp loại Yếu" in r.text


# --------------------------------------------------------------------------- admin pages


def classes_post(rows, conds=()):
    data = {"class-name": [n for n, _ in rows], "class-min": [m for _, m in rows], "decimals": "2"}
    for f in ["metric", "op", "value", "cap", "reason"]:
        data[f"cond-{f}"] = [cond[f] for cond in conds]
    return data


GOOD = [("Tốt", "80"), ("Khá", "60"), ("Yếu", "0")]


@pytest.mark.parametrize(
    ("rows", "conds", "reason"),
    [
        ([("Tốt", "80"), ("Khá", "80"), ("Yếu", "0")], [], "chồng lên nhau"),
        ([("Tốt", "80"), ("Khá", "60"), ("Yếu", "10")], [], "khoảng trống"),
        (
            GOOD,
            [{"metric": "ty_le_la", "op": ">=", "value": "5", "cap": "Khá", "reason": "x"}],
            "chỉ số “ty_le_la” không có",
        ),
        (
            GOOD,
            [
                {
                    "metric": "late_dossier_rate",
                    "op": ">=",
                    "value": "5",
                    "cap": "Trung bình",
                    "reason": "x",
                }
            ],
            "mức trần “Trung bình” không có",
        ),
    ],
)
def test_bad_rating_config_is_refused_with_the_reason_and_nothing_saved(
    client, c, rows, conds, reason
):
    # The cycle's configuration as the pages read it (the default until a first change).
    before = rating_config_for(c.cycle)
    client.force_login(c.admin)
    r = client.post(urls(c)["rating"], classes_post(rows, conds))
    assert r.status_code == 422
    assert reason in r.text
    after = rating_config_for(c.cycle)
    assert (after.classes, after.conditions) == (before.classes, before.conditions)


def test_rating_config_is_saved(client, c, django_capture_on_commit_callbacks):
    client.force_login(c.admin)
    cond = {
        "metric": "satisfaction_index",
        "op": "<=",
        "value": "70,5",
        "cap": "Khá",
        "reason": "r",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(urls(c)["rating"], classes_post(GOOD, [cond]))
    assert r.status_code == 302
    config = RatingConfig.objects.get(cycle=c.cycle)
    assert [x["name"] for x in config.classes] == ["Tốt", "Khá", "Yếu"]
    assert config.conditions[0]["value"] == "70.5"
    assert RecomputeRequest.objects.get(cycle=c.cycle).pending


def test_metrics_form_refuses_out_of_range_values_and_saves_nothing(client, c):
    client.force_login(c.admin)
    before = set(UnitMetric.objects.values_list("cycle_id", "unit_id", "metric", "value"))
    r = client.post(
        urls(c)["metrics"],
        {
            f"m-{c.b.pk}-late_dossier_rate": "3,5",
            f"m-{c.units[2].pk}-satisfaction_index": "120",
        },
    )
    assert r.status_code == 422
    assert "nằm ngoài khoảng 0–100" in r.text
    assert c.units[2].name in r.text
    assert set(UnitMetric.objects.values_list("cycle_id", "unit_id", "metric", "value")) == before


def test_metrics_form_saves_values(client, c):
    client.force_login(c.admin)
    r = client.post(urls(c)["metrics"], {f"m-{c.b.pk}-satisfaction_index": "85,5"})
    assert r.status_code == 302
    m = UnitMetric.objects.get(cycle=c.cycle, unit=c.b, metric="satisfaction_index")
    assert m.value == Decimal("85.5") and m.source == "form"


def test_metrics_csv_lists_every_row_error_and_saves_nothing(client, c):
    client.force_login(c.admin)
    before = UnitMetric.objects.count()
    body = (
        "unit,metric,value\n"
        f"{c.b.code},late_dossier_rate,abc\n"
        f"{c.units[2].code},satisfaction_index,150\n"
        f"{c.units[3].code},late_dossier_rate,2\n"
    )
    upload = SimpleUploadedFile("chi-so.csv", body.encode("utf-8"), content_type="text/csv")
    r = client.post(urls(c)["metrics"], {"action": "csv", "file": upload})
    assert r.status_code == 422
    html = r.text
    assert "<td>2</td><td>value</td>" in html
    assert "<td>3</td><td>value</td>" in html
    assert UnitMetric.objects.count() == before


def test_metrics_csv_refuses_units_outside_the_cycle(client, c):
    client.force_login(c.admin)
    upload = SimpleUploadedFile("m.csv", b"unit,metric,value\nkhong-co,late_dossier_rate,2\n")
    r = client.post(urls(c)["metrics"], {"action": "csv", "file": upload})
    assert r.status_code == 422
    assert "không tham gia kỳ" in r.text


def test_metrics_csv_is_imported(client, c):
    client.force_login(c.admin)
    body = f"unit,metric,value\n{c.b.code},late_dossier_rate,6.5\n".encode()
    r = client.post(
        urls(c)["metrics"], {"action": "csv", "file": SimpleUploadedFile("m.csv", body)}
    )
    assert r.status_code == 302
    m = UnitMetric.objects.get(cycle=c.cycle, unit=c.b, metric="late_dossier_rate")
    assert m.value == Decimal("6.5") and m.source == "csv"


def test_recompute_button_asks_for_a_recompute(client, c, django_capture_on_commit_callbacks):
    client.force_login(c.admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("results_recompute", args=[c.cycle.pk]))
    assert r.status_code == 302
    assert RecomputeRequest.objects.get(cycle=c.cycle).pending
    page = client.get(urls(c)["overview"])
    assert "đang chờ tính lại" in page.text
    assert "Tính lúc" in page.text


def test_publishing_unapproved_units_is_refused_with_the_units_named(client, c):
    client.force_login(c.admin)
    r = client.post(reverse("results_publish", args=[c.cycle.pk]), follow=True)
    assert "Chưa công bố được" in r.text
    assert "chưa được Hội đồng phê duyệt" in r.text
    assert c.a.name in r.text
    assert Cycle.objects.get(pk=c.cycle.pk).status == "appraisal_round1"


def test_publishing_an_approved_cycle_opens_the_public_page(client, c):
    from parindex.web.tests.results_case import _approve

    _approve(c.cycle)
    client.force_login(c.admin)
    r = client.post(reverse("results_publish", args=[c.cycle.pk]), follow=True)
    assert "Đã công bố kết quả" in r.text
    assert Cycle.objects.get(pk=c.cycle.pk).status == "published"
    client.logout()
    assert client.get(reverse("public:cycle", args=[c.cycle.pk])).status_code == 200


# --------------------------------------------------------------------------- query counts

#: The pages whose queries are pinned, whatever the number of units (session, user,
#: notifications bell and navigation included): ``web.results.<page>`` in
#: tests/query_counts.json (``parindex.testing.QueryCounts``).
PINNED = ["overview", "unit_a", "criterion", "accountability", "metrics", "rating"]


@pytest.mark.parametrize("n", [5, 40])
def test_dashboard_query_counts_do_not_grow_with_units(db, client, n, query_counts):
    c = build(n)
    u = urls(c)
    client.force_login(c.admin)
    for page in PINNED:
        with query_counts(f"web.results.{page}"):
            r = client.get(u[page])
        assert r.status_code == 200
    client.logout()
    for name, url in [
        ("index", reverse("public:index")),
        ("cycle", reverse("public:cycle", args=[c.old.pk])),
        ("csv", reverse("public:csv", args=[c.old.pk])),
    ]:
        with query_counts(f"web.public.{name}"):
            assert client.get(url).status_code == 200
