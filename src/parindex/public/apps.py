from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "parindex.public"
    label = "public"
    verbose_name = "Công khai kết quả"
