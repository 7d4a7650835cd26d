from django.apps import AppConfig


class AuditConfig(AppConfig):
    verbose_name = "Nhật ký thay đổi"
    name = "parindex.audit"
    label = "audit"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from parindex.fields import enforce_lengths

        # every parindex model: an over-long text is refused with a message on SQLite
        # (which would store it) and on PostgreSQL (which would raise a bare DataError)
        pre_save.connect(enforce_lengths, dispatch_uid="parindex.enforce_lengths")
