from django.apps import AppConfig


class AuditConfig(AppConfig):
    verbose_name = "Nhật ký thay đổi"
    name = "parindex.audit"
    label = "audit"
