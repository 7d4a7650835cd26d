"""Small helpers shared by the workflow pages: htmx detection, error messages, the
service call wrapper that turns the contract's exceptions into Vietnamese messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin_page
from parindex.assessments.models import Assessment
from parindex.assessments.services import StaleScore
from parindex.cycles.models import Cycle
from parindex.cycles.selectors import cycle_get
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_grouped
from parindex.formats.text import Upload, read_upload
from parindex.workflow import ConcurrentChange, InvalidTransition


def admin_cycle(request: AuthedHttpRequest, pk: int) -> tuple[User, Cycle]:
    """The Sở Nội vụ admin and the cycle of an admin-only page (404 for anyone else)."""
    user = request.user
    require_admin_page(user)
    return user, cycle_get(user, pk)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def error_messages(exc: BaseException) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    text = str(exc)
    return [text] if text else ["Không thực hiện được thao tác."]


#: The name that stands for the file in messages and the audit when the CSV is pasted.
PASTED = "dữ liệu nhập"


def csv_upload(request: HttpRequest, *, missing: str) -> Upload:
    """The CSV of an import form: the uploaded ``file`` (its name is the source) or the
    pasted ``text``, read by :func:`parindex.formats.text.read_upload` (encoding and
    separator detected). ``FormatError`` for a file we cannot read, ``ValidationError``
    (``missing``) when there is neither."""
    upload = request.FILES.get("file")
    if upload is not None:
        return read_upload(upload.read(), (upload.name or "tệp tải lên")[-120:])
    text = request.POST.get("text", "")
    if not text.strip():
        raise ValidationError(missing)
    return read_upload(text, PASTED)


@dataclass
class CsvImport:
    """What an import form's POST came to: the file read and the service's result, or the
    messages (``errors``) and located problems (``problems``, one table row each)."""

    upload: Upload | None = None
    result: Any = None
    errors: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def csv_import(request: HttpRequest, *, missing: str, store: Callable[[Upload], Any]) -> CsvImport:
    """Read the form's CSV (:func:`csv_upload`) and hand it to ``store`` (which parses it
    with its ``formats`` reader and calls one service); nothing is stored on a problem."""
    try:
        upload = csv_upload(request, missing=missing)
        return CsvImport(upload, store(upload))
    except FormatError as exc:
        return CsvImport(problems=exc.problems)
    except ValidationError as exc:
        return CsvImport(errors=error_messages(exc))


def form_id(raw: str | None) -> int | None:
    """The id a form's select sent: its digits as an int; anything else None (the caller
    says what is missing)."""
    text = (raw or "").strip()
    return int(text) if text.isdigit() else None


def form_year(raw: str | None) -> int:
    """The year a form or a page's ``?nam=`` sent (2000–2100); this year otherwise (a
    register opens on the current year)."""
    text = (raw or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


def form_texts(request: HttpRequest, *names: str) -> dict[str, str]:
    """The named text fields of a POST, "" for a missing one: the keywords of a service
    whose parameters the form's fields are named after (the service checks them)."""
    return {name: request.POST.get(name, "") for name in names}


def form_decimal(raw: str | None, what: str = "Điểm") -> Decimal | None:
    """A number typed into a form, in the one number grammar of the files
    (:func:`parindex.formats.numbers.parse_grouped`: dot or decimal comma, digits grouped
    by spaces); blank is None, anything else a ``ValidationError`` naming ``what``."""
    text = (raw or "").strip()
    if not text:
        return None
    value = parse_grouped(text)
    if value is None:
        raise ValidationError(f"{what} phải là một số (ví dụ 2 hoặc 1,5).")
    return value


def form_points(raw: str | None, missing: str) -> Decimal:
    """Points the form must have: :func:`form_decimal`, ``missing`` when left blank."""
    points = form_decimal(raw)
    if points is None:
        raise ValidationError(missing)
    return points


def parse_when(raw: str | None, what: str, *, end_of_day: bool = True) -> datetime | None:
    """A date or a datetime-local field value as an aware datetime."""
    text = (raw or "").strip()
    if not text:
        return None
    dt = parse_datetime(text)
    if dt is None:
        d = parse_date(text)
        if d is None:
            raise ValidationError(f"{what}: ngày giờ không hợp lệ ({text}).")
        dt = (
            datetime(d.year, d.month, d.day, 23, 59) if end_of_day else datetime(*d.timetuple()[:3])
        )
    if timezone.is_naive(dt):
        dt = timezone.make_aware(dt)
    return dt


def run_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str,
    back: str,
) -> HttpResponse:
    """Run a workflow service for a button; show its outcome as messages and go back."""
    try:
        action()
    except (ValidationError, ConcurrentChange, InvalidTransition) as exc:
        for text in error_messages(exc):
            messages.error(request, text)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, success)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = back
        return response
    return redirect(back)


def workflow_button(
    service: Callable[..., Any],
    success: str,
    *,
    load: Callable[[User, int], Assessment],
    back: str,
) -> Callable[[AuthedHttpRequest, int], HttpResponse]:
    """The POST view of a button that needs nothing but the assessment: ``load`` finds it
    for the user (404 outside their scope), ``service(assessment=…, actor=…)`` (passed as
    itself, never by name) makes the change, and the page named ``back`` shows the
    outcome."""

    @login_required
    @require_POST
    def view(request: AuthedHttpRequest, pk: int) -> HttpResponse:
        assessment = load(request.user, pk)
        return run_action(
            request,
            lambda: service(assessment=assessment, actor=request.user),
            success=success,
            back=reverse(back, args=[pk]),
        )

    view.__name__ = view.__qualname__ = service.__name__
    view.__doc__ = service.__doc__
    return view


def leaf_save(
    save: Callable[[], Any],
    respond: Callable[..., HttpResponse],
    *,
    attempted: dict[str, Any],
) -> HttpResponse:
    """Run a leaf's save (parsing included) and answer with ``respond(**what happened)``:
    ``stale=`` and 409 when someone saved first, the messages and what was typed with 422
    when refused, ``saved=`` (what ``save`` returned) on success; 404 outside the scope."""
    try:
        saved = save()
    except StaleScore as exc:
        return respond(stale=exc, error=error_messages(exc), status=409)
    except (ValidationError, ConcurrentChange, InvalidTransition) as exc:
        return respond(error=error_messages(exc), attempted=attempted, status=422)
    except PermissionDenied as exc:
        raise Http404 from exc
    return respond(saved=saved)
