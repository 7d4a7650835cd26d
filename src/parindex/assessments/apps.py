from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "parindex.assessments"
    label = "assessments"
