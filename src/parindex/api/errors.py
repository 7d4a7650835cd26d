"""One error format for every endpoint: ``{"detail": "<lý do>", "errors": [...]}``.

- input that does not fit the schema → 422, service ``ValidationError`` → 400 (each message
  in ``errors``, with its ``field`` when the service keyed it);
- a refused state change (``InvalidTransition``) or a concurrent change → 409, a stale
  score version → 409 with the values now stored (``current``);
- outside the caller's scope → 404; a role that may not act → 403; no credentials → 401;
- a value the database refuses (PostgreSQL: a NUL character, text longer than its column)
  → 400, not a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from parindex.api.schemas import score_out
from parindex.assessments.services import StaleScore
from parindex.formats.errors import FormatError
from parindex.workflow import ConcurrentChange, InvalidTransition


def _error(
    api: NinjaAPI, request: HttpRequest, status: int, detail: str, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": [], **extra}, status=status)


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [{"field": "", "message": m} for m in exc.messages]


def error_codes(exc: BaseException | None) -> set[str]:
    """The codes of a ValidationError and of the one it was raised from (a service may
    re-key the file checker's error under ``file``)."""
    codes: set[str] = set()
    while isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            flat = [e for errs in exc.error_dict.values() for e in errs]
        else:
            flat = exc.error_list
        codes.update(str(e.code) for e in flat if e.code)
        exc = exc.__cause__
    return codes


def _schema_message(err: dict[str, Any]) -> dict[str, str]:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "form")]
    field = ".".join(loc)
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        message = "Thiếu giá trị bắt buộc."
    elif kind == "string_too_short":
        message = "Không được để trống."
    elif kind in ("greater_than_equal", "greater_than"):
        message = f"Phải từ {ctx.get('ge', ctx.get('gt'))} trở lên."
    elif kind in ("less_than_equal", "less_than"):
        message = f"Không được lớn hơn {ctx.get('le', ctx.get('lt'))}."
    elif kind == "enum":
        message = f"Phải là một trong: {ctx.get('expected', '')}."
    elif kind.startswith(("int_", "decimal_", "float_")):
        message = "Phải là một số hợp lệ."
    elif kind.startswith(("date", "datetime")):
        message = "Ngày giờ không hợp lệ (dạng 2026-01-15 hoặc 2026-01-15T17:00:00+07:00)."
    elif kind.startswith("bool"):
        message = "Phải là true hoặc false."
    else:
        message = "Giá trị không hợp lệ."
    return {"field": field, "message": message}


def stale_payload(exc: Exception) -> dict[str, Any]:
    """The values stored now, from a ``StaleScore`` (whatever it carries)."""
    current = getattr(exc, "current", None)
    if hasattr(current, "_meta"):
        return {"current": score_out(current)}
    return {"current": current if isinstance(current, dict) else None}


def _handle[E: Exception](
    api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]
) -> None:
    # ninja's annotation wants a handler of ``E | type[E]``; it always passes the instance.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def install(api: NinjaAPI) -> None:
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = validation_errors(exc)
        detail = "; ".join(e["message"] for e in errors) or "Dữ liệu không hợp lệ."
        status = 413 if "too_large" in error_codes(exc) else 400
        return _error(api, request, status, detail, errors=errors)

    def on_schema(request: HttpRequest, exc: SchemaError) -> HttpResponse:
        errors = [_schema_message(e) for e in exc.errors]
        listed = ", ".join(e["field"] for e in errors if e["field"])
        detail = "Dữ liệu gửi lên không hợp lệ" + (f": {listed}." if listed else ".")
        return _error(api, request, 422, detail, errors=errors)

    def on_format(request: HttpRequest, exc: FormatError) -> HttpResponse:
        errors = [
            {"field": "" if p.line is None else f"dòng {p.line}", "message": str(p)}
            for p in exc.problems
        ]
        detail = f"Tệp có {len(errors)} lỗi; không dòng nào được nhập."
        return _error(api, request, 400, detail, errors=errors)

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, "Không tìm thấy.")

    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _error(api, request, 403, str(exc) or "Bạn không có quyền thực hiện thao tác này.")

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _error(
            api, request, 401, "Cần đăng nhập hoặc gửi khoá API hợp lệ (Authorization: Bearer …)."
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return _error(api, request, exc.status_code, str(exc))

    def on_data(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot hold that the schema let through: PostgreSQL refuses
        # the NUL character in text and text longer than its column (SQLite keeps both).
        return _error(
            api,
            request,
            400,
            "Dữ liệu không hợp lệ: có ký tự không được phép (NUL) hoặc giá trị quá dài.",
        )

    def on_conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
        extra: dict[str, Any] = {}
        if isinstance(exc, StaleScore):
            extra = stale_payload(exc)
        return _error(api, request, 409, str(exc), **extra)

    _handle(api, ValidationError, on_validation)
    _handle(api, SchemaError, on_schema)
    _handle(api, FormatError, on_format)
    _handle(api, Http404, on_404)
    _handle(api, PermissionDenied, on_denied)
    _handle(api, AuthenticationError, on_auth)
    _handle(api, HttpError, on_http)
    _handle(api, ConcurrentChange, on_conflict)
    _handle(api, InvalidTransition, on_conflict)
    _handle(api, StaleScore, on_conflict)
    _handle(api, DataError, on_data)
