from django.apps import AppConfig


class UnitsConfig(AppConfig):
    verbose_name = "Đơn vị"
    name = "parindex.units"
    label = "units"
