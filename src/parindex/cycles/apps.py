from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "parindex.cycles"
    label = "cycles"
