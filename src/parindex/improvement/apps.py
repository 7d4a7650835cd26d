from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "parindex.improvement"
    label = "improvement"
    verbose_name = "Kế hoạch cải thiện chỉ số"
