from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parindex.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
