"""Light pages (issue 13 part 6): compressed text responses, hashed static files cached for
a year, ECharts (a custom build, deferred) only on pages that draw a chart."""

from __future__ import annotations

import gzip
import re

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from parindex.web.compression import TextGZipMiddleware
from parindex.web.staticfiles import collect_static
from parindex.web.tests.results_case import build

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "parindex.web.staticfiles.StaticStorage"},
}


@pytest.fixture
def c(db):
    return build(3)


def test_html_is_sent_gzipped_to_browsers_that_accept_it(client, c):
    r = client.get(reverse("public:cycle", args=[c.old.pk]), HTTP_ACCEPT_ENCODING="gzip")
    assert r.status_code == 200
    assert r["Content-Encoding"] == "gzip"
    html = gzip.decompress(r.content).decode()
    assert c.units[0].name in html
    assert len(r.content) < len(html.encode()) / 3


def test_files_that_are_compressed_already_are_not_gzipped_again():
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    pdf = HttpResponse(b"%PDF-1.7 " + b"x" * 5000, content_type="application/pdf")
    out = TextGZipMiddleware(lambda r: pdf)(request)
    assert not out.has_header("Content-Encoding")
    csv = HttpResponse("a;b\n" * 2000, content_type="text/csv; charset=utf-8")
    out = TextGZipMiddleware(lambda r: csv)(request)
    assert out["Content-Encoding"] == "gzip"


def test_echarts_loads_only_on_pages_that_draw_a_chart_without_delaying_them(client, c):
    index = client.get(reverse("public:index")).text
    assert "echarts" not in index and "charts.js" not in index
    page = client.get(reverse("public:cycle", args=[c.old.pk])).text
    tag = re.search(r'<script src="[^"]*echarts-5\.6\.0\.custom\.min\.js"[^>]*>', page)
    assert tag and " async" in tag.group(0)


def test_collected_static_files_have_hashed_names_cached_for_a_year(c, tmp_path):
    root = tmp_path / "static"
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST, STATIC_MANIFEST=True):
        assert collect_static() is True
        assert (root / "staticfiles.json").exists()
        assert collect_static() is False, "nothing changed: not collected again"
        browser = Client()  # a new handler: WhiteNoise indexes the collected folder
        page = browser.get(reverse("public:cycle", args=[c.old.pk])).text
        css = re.search(r'href="(/static/parindex/app\.[0-9a-f]{12}\.css)"', page)
        js = re.search(
            r'src="(/static/vendor/echarts-5\.6\.0\.custom\.min\.[0-9a-f]{12}\.js)"', page
        )
        assert css and js, "hashed names in the page"
        for url in (css.group(1), js.group(1)):
            r = browser.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
            assert r.status_code == 200
            assert r["Content-Encoding"] == "gzip"
            age = int(re.search(r"max-age=(\d+)", r["Cache-Control"]).group(1))
            assert age >= 365 * 24 * 3600 and "immutable" in r["Cache-Control"]
            r.close()
