from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "parindex.api"
    label = "api"
    verbose_name = "Khoá API"
