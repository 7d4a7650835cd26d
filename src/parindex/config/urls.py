from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from parindex.api.main import api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links (base.html links the SVG too).
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("parindex/favicon.ico"), permanent=True),
        name="favicon",
    ),
    path("api/", api_urls),
    path("cong-khai/", include("parindex.public.urls")),
    path("", include("parindex.evidence.urls")),
    path("", include("parindex.reports.urls")),
    path("", include("parindex.web.urls")),
]
