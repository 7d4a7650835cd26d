from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "parindex.national"
    label = "national"
    verbose_name = "Kết quả chỉ số quốc gia"
