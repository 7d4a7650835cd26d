from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    verbose_name = "Bộ tiêu chí"
    name = "parindex.frameworks"
    label = "frameworks"
