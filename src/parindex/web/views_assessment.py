"""The unit's self-assessment page (phiếu tự chấm): the criteria tree, a live-scored input
per leaf with autosave, evidence, explanations, comments, submit/withdraw/resubmit.

Views parse input, call the services of docs/workflow.md and render; the services decide
(permissions, deadlines, ranges). Full page, or the leaf partial for htmx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.assessments import permissions as perm
from parindex.assessments import services as svc
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.selectors import (
    assessment_get,
    assessments_for,
    explanation_requests,
    missing_of,
)
from parindex.evidence import services as ev
from parindex.evidence.forms import ReferenceForm, UploadForm
from parindex.evidence.models import EvidenceDocument, EvidenceLink
from parindex.web.access import Access, access_for
from parindex.web.helpers import (
    error_messages,
    form_decimal,
    is_htmx,
    leaf_save,
    workflow_button,
)
from parindex.web.navigation import working_cycle
from parindex.web.tree import COLUMN_LABELS, Tree, build_tree, leaf_answer, leaf_saved_answer
from parindex.workflow import ConcurrentChange, InvalidTransition


def _score_of(request: AuthedHttpRequest, pk: int, score_pk: int) -> tuple[Assessment, LeafScore]:
    assessment = assessment_get(request.user, pk)
    # This object lives for the request: each stage's deadline is read once.
    perm.remember_deadlines(assessment)
    # With the criterion and rule: the service reuses them and reads the leaf again
    # inside its lock.
    score = get_object_or_404(
        LeafScore.objects.select_related("criterion__rule"), assessment=assessment, pk=score_pk
    )
    score.assessment = assessment
    return assessment, score


def library_of(assessment: Assessment, access: Access) -> list[Any]:
    if not access.can_explain:
        return []
    return list(
        EvidenceDocument.objects.filter(unit_id=assessment.unit_id).order_by("-year", "title")
    )


def _shows_missing(request: AuthedHttpRequest, access: Access) -> bool:
    return access.own_unit or request.user.sees_all_units


def page_context(request: AuthedHttpRequest, assessment: Assessment, tree: Tree) -> dict[str, Any]:
    access = access_for(request.user, assessment)
    totals = tree.totals("self")
    missing = missing_of(assessment) if _shows_missing(request, access) else []
    return {
        "missing": missing,
        "missing_codes": {m.code for m in missing},
        "nav": "assessment",
        "assessment": assessment,
        "tree": tree,
        "access": access,
        "totals": totals,
        "mode": "self",
        "columns": COLUMN_LABELS,
        "requests": explanation_requests(assessment),
    }


@login_required
def my_assessment(request: AuthedHttpRequest) -> HttpResponse:
    """'Phiếu của đơn vị': the unit's assessment in the current cycle."""
    user = request.user
    if not user.unit_id:
        raise Http404
    cycle = working_cycle(request)
    qs = assessments_for(user).filter(unit_id=user.unit_id)
    a = (qs.filter(cycle=cycle).first() if cycle else None) or qs.order_by("-cycle__year").first()
    if a is None:
        raise Http404
    return redirect("assessment_detail", pk=a.pk)


@login_required
def assessment_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get(request.user, pk)
    perm.remember_deadlines(assessment)
    tree = build_tree(assessment)
    return render(request, "web/assessment/detail.html", page_context(request, assessment, tree))


def _leaf_response(
    request: AuthedHttpRequest,
    assessment: Assessment,
    score_pk: int,
    *,
    error: list[str] | None = None,
    stale: Any = None,
    attempted: dict[str, Any] | None = None,
    status: int = 200,
    saved: LeafScore | None = None,
    before: LeafScore | None = None,
    done: str = "",
) -> HttpResponse:
    """The leaf partial with the totals above it and the missing leaves (out of band), and
    ``done`` ("Đã lưu {code}") in the page's status region; for a plain form post (no
    JavaScript) the whole page with the error at the leaf and the typed value kept, or a
    redirect back to the leaf's anchor (PRG). ``saved``: the row the save wrote;
    ``before``: the row as the user read it (same version) — then the light answer of
    :func:`~parindex.web.tree.leaf_saved_answer` (the page keeps the leaf's evidence and
    comments; totals and missing leaves only when they changed)."""
    if not is_htmx(request):
        return _leaf_page(request, assessment, score_pk, saved, error, stale, attempted, done)
    access = access_for(request.user, assessment)
    with_missing = _shows_missing(request, access)
    if saved is not None and before is not None and not error:
        answer = leaf_saved_answer(assessment, before, saved, with_missing=with_missing)
    else:
        answer = leaf_answer(assessment, score_pk, score=saved, with_missing=with_missing)
    if answer is None:
        raise Http404
    codes = answer.missing_codes
    ctx = {
        "missing": answer.missing,
        "missing_codes": {m.code for m in answer.missing} if codes is None else codes,
        "light": answer.light,
        "totals_changed": answer.totals_changed,
        "missing_changed": answer.missing_changed,
        "assessment": assessment,
        "access": access,
        "totals": answer.totals,
        "mode": "self",
        "columns": COLUMN_LABELS,
        "leaf": answer.leaf,
        "requests": explanation_requests(assessment),
        "error": error or [],
        "stale": stale,
        "attempted": attempted or {},
        "oob": True,
        "status_text": "" if error else done.format(code=answer.leaf.criterion.code),
    }
    return render(request, "web/assessment/_leaf_response.html", ctx, status=status)


def _leaf_page(
    request: AuthedHttpRequest,
    assessment: Assessment,
    score_pk: int,
    saved: LeafScore | None,
    error: list[str] | None,
    stale: Any,
    attempted: dict[str, Any] | None,
    done: str,
) -> HttpResponse:
    """Without JavaScript: a refused change re-renders the page with the error at its leaf
    (what was typed kept); a done one redirects to the leaf with a message."""
    answer = leaf_answer(assessment, score_pk, score=saved, with_missing=False)
    if answer is None:
        raise Http404
    code = answer.leaf.criterion.code
    if error:
        tree = build_tree(assessment)
        ctx = page_context(request, assessment, tree)
        ctx["failed"] = {
            "sid": str(score_pk),
            "error": error,
            "stale": stale,
            "attempted": {} if stale else (attempted or {}),
        }
        status = 409 if stale else 422
        return render(request, "web/assessment/detail.html", ctx, status=status)
    if done:
        messages.success(request, done.format(code=code))
    return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#leaf-{score_pk}")


@login_required
def leaf(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """GET: the leaf partial (refresh). POST: save the leaf (autosave)."""
    if request.method != "POST":
        assessment, score = _score_of(request, pk, score_pk)
        return _leaf_response(request, assessment, score.pk)
    # The autosave's one read is the service's, under the lock: the leaf with its
    # criterion and rule and the assessment with its cycle, unit and framework (the
    # service's checks give 404 to whoever may not see it); a refused save answers from
    # the scoped read of _score_of.
    post = request.POST
    attempted: dict[str, Any] = {k: post.get(k, "") for k in ("value", "points", "explanation")}
    attempted["not_applicable"] = "not_applicable" in post
    kwargs: dict[str, Any] = {}

    def respond(**outcome: Any) -> HttpResponse:
        done: svc.ScoreSaved | None = outcome.pop("saved", None)
        if done is None:  # refused: the full leaf (or page) with the message
            assessment, _ = _score_of(request, pk, score_pk)
        else:  # the assessment as the save's lock read it, with the deadlines it read
            outcome["saved"] = done.saved
            assessment = done.saved.assessment
            perm.remember_deadlines(assessment, done.deadlines)
            if done.before.version == version:
                outcome["before"] = done.before  # the row the save started from
        return _leaf_response(request, assessment, score_pk, done="Đã lưu {code}", **outcome)

    try:
        version = int(post.get("version", ""))
    except ValueError:
        return respond(error=["Thiếu phiên bản của điểm."], status=400)

    def save() -> svc.ScoreSaved:
        if "value" in post:  # a binary leaf sends nothing until a radio is chosen
            kwargs["value"] = post.get("value", "").strip()
        if "points" in post:
            kwargs["points"] = form_decimal(post.get("points"))
        if "na_shown" in post:
            kwargs["not_applicable"] = "not_applicable" in post
        if "explanation" in post:
            kwargs["explanation"] = post.get("explanation", "").strip()
        return svc.score_set_by_id(
            assessment_id=pk,
            score_id=score_pk,
            expected_version=version,
            actor=request.user,
            **kwargs,
        )

    return leaf_save(save, respond, attempted=attempted)


@login_required
@require_POST
def comment_add(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    assessment, score = _score_of(request, pk, score_pk)
    text = request.POST.get("text", "").strip()
    try:
        if not text:
            raise ValidationError("Nhập nội dung ý kiến.")
        svc.comment_add(score=score, text=text, actor=request.user)
    except (ValidationError, InvalidTransition) as exc:
        return _leaf_response(request, assessment, score.pk, error=error_messages(exc), status=422)
    except PermissionDenied as exc:
        raise Http404 from exc
    return _leaf_response(request, assessment, score.pk, done="Đã gửi ý kiến {code}")


# --- evidence -------------------------------------------------------------------------


def _evidence_action(
    request: AuthedHttpRequest, pk: int, score_pk: int, do: Any, done: str
) -> HttpResponse:
    """Run an evidence change for one leaf; the leaf partial comes back either way."""
    assessment, score = _score_of(request, pk, score_pk)
    try:
        do(assessment, score)
    except (ValidationError, InvalidTransition, ConcurrentChange) as exc:
        return _leaf_response(request, assessment, score.pk, error=error_messages(exc), status=422)
    except PermissionDenied as exc:
        raise Http404 from exc
    return _leaf_response(request, assessment, score.pk, done=done)


def _form_errors(form: Any) -> ValidationError:
    return ValidationError([m for msgs in form.errors.values() for m in msgs])


def _evidence_page(
    request: AuthedHttpRequest,
    assessment: Assessment,
    score: LeafScore,
    *,
    errors: list[str] | None = None,
    kept: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The add-evidence forms of one leaf: the partial htmx loads into the leaf, or (without
    JavaScript) a full page whose plain posts come back to the leaf's anchor."""
    access = access_for(request.user, assessment)
    if not access.can_explain:
        raise Http404
    ctx = {
        "s": score,
        "assessment": assessment,
        "access": access,
        "library": library_of(assessment, access),
        "errors": errors or [],
        "kept": kept or {},
        "nav": "assessment",
    }
    if is_htmx(request):
        return render(request, "web/assessment/_evidence_forms.html", ctx, status=status)
    return render(request, "web/assessment/evidence.html", ctx, status=status)


@login_required
def evidence_forms(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    """The add-evidence forms of one leaf: upload, reference, and a pick from the unit's
    library (loaded into the leaf by htmx, or a page of its own)."""
    assessment, score = _score_of(request, pk, score_pk)
    return _evidence_page(request, assessment, score)


def _new_document(
    request: AuthedHttpRequest,
    pk: int,
    score_pk: int,
    form: UploadForm | ReferenceForm,
    service: Callable[..., Any],
    kind: str,
) -> HttpResponse:
    """Add a document to the unit's library and to the leaf (``service``), from ``form``.
    Without JavaScript a refused form comes back on the evidence page with what was typed."""

    def do(assessment: Assessment, score: LeafScore) -> None:
        if not form.is_valid():
            raise _form_errors(form)
        kwargs = form.service_kwargs()
        # Only a unit that may add evidence to this leaf gets a document into its library.
        if not access_for(request.user, assessment).can_explain:
            raise PermissionDenied
        service(score=score, actor=request.user, **kwargs)

    if not is_htmx(request):
        assessment, score = _score_of(request, pk, score_pk)
        try:
            do(assessment, score)
        except (ValidationError, InvalidTransition, ConcurrentChange) as exc:
            kept = {kind: {k: request.POST.get(k, "") for k in request.POST}}
            return _evidence_page(
                request, assessment, score, errors=error_messages(exc), kept=kept, status=422
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        return _leaf_page(
            request,
            assessment,
            score.pk,
            None,
            None,
            None,
            None,
            "Đã thêm tài liệu kiểm chứng {code}",
        )
    return _evidence_action(request, pk, score_pk, do, "Đã thêm tài liệu kiểm chứng {code}")


@login_required
@require_POST
def evidence_upload(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    return _new_document(request, pk, score_pk, form, ev.evidence_upload, "upload")


@login_required
@require_POST
def evidence_reference(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    form = ReferenceForm(request.POST)
    return _new_document(request, pk, score_pk, form, ev.evidence_reference_add, "reference")


@login_required
@require_POST
def evidence_attach(request: AuthedHttpRequest, pk: int, score_pk: int) -> HttpResponse:
    def do(assessment: Assessment, score: LeafScore) -> None:
        try:
            doc_pk = int(request.POST.get("document", ""))
        except ValueError as exc:
            raise ValidationError("Chọn một tài liệu trong thư viện của đơn vị.") from exc
        doc = get_object_or_404(EvidenceDocument, pk=doc_pk, unit_id=assessment.unit_id)
        ev.evidence_attach(
            score=score,
            document=doc,
            page_ref=request.POST.get("page_ref", "").strip(),
            actor=request.user,
        )

    return _evidence_action(request, pk, score_pk, do, "Đã gắn tài liệu kiểm chứng {code}")


@login_required
@require_POST
def evidence_detach(
    request: AuthedHttpRequest, pk: int, score_pk: int, link_pk: int
) -> HttpResponse:
    def do(assessment: Assessment, score: LeafScore) -> None:
        link = get_object_or_404(EvidenceLink, pk=link_pk, score=score)
        ev.evidence_detach(link=link, actor=request.user)

    return _evidence_action(request, pk, score_pk, do, "Đã bỏ tài liệu kiểm chứng {code}")


evidence_carry_forward = workflow_button(
    ev.evidence_carry_forward,
    "Đã chuyển tài liệu kiểm chứng của kỳ trước sang phiếu này.",
    load=assessment_get,
    back="assessment_detail",
)


# --- unit head actions ----------------------------------------------------------------


assessment_submit = workflow_button(
    svc.assessment_submit,
    "Đã gửi phiếu tự chấm tới Sở Nội vụ.",
    load=assessment_get,
    back="assessment_detail",
)
assessment_withdraw = workflow_button(
    svc.assessment_withdraw,
    "Đã rút phiếu về để chỉnh sửa tiếp.",
    load=assessment_get,
    back="assessment_detail",
)
assessment_resubmit = workflow_button(
    svc.assessment_resubmit,
    "Đã gửi giải trình tới tổ thẩm định.",
    load=assessment_get,
    back="assessment_detail",
)
