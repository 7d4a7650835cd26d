"""The 400, 403, 404 and 500 pages in Vietnamese, in the app's layout (``400.html`` …
``500.html``). Under ``/api/`` the answer stays the API's JSON error
(``{"detail": …, "errors": []}``, as :mod:`parindex.api.errors`).

The 500 page is rendered without the request: no context processor, no session, no
database query runs, so it shows even when the database is what failed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

__all__ = ["bad_request", "csrf_failure", "page_not_found", "permission_denied", "server_error"]

_API_DETAIL = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    500: "Lỗi máy chủ; thao tác chưa được thực hiện.",
}


def _api(request: HttpRequest, status: int, detail: str = "") -> JsonResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": detail or _API_DETAIL[status], "errors": []}, status=status)


def _page(request: HttpRequest, status: int, **context: object) -> HttpResponse:
    body = loader.render_to_string(f"{status}.html", context, request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api(request, 400) or _page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The app's PermissionDenied messages are Vietnamese sentences ("Chỉ Quản trị Sở Nội vụ
    # được …"): worth showing; Django's own carry none.
    reason = str(exception) if exception is not None else ""
    return _api(request, 403, reason) or _page(request, 403, reason=reason)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form posted from a stale page or an expired session."""
    why = "Biểu mẫu đã cũ hoặc phiên làm việc đã hết hạn: tải lại trang rồi gửi lại."
    return _api(request, 403, why) or _page(request, 403, reason=why)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # Http404's own text is English ("No Cycle matches the given query."): not shown.
    return _api(request, 404) or _page(request, 404, path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _API_DETAIL[500], "errors": []}, status=500)
    body = loader.get_template("500.html").render({"SITE_NAME": settings.PARINDEX_SITE_NAME})
    return HttpResponse(body, status=500)
