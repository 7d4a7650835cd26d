from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "parindex.jobs"
    label = "jobs"
    verbose_name = "Tác vụ nền"
