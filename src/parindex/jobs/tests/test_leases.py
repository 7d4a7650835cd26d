"""Leases in-process (both databases): a task whose worker died is requeued, then failed
after the allowed attempts with a reason the user sees and can retry; the recompute
debounce never stays stuck on a flag whose task will never run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from parindex.jobs.leases import lease_take, reclaim_stale
from parindex.jobs.models import TaskLease
from parindex.jobs.status import JobStatus
from parindex.reports.models import ExportJob
from parindex.reports.services import export_request
from parindex.reports.tasks import run_export
from parindex.results.models import RecomputeRequest
from parindex.results.services import request_recompute
from parindex.results.tasks import recompute_cycle

pytestmark = pytest.mark.django_db


def _killed_mid_run(task_id, *, attempts: int = 1, ago: int = 120) -> None:
    """What a SIGKILL leaves: RUNNING, claimed ``attempts`` times, lease long expired."""
    DBTaskResult.objects.filter(pk=task_id).update(
        status="RUNNING",
        started_at=timezone.now() - dt.timedelta(seconds=ago),
        worker_ids=[f"dead-{i}" for i in range(attempts)],
    )
    lease_take(task_id, f"dead-{attempts - 1}")
    TaskLease.objects.filter(task_id=task_id).update(
        lease_until=timezone.now() - dt.timedelta(seconds=ago - 60)
    )


def _export_job(cycle, user, captured) -> tuple[ExportJob, DBTaskResult]:
    with captured(execute=True):
        job = export_request(cycle=cycle, kind="csv", actor=user)
    task = DBTaskResult.objects.get(task_path=run_export.module_path)
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=40, started_at=timezone.now()
    )
    return job, task


def test_a_killed_export_is_requeued_and_back_in_the_queue(
    computed, leader, django_capture_on_commit_callbacks
):
    job, task = _export_job(computed, leader, django_capture_on_commit_callbacks)
    _killed_mid_run(task.pk)
    assert reclaim_stale()["requeued"] == 1
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == "READY" and task.started_at is None
    assert not TaskLease.objects.filter(task_id=task.pk).exists()
    assert (job.status, job.progress) == (JobStatus.QUEUED, 0)
    assert "dừng đột ngột" in job.message


def test_a_live_lease_is_left_alone(computed, leader, django_capture_on_commit_callbacks):
    _job, task = _export_job(computed, leader, django_capture_on_commit_callbacks)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=timezone.now() - dt.timedelta(hours=1), worker_ids=["w"]
    )
    lease_take(task.pk, "w")  # a long task whose worker is alive and renewing
    assert reclaim_stale() == {"requeued": 0, "failed": 0}
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_after_max_attempts_the_export_fails_with_a_reason_and_can_be_retried(
    computed, leader, client, settings, django_capture_on_commit_callbacks
):
    settings.PARINDEX_JOB_MAX_ATTEMPTS = 3
    job, task = _export_job(computed, leader, django_capture_on_commit_callbacks)
    _killed_mid_run(task.pk, attempts=3)
    assert reclaim_stale()["failed"] == 1
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path.endswith("WorkerLost")
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Tiến trình xử lý bị dừng đột ngột 3 lần")
    # The page stops polling and offers "Thử lại", which queues a new job of that kind.
    client.force_login(leader)
    page = client.get(reverse("reports:exports", args=[computed.pk])).content.decode()
    assert "Tiến trình xử lý bị dừng đột ngột" in page and "Thử lại" in page
    assert 'hx-trigger="every 2s"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:exports", args=[computed.pk]), {"kind": "csv"})
    assert ExportJob.objects.filter(cycle=computed, status=JobStatus.QUEUED).count() == 1


def test_an_export_left_queued_without_a_task_fails_instead_of_polling_for_ever(computed, leader):
    job = ExportJob.objects.create(cycle=computed, kind="csv", requested_by=leader)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    reclaim_stale()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "dừng đột ngột" in job.message


def _recompute_task(cycle) -> DBTaskResult:
    return DBTaskResult.objects.filter(
        task_path=recompute_cycle.module_path, args_kwargs__args__0=cycle.pk
    ).latest("enqueued_at")


def test_a_recompute_given_up_shows_why_and_tinh_lai_enqueues_again(
    computed, admin, client, settings, django_capture_on_commit_callbacks
):
    settings.PARINDEX_JOB_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        request_recompute(computed)
    task = _recompute_task(computed)
    # The run cleared the flag when it started, then its workers died twice.
    RecomputeRequest.objects.filter(cycle=computed).update(pending=False)
    _killed_mid_run(task.pk, attempts=2)
    assert reclaim_stale()["failed"] == 1
    req = RecomputeRequest.objects.get(cycle=computed)
    assert req.last_error.startswith("Tiến trình xử lý bị dừng đột ngột 2 lần")
    client.force_login(admin)
    page = client.get(reverse("results_overview", args=[computed.pk])).content.decode()
    assert "Tiến trình xử lý bị dừng đột ngột 2 lần" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("results_recompute", args=[computed.pk]))
    assert _recompute_task(computed).status == "READY"
    assert RecomputeRequest.objects.get(cycle=computed).pending


def test_a_pending_flag_whose_enqueue_never_happened_does_not_block_recompute(
    computed, admin, client, django_capture_on_commit_callbacks
):
    # The process died between setting the flag and enqueueing: no task, flag set.
    RecomputeRequest.objects.update_or_create(
        cycle=computed,
        defaults={"pending": True, "requested_at": timezone.now() - dt.timedelta(hours=1)},
    )
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("results_recompute", args=[computed.pk]))
    task = _recompute_task(computed)
    assert task.status == "READY"
    assert RecomputeRequest.objects.get(cycle=computed).task_id is not None


def test_a_pending_flag_whose_task_was_lost_is_resumed_by_the_sweep(
    computed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_recompute(computed)
    first = _recompute_task(computed)
    DBTaskResult.objects.filter(pk=first.pk).delete()  # e.g. pruned, or a wiped queue
    reclaim_stale()
    assert _recompute_task(computed).pk != first.pk


def test_the_debounce_still_holds_while_the_task_is_queued(
    computed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_recompute(computed)
        request_recompute(computed)
    with django_capture_on_commit_callbacks(execute=True):
        request_recompute(computed)
    reclaim_stale()
    assert (
        DBTaskResult.objects.filter(task_path=recompute_cycle.module_path, status="READY").count()
        == 1
    )


def test_an_export_waiting_long_for_a_busy_worker_is_not_failed(
    computed, leader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(cycle=computed, kind="csv", actor=leader)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    reclaim_stale()  # its task is still READY in the queue
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_a_task_backend_without_uuid_ids_still_takes_the_request(world):
    """Django's dummy and immediate backends give random string ids, not database rows: the
    request is still taken (a save never fails on it) and its flag ages out by itself."""
    from django.test import override_settings

    from parindex.results.models import RecomputeRequest
    from parindex.results.services.background import _enqueue_recompute

    dummy = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        assert _enqueue_recompute(world.cycle.pk, [world.tuphap.pk]) is True
    request = RecomputeRequest.objects.get(cycle=world.cycle)
    assert request.pending and request.task_id is None


def test_a_dossier_import_whose_worker_died_is_requeued_then_failed_with_the_reason(
    world, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from parindex.dossiers.models import DossierImport
    from parindex.dossiers.services import dossier_import_request
    from parindex.dossiers.tasks import run_import

    upload = SimpleUploadedFile("mot-cua.csv", b"MaHoSo;TrangThaiHoSo\nH1;4\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = dossier_import_request(file=upload, source="dvcqg", actor=world.admin)
    task = DBTaskResult.objects.get(task_path=run_import.module_path)
    DossierImport.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=30)

    _killed_mid_run(task.pk)
    assert reclaim_stale()["requeued"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "dừng đột ngột" in job.message

    DossierImport.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    _killed_mid_run(task.pk, attempts=3)
    assert reclaim_stale()["failed"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Tiến trình xử lý bị dừng đột ngột 3 lần")


def test_a_job_whose_task_cannot_be_queued_says_so(computed, leader):
    from parindex.jobs.leases import enqueue_or_fail

    job = ExportJob.objects.create(cycle=computed, kind="csv", requested_by=leader)

    class QueueDown:  # a task whose backend refuses the enqueue
        def enqueue(self, *args):  # type: ignore[no-untyped-def]
            raise ConnectionError("hàng đợi tắt")

    enqueue_or_fail(QueueDown(), ExportJob, job.pk)  # type: ignore[arg-type]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "Không đưa được vào hàng đợi: hàng đợi tắt"
