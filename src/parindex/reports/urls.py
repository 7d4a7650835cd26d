from django.urls import path

from parindex.reports import views

app_name = "reports"

urlpatterns = [
    path("ky-danh-gia/<int:cycle_id>/xuat-bao-cao/", views.exports, name="exports"),
    path("ky-danh-gia/<int:cycle_id>/xuat-bao-cao/luot-xuat/", views.jobs, name="jobs"),
    path("xuat-bao-cao/<int:pk>/tai-ve/", views.download, name="download"),
    path("xuat-bao-cao/mau-word/", views.template_page, name="template"),
    path("xuat-bao-cao/mau-word/tai-ve/", views.template_download, name="template_download"),
]
