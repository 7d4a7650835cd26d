"""The Django admin: every registered model's pages load for a superuser; the audit trail
cannot be added to, changed or deleted through it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

from parindex.audit.models import AuditEvent
from parindex.audit.services import record
from parindex.frameworks.services import framework_import
from parindex.testing import make_unit, make_user, tiny_framework

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (m._meta.app_label, m._meta.model_name)
    for m in admin.site._registry
    if m._meta.app_label in {"accounts", "audit", "units", "frameworks", "cycles", "assessments"}
)


@pytest.fixture
def superuser_client(client):
    user = make_user("quantri", "admin", is_staff=True, is_superuser=True)
    client.force_login(user)
    framework_import(framework=tiny_framework(), actor=user)
    return client


def test_every_data_model_is_registered():
    # 17, plus issue 8's CouncilDecision and ExplanationRequest (read-only there).
    assert len(MODELS) == 19


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_changelist_loads_for_a_superuser(superuser_client, app, model):
    response = superuser_client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200


def test_framework_page_shows_its_criteria(superuser_client):
    from parindex.frameworks.models import Framework

    fw = Framework.objects.get()
    response = superuser_client.get(reverse("admin:frameworks_framework_change", args=[fw.pk]))
    assert response.status_code == 200
    assert "Kế hoạch CCHC" in response.content.decode()


def test_the_audit_admin_refuses_add_change_and_delete(superuser_client):
    unit = make_unit("so-tu-phap")
    with transaction.atomic():
        event = record(actor=None, action="unit.create", obj=unit)
    assert superuser_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert superuser_client.get(change).status_code == 200  # view only
    response = superuser_client.post(change, {"action": "sửa"})
    assert response.status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "unit.create"
