"""The site's pages plus the evidence URLs (the root urlconf includes them the same way)."""

from django.urls import include, path

urlpatterns = [
    path("", include("parindex.evidence.urls")),
    path("", include("parindex.web.urls")),
]
