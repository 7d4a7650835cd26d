"""The REST API: ``/api/`` (OpenAPI at ``/api/openapi.json``, Swagger UI at ``/api/docs``,
both served locally). Every endpoint calls the same selectors and services as the pages."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from parindex.api import errors
from parindex.api.auth import AUTH
from parindex.api.docs import LocalSwagger, docs_asset
from parindex.api.routers import (
    assessments,
    cycles,
    dossiers,
    evidence,
    improvement,
    national,
    notifications,
    oversight,
    results,
    surveys,
)


class Utf8Renderer(JSONRenderer):
    """Vietnamese text as is, not as ``\\u`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="parindex API",
    version="1",
    description=(
        "API của hệ thống chấm điểm chỉ số cải cách hành chính: kỳ đánh giá, phiếu tự chấm, "
        "tài liệu kiểm chứng, thẩm định, phê duyệt, nhật ký thay đổi, thông báo. Xác thực "
        "bằng khoá API (`Authorization: Bearer pix_…`) hoặc phiên đăng nhập của trang web "
        '(kèm mã CSRF khi ghi). Lỗi: `{"detail": "lý do", "errors": [...]}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    docs=LocalSwagger(),
    auth=AUTH,
    renderer=Utf8Renderer(),
)
errors.install(api)
api.add_router("", cycles.router)
api.add_router("", assessments.router)
api.add_router("", evidence.router)
api.add_router("", notifications.router)
api.add_router("", results.router)
api.add_router("", surveys.router)
api.add_router("", dossiers.router)
api.add_router("", national.router)
api.add_router("", improvement.router)
api.add_router("", oversight.router)

_patterns, _app, _namespace = api.urls
#: ``path("api/", api_urls)``: the API plus the Swagger UI assets it serves itself.
api_urls = (
    [*_patterns, path("docs/assets/<str:name>", docs_asset, name="docs-asset")],
    _app,
    _namespace,
)
