"""The council's pages (the units' points per area and rating, the decision that approves
all or selected units, a read-only view of each appraisal), the appraisers' “đã thẩm định
xong” mark, the unit's answer to a leaf returned for explanation and the admin's N/A of an
external leaf. Views parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import require_admin_page
from parindex.assessments import services as svc
from parindex.assessments.models import CouncilDecision, LeafScore
from parindex.assessments.selectors import assessment_get, assessments_for
from parindex.cycles.models import Cycle
from parindex.cycles.selectors import cycle_get
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.web.council import council_board
from parindex.web.helpers import error_messages, run_action
from parindex.web.tree import COLUMN_LABELS
from parindex.web.views_appraisal import _appraised_assessment, _unit_context


def missing_external(cycle: Cycle) -> list[LeafScore]:
    """Survey/SIPAS/statistic leaves of the cycle still without points nor N/A (they
    block the council's approval), for the admin's N/A control."""
    return list(
        LeafScore.objects.filter(
            assessment__cycle=cycle,
            criterion__source__in=sorted(EXTERNAL_SOURCES),
            final_points__isnull=True,
            not_applicable=False,
        )
        .exclude(assessment__status="approved")
        .select_related("criterion", "assessment__unit")
        .order_by("assessment__unit__name", "criterion__position")[:500]
    )


def _require_council_reader(user: object) -> None:
    if not (
        getattr(user, "is_council", False)
        or getattr(user, "is_province_admin", False)
        or getattr(user, "is_leader", False)
    ):
        raise Http404


@login_required
def council_list(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    """The council's page: each unit's points per area (self, round 1, round 2, final),
    rating and its reasons, the appraisers' “done” mark, what blocks approval; the
    decision form (council only) and the decisions recorded."""
    user = request.user
    _require_council_reader(user)
    cycle = cycle_get(user, cycle_pk)
    rows = council_board(user, cycle)
    decisions = list(
        CouncilDecision.objects.filter(cycle=cycle).select_related("by").prefetch_related("units")
    )
    return render(
        request,
        "web/appraisal/council.html",
        {
            "nav": "council",
            "cycle": cycle,
            "rows": rows,
            "pending": [r for r in rows if r.pending],
            "approved": [r for r in rows if r.assessment.status == "approved"],
            "not_done": [r for r in rows if not r.done and r.assessment.status != "approved"],
            "decisions": decisions,
            "columns": COLUMN_LABELS,
            "form": request.session.pop("council_form", {}),
        },
    )


@login_required
@require_POST
def council_decision(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    """Record the council's decision and approve the ticked units (or all pending ones)
    in one service call, all or nothing."""
    user = request.user
    if not user.is_council:
        raise Http404
    cycle = cycle_get(user, cycle_pk)
    back = reverse("council_list", args=[cycle.pk])
    p = request.POST
    pending = assessments_for(user).filter(cycle=cycle, status="round2").select_related("unit")
    if p.get("scope") == "all":
        chosen = list(pending)
    else:
        ids = {int(x) for x in p.getlist("assessment") if x.isdigit()}
        chosen = [a for a in pending if a.pk in ids]
    raw_date = (p.get("decided_on") or "").strip()
    decided_on = parse_date(raw_date) if raw_date else None
    try:
        if raw_date and decided_on is None:
            raise ValidationError(f"Ngày quyết định không hợp lệ ({raw_date}).")
        decision = svc.council_decision_record(
            cycle=cycle,
            decided_on=decided_on,
            number=p.get("number", ""),
            members=p.get("members", ""),
            notes=p.get("notes", ""),
            assessments=chosen,
            actor=user,
        )
    except ValidationError as exc:
        for text in error_messages(exc):
            messages.error(request, text)
        request.session["council_form"] = {
            k: p.get(k, "") for k in ("decided_on", "number", "members", "notes")
        }
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, f"Đã ghi nhận {decision} và phê duyệt {len(chosen)} đơn vị.")
    return redirect(back)


@login_required
def council_unit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A read-only view of one unit's appraisal (every column, reasons, explanations)."""
    user = request.user
    _require_council_reader(user)
    assessment = assessment_get(user, pk)
    ctx = _unit_context(request, assessment, [])
    ctx.update({"nav": "council", "readonly": True, "assigned": set()})
    return render(request, "web/appraisal/unit.html", ctx)


@login_required
@require_POST
def appraisal_done(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Mark the unit “đã thẩm định xong” (``done=1``) or undo it (``done=0``)."""
    assessment, _ = _appraised_assessment(request.user, pk)
    done = request.POST.get("done") != "0"
    return run_action(
        request,
        lambda: svc.appraisal_done_set(assessment=assessment, done=done, actor=request.user),
        success="Đã đánh dấu đã thẩm định xong." if done else "Đã bỏ đánh dấu thẩm định xong.",
        back=reverse("appraisal_unit", args=[pk]),
    )


@login_required
@require_POST
def explanation_answer(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """The unit answers the request for explanation on one leaf (others: 404)."""
    user = request.user
    assessment = assessment_get(user, pk)
    if not (user.is_unit_user and user.unit_id == assessment.unit_id):
        raise Http404
    score = get_object_or_404(LeafScore, assessment=assessment, pk=score_pk)
    return run_action(
        request,
        lambda: svc.explanation_answer(
            score=score, answer=request.POST.get("answer", ""), actor=user
        ),
        success="Đã lưu nội dung giải trình.",
        back=reverse("assessment_detail", args=[pk]) + f"#leaf-{score.pk}",
    )


@login_required
@require_POST
def external_na(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """The admin marks a survey/SIPAS/statistic leaf of one unit not applicable."""
    user = request.user
    require_admin_page(user)
    cycle = cycle_get(user, pk)
    score = get_object_or_404(
        LeafScore.objects.select_related("criterion", "assessment__unit"),
        assessment__cycle=cycle,
        pk=score_pk,
    )
    return run_action(
        request,
        lambda: svc.external_na_mark(
            score=score, reason=request.POST.get("reason", ""), actor=user
        ),
        success=f"Đã đánh dấu tiêu chí {score.criterion.code} của "
        f"{score.assessment.unit.name} không áp dụng.",
        back=reverse("cycle_external", args=[cycle.pk]) + "#thieu-diem",
    )
