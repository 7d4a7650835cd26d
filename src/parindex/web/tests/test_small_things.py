"""Issue 8, part 9: the small things that misled a new user — the navigation follows the
cycle being worked in, one "Tổng điểm tự chấm" with bonus and penalty apart, yes/no leaves
in words, no doubled full stops, a favicon, no internal timings on the pages."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from parindex.api.services import token_create
from parindex.assessments.models import LeafScore
from parindex.assessments.selectors import assessment_tree, self_assessed_points
from parindex.cycles.models import Cycle
from parindex.cycles.services import cycle_create
from parindex.frameworks.models import Criterion
from parindex.results.models import ResultSet
from parindex.results.services import results_recompute
from parindex.web.navigation import WORKING_CYCLE
from parindex.web.templatetags.parindex import done_text, sentence
from parindex.web.tree import Leaf, build_tree

SRC = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- navigation


def _nav_links(html: str) -> set[str]:
    nav = html[html.index('aria-label="Điều hướng chính"') : html.index("</nav>")]
    return set(re.findall(r'href="([^"]+)"', nav))


def test_the_navigation_follows_the_cycle_being_viewed_not_the_newest(client, world):
    newer = cycle_create(
        year=world.cycle.year + 1, name="Kỳ mới hơn", frameworks={}, units=[], actor=None
    )
    client.force_login(world.admin)
    # Before any cycle page: the newest open cycle.
    links = _nav_links(client.get(reverse("home")).content.decode())
    assert reverse("appraisal_home", args=[newer.pk]) in links
    # Viewing the older cycle: the shortcuts point to it, and keep doing so on other pages.
    r = client.get(reverse("cycle_detail", args=[world.cycle.pk]))
    assert reverse("appraisal_home", args=[world.cycle.pk]) in _nav_links(r.content.decode())
    assert client.session[WORKING_CYCLE] == world.cycle.pk
    links = _nav_links(client.get(reverse("home")).content.decode())
    assert reverse("appraisal_home", args=[world.cycle.pk]) in links
    assert reverse("cycle_progress", args=[world.cycle.pk]) in links
    assert reverse("appraisal_home", args=[newer.pk]) not in links
    # The page of an assessment counts as its cycle's page.
    client.get(reverse("cycle_detail", args=[newer.pk]))
    client.get(reverse("assessment_detail", args=[world.a.pk]))
    assert client.session[WORKING_CYCLE] == world.cycle.pk


def test_a_remembered_cycle_the_user_no_longer_sees_is_forgotten(client, world):
    client.force_login(world.admin)
    client.get(reverse("cycle_detail", args=[world.cycle.pk]))
    newer = cycle_create(
        year=world.cycle.year + 1, name="Kỳ mới hơn", frameworks={}, units=[], actor=None
    )
    Cycle.objects.filter(pk=world.cycle.pk).delete()
    links = _nav_links(client.get(reverse("home")).content.decode())
    assert reverse("appraisal_home", args=[newer.pk]) in links


# --------------------------------------------------------------------------- self total


def _bonus_and_survey(world):
    scores = LeafScore.objects.filter(assessment=world.a)
    scores.filter(criterion__code="1.1").update(self_points=Decimal(2), self_value="Kịp thời")
    scores.filter(criterion__code="2.1").update(final_points=Decimal("1.5"))
    scores.filter(criterion__source="bonus").update(
        self_points=Decimal("0.25"), final_points=Decimal("0.5")
    )


def test_one_self_total_on_every_page_with_the_bonus_apart(client, world):
    _bonus_and_survey(world)
    tree = assessment_tree(world.a)
    web_tree = build_tree(world.a)
    expected = Decimal("4")  # 1.1 = 2, survey 2.1 = 1.5, bonus = 0.5 (set by the admin)
    assert tree.self_total is not None and tree.self_total.points == expected
    assert web_tree.totals("self").points == expected
    assert tree.self_adjustments() == web_tree.self_adjustments() == (Decimal("0.5"), 0)
    # the results store the same number as the unit's self points
    rs = results_recompute(cycle=world.cycle)
    assert rs.units.get(unit=world.tuphap).self_points == expected
    # the pages: the unit's self-assessment and the appraisal page say the same
    for user, url in [
        (world.staff, reverse("assessment_detail", args=[world.a.pk])),
        (world.admin, reverse("appraisal_unit", args=[world.a.pk])),
    ]:
        client.force_login(user)
        html = client.get(url).content.decode()
        head = html[html.index('id="self-total"') :][:600]
        assert "Tổng điểm tự chấm" in head and "<b>4</b>" in head
        assert "điểm thưởng +0,5" in head
    # the API totals
    _token, key = token_create(user=world.admin, name="kiểm thử", actor=world.admin)
    body = client.get(f"/api/assessments/{world.a.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert Decimal(body["totals"]["self"]["points"]) == expected
    assert Decimal(body["totals"]["self_bonus"]) == Decimal("0.5")
    assert Decimal(body["totals"]["self_penalty"]) == 0
    assert ResultSet.objects.count() == 1


def test_self_assessed_points_is_the_one_definition():
    score = LeafScore(self_points=Decimal(1), final_points=Decimal(2))
    assert self_assessed_points("self", score) == 1
    for source in ("survey", "sipas", "statistic", "bonus", "penalty"):
        assert self_assessed_points(source, score) == 2
    assert self_assessed_points("bonus", LeafScore(self_points=Decimal(1))) == 1


# --------------------------------------------------------------------------- yes/no leaf


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("có", "Đã thực hiện"), ("không", "Chưa thực hiện"), ("", "Chưa chọn")],
)
def test_a_yes_no_leaf_reads_in_words(stored, shown):
    leaf = Leaf(
        score=LeafScore(self_value=stored),
        criterion=Criterion(source="self"),
        rule_type="binary",
        params={},
    )
    assert leaf.value_text == shown
    assert "Giá trị" not in leaf.value_text
    assert done_text("có") == "Đã thực hiện" and done_text("Kịp thời") == "Kịp thời"
    other = Leaf(
        score=LeafScore(self_value="85"), criterion=Criterion(), rule_type="bands", params={}
    )
    assert other.value_text == "Giá trị: 85"


def test_the_read_only_page_shows_a_done_leaf_in_words(client, world):
    LeafScore.objects.filter(assessment=world.a, criterion__code="1.2.2").update(
        self_value="có", self_points=Decimal("1.5")
    )
    client.force_login(world.leader)  # reads, cannot score: the value line is shown
    html = client.get(reverse("assessment_detail", args=[world.a.pk])).content.decode()
    assert "Giá trị: có" not in html
    assert "Đã thực hiện → <b>1,5</b>" in html


# --------------------------------------------------------------------------- full stops

#: ".." that is not an ellipsis ("...", "…"), a relative path ("../"), a range ("70..90")
#: or a regular expression ("[23]..", the htmx response codes of base.html).
DOUBLE_STOP = re.compile(r"(?<![.\d\]])\.\.(?![./\d])")


def _templates() -> list[Path]:
    return [p for p in SRC.rglob("templates/**/*") if p.suffix in {".html", ".txt"}]


def test_no_template_or_message_has_a_doubled_full_stop():
    assert _templates()
    found = []
    for path in _templates():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DOUBLE_STOP.search(line):
                found.append(f"{path.relative_to(SRC)}:{n}")
    # messages: Vietnamese string literals of the Python modules (not tests, not migrations)
    literal = re.compile(r"[\"']([^\"'\n]*[À-ỹ][^\"'\n]*)[\"']")
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for text in literal.findall(line):
                if DOUBLE_STOP.search(text):
                    found.append(f"{path.relative_to(SRC)}:{n}")
    assert not found, found
    assert DOUBLE_STOP.search("hồ sơ..") and not DOUBLE_STOP.search("Đang lưu...")


def test_a_reason_ending_with_a_full_stop_is_not_doubled(client, world):
    assert sentence("Thiếu hồ sơ.") == "Thiếu hồ sơ." and sentence("Thiếu hồ sơ") == "Thiếu hồ sơ."
    LeafScore.objects.filter(assessment=world.a, criterion__code="1.1").update(
        self_points=Decimal(2), round1_points=Decimal("0.5"), round1_reason="Thiếu hồ sơ."
    )
    client.force_login(world.staff)
    html = client.get(reverse("assessment_detail", args=[world.a.pk])).content.decode()
    assert "Thiếu hồ sơ." in html
    assert "hồ sơ.." not in html


# --------------------------------------------------------------------------- favicon


def test_a_favicon_is_shipped_and_linked(client, world):
    for name in ("favicon.svg", "favicon.ico", "favicon.png"):
        path = finders.find(f"parindex/{name}")
        assert path and Path(path).stat().st_size > 0
    assert Path(finders.find("parindex/favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"
    client.force_login(world.staff)
    html = client.get(reverse("home")).content.decode()
    assert f'rel="icon" href="{settings.STATIC_URL}parindex/favicon.svg"' in html
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("parindex/favicon.ico")
    client.logout()
    assert "favicon.svg" in client.get(reverse("login")).content.decode()


# --------------------------------------------------------------------------- timings


def test_internal_timings_are_not_shown(client, world):
    rs = results_recompute(cycle=world.cycle)
    ResultSet.objects.filter(pk=rs.pk).update(duration_ms=141)
    client.force_login(world.admin)
    for url in [
        reverse("results_overview", args=[world.cycle.pk]),
        reverse("results_unit", args=[world.cycle.pk, world.tuphap.code]),
    ]:
        html = client.get(url).content.decode()
        assert "Tính lúc" in html
        assert not re.search(r"\d+\s*ms\b", html), url
