from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "parindex.frameworks"
    label = "frameworks"
