from __future__ import annotations

import pytest
from django.db import transaction

from parindex.audit.models import AuditEvent
from parindex.audit.services import record
from parindex.testing import make_unit


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    unit = make_unit("so-tu-phap")
    with pytest.raises(AssertionError, match="transaction"):
        record(actor=None, action="x", obj=unit)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_audit_row_rolls_back_with_the_change():
    unit = make_unit("so-tu-phap", name="Sở Tư pháp")
    with pytest.raises(RuntimeError), transaction.atomic():
        unit.name = "Đổi tên"
        unit.save()
        record(
            actor=None,
            action="unit.update",
            obj=unit,
            field="name",
            before="Sở Tư pháp",
            after="Đổi tên",
        )
        raise RuntimeError
    unit.refresh_from_db()
    assert unit.name == "Sở Tư pháp"
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_record_keeps_what_changed_and_why():
    unit = make_unit("so-tu-phap", name="Sở Tư pháp")
    with transaction.atomic():
        event = record(
            actor=None,
            action="unit.update",
            obj=unit,
            field="name",
            before="A",
            after="B",
            reason="Sáp nhập",
            context={"cycle": 1},
        )
    event.refresh_from_db()
    assert event.object_type == "units.unit" and event.object_id == str(unit.pk)
    assert (event.before, event.after, event.reason) == ("A", "B", "Sáp nhập")
    assert event.context == {"cycle": 1}
