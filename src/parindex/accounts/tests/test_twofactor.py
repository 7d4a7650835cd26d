"""Two-factor authentication (django-otp): required roles are sent to enrolment and kept
there; the second step refuses a wrong code, accepts the app's TOTP code, and a recovery
code works once; the admin's reset is audited."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parindex.audit.models import AuditEvent
from parindex.testing import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_2fa")]


@pytest.fixture
def require_2fa():
    with override_settings(PARINDEX_REQUIRE_2FA=True):
        yield


def _code(device: TOTPDevice, shift: int = 0) -> str:
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + shift,
    )
    return f"{value:0{device.digits}d}"


def _login(username: str) -> Client:
    client = Client()
    response = client.post("/dang-nhap/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _enrol(client: Client, username: str) -> tuple[TOTPDevice, list[str]]:
    assert client.get("/tai-khoan/xac-thuc-hai-buoc/").status_code == 200
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = client.post("/tai-khoan/xac-thuc-hai-buoc/", {"code": _code(device)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    device.refresh_from_db()
    return device, codes


def test_a_required_user_without_two_factor_is_sent_to_enrolment_and_kept_there():
    make_user("quantri", "admin")
    client = _login("quantri")
    for path in ("/", "/don-vi/", "/api/notifications"):
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/tai-khoan/xac-thuc-hai-buoc/")
    page = client.get("/tai-khoan/xac-thuc-hai-buoc/").content.decode()
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    device = TOTPDevice.objects.get(user__username="quantri")
    assert _secret(device) in re.sub(r"\s", "", page)  # for typing in by hand


def _secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def test_enrolment_shows_ten_recovery_codes_once_and_frees_the_pages():
    make_user("thamdinh", "appraiser")
    client = _login("thamdinh")
    device, codes = _enrol(client, "thamdinh")
    assert device.confirmed and len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/don-vi/").status_code == 200
    assert AuditEvent.objects.filter(action="twofactor.enrol").count() == 1
    assert not any(c in client.get("/tai-khoan/").content.decode() for c in codes)


def test_an_optional_user_logs_in_with_the_password_alone():
    make_user("canbo", "unit_staff")
    client = _login("canbo")
    assert client.get("/don-vi/").status_code == 200


def test_the_second_step_refuses_a_wrong_code_and_accepts_the_totp_code():
    make_user("quantri", "admin")
    device, _ = _enrol(_login("quantri"), "quantri")
    device.last_t = -1  # the enrolment code may be reused by this test's clock
    device.save()
    client = _login("quantri")
    assert client.get("/don-vi/")["Location"].startswith("/xac-thuc-hai-buoc/")
    bad = "000000" if _code(device) != "000000" else "111111"
    wrong = client.post("/xac-thuc-hai-buoc/", {"code": bad})
    assert wrong.status_code == 422 and "Mã xác thực không đúng" in wrong.content.decode()
    assert client.get("/don-vi/").status_code == 302
    device.refresh_from_db()
    device.throttle_reset()
    right = client.post("/xac-thuc-hai-buoc/", {"code": _code(device), "next": "/don-vi/"})
    assert right.status_code == 302 and right["Location"] == "/don-vi/"
    assert client.get("/don-vi/").status_code == 200


def test_a_recovery_code_works_once():
    make_user("quantri", "admin")
    _, codes = _enrol(_login("quantri"), "quantri")
    first = _login("quantri")
    assert first.post("/xac-thuc-hai-buoc/", {"code": codes[0]}).status_code == 302
    assert first.get("/don-vi/").status_code == 200
    again = _login("quantri")
    refused = again.post("/xac-thuc-hai-buoc/", {"code": codes[0]})
    assert refused.status_code == 422
    assert again.get("/don-vi/").status_code == 302
    event = AuditEvent.objects.get(action="twofactor.recovery_code_used")
    assert event.after == {"left": 9}


def test_the_admin_resets_a_lost_phone_and_it_is_audited():
    admin = make_user("quantri", "admin")
    make_user("thamdinh", "appraiser")
    _enrol(_login("thamdinh"), "thamdinh")
    page = _login("quantri")  # the admin enrols too: two-factor is required of admins
    _enrol(page, "quantri")
    target = TOTPDevice.objects.get(user__username="thamdinh").user
    assert "thamdinh" in page.get("/quan-tri/bao-mat/").content.decode()
    assert (
        page.post(f"/quan-tri/bao-mat/nguoi-dung/{target.pk}/dat-lai-xac-thuc/").status_code == 302
    )
    assert not TOTPDevice.objects.filter(user=target).exists()
    event = AuditEvent.objects.get(action="twofactor.reset")
    assert event.actor == admin and event.object_id == str(target.pk)
    # The next login asks for enrolment again.
    client = _login("thamdinh")
    assert client.get("/")["Location"].startswith("/tai-khoan/xac-thuc-hai-buoc/")
