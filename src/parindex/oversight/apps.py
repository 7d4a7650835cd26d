from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "parindex.oversight"
    label = "oversight"
    verbose_name = "Kiểm tra, sáng kiến, chỉ tiêu"
