"""kill -9 of a real ``parindex worker`` subprocess in the middle of a recompute and of an
export, then a new worker with a short lease takes the task over and finishes it with the
right data. On PostgreSQL the workers use the test database; on SQLite a file copy of it."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from parindex.assessments.models import LeafScore
from parindex.jobs.models import TaskLease
from parindex.jobs.status import JobStatus
from parindex.reports.models import ExportJob
from parindex.reports.services import export_request
from parindex.results.models import RecomputeRequest, ResultSet
from parindex.results.services import request_recompute, results_recompute

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

#: The workers' log (read when a test times out).
LOG = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the test module)

#: Seconds a worker may take to start (Django set-up) and pick a task up.
PATIENCE = 20


class Shared:
    """The test database as the worker subprocesses see it: PostgreSQL's test database
    itself; on SQLite (an in-memory test database) a file copy made with the backup API,
    copied back once the workers are done."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "shared.sqlite3" if connection.vendor == "sqlite" else None

    def url(self) -> str:
        if self.file is not None:
            return f"sqlite:///{self.file}"
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

    def publish(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            dest = sqlite3.connect(self.file)
            connection.connection.backup(dest)
            dest.close()

    def collect(self) -> None:
        if self.file is not None:
            connection.ensure_connection()
            src = sqlite3.connect(self.file)
            src.backup(connection.connection)
            src.close()

    def tasks(self, task_path: str) -> list[tuple[str, bool]]:
        """(status, has a lease) of the task_path's tasks, as the workers left them."""
        sql = (
            f"SELECT t.status, l.task_id IS NOT NULL FROM {DBTaskResult._meta.db_table} t "
            f"LEFT JOIN {TaskLease._meta.db_table} l ON l.task_id = t.id WHERE t.task_path = "
        )
        if self.file is None:
            with connection.cursor() as c:
                c.execute(sql + "%s", [task_path])
                return [(status, bool(lease)) for status, lease in c.fetchall()]
        db = sqlite3.connect(self.file, timeout=20)
        try:
            rows = db.execute(sql + "?", [task_path]).fetchall()
        finally:
            db.close()
        return [(status, bool(lease)) for status, lease in rows]


@pytest.fixture
def shared(tmp_path: Path) -> Shared:
    return Shared(tmp_path)


def _worker(shared: Shared, *, delay: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": shared.url(),
        "PARINDEX_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PARINDEX_JOB_LEASE_SECONDS": "2",
        "PARINDEX_JOB_TEST_DELAY": str(delay),
        "PARINDEX_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "parindex.cli", "worker", "--interval", "60"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=LOG,
    )


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def _wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    LOG.seek(0)
    pytest.fail(f"timed out waiting until {what}:\n{LOG.read().decode(errors='replace')[-3000:]}")


def _kill_mid_task(
    shared: Shared, workers: list[subprocess.Popen[bytes]], task_path: str
) -> DBTaskResult:
    """Start a slow worker, wait until it runs the task under a lease, SIGKILL it."""
    shared.publish()
    first = _worker(shared, delay=60)
    workers.append(first)
    _wait_for("the worker runs the task", lambda: shared.tasks(task_path) == [("RUNNING", True)])
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    shared.collect()
    task = DBTaskResult.objects.get(task_path=task_path, status="RUNNING")
    assert task.worker_ids and len(task.worker_ids) == 1
    return task


def _finish_with_a_new_worker(
    shared: Shared, workers: list[subprocess.Popen[bytes]], task: DBTaskResult
) -> DBTaskResult:
    second = _worker(shared, delay=0)
    workers.append(second)
    _wait_for(
        "the new worker finishes the task",
        lambda: shared.tasks(task.task_path)[0][0] in ("SUCCESSFUL", "FAILED"),
    )
    second.send_signal(signal.SIGTERM)
    second.wait(10)
    shared.collect()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    assert len(task.worker_ids) == 2  # claimed by the killed worker, then by the new one
    assert not TaskLease.objects.filter(task_id=task.pk).exists()
    return task


def _results(rs: ResultSet) -> list[tuple[Any, ...]]:
    units = rs.units.order_by("unit__code").values_list(
        "unit__code", "points", "max_points", "index", "rank", "rating", "base_rating"
    )
    return [tuple(u) for u in units]


def test_a_recompute_killed_midway_is_finished_by_the_next_worker(computed, shared, workers):
    before = _results(ResultSet.objects.get(cycle=computed))
    LeafScore.objects.filter(
        assessment__cycle=computed, assessment__unit__code="so-y-te", criterion__code="1.1"
    ).update(final_points=Decimal("0.5"))
    request_recompute(computed)  # autocommit: enqueued at once

    task = _kill_mid_task(shared, workers, "parindex.results.tasks.recompute_cycle")
    # What the kill left: the run had started (flag cleared) and the results are old.
    assert _results(ResultSet.objects.get(cycle=computed)) == before

    task = _finish_with_a_new_worker(shared, workers, task)
    req = RecomputeRequest.objects.get(cycle=computed)
    assert not req.pending and req.last_error == "" and req.finished_at is not None
    after = _results(ResultSet.objects.get(cycle=computed))
    assert after != before
    # Equal to a fresh full recompute of the same data.
    ResultSet.objects.filter(cycle=computed).delete()
    assert _results(results_recompute(cycle=computed, actor=None)) == after


def test_an_export_killed_midway_ends_done_with_a_complete_file(computed, leader, shared, workers):
    from openpyxl import load_workbook

    job = export_request(cycle=computed, kind="xlsx", actor=leader)

    task = _kill_mid_task(shared, workers, "parindex.reports.tasks.run_export")
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not job.file  # the page would poll for ever

    _finish_with_a_new_worker(shared, workers, task)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100
    data = job.file.read()
    assert len(data) == job.size > 0
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    names = {c.value for row in sheet.iter_rows() for c in row}
    assert "Sở Tư pháp" in names and "Xã Cam Hải Đông" in names
    assert ExportJob.objects.get(pk=job.pk).message.startswith("Hoàn thành")
