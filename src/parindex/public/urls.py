from django.urls import path

from parindex.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.cycle_results, name="cycle"),
    path("<int:pk>/ket-qua.csv", views.results_csv, name="csv"),
    path("<int:pk>/tai-ve.<str:kind>", views.download, name="download"),
    path("<int:pk>/phien-ban/<int:number>.<str:kind>", views.version_download, name="version"),
]
