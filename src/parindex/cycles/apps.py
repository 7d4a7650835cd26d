from django.apps import AppConfig


class CyclesConfig(AppConfig):
    verbose_name = "Kỳ đánh giá"
    name = "parindex.cycles"
    label = "cycles"
