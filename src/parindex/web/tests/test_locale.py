"""Vietnamese everywhere (issue 8, part 6): the error pages in the app's layout, the Django
admin's names, rule types in words, numbers with a decimal comma, metrics from a list."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from parindex.engine.framework import RULE_TYPES, Rule
from parindex.formats.numbers import vn_number
from parindex.formats.rule_text import RULE_TYPE_LABELS, describe_rule
from parindex.results.models import UnitMetric
from parindex.web import errors

from .conftest import sc

LAYOUT = '<header class="top">'


# ------------------------------------------------------------------ error pages


@pytest.mark.django_db
def test_a_missing_page_is_vietnamese_in_the_layout_and_the_api_keeps_json(client, settings, w):
    settings.DEBUG = False
    r = client.get("/khong-co-trang-nay/")
    body = r.content.decode()
    assert r.status_code == 404 and LAYOUT in body and 'lang="vi"' in body
    assert "Không tìm thấy trang" in body and "Not Found" not in body
    client.force_login(w.staff)  # signed in: the navigation is there too
    body = client.get(reverse("cycle_progress", args=[w.cycle.pk])).content.decode()
    assert "Không tìm thấy trang" in body and "Phiếu của đơn vị" in body
    r = client.get("/api/khong-co/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    assert r.json() == {"detail": "Không tìm thấy.", "errors": []}


@pytest.mark.django_db
def test_403_and_400_pages_are_vietnamese_in_the_layout(settings):
    settings.DEBUG = False
    request = RequestFactory().get("/ky-danh-gia/1/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    r = errors.permission_denied(request, PermissionDenied("Chỉ Quản trị Sở Nội vụ được mở kỳ."))
    body = r.content.decode()
    assert r.status_code == 403 and LAYOUT in body
    assert "Không có quyền truy cập" in body and "Chỉ Quản trị Sở Nội vụ được mở kỳ." in body
    r = errors.bad_request(request, ValueError("x"))
    assert r.status_code == 400 and "Yêu cầu không hợp lệ" in r.content.decode()
    api = RequestFactory().get("/api/cycles/1")
    api.user = AnonymousUser()
    assert errors.permission_denied(api, PermissionDenied()).status_code == 403
    assert json.loads(errors.bad_request(api, ValueError()).content)["detail"] == (
        "Yêu cầu không hợp lệ."
    )
    # A bad Host header is a 400 from Django itself: our page, not "Bad Request (400)".
    r = Client(HTTP_HOST="bad host!").get("/")
    assert r.status_code == 400 and "Yêu cầu không hợp lệ" in r.content.decode()


@pytest.mark.django_db
def test_a_stale_form_is_a_vietnamese_403(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.admin)
    r = client.post(reverse("cycle_external", args=[w.cycle.pk]), {"what": "csv"})
    body = r.content.decode()
    assert r.status_code == 403 and LAYOUT in body and "Biểu mẫu đã cũ" in body
    assert "CSRF verification failed" not in body


def test_the_500_page_renders_without_a_request_context_or_database(settings):
    # No django_db mark: any query would fail the test.
    settings.DEBUG = False
    r = errors.server_error(RequestFactory().get("/phieu/1/"))
    body = r.content.decode()
    assert r.status_code == 500 and LAYOUT in body and "Lỗi máy chủ" in body
    assert settings.PARINDEX_SITE_NAME in body and "Server Error" not in body
    r = errors.server_error(RequestFactory().get("/api/cycles"))
    assert r.status_code == 500 and json.loads(r.content)["detail"].startswith("Lỗi máy chủ")


def test_the_url_conf_installs_the_handlers():
    from parindex.config import urls

    assert urls.handler404 == "parindex.web.errors.page_not_found"
    assert urls.handler500 == "parindex.web.errors.server_error"
    assert urls.handler403.endswith("permission_denied") and urls.handler400.endswith("bad_request")


# ------------------------------------------------------------------ Django admin


def test_every_model_and_field_of_the_app_has_a_vietnamese_name():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("parindex."):
            continue
        opts = model._meta
        assert opts.app_config.verbose_name != opts.app_config.label.title(), opts.app_label
        for attr in ("verbose_name", "verbose_name_plural"):
            if attr not in opts.original_attrs:
                missing.append(f"{model.__name__}.Meta.{attr}")
        for f in opts.get_fields():
            if f.concrete and not f.auto_created and "verbose_name" not in f.deconstruct()[3]:
                missing.append(f"{model.__name__}.{f.name}")
    assert missing == []


@pytest.mark.django_db
def test_the_admin_site_speaks_vietnamese(client, w, settings):
    assert settings.LANGUAGE_CODE == "vi"
    w.admin.is_staff = w.admin.is_superuser = True
    w.admin.save()
    client.force_login(w.admin)
    body = client.get("/admin/").content.decode()
    assert "Quản trị hệ thống parindex" in body and "Kỳ đánh giá" in body
    assert "Site administration" not in body


# ------------------------------------------------------------------ rule types in words


def test_every_rule_type_has_words_and_the_rules_read_in_vietnamese():
    assert set(RULE_TYPE_LABELS) == set(RULE_TYPES)
    d = Decimal
    assert describe_rule(Rule("binary")) == "Có/Không"
    assert describe_rule(Rule("binary", {"points": d("0.5")})) == "Có/Không (đạt được 0,5)"
    tiers = {
        "tiers": [{"label": "Kịp thời", "points": d("1")}, {"label": "Trễ", "points": d("0.5")}]
    }
    assert describe_rule(Rule("tiers", tiers)) == "Theo mức: Kịp thời = 1; Trễ = 0,5"
    assert describe_rule(Rule("proportional", {"threshold": d("50")})) == "Tỷ lệ %: ngưỡng 50"
    bands = {"bands": [{"min": d("0"), "max": d("70"), "points": d("0")}]}
    assert describe_rule(Rule("bands", bands)) == "Theo khoảng tỷ lệ %: [0–70)% = 0"
    assert describe_rule(None) == ""


@pytest.mark.django_db
def test_the_framework_page_names_rule_types_in_words(client, w):
    client.force_login(w.staff)
    body = client.get(reverse("framework_detail", args=[w.fw.code])).content.decode()
    assert "Theo mức: Kịp thời = 2; 1 = 0,5" in body and "Theo khoảng tỷ lệ %" in body
    assert "Điểm khảo sát: thang từ 1; đến 5" in body
    page = client.get(reverse("assessment_detail", args=[w.a.pk])).content.decode()
    assert '<span class="rule-label">Theo mức</span>' in page


# ------------------------------------------------------------------ numbers


def test_vn_number_writes_a_decimal_comma():
    assert vn_number(Decimal("12.50")) == "12,5"
    assert vn_number(Decimal("1234.5")) == "1.234,5"
    assert vn_number(Decimal("1E+1")) == "10"
    assert vn_number(Decimal("89.333"), 2, strip=False) == "89,33"
    assert vn_number("9,5") == "9,5" and vn_number(None) == ""


@pytest.mark.django_db
def test_messages_print_numbers_with_a_decimal_comma(client, w):
    client.force_login(w.admin)
    url = reverse("cycle_external", args=[w.cycle.pk])
    r = client.post(url, {"what": "one", "unit": w.tuphap.pk, "code": "2.1", "points": "4,5"})
    assert "điểm 4,5 nằm ngoài khoảng [0, 4]" in r.content.decode()
    assert sc(w.a, "2.1").final_points is None
    r = client.post(
        url, {"what": "one", "unit": w.tuphap.pk, "code": "2.1", "points": "3,25"}, follow=True
    )
    assert "Đã nhập điểm tiêu chí 2.1: 3,25 điểm." in r.content.decode()
    r = client.post(
        reverse("results_metrics", args=[w.cycle.pk]),
        {"action": "csv", "text": "unit,metric,value\nso-tu-phap,late_dossier_rate,100.5\n"},
    )
    assert "giá trị 100.5 nằm ngoài" in r.content.decode()  # as typed in the file


# ------------------------------------------------------------------ metrics


@pytest.mark.django_db
def test_metrics_are_chosen_from_a_list_and_an_unknown_one_is_refused(client, w):
    client.force_login(w.admin)
    url = reverse("results_metrics", args=[w.cycle.pk])
    page = client.get(url).content.decode()
    assert '<option value="late_dossier_rate">Tỷ lệ hồ sơ trễ hạn (%)</option>' in page
    r = client.post(
        url, {"action": "one", "unit": w.tuphap.pk, "metric": "late_dossier_rate", "value": "6,5"}
    )
    assert r.status_code == 302
    assert UnitMetric.objects.get(unit=w.tuphap).value == Decimal("6.5")
    r = client.post(url, {"action": "one", "unit": w.tuphap.pk, "metric": "ma_quy", "value": "1"})
    assert r.status_code == 422 and "Chỉ số “ma_quy” không có trong danh sách" in r.content.decode()
    text = "unit,metric,value\nso-tu-phap,satisfaction_index,80\nso-y-te,ty_le_ma,3\n"
    r = client.post(url, {"action": "csv", "file": _file("chi-so.csv", text.encode())})
    body = r.content.decode()
    assert r.status_code == 422 and "chỉ số “ty_le_ma” không có trong danh sách" in body
    assert "<td>3</td>" in body  # its row
    assert list(UnitMetric.objects.values_list("metric", flat=True)) == ["late_dossier_rate"]


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, "text/csv")
