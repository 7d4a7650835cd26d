from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "parindex.reports"
    label = "reports"
    verbose_name = "Xuất báo cáo kết quả"
