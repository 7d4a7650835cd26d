"""``parindex worker``: runs the django_tasks_db queue and the reminder schedule.

The queue runs in :class:`parindex.jobs.worker.LeasedWorker`: every task is leased and the
tasks of a killed worker are resumed (docs/operations.md, "Killed workers").

The command line imports this module before Django is set up, so Django and the apps are
imported inside the functions, once :func:`main` has called ``_setup()``."""

from __future__ import annotations

import argparse
import logging
import threading

logger = logging.getLogger("parindex.worker")


def _enqueue_reminders() -> None:
    from parindex.improvement.tasks import send_task_reminders
    from parindex.notifications.tasks import send_reminders

    send_reminders.enqueue()
    send_task_reminders.enqueue()


def _schedule(interval_minutes: float, stop: threading.Event) -> None:
    """Enqueue ``send_reminders`` now and then every ``interval_minutes``."""
    from django.db import close_old_connections

    while not stop.is_set():
        try:
            close_old_connections()
            _enqueue_reminders()
        except Exception:  # keep the schedule alive; the next round retries
            logger.exception("could not enqueue send_reminders")
        finally:
            close_old_connections()
        stop.wait(interval_minutes * 60)


def run_worker(
    *,
    interval_minutes: float = 60,
    once: bool = False,
    poll_seconds: float = 1.0,
    backend_name: str = "default",
    queue_names: list[str] | None = None,
) -> int:
    """Run queued tasks. With ``once``: enqueue one round of reminders, run everything
    queued, and return. Otherwise run until SIGINT/SIGTERM, enqueueing the reminders every
    ``interval_minutes``."""
    from django.utils.crypto import get_random_string

    from parindex.jobs.worker import LeasedWorker

    worker = LeasedWorker(
        queue_names=queue_names or ["*"],
        interval=poll_seconds,
        batch=once,
        backend_name=backend_name,
        startup_delay=not once,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    if once:
        _enqueue_reminders()
        worker.run()
        return 0
    stop = threading.Event()
    scheduler = threading.Thread(
        target=_schedule, args=(interval_minutes, stop), name="parindex-schedule", daemon=True
    )
    scheduler.start()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
    return 0


def start_in_background(*, interval_minutes: float = 60, poll_seconds: float = 1.0) -> None:
    """Run the queue and the reminder schedule in daemon threads of this process — for
    ``parindex demo``, so that recomputation, exports, e-mails and reminders work without a
    separate ``parindex worker``. Production runs the worker as its own process."""
    from django.utils.crypto import get_random_string

    from parindex.jobs.worker import LeasedWorker

    worker = LeasedWorker(
        queue_names=["*"],
        interval=poll_seconds,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    stop = threading.Event()
    threading.Thread(
        target=_schedule, args=(interval_minutes, stop), name="parindex-schedule", daemon=True
    ).start()
    # No signal handlers here: they belong to the main thread (the web server's).
    threading.Thread(target=worker.run, name="parindex-worker", daemon=True).start()


def main(args: argparse.Namespace) -> int:
    """``parindex worker [--interval MINUTES] [--once]``"""
    from parindex.commands.django_cmds import _setup

    _setup()
    if args.interval <= 0:
        print("--interval phải lớn hơn 0 (phút).")
        return 2
    logging.getLogger("django_tasks_db").setLevel(logging.INFO)
    return run_worker(interval_minutes=args.interval, once=args.once)
