from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "parindex.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"
