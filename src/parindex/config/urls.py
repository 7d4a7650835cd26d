from django.contrib import admin
from django.urls import include, path

from parindex.api.main import api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_urls),
    path("cong-khai/", include("parindex.public.urls")),
    path("", include("parindex.evidence.urls")),
    path("", include("parindex.reports.urls")),
    path("", include("parindex.web.urls")),
]
