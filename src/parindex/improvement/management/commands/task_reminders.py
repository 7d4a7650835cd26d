"""``parindex manage task_reminders [--date YYYY-MM-DD]``: one round of the improvement
plan's task reminders, now (the worker runs them on its schedule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parindex.improvement.tasks import remind_tasks


class Command(BaseCommand):
    help = "Gửi nhắc hạn các nhiệm vụ của kế hoạch cải thiện (mỗi nhiệm vụ mỗi loại một lần)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        stats = remind_tasks(today=options["date"])
        self.stdout.write(
            f"Đã xét {stats['checked']} nhiệm vụ, gửi {stats['sent']} lần nhắc "
            f"({stats['notified']} thông báo)."
        )
