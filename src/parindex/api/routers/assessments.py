"""Assessments: the self-assessment, its transitions, appraisal, comments, external points,
bonus/penalty, and the audit trail. Each endpoint loads what the caller may see (404
otherwise), calls the service of docs/workflow.md and serialises the result."""

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.pagination import Mapped, Pages
from parindex.api.schemas import Id
from parindex.assessments import selectors as sel
from parindex.assessments import services as svc

router = Router(tags=["Phiếu tự chấm và thẩm định"])


def _assessment(request: ApiRequest, assessment_id: Id) -> Any:
    return sel.assessment_get(request.auth, assessment_id)


def _score(request: ApiRequest, assessment_id: Id, code: str) -> Any:
    """The leaf ``code`` of an assessment the caller may see; 404 otherwise."""
    assessment = _assessment(request, assessment_id)
    return get_object_or_404(sel.scores_of(assessment), criterion__code=code)


def _num(value: Any) -> str | None:
    """Points and indices as decimal strings (exact; an index is a fraction)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return str(round(Decimal(value.numerator) / Decimal(value.denominator), 6))
    return str(value)


def _node_score(score: Any) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "points": _num(score.points),
        "max_points": _num(score.max_points),
        "index": _num(score.index),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def _leaf(row: Any) -> dict[str, Any]:
    out = s.score_out(row.score) if row.score is not None else {"code": row.criterion.code}
    out.update(
        evidence_count=row.evidence_count,
        comments_count=row.comments_count,
        missing=row.missing,
        rule=(
            {"type": row.rule.type, "params": _jsonable(dict(row.rule.params))}
            if row.rule is not None
            else None
        ),
        guidance=row.criterion.guidance,
        evidence_hint=row.criterion.evidence,
    )
    return out


def _node(node: Any) -> dict[str, Any]:
    c = node.criterion
    return {
        "code": c.code,
        "name": c.name,
        "max_points": _num(c.max_points),
        "source": c.source,
        "self": _node_score(node.self_score),
        "final": _node_score(node.final),
        "leaf": _leaf(node.leaf) if node.leaf is not None else None,
        "children": [_node(k) for k in node.children],
    }


def tree_out(tree: Any) -> dict[str, Any]:
    """The assessment tree: areas → criteria → leaves, each leaf with self, round 1,
    round 2 and final points; engine totals; the leaves that block submission."""
    bonus, penalty = tree.self_adjustments()
    return {
        "assessment": s.assessment_out(tree.assessment),
        "totals": {
            "self": _node_score(tree.self_total),
            "final": _node_score(tree.final),
            "self_bonus": _num(bonus),
            "self_penalty": _num(penalty),
        },
        "missing": [{"code": m.code, "name": m.name, "reason": m.reason} for m in tree.missing],
        "areas": [_node(a) for a in tree.areas],
    }


def _transition(
    request: ApiRequest, assessment_id: Id, service: Callable[..., Any], **kwargs: Any
) -> Any:
    """Run the workflow ``service`` (an assessments service, passed as itself) on an
    assessment the caller may see, and return the assessment as it now stands."""
    assessment = _assessment(request, assessment_id)
    result = service(assessment=assessment, actor=request.auth, **kwargs)
    return s.assessment_out(sel.assessment_get(request.auth, result.pk))


def _leaf_write(
    request: ApiRequest, assessment_id: Id, code: str, service: Callable[..., Any], payload: Schema
) -> Any:
    """Run a leaf's write ``service`` (passed as itself) on the leaf ``code`` the caller may
    see, with the body's fields as its keywords: the body is the service's contract, and
    ``version`` is the version the caller read (``expected_version``)."""
    fields = payload.dict()
    if "version" in fields:
        fields["expected_version"] = fields.pop("version")
    score = service(score=_score(request, assessment_id, code), actor=request.auth, **fields)
    return s.score_out(score)


@router.get(
    "/assessments",
    response={200: list[s.AssessmentOut], **s.ERRORS},
    summary="Danh sách phiếu tự chấm",
    description="Các phiếu người dùng được xem; lọc theo kỳ (cycle) và trạng thái (status).",
)
@paginate(Pages)
def assessment_list(request: ApiRequest, cycle: Id | None = None, status: str = "") -> Any:
    qs = sel.assessments_for(request.auth).order_by("cycle_id", "unit__name", "pk")
    if cycle is not None:
        qs = qs.filter(cycle_id=cycle)
    if status:
        qs = qs.filter(status=status)
    return Mapped(qs, s.assessment_out)


@router.get(
    "/assessments/{assessment_id}",
    response={200: s.TreeOut, **s.ERRORS},
    summary="Phiếu tự chấm: cây tiêu chí và điểm",
    description="Cây tiêu chí với điểm tự chấm, thẩm định vòng 1, vòng 2 và điểm cuối cùng; "
    "tổng theo lĩnh vực và toàn phiếu; các tiêu chí còn thiếu điểm hoặc tài liệu.",
)
def assessment_detail(request: ApiRequest, assessment_id: Id) -> Any:
    return tree_out(sel.assessment_tree(_assessment(request, assessment_id)))


@router.get(
    "/assessments/{assessment_id}/leaves/{code}",
    response={200: s.ScoreOut, **s.ERRORS},
    summary="Điểm một tiêu chí",
)
def leaf_detail(request: ApiRequest, assessment_id: Id, code: str) -> Any:
    return s.score_out(_score(request, assessment_id, code))


@router.put(
    "/assessments/{assessment_id}/leaves/{code}",
    response={200: s.ScoreOut, **s.ERRORS},
    summary="Tự chấm một tiêu chí",
    description="Giá trị theo cách chấm (mức, tỷ lệ, số lượng, “có”), điểm (tiêu chí chấm "
    "tay), không áp dụng, giải trình. Gửi kèm version đã đọc; nếu người khác vừa lưu, trả "
    "409 với giá trị hiện tại.",
)
def leaf_set(request: ApiRequest, assessment_id: Id, code: str, payload: s.ScoreIn) -> Any:
    return _leaf_write(request, assessment_id, code, svc.score_set, payload)


def _move(path: str, service: Callable[..., Any], summary: str, description: str = "") -> None:
    """Declare ``POST /assessments/{assessment_id}/<path>`` for a move that needs nothing
    but the assessment: ``service`` (passed as itself) runs on it as the caller, and the
    answer is the assessment as it now stands. The operation keeps the name it always had
    (OpenAPI id and URL name): the path with "/" as "_"."""

    def view(request: ApiRequest, assessment_id: Id) -> Any:
        return _transition(request, assessment_id, service)

    view.__name__ = view.__qualname__ = path.replace("/", "_")
    router.post(
        f"/assessments/{{assessment_id}}/{path}",
        response={200: s.AssessmentOut, **s.ERRORS},
        summary=summary,
        description=description or None,
    )(view)


# The workflow's buttons without a body (return and reopen take one: declared below).
_move(
    "submit",
    svc.assessment_submit,
    "Gửi phiếu tự chấm (thủ trưởng đơn vị)",
    "Khoá phiếu với đơn vị. Bị từ chối nếu còn tiêu chí thiếu điểm, tiêu chí có "
    "điểm mà không có tài liệu hay giải trình, hoặc đã quá hạn.",
)
_move(
    "withdraw", svc.assessment_withdraw, "Rút phiếu đã gửi (thủ trưởng đơn vị, trước khi thẩm định)"
)
_move("appraisal/start", svc.appraisal_start, "Bắt đầu thẩm định vòng 1")
_move("resubmit", svc.assessment_resubmit, "Gửi lại sau khi giải trình (thủ trưởng đơn vị)")
_move(
    "round2/start",
    svc.appraisal_round2_start,
    "Bắt đầu thẩm định vòng 2",
    "Điểm vòng 2 bắt đầu bằng điểm vòng 1.",
)
_move(
    "approve",
    svc.council_approve,
    "Hội đồng phê duyệt kết quả thẩm định",
    "Khoá kết quả và đặt điểm cuối cùng.",
)


@router.put(
    "/assessments/{assessment_id}/leaves/{code}/appraisal",
    response={200: s.ScoreOut, **s.ERRORS},
    summary="Chấm điểm thẩm định một tiêu chí",
    description="round = 1 hoặc 2; lý do bắt buộc khi điểm khác điểm tự chấm. Gửi kèm version.",
)
def appraisal_set(request: ApiRequest, assessment_id: Id, code: str, payload: s.AppraisalIn) -> Any:
    return _leaf_write(request, assessment_id, code, svc.appraisal_set, payload)


@router.get(
    "/assessments/{assessment_id}/leaves/{code}/comments",
    response={200: list[s.CommentOut], **s.ERRORS},
    summary="Ý kiến trao đổi trên một tiêu chí",
)
def comment_list(request: ApiRequest, assessment_id: Id, code: str) -> Any:
    score = _score(request, assessment_id, code)
    return [s.comment_out(c) for c in score.comments.select_related("author")]


@router.post(
    "/assessments/{assessment_id}/leaves/{code}/comments",
    response={201: s.CommentOut, **s.ERRORS},
    summary="Thêm ý kiến trên một tiêu chí",
)
def comment_add(request: ApiRequest, assessment_id: Id, code: str, payload: s.CommentIn) -> Any:
    comment = svc.comment_add(
        score=_score(request, assessment_id, code), text=payload.text, actor=request.auth
    )
    return Status(201, s.comment_out(comment))


@router.post(
    "/assessments/{assessment_id}/return",
    response={200: s.AssessmentOut, **s.ERRORS},
    summary="Trả phiếu để đơn vị giải trình, bổ sung",
    description="Kèm hạn giải trình và các tiêu chí cần giải trình, mỗi tiêu chí một nội "
    "dung yêu cầu (`leaves`: `[{code, message}]`, ít nhất một); `message` là ghi chú chung "
    "(không bắt buộc). Đơn vị nhận thông báo.",
)
def return_(request: ApiRequest, assessment_id: Id, payload: s.ReturnIn) -> Any:
    return _transition(
        request,
        assessment_id,
        svc.assessment_return,
        deadline=payload.deadline,
        leaves={leaf.code: leaf.message for leaf in payload.leaves},
        message=payload.message,
    )


@router.post(
    "/assessments/{assessment_id}/reopen",
    response={200: s.AssessmentOut, **s.ERRORS},
    summary="Mở lại phiếu đã phê duyệt (Sở Nội vụ, có lý do)",
)
def reopen(request: ApiRequest, assessment_id: Id, payload: s.ReasonIn) -> Any:
    return _transition(request, assessment_id, svc.assessment_reopen, reason=payload.reason)


@router.put(
    "/assessments/{assessment_id}/leaves/{code}/external",
    response={200: s.ScoreOut, **s.ERRORS},
    summary="Nhập điểm khảo sát, SIPAS, thống kê cho một tiêu chí (Sở Nội vụ)",
)
def external_set(request: ApiRequest, assessment_id: Id, code: str, payload: s.ExternalIn) -> Any:
    return _leaf_write(request, assessment_id, code, svc.external_points_set, payload)


@router.put(
    "/assessments/{assessment_id}/leaves/{code}/adjustment",
    response={200: s.ScoreOut, **s.ERRORS},
    summary="Điểm thưởng hoặc điểm trừ (tổ thẩm định, có lý do)",
    description="Trong giới hạn điểm tối đa của tiêu chí thưởng/trừ.",
)
def adjustment_set(
    request: ApiRequest, assessment_id: Id, code: str, payload: s.AdjustmentIn
) -> Any:
    return _leaf_write(request, assessment_id, code, svc.adjustment_set, payload)


@router.get(
    "/assessments/{assessment_id}/audit",
    response={200: list[s.AuditOut], **s.ERRORS},
    summary="Nhật ký thay đổi của phiếu",
    description="Ai, khi nào, trước → sau, lý do: điểm, tài liệu, giải trình, trạng thái.",
)
@paginate(Pages)
def assessment_audit(request: ApiRequest, assessment_id: Id) -> Any:
    assessment = _assessment(request, assessment_id)
    return Mapped(sel.audit_of(request.auth, assessment=assessment), s.audit_out)


@router.get(
    "/assessments/{assessment_id}/leaves/{code}/audit",
    response={200: list[s.AuditOut], **s.ERRORS},
    summary="Nhật ký thay đổi của một tiêu chí",
)
@paginate(Pages)
def leaf_audit(request: ApiRequest, assessment_id: Id, code: str) -> Any:
    score = _score(request, assessment_id, code)
    return Mapped(sel.audit_of(request.auth, score=score), s.audit_out)
