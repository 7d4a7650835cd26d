"""Results pages (issue 4), included from ``web/urls.py``."""

from django.urls import path

from parindex.web import views_results as R
from parindex.web import views_results_admin as A
from parindex.web.views_imports import metrics_template

urlpatterns = [
    path("ket-qua/", R.results_home, name="results_home"),
    path("ket-qua/<int:cycle_pk>/", R.overview, name="results_overview"),
    path("ket-qua/<int:cycle_pk>/don-vi/<str:code>/", R.unit_page, name="results_unit"),
    path("ket-qua/<int:cycle_pk>/tieu-chi/<str:code>/", R.criterion_page, name="results_criterion"),
    path("ket-qua/<int:cycle_pk>/trach-nhiem/", A.accountability, name="results_accountability"),
    path("ket-qua/<int:cycle_pk>/xep-loai/", A.rating_config, name="results_rating"),
    path("ket-qua/<int:cycle_pk>/chi-so/", A.metrics, name="results_metrics"),
    path(
        "ket-qua/<int:cycle_pk>/chi-so/tep-mau.csv",
        metrics_template,
        name="results_metrics_template",
    ),
    path("ket-qua/<int:cycle_pk>/tinh-lai/", A.recompute, name="results_recompute"),
    path("ket-qua/<int:cycle_pk>/cong-bo/", A.publish, name="results_publish"),
]
