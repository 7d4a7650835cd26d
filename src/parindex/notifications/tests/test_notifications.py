from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.assessments.services import assessments_open
from parindex.cycles.models import Cycle, CycleStatus
from parindex.cycles.services import cycle_create
from parindex.frameworks.services import framework_import
from parindex.notifications.models import Notification
from parindex.notifications.selectors import notifications_for
from parindex.notifications.services import mark_read, notify, unread_count
from parindex.notifications.tasks import remind_due, reminder_kind
from parindex.testing import make_group, make_unit, make_user, tiny_framework

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return make_unit("so-tu-phap", "Sở Tư pháp", group=make_group())


@pytest.fixture
def staff(unit):
    return make_user("canbo", "unit_staff", unit=unit, email="canbo@tuphap.vn")


@pytest.fixture
def head(unit):
    return make_user("thutruong", "unit_head", unit=unit, email="thutruong@tuphap.vn")


@override_settings(TASKS=IMMEDIATE)
def test_notify_creates_in_app_rows_and_emails_on_commit(
    staff, head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            users=[staff, head, staff],
            kind="returned",
            title="Phiếu được trả lại để giải trình",
            body="Vui lòng giải trình tiêu chí 1.1.",
            url="/phieu/1/",
        )
    assert len(created) == 2
    assert unread_count(staff) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["canbo@tuphap.vn", "thutruong@tuphap.vn"]
    assert "Phiếu được trả lại" in mail.outbox[0].subject
    assert "/phieu/1/" in mail.outbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


@override_settings(TASKS=IMMEDIATE)
def test_no_email_when_the_transaction_rolls_back(staff, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(users=[staff], kind="approved", title="Đã phê duyệt", body="")
        raise RuntimeError
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_notify_skips_existing_dedupe_keys(staff, head):
    notify(users=[staff], kind="overdue", title="Quá hạn", body="", dedupe_key="k1")
    again = notify(users=[staff, head], kind="overdue", title="Quá hạn", body="", dedupe_key="k1")
    assert [n.user for n in again] == [head]
    assert Notification.objects.filter(user=staff).count() == 1


def test_mark_read_is_only_for_the_owner(staff, head):
    [n] = notify(users=[staff], kind="approved", title="Đã phê duyệt", body="")
    with pytest.raises(Http404):
        mark_read(notification=n, actor=head)
    mark_read(notification=n, actor=staff)
    assert unread_count(staff) == 0
    assert list(notifications_for(head)) == []


def test_reminder_kinds():
    tz = timezone.get_current_timezone()
    now = dt.datetime(2025, 11, 20, 9, 0, tzinfo=tz)
    assert reminder_kind(dt.datetime(2025, 11, 30, 17, tzinfo=tz), now) is None
    assert reminder_kind(dt.datetime(2025, 11, 23, 17, tzinfo=tz), now) == "due_3_days"
    assert reminder_kind(dt.datetime(2025, 11, 21, 17, tzinfo=tz), now) == "due_tomorrow"
    assert reminder_kind(dt.datetime(2025, 11, 20, 8, tzinfo=tz), now) == "overdue"


@pytest.fixture
def cycle(unit):
    fw = framework_import(framework=tiny_framework(), actor=None)
    cycle = cycle_create(
        year=2025, name="Kỳ 2025", frameworks={unit.group: fw}, units=[unit], actor=None
    )
    assessments_open(cycle=cycle, actor=None)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.SELF_ASSESSMENT)
    return Cycle.objects.get(pk=cycle.pk)


@override_settings(TASKS=IMMEDIATE)
def test_reminders_are_sent_once_per_unit_stage_kind_and_deadline(
    cycle, staff, head, django_capture_on_commit_callbacks
):
    deadline = timezone.now() + dt.timedelta(days=1, hours=1)
    Cycle.objects.filter(pk=cycle.pk).update(self_assessment_deadline=deadline)
    outsider = make_user("khac", "unit_staff", unit=make_unit("so-y-te"), email="x@yte.vn")
    with django_capture_on_commit_callbacks(execute=True):
        first = remind_due(now=deadline - dt.timedelta(days=1))
        second = remind_due(now=deadline - dt.timedelta(days=1))
    assert first["notified"] == 2 and second["notified"] == 0
    assert len(mail.outbox) == 2
    assert {n.kind for n in Notification.objects.all()} == {"due_tomorrow"}
    assert not Notification.objects.filter(user=outsider).exists()
    # overdue is another notice, once
    with django_capture_on_commit_callbacks(execute=True):
        remind_due(now=deadline + dt.timedelta(minutes=1))
        remind_due(now=deadline + dt.timedelta(minutes=2))
    assert Notification.objects.filter(kind="overdue").count() == 2


def test_submitted_units_get_no_self_assessment_reminder(cycle, staff):
    deadline = timezone.now() + dt.timedelta(days=2)
    Cycle.objects.filter(pk=cycle.pk).update(self_assessment_deadline=deadline)
    Assessment.objects.update(status=AssessmentStatus.SUBMITTED)
    assert remind_due()["notified"] == 0


def test_returned_units_are_reminded_of_their_explanation_deadline(cycle, staff):
    due = timezone.now() + dt.timedelta(days=3, hours=-2)
    Cycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.APPRAISAL_ROUND1, explanation_deadline=due
    )
    Assessment.objects.update(status=AssessmentStatus.RETURNED)
    remind_due()
    [n] = Notification.objects.all()
    assert n.kind == "due_3_days" and "giải trình" in n.title


@pytest.mark.django_db(transaction=True)
def test_parindex_worker_once_runs_the_reminders_and_the_queue(unit, staff, cycle, settings):
    from django_tasks_db.models import DBTaskResult

    from parindex.cli import main

    Cycle.objects.filter(pk=cycle.pk).update(
        self_assessment_deadline=timezone.now() - dt.timedelta(hours=1)
    )
    assert main(["worker", "--once"]) == 0
    assert Notification.objects.filter(kind="overdue", user=staff).count() == 1
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= 2  # reminders + e-mail
    assert len(mail.outbox) == 1
    assert Notification.objects.get().emailed_at is not None
