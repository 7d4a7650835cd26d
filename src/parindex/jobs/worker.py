"""The django_tasks_db worker with leases: it takes a lease on every task it runs, renews it
from a heartbeat thread, and sweeps stale tasks on start and every lease period."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import retry

from parindex.jobs import leases

logger = logging.getLogger("parindex.jobs")


class LeasedWorker(Worker):
    """``Worker`` whose claims expire unless it is alive (see :mod:`parindex.jobs.leases`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._current: Any = None
        self._stop = threading.Event()

    def run(self) -> None:
        sweep()  # resume what a killed worker left before taking new work
        beat = threading.Thread(target=self._heartbeat, name="parindex-lease", daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            self._stop.set()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            retry(retries=5, backoff_delay=0.2)(leases.lease_take)(
                db_task_result.pk, self.worker_id
            )
        except Exception:  # run anyway: the heartbeat takes the lease on its next beat
            logger.exception("could not take the lease of task %s", db_task_result.pk)
        self._current = db_task_result.pk
        try:
            super().run_task(db_task_result)
        finally:
            self._current = None
            leases.lease_release(db_task_result.pk)

    def _heartbeat(self) -> None:
        """Renew the current task's lease every quarter lease; sweep every lease."""
        period = leases.lease_seconds()
        last_sweep = time.monotonic()
        while not self._stop.wait(period / 4):
            current = self._current
            try:
                close_old_connections()
                if current is not None and not leases.lease_renew(current, self.worker_id):
                    if leases.still_ours(current, self.worker_id):
                        leases.lease_take(current, self.worker_id)  # the first take failed
                    else:
                        logger.warning("task %s was taken over by a sweep", current)
                if time.monotonic() - last_sweep >= period:
                    last_sweep = time.monotonic()
                    sweep()
            except Exception:  # keep beating: the next round retries
                logger.exception("lease heartbeat failed")
            finally:
                close_old_connections()


def sweep() -> dict[str, int]:
    """:func:`leases.reclaim_stale`, logging instead of raising (a worker keeps running)."""
    try:
        return leases.reclaim_stale()
    except Exception:
        logger.exception("could not reclaim stale tasks")
        return {}
