from django.urls import path

from parindex.national import views

app_name = "national"

urlpatterns = [
    path("chi-so-quoc-gia/", views.index, name="index"),
    path("chi-so-quoc-gia/nhap/", views.import_file, name="import"),
    path("chi-so-quoc-gia/<int:dataset_id>/so-sanh/", views.compare, name="compare"),
    path("chi-so-quoc-gia/<int:dataset_id>/diem-bi-mat/", views.lost, name="lost"),
    path("chi-so-quoc-gia/<int:dataset_id>/gia-dinh/", views.whatif, name="whatif"),
    path("chi-so-quoc-gia/<int:dataset_id>/dai-xep-hang/", views.bands, name="bands"),
    path("ky-danh-gia/<int:cycle_id>/diem-bi-mat/", views.unit_lost, name="unit_lost"),
    path("ky-danh-gia/<int:cycle_id>/gia-dinh/", views.unit_whatif, name="unit_whatif"),
    path("ky-danh-gia/<int:cycle_id>/dai-xep-hang/", views.cycle_bands, name="cycle_bands"),
]
