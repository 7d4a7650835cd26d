"""Appraisal pages: per unit (self / round 1 / round 2 / final side by side, inputs for the
current round), per criterion across the assigned units, the council's approval list, and
the workflow buttons (start round 1, return for explanation, start round 2, approve,
reopen). Views parse, call the services of docs/workflow.md, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.models import User
from parindex.accounts.permissions import require_admin_page
from parindex.assessments import permissions as perm
from parindex.assessments import services as svc
from parindex.assessments.models import Assessment, AssessmentStatus, LeafScore
from parindex.assessments.selectors import (
    assessment_get,
    assessments_for,
    explanation_requests,
)
from parindex.cycles.models import Cycle
from parindex.cycles.selectors import cycle_get
from parindex.evidence.models import EvidenceLink
from parindex.frameworks.models import Criterion
from parindex.web.access import access_for, appraisal_prefixes
from parindex.web.helpers import (
    form_points,
    is_htmx,
    leaf_save,
    parse_when,
    run_action,
    workflow_button,
)
from parindex.web.tree import COLUMN_LABELS, build_tree

#: The appraisal round an assessment in this status is in.
APPRAISAL_ROUND: dict[str, int] = {AssessmentStatus.ROUND1: 1, AssessmentStatus.ROUND2: 2}


def _require_appraiser(user: User) -> None:
    """Appraisal pages exist for appraisers and the admin only (others: 404)."""
    if not (user.is_appraiser or user.is_province_admin):
        raise Http404


def appraisal_scope(user: User, cycle: Cycle) -> tuple[Any, list[str] | None]:
    """(assessments the user appraises in ``cycle``, criteria code prefixes or None=all).
    ``assessments_for`` already limits appraisers to their assigned units."""
    qs = assessments_for(user).filter(cycle=cycle)
    if user.is_province_admin:
        return qs, None
    assignment = perm.assignment_for(user, cycle)
    if assignment is None:
        return qs.none(), []
    return qs, list(assignment.criteria_codes or []) or None


def _covers(prefixes: list[str] | None, code: str) -> bool:
    if prefixes is None:
        return True
    return any(code == p or code.startswith(f"{p}.") for p in prefixes)


def _appraised_assessment(user: User, pk: int) -> tuple[Assessment, list[str] | None]:
    _require_appraiser(user)
    assessment = assessment_get(user, pk)  # appraisers: assigned units only
    prefixes = appraisal_prefixes(user, assessment)
    if prefixes == []:
        raise Http404
    return assessment, prefixes


@login_required
def appraisal_home(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    """The appraiser's work list in a cycle: assigned units and criteria."""
    _require_appraiser(request.user)
    cycle = cycle_get(request.user, cycle_pk)
    qs, prefixes = appraisal_scope(request.user, cycle)
    assessments = list(qs.order_by("unit__group__position", "unit__name"))
    fw_ids = {a.framework_id for a in assessments}
    leaves = (
        Criterion.objects.filter(framework_id__in=fw_ids, children__isnull=True)
        .order_by("framework_id", "position")
        .values_list("code", "name")
        .distinct()
    )
    criteria = []
    seen = set()
    for code, name in leaves:
        if code not in seen and _covers(prefixes, code):
            seen.add(code)
            criteria.append((code, name))
    return render(
        request,
        "web/appraisal/home.html",
        {
            "nav": "appraisal",
            "cycle": cycle,
            "assessments": assessments,
            "criteria": criteria,
            "prefixes": prefixes,
        },
    )


def _unit_context(
    request: AuthedHttpRequest, assessment: Assessment, prefixes: Any, only: int | None = None
) -> dict[str, Any]:
    tree = build_tree(assessment, only=only)
    access = access_for(request.user, assessment)
    return {
        "nav": "appraisal",
        "assessment": assessment,
        "tree": tree,
        "access": access,
        "totals": tree.totals("self"),
        "totals_r1": tree.totals("round1"),
        "totals_r2": tree.totals("round2"),
        "totals_final": tree.totals("final"),
        "mode": "appraise",
        "columns": COLUMN_LABELS,
        "prefixes": prefixes,
        "assigned": {lf.score.pk for lf in tree.leaves if _covers(prefixes, lf.criterion.code)},
        "requests": explanation_requests(assessment),
        "can_mark_done": perm.can_mark_done(request.user, assessment),
    }


@login_required
def appraisal_unit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assessment, prefixes = _appraised_assessment(request.user, pk)
    ctx = _unit_context(request, assessment, prefixes)
    return render(request, "web/appraisal/unit.html", ctx)


def _appraise_response(
    request: AuthedHttpRequest,
    assessment: Assessment,
    prefixes: Any,
    score_pk: int,
    *,
    error: list[str] | None = None,
    stale: Any = None,
    attempted: dict[str, Any] | None = None,
    status: int = 200,
    done: str = "",
) -> HttpResponse:
    ctx = _unit_context(request, assessment, prefixes, only=score_pk)
    leaf = ctx["tree"].leaf(score_pk)
    if leaf is None:
        raise Http404
    ctx.update(
        {
            "leaf": leaf,
            "error": error or [],
            "stale": stale,
            "attempted": attempted or {},
            "oob": True,
            "compact": request.GET.get("compact") == "1" or request.POST.get("compact") == "1",
            # the per-criterion row's names
            "s": leaf.score,
            "a": assessment,
            "evidence": leaf.evidence,
            "rnd": ctx["access"].appraisal_round,
            "status_text": "" if error or not done else done.format(code=leaf.criterion.code),
        }
    )
    if not is_htmx(request):
        unit_page = reverse("appraisal_unit", args=[assessment.pk])
        back = request.POST.get("back") or unit_page
        if not back.startswith("/") or back.startswith("//"):
            back = unit_page
        if error and back == unit_page:
            # Without JavaScript: the whole page, the error at its leaf, what was typed kept.
            page = _unit_context(request, assessment, prefixes)
            page["failed"] = {
                "sid": score_pk,
                "error": error,
                "stale": stale,
                "attempted": {} if stale else (attempted or {}),
            }
            return render(request, "web/appraisal/unit.html", page, status=status)
        for text in error or []:
            messages.error(request, text)
        if ctx["status_text"]:
            messages.success(request, ctx["status_text"])
        return redirect(f"{back}#ap-{score_pk}")
    template = (
        "web/appraisal/_criterion_row.html"
        if ctx["compact"]
        else "web/appraisal/_leaf_response.html"
    )
    return render(request, template, ctx, status=status)


@login_required
@require_POST
def appraisal_leaf(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """Save appraised points (current round) or a bonus/penalty adjustment, or a comment."""
    assessment, prefixes = _appraised_assessment(request.user, pk)
    score = get_object_or_404(
        LeafScore.objects.select_related("criterion"), assessment=assessment, pk=score_pk
    )
    if not _covers(prefixes, score.criterion.code):
        raise Http404
    post = request.POST
    attempted = {k: post.get(k, "") for k in ("points", "reason", "text")}

    def save() -> None:
        what = post.get("what", "points")
        if what == "comment":
            text = post.get("text", "").strip()
            if not text:
                raise ValidationError("Nhập nội dung ý kiến.")
            svc.comment_add(score=score, text=text, actor=request.user)
        elif what == "adjustment":
            points = form_points(post.get("points"), "Nhập điểm thưởng/trừ.")
            svc.adjustment_set(
                score=score,
                points=points,
                reason=post.get("reason", "").strip(),
                actor=request.user,
            )
        else:
            try:
                version = int(post.get("version", ""))
                rnd = int(post.get("round", ""))
            except ValueError as exc:
                raise ValidationError("Thiếu vòng thẩm định hoặc phiên bản của điểm.") from exc
            points = form_points(post.get("points"), "Nhập điểm thẩm định.")
            svc.appraisal_set(
                score=score,
                round=rnd,
                points=points,
                reason=post.get("reason", "").strip(),
                expected_version=version,
                actor=request.user,
            )

    done = "Đã gửi ý kiến {code}" if post.get("what") == "comment" else "Đã lưu điểm {code}"

    def respond(saved: None = None, **outcome: Any) -> HttpResponse:
        return _appraise_response(request, assessment, prefixes, score.pk, done=done, **outcome)

    return leaf_save(save, respond, attempted=attempted)


@login_required
def appraisal_criterion(request: AuthedHttpRequest, cycle_pk: int, code: str) -> HttpResponse:
    """One leaf across every assigned unit: self points, evidence, explanation, inputs."""
    _require_appraiser(request.user)
    cycle = cycle_get(request.user, cycle_pk)
    qs, prefixes = appraisal_scope(request.user, cycle)
    if not _covers(prefixes, code):
        raise Http404
    scores = list(
        LeafScore.objects.filter(assessment__in=qs, criterion__code=code)
        .select_related("criterion", "criterion__rule", "assessment", "assessment__unit")
        .order_by("assessment__unit__group__position", "assessment__unit__name")
    )
    if not scores:
        raise Http404
    links: dict[int, list[Any]] = {}
    for link in EvidenceLink.objects.filter(score__in=scores).select_related("document"):
        links.setdefault(link.score_id, []).append(link)
    rows = []
    for s in scores:
        rows.append(
            {
                "score": s,
                "assessment": s.assessment,
                "evidence": links.get(s.pk, []),
                "round": APPRAISAL_ROUND.get(s.assessment.status),
            }
        )
    return render(
        request,
        "web/appraisal/criterion.html",
        {
            "nav": "appraisal",
            "cycle": cycle,
            "code": code,
            "criterion": scores[0].criterion,
            "rows": rows,
        },
    )


# --- workflow buttons -------------------------------------------------------------------


def _appraised(user: User, pk: int) -> Assessment:
    return _appraised_assessment(user, pk)[0]


appraisal_start = workflow_button(
    svc.appraisal_start, "Đã bắt đầu thẩm định vòng 1.", load=_appraised, back="appraisal_unit"
)
appraisal_round2_start = workflow_button(
    svc.appraisal_round2_start,
    "Đã bắt đầu thẩm định vòng 2.",
    load=_appraised,
    back="appraisal_unit",
)


@login_required
@require_POST
def assessment_return(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assessment, _ = _appraised_assessment(request.user, pk)
    back = reverse("appraisal_unit", args=[pk])

    def do() -> None:
        post = request.POST
        deadline = parse_when(post.get("deadline"), "Hạn giải trình")
        # One checkbox ``leaf`` per leaf (its code) and its message ``message_<code>``.
        leaves = {code: post.get(f"message_{code}", "") for code in post.getlist("leaf")}
        errors = []
        if deadline is None:
            errors.append("Nhập hạn giải trình cho đơn vị.")
        if not leaves:
            errors.append("Chọn ít nhất một tiêu chí cần giải trình.")
        if errors or deadline is None:
            raise ValidationError(errors)
        svc.assessment_return(
            assessment=assessment,
            deadline=deadline,
            leaves=leaves,
            message=post.get("message", ""),
            actor=request.user,
        )

    return run_action(request, do, success="Đã trả phiếu cho đơn vị để giải trình.", back=back)


@login_required
@require_POST
def council_approve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_council:
        raise Http404
    assessment = assessment_get(user, pk)
    return run_action(
        request,
        lambda: svc.council_approve(assessment=assessment, actor=user),
        success=f"Đã phê duyệt kết quả của {assessment.unit.name}.",
        back=reverse("council_list", args=[assessment.cycle_id]),
    )


@login_required
@require_POST
def assessment_reopen(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_admin_page(user)
    assessment = assessment_get(user, pk)

    def do() -> None:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            raise ValidationError("Nhập lý do mở lại phiếu.")
        svc.assessment_reopen(assessment=assessment, reason=reason, actor=user)

    return run_action(
        request,
        do,
        success="Đã mở lại phiếu để thẩm định vòng 2.",
        back=reverse("appraisal_unit", args=[pk]),
    )
