"""In-app notifications, also sent by e-mail (on commit, through a background task)."""

from __future__ import annotations

from django.db import models

from parindex.fields import moment, user_owner


class NotificationKind(models.TextChoices):
    CYCLE_OPENED = "cycle_opened", "Mở kỳ đánh giá"
    DUE_3_DAYS = "due_3_days", "Còn 3 ngày"
    DUE_TOMORROW = "due_tomorrow", "Hết hạn ngày mai"
    OVERDUE = "overdue", "Quá hạn"
    RETURNED = "returned", "Trả lại để giải trình"
    APPROVED = "approved", "Đã phê duyệt"
    CYCLE_STAGE = "cycle_stage", "Chuyển giai đoạn kỳ đánh giá"
    TASK_DUE = "task_due", "Nhắc hạn nhiệm vụ cải thiện"


class Notification(models.Model):
    user = user_owner("người nhận", related_name="notifications")
    kind = models.CharField("loại", max_length=30, choices=NotificationKind.choices)
    title = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("đường dẫn", max_length=500, blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    read_at = moment("đã đọc lúc")
    emailed_at = moment("đã gửi thư lúc")
    dedupe_key = models.CharField(
        "khoá chống trùng", max_length=300, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
