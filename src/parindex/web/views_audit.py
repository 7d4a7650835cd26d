"""Read-only audit trail pages (who, when, before → after, reason) and notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.models import User
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.selectors import assessment_get, audit_of
from parindex.audit.models import AuditEvent
from parindex.notifications.selectors import notification_get, notifications_for
from parindex.notifications.services import mark_all_read, mark_read
from parindex.web.helpers import is_htmx


def _events(user: User, assessment: Assessment, score: LeafScore | None) -> QuerySet[AuditEvent]:
    if score is not None:
        return audit_of(user, score=score).order_by("-at", "-id")
    return audit_of(user, assessment=assessment).order_by("-at", "-id")


@login_required
def assessment_audit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get(request.user, pk)
    page = Paginator(_events(request.user, assessment, None), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "web/audit.html",
        {"nav": "assessment", "assessment": assessment, "score": None, "page": page},
    )


@login_required
def leaf_audit(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment = assessment_get(request.user, pk)
    score = get_object_or_404(
        LeafScore.objects.select_related("criterion"), assessment=assessment, pk=score_pk
    )
    page = Paginator(_events(request.user, assessment, score), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/audit.html",
        {"nav": "assessment", "assessment": assessment, "score": score, "page": page},
    )


# --- notifications ---------------------------------------------------------------------


@login_required
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"nav": "notifications", "page": page})


@login_required
@require_POST
def notification_read(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    n = mark_read(notification=notification_get(request.user, pk), actor=request.user)
    if request.POST.get("go") and n.url and n.url.startswith("/"):
        return redirect(n.url)
    if is_htmx(request):
        return render(request, "web/_notification.html", {"n": n, "oob_bell": True})
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request: AuthedHttpRequest) -> HttpResponse:
    mark_all_read(actor=request.user)
    return redirect("notification_list")
