from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    verbose_name = "Phiếu tự chấm"
    name = "parindex.assessments"
    label = "assessments"
