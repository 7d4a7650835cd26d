"""The status-mapping page (Sở Nội vụ): each source system's status values → the national
codes 1–10, on top of the shipped tables. Plain forms, post/redirect/get; a refused form
comes back with the errors at the fields and the typed values kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import require_admin_page
from parindex.dossiers import selectors as sel
from parindex.dossiers.models import SOURCES, StatusMapping
from parindex.dossiers.services import (
    status_mapping_create,
    status_mapping_delete,
    status_mapping_update,
)
from parindex.engine.dossier_codes import STATUS_NAMES


def _errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {k: " ".join(v) for k, v in exc.message_dict.items()}
    return {"value": " ".join(exc.messages)}


def _shipped() -> list[dict[str, Any]]:
    """The shipped table of each source, value → code (read-only, for reference)."""
    from parindex.formats.dossier_columns import status_map  # Polars: not at web start

    out = []
    for key, label in SOURCES:
        try:
            table = status_map(key)
        except (OSError, ValueError):
            table = {}
        rows = sorted(table.items(), key=lambda kv: (kv[1], kv[0]))
        out.append({"source": key, "label": label, "rows": rows})
    return out


def _page(
    request: AuthedHttpRequest, *, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HttpResponse:
    ctx = {
        "nav": "dossiers",
        "mappings": sel.status_mappings_for(request.user),
        "sources": SOURCES,
        "codes": STATUS_NAMES.items(),
        "shipped": _shipped(),
        "form": form,
        "errors": errors,
    }
    return render(request, "dossiers/mappings.html", ctx, status=status)


def _posted(request: AuthedHttpRequest) -> dict[str, Any]:
    return {k: request.POST.get(k, "") for k in ("source", "value", "code")}


@login_required
def mappings(request: AuthedHttpRequest) -> HttpResponse:
    """The list of the admin's mappings per source, and the form to add one."""
    require_admin_page(request.user)
    if request.method == "POST":
        form = _posted(request)
        try:
            made = status_mapping_create(**form, actor=request.user)
        except ValidationError as exc:
            return _page(request, form=form, errors=_errors(exc), status=400)
        messages.success(request, f"Đã thêm: {made.source} “{made.value}” → mã {made.code}.")
        # the next row is likely of the same source: keep it selected
        return redirect(reverse("dossiers:mappings") + f"?source={made.source}#m-{made.pk}")
    form = {"source": request.GET.get("source", SOURCES[0][0]), "value": "", "code": ""}
    return _page(request, form=form, errors={})


@login_required
def mapping_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_admin_page(request.user)
    mapping = sel.status_mapping_get(request.user, pk)
    errors: dict[str, str] = {}
    status = 200
    form: dict[str, Any] = {"source": mapping.source, "value": mapping.value, "code": mapping.code}
    if request.method == "POST":
        form = _posted(request)
        try:
            done = status_mapping_update(mapping=mapping, **form, actor=request.user)
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        else:
            messages.success(request, f"Đã sửa: {done.source} “{done.value}” → mã {done.code}.")
            return redirect(reverse("dossiers:mappings") + f"#m-{done.pk}")
    ctx = {
        "nav": "dossiers",
        "mapping": mapping,
        "sources": SOURCES,
        "codes": STATUS_NAMES.items(),
        "form": form,
        "errors": errors,
    }
    return render(request, "dossiers/mapping_edit.html", ctx, status=status)


@login_required
@require_POST
def mapping_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_admin_page(request.user)
    mapping: StatusMapping = sel.status_mapping_get(request.user, pk)
    status_mapping_delete(mapping=mapping, actor=request.user)
    messages.success(request, f"Đã xóa: {mapping.source} “{mapping.value}” → mã {mapping.code}.")
    return redirect("dossiers:mappings")
