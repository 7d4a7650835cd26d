from django.apps import AppConfig


class WebConfig(AppConfig):
    verbose_name = "Giao diện web"
    name = "parindex.web"
    label = "web"
