from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from parindex.improvement.models import PlanTask, ReminderSent, WorkStatus
from parindex.improvement.sources import internal_unit_lost
from parindex.improvement.tasks import remind_tasks, reminder_for
from parindex.improvement.tests.helpers import approved_plan
from parindex.notifications.models import Notification
from parindex.results.services import results_recompute
from parindex.testing import fill

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_the_internal_source_gives_the_units_lost_points_largest_first(world):
    fill(world)  # 1.1 Kịp thời (2/2), 1.2.1 at 75% (2.5/2.5), 1.2.2 N/A; 2.1 not scored
    results_recompute(cycle=world.cycle, actor=None)
    rows = internal_unit_lost(world.admin, cycle=world.cycle, unit=world.tuphap)
    by_code = {r.code: r for r in rows}
    assert "1.1" not in by_code and "1.2.2" not in by_code  # full points; N/A
    assert by_code["2.1"].level == 2 and by_code["2.1"].lost == Decimal("4")
    assert rows == sorted(rows, key=lambda r: -r.lost)
    with pytest.raises(Http404):
        internal_unit_lost(world.other_staff, cycle=world.cycle, unit=world.tuphap)


def test_reminder_kinds_follow_the_configured_days():
    today = dt.date(2025, 6, 10)
    assert reminder_for(dt.date(2025, 6, 30), today, (7, 1)) is None
    assert reminder_for(dt.date(2025, 6, 17), today, (7, 1)) == "before:7"
    assert reminder_for(dt.date(2025, 6, 11), today, (7, 1)) == "before:1"
    assert reminder_for(dt.date(2025, 6, 10), today, (7, 1)) == "before:1"
    assert reminder_for(dt.date(2025, 6, 9), today, (7, 1)) == "overdue"
    assert reminder_for(dt.date(2025, 6, 13), today, (3,)) == "before:3"


@override_settings(TASKS=IMMEDIATE)
def test_reminders_go_once_per_task_and_kind_in_the_app_and_by_email(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    world.staff.email, world.head.email = "canbo@tuphap.vn", "thutruong@tuphap.vn"
    world.staff.save()
    world.head.save()
    approved_plan(world, deadline=today + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        first = remind_tasks(today=today)
    assert (first["sent"], first["notified"]) == (1, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["canbo@tuphap.vn", "thutruong@tuphap.vn"]
    assert "Còn 5 ngày" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        again = remind_tasks(today=today)
    assert again["sent"] == 0 and len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        late = remind_tasks(today=today + dt.timedelta(days=6))
    assert late["sent"] == 1
    assert Notification.objects.filter(user=world.staff, kind="overdue").count() == 1
    assert "quá hạn 1 ngày" in mail.outbox[-1].body
    assert set(ReminderSent.objects.values_list("kind", flat=True)) == {"before:7", "overdue"}
    assert not Notification.objects.filter(user=world.other_staff).exists()


def test_done_tasks_and_draft_plans_are_not_reminded(world, capsys):
    _, task = approved_plan(world, deadline=timezone.localdate() - dt.timedelta(days=2))
    PlanTask.objects.filter(pk=task.pk).update(status=WorkStatus.DONE)
    call_command("task_reminders")
    assert "gửi 0 lần nhắc" in capsys.readouterr().out
    assert not ReminderSent.objects.exists()


def test_the_admin_drafts_the_plan_from_the_provinces_national_losses(world, client):
    """Seed 003: the plan answers what the province lost in the Ministry's results. The
    draft form's national source puts a target on each criterion the province lost."""
    from django.urls import reverse

    from parindex.improvement.models import PlanTarget
    from parindex.improvement.services import plan_create
    from parindex.national.selectors import province_lost_points
    from parindex.national.tests.helpers import national_world

    ds = national_world()[2025]  # the shipped sample, with the home province's criteria
    plan = plan_create(year=ds.year + 1, framework=ds.framework, actor=world.admin)
    client.force_login(world.admin)
    page = client.get(reverse("improvement:plan", args=[plan.pk]))
    assert "Lập dự thảo từ kết quả quốc gia" in page.content.decode()
    answer = client.post(
        reverse("improvement:plan_generate", args=[plan.pk]), {"dataset": ds.pk}, follow=True
    )
    assert "Đã lập dự thảo từ điểm bị trừ." in answer.content.decode()
    lost = province_lost_points(world.admin, dataset=ds)
    expected = {r.code for r in lost if r.level == 2 and r.lost > 0}
    got = set(PlanTarget.objects.filter(plan=plan).values_list("criterion__code", flat=True))
    assert got == expected and got  # every lost criterion, nothing else
    # A dataset on another framework than the plan's is refused, nothing drafted.
    other = plan_create(year=ds.year + 2, framework=world.fw, actor=world.admin)
    answer = client.post(
        reverse("improvement:plan_generate", args=[other.pk]), {"dataset": ds.pk}, follow=True
    )
    assert "chọn bộ số liệu cùng bộ tiêu chí" in answer.content.decode()
    assert not PlanTarget.objects.filter(plan=other).exists()
