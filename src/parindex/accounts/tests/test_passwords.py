"""Every password set passes Django's validators (Vietnamese messages), and users change
their own password from the app."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from parindex.accounts.services import user_create, user_password_set
from parindex.audit.models import AuditEvent
from parindex.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("ngan-qua", "quá ngắn"),
        ("12345678901234", "hoàn toàn là số"),
        ("1qaz2wsx3edc", "quá phổ biến"),
        ("nguyenvanbinh1", "quá giống"),
    ],
)
def test_user_create_refuses_a_password_the_validators_refuse(password, message):
    with pytest.raises(ValidationError) as caught:
        user_create(username="nguyenvanbinh", password=password, role="leader", actor=None)
    assert any(message in m for m in caught.value.message_dict["password"])


def test_user_create_accepts_a_good_password():
    user = user_create(username="lanhdao", password="Ba-con-meo-trang", role="leader", actor=None)
    assert user.check_password("Ba-con-meo-trang")


def test_setting_a_weak_password_is_refused_and_a_good_one_audited():
    user = make_user("canbo", "unit_staff")
    with pytest.raises(ValidationError):
        user_password_set(user=user, password="12345", actor=user)
    user_password_set(user=user, password="mot-mat-khau-moi-dai", actor=user)
    user.refresh_from_db()
    assert user.check_password("mot-mat-khau-moi-dai")
    event = AuditEvent.objects.get(action="user.password_set")
    assert event.object_id == str(user.pk) and "mot-mat-khau" not in str(event.after)


def test_users_change_their_own_password_from_the_account_page():
    user = make_user("canbo", "unit_staff")
    client = Client()
    client.post("/dang-nhap/", {"username": "canbo", "password": PASSWORD})
    assert "/tai-khoan/" in client.get("/").content.decode()  # linked from every page
    weak = client.post(
        "/tai-khoan/doi-mat-khau/",
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200 and "quá ngắn" in weak.content.decode()
    done = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": PASSWORD,
            "new_password1": "mot-mat-khau-moi-dai",
            "new_password2": "mot-mat-khau-moi-dai",
        },
    )
    assert done.status_code == 302
    assert client.get("/don-vi/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password("mot-mat-khau-moi-dai")
    assert AuditEvent.objects.filter(action="user.password_set", actor=user).exists()


def test_a_wrong_current_password_changes_nothing():
    user = make_user("canbo", "unit_staff")
    client = Client()
    client.force_login(user)
    response = client.post(
        "/tai-khoan/doi-mat-khau/",
        {
            "old_password": "khong-phai",
            "new_password1": "x-y-z-dai-du-12",
            "new_password2": "x-y-z-dai-du-12",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
