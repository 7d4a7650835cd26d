from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "parindex.results"
    label = "results"
    verbose_name = "Kết quả chỉ số CCHC"
