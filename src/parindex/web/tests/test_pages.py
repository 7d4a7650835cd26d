"""The app shell pages, seen by each persona: province-wide roles see every unit, a unit's
staff see only their own unit (another unit is a 404, as if it did not exist), and an
anonymous visitor is sent to the login page."""

from __future__ import annotations

import io

import openpyxl
import pytest
import yaml
from django.urls import reverse

from parindex.cycles.services import cycle_create
from parindex.frameworks.services import framework_import
from parindex.testing import make_group, make_unit, make_user, tiny_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    admin = make_user("snv", "admin", is_staff=True)
    departments = make_group()
    tu_phap = make_unit("so-tu-phap", "Sở Tư pháp", group=departments)
    y_te = make_unit("so-y-te", "Sở Y tế", group=departments)
    fw = framework_import(framework=tiny_framework(), actor=admin)
    cycle = cycle_create(
        year=2025,
        name="Chỉ số CCHC năm 2025",
        frameworks={departments: fw},
        units=[tu_phap, y_te],
        actor=admin,
    )
    staff = make_user("canbo", "unit_staff", unit=tu_phap)
    return {
        "admin": admin,
        "tu_phap": tu_phap,
        "y_te": y_te,
        "fw": fw,
        "cycle": cycle,
        "staff": staff,
        "leader": make_user("lanhdao", "leader"),
    }


def test_anonymous_visitors_are_sent_to_login(client, world):
    for url in (
        reverse("home"),
        reverse("unit_list"),
        reverse("unit_detail", args=["so-tu-phap"]),
        reverse("framework_list"),
        reverse("framework_detail", args=[world["fw"].code]),
        reverse("cycle_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_login_page_is_in_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="vi"' in body and "Đăng nhập" in body and "Mật khẩu" in body


def test_a_leader_sees_every_unit_and_searches_them(client, world):
    client.force_login(world["leader"])
    body = client.get(reverse("unit_list")).content.decode()
    assert "Sở Tư pháp" in body and "Sở Y tế" in body
    # htmx search returns only the rows partial, filtered.
    partial = client.get(reverse("unit_list"), {"q": "y tế"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text
    assert "Sở Y tế" in text and "Sở Tư pháp" not in text


def test_unit_staff_see_only_their_own_unit(client, world):
    client.force_login(world["staff"])
    body = client.get(reverse("unit_list")).content.decode()
    assert "Sở Tư pháp" in body and "Sở Y tế" not in body
    assert client.get(reverse("unit_detail", args=["so-tu-phap"])).status_code == 200
    assert client.get(reverse("unit_detail", args=["so-y-te"])).status_code == 404


def test_the_cycle_page_lists_only_what_the_user_may_see(client, world):
    url = reverse("cycle_detail", args=[world["cycle"].pk])
    client.force_login(world["leader"])
    body = client.get(url).content.decode()
    assert "Sở Tư pháp" in body and "Sở Y tế" in body
    client.force_login(world["staff"])
    # A draft cycle is not visible to units yet.
    assert client.get(url).status_code == 404


def test_framework_page_shows_the_tree_with_maxima_rules_and_guidance(client, world):
    client.force_login(world["staff"])
    body = client.get(reverse("framework_detail", args=[world["fw"].code])).content.decode()
    assert "Bộ tiêu chí thử nghiệm" in body
    assert "Kế hoạch CCHC" in body and "Ban hành trước 31/12" in body
    assert "Bộ tiêu chí mẫu" in body
    assert "Kịp thời" in body  # the tiers rule, spelled out


def test_framework_downloads_are_real_yaml_and_excel_files(client, world):
    client.force_login(world["staff"])
    code = world["fw"].code
    response = client.get(reverse("framework_download", args=[code, "yaml"]))
    assert response.status_code == 200
    data = yaml.safe_load(b"".join(response.streaming_content).decode())
    assert data["code"] == code and data["nodes"][0]["code"] == "1"
    response = client.get(reverse("framework_download", args=[code, "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "Kế hoạch CCHC" in cells
    assert client.get(reverse("framework_download", args=[code, "exe"])).status_code == 404


def test_home_shows_the_current_cycle_and_frameworks(client, world):
    client.force_login(world["admin"])
    body = client.get(reverse("home")).content.decode()
    assert "Chỉ số CCHC năm 2025" in body
    assert "Bộ tiêu chí thử nghiệm" in body
