from django.urls import path

from parindex.dossiers import mapping_views, views

app_name = "dossiers"

urlpatterns = [
    path("ho-so/", views.metrics, name="metrics"),
    path("ho-so/xuat-excel/", views.metrics_export, name="metrics_xlsx"),
    path("ho-so/danh-sach/", views.dossier_list, name="list"),
    path("ho-so/<int:pk>/", views.dossier_detail, name="detail"),
    path("ho-so/can-bo/", views.officials, name="officials"),
    path("ho-so/nhap/", views.imports, name="imports"),
    path("ho-so/nhap/luot-nhap/", views.import_jobs, name="import_jobs"),
    path("ho-so/nhap/<int:pk>/bao-cao-loi/", views.import_report, name="import_report"),
    path("ho-so/bang-trang-thai/", mapping_views.mappings, name="mappings"),
    path("ho-so/bang-trang-thai/<int:pk>/sua/", mapping_views.mapping_edit, name="mapping_edit"),
    path(
        "ho-so/bang-trang-thai/<int:pk>/xoa/", mapping_views.mapping_delete, name="mapping_delete"
    ),
    path("ho-so/lich-lam-viec/", views.calendar, name="calendar"),
    path("ho-so/lich-lam-viec/nap/", views.calendar_reload, name="calendar_load"),
    path("ky-danh-gia/<int:cycle_id>/ho-so/ty-le-tre-han/", views.feed, name="feed"),
]
