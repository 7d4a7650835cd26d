"""Pages everyone can use (issue 13) and the Content-Security-Policy (issue 9 part 5),
checked on the HTML the server sends: named leaves and controls, the status region filled
out of band, errors at the leaf, pages that work without JavaScript, no inline code."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from parindex.assessments.services import appraisal_start, assessment_submit
from parindex.jobs.status import JobStatus
from parindex.reports.models import ExportJob
from parindex.web.tests.authz_table import PAGES
from parindex.web.tests.test_authorisation_matrix import (
    objects,
    page_kwargs,
    page_patterns,
    route_url,
)

from .conftest import fill, sc

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def page(client, user, url):
    client.force_login(user)
    r = client.get(url)
    assert r.status_code == 200
    return r.text


def leaf_url(w, code):
    return reverse("leaf", args=[w.a.pk, sc(w.a, code).pk])


# --------------------------------------------------------------------------- 1. named


def test_each_leaf_is_a_region_named_by_its_heading_and_its_controls_name_the_code(client, w):
    html = page(client, w.staff, reverse("assessment_detail", args=[w.a.pk]))
    s = sc(w.a, "1.2.1")
    region = re.search(
        rf'<section class="leaf[^"]*" id="leaf-{s.pk}" aria-labelledby="lh-{s.pk}">', html
    )
    assert region
    # Depth 3 under the page's h1: an h4, holding the code and the name.
    assert re.search(
        rf'<h4 class="leaf-title" id="lh-{s.pk}"[^>]*><span class="tree-code">1\.2\.1</span>', html
    )
    # Areas and criteria are headings too (h2 for an area, h3 below it).
    assert re.search(r'<h2 class="node-title"><span class="tree-code">1</span>', html)
    assert re.search(r'<h3 class="node-title"><span class="tree-code">1\.2</span>', html)
    for name in ("Lưu", "Không áp dụng", "Giải trình"):
        assert f'{name}<span class="vh"> 1.2.1</span>' in html, name
    assert "Bỏ qua đến nội dung chính" in html and 'id="main"' in html
    assert 'aria-label="Các lĩnh vực của bộ tiêu chí"' in html


def test_the_first_input_comes_before_the_list_of_missing_criteria(client, w):
    html = page(client, w.staff, reverse("assessment_detail", args=[w.a.pk]))
    first_input = html.index('name="value"')
    assert html.index('class="missing-list"') > first_input
    # Before the form: one link to that list, not one per criterion.
    assert html[:first_input].count('href="#c-') == 0
    assert html.index('href="#missing"') < first_input


def test_appraisal_points_are_named_with_the_round_and_the_code(client, w):
    fill(w)
    appraisal_start(assessment=assessment_submit(assessment=w.a, actor=w.head), actor=w.appraiser)
    html = page(client, w.appraiser, reverse("appraisal_unit", args=[w.a.pk]))
    assert 'Điểm vòng 1<span class="vh"> – 1.1</span>' in html
    assert 'Lưu điểm<span class="vh"> 1.1</span>' in html


# --------------------------------------------------------------------------- 2. announced


def test_a_save_fills_the_status_region_out_of_band(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.2.1")
    r = client.post(leaf_url(w, "1.2.1"), {"version": s.version, "value": "75"}, **HX)
    assert r.status_code == 200
    assert re.search(
        r'<div id="status" class="status-region" role="status" aria-live="polite" '
        r'hx-swap-oob="true">Đã lưu 1\.2\.1</div>',
        r.text,
    )
    # The page has exactly one such region.
    html = page(client, w.staff, reverse("assessment_detail", args=[w.a.pk]))
    assert html.count('role="status"') == 1


def test_a_refused_save_is_described_at_the_leaf(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.2.1")
    r = client.post(leaf_url(w, "1.2.1"), {"version": s.version, "value": "abc"}, **HX)
    assert r.status_code == 422
    assert f'id="err-{s.pk}" role="alert"' in r.text
    assert f'aria-invalid="true" aria-describedby="err-{s.pk}"' in r.text
    assert 'id="status"' not in r.text  # the error is announced by its alert, at the leaf


def test_the_export_list_announces_a_watched_file_when_it_is_ready(client, w):
    job = ExportJob.objects.create(cycle=w.cycle, kind="xlsx", requested_by=w.admin)
    client.force_login(w.admin)
    url = reverse("reports:jobs", args=[w.cycle.pk])
    polling = client.get(url, **HX).text
    assert f"?watch={job.pk}" in polling and "Đã sẵn sàng" not in polling
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    r = client.get(f"{url}?watch={job.pk}", **HX).text
    assert re.search(r'hx-swap-oob="true">Tệp Excel đã sẵn sàng</div>', r)


# --------------------------------------------------------------------------- 5. no JavaScript


def test_without_javascript_a_refused_save_shows_the_page_with_the_error_and_the_value(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.2.1")
    r = client.post(leaf_url(w, "1.2.1"), {"version": s.version, "value": "75,5,5"})
    assert r.status_code == 422
    assert "<h1>Phiếu tự chấm: Sở Tư pháp</h1>" in r.text  # the whole page
    leaf = r.text[r.text.index(f'id="leaf-{s.pk}"') :]
    leaf = leaf[: leaf.index("</section>")]
    assert 'role="alert"' in leaf and 'value="75,5,5"' in leaf


def test_without_javascript_a_save_comes_back_to_the_leaf_with_a_message(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.2.1")
    r = client.post(leaf_url(w, "1.2.1"), {"version": s.version, "value": "75"})
    assert r.status_code == 302 and r["Location"].endswith(f"#leaf-{s.pk}")
    assert "Đã lưu 1.2.1" in client.get(r["Location"]).text


def test_without_javascript_refused_appraisal_points_show_at_the_leaf(client, w):
    fill(w)
    appraisal_start(assessment=assessment_submit(assessment=w.a, actor=w.head), actor=w.appraiser)
    client.force_login(w.appraiser)
    s = sc(w.a, "1.1")
    url = reverse("appraisal_leaf", args=[w.a.pk, s.pk])
    body = {"what": "points", "round": 1, "version": s.version, "points": "9", "reason": "x"}
    r = client.post(url, body)
    assert r.status_code == 422 and "<h1>Thẩm định: Sở Tư pháp</h1>" in r.text
    leaf = r.text[r.text.index(f'id="ap-{s.pk}"') :]
    leaf = leaf[: leaf.index("</section>")]
    assert 'role="alert"' in leaf and 'value="9"' in leaf
    body["points"] = "1"
    done = client.post(url, body)
    assert done.status_code == 302 and done["Location"].endswith(f"#ap-{s.pk}")
    assert "Đã lưu điểm 1.1" in client.get(done["Location"]).text


def test_without_javascript_evidence_is_added_on_a_page_of_its_own(client, w):
    client.force_login(w.staff)
    s = sc(w.a, "1.1")
    url = reverse("evidence_forms", args=[w.a.pk, s.pk])
    html = page(client, w.staff, url)
    assert "<h1>Thêm tài liệu kiểm chứng:" in html and "hx-post" not in html
    for field in ("file", "title", "page", "number", "date", "issuer", "summary"):
        assert f'<label for="ev-{field}-{s.pk}">' in html, field
    back = reverse("assessment_detail", args=[w.a.pk])
    refused = client.post(reverse("evidence_reference", args=[w.a.pk, s.pk]), {"number": "12/KH"})
    assert refused.status_code == 422 and 'value="12/KH"' in refused.text
    done = client.post(
        reverse("evidence_reference", args=[w.a.pk, s.pk]),
        {"number": "12/KH", "issued_on": "2025-01-10", "issuer": "UBND tỉnh"},
    )
    assert done.status_code == 302 and done["Location"] == f"{back}#leaf-{s.pk}"


def test_without_javascript_the_export_list_refreshes_itself(client, w):
    ExportJob.objects.create(cycle=w.cycle, kind="csv", requested_by=w.admin)
    html = page(client, w.admin, reverse("reports:exports", args=[w.cycle.pk]))
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "Làm mới danh sách" in html


# --------------------------------------------------------------------------- CSP


class InlineCode(HTMLParser):
    """Inline scripts without a nonce, style attributes and on…= handlers of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        inline = "src" not in names and "nonce" not in names
        if tag == "script" and inline and names.get("type") != "application/json":
            self.found.append("<script> inline")
        if tag == "style" and "nonce" not in names:
            self.found.append("<style> inline")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")


@pytest.mark.parametrize(
    "persona", ["admin", "staff", "head", "appraiser", "council", "leader", "anonymous"]
)
def test_every_page_sends_the_csp_header_and_has_no_inline_code(world, persona):
    o = objects(world)
    user = world.personas[persona]
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    problems, checked = [], 0
    for name, pattern, route in page_patterns():
        row = PAGES.get(name)
        if row is None or row.method != "GET" or row.expect(persona) != "ok":
            continue
        r = client.get("/" + route_url(route, page_kwargs(name, pattern, o)))
        if r.streaming:
            b"".join(r.streaming_content)
        if not r.get("Content-Type", "").startswith("text/html"):
            continue
        checked += 1
        policy = r.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy or "unsafe-inline" in policy:
            problems.append(f"{name}: header {policy!r}")
        parser = InlineCode()
        parser.feed(r.text)
        problems += [f"{name}: {x}" for x in parser.found]
    assert checked >= 2 and not problems, "\n".join(problems)
