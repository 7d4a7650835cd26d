from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "parindex.evidence"
    label = "evidence"
    verbose_name = "Tài liệu kiểm chứng"
