from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from parindex.api.main import api_urls

admin.site.site_header = "Quản trị hệ thống parindex"
admin.site.site_title = "Quản trị parindex"
admin.site.index_title = "Dữ liệu hệ thống"

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
    path("", include("parindex.surveys.urls")),
    path("", include("parindex.dossiers.urls")),
    path("", include("parindex.national.urls")),
    path("", include("parindex.improvement.urls")),
    path("", include("parindex.oversight.urls")),
    path("", include("parindex.web.urls")),
]

# Vietnamese error pages in the app's layout; JSON under /api/ (parindex.web.errors).
handler400 = "parindex.web.errors.bad_request"
handler403 = "parindex.web.errors.permission_denied"
handler404 = "parindex.web.errors.page_not_found"
handler500 = "parindex.web.errors.server_error"
