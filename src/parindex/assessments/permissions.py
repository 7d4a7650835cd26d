"""Who may do what to an assessment, and until when (docs/workflow.md).

Each rule exists twice: ``check_<action>(user, assessment[, score])`` raises the error the
service reports, and ``can_<action>(…)`` answers True/False for pages that show or hide a
button. The checks raise, in this order:

* :class:`~django.http.Http404` when the user may not even see the assessment (outsiders
  never learn that it exists);
* :class:`~django.core.exceptions.PermissionDenied` when they see it but their role may
  not do this;
* :class:`~parindex.workflow.InvalidTransition` when the assessment is not in a state that
  allows it;
* :class:`~django.core.exceptions.ValidationError` when the stage's deadline (or the unit's
  extension) has passed, or the leaf is not of the right kind.

The only database reads are the appraisal assignment and the deadline extension. A page or
an autosave asks the same deadline several times (the service's check, then the buttons of the
answer): :func:`remember_deadlines` makes an assessment object keep each stage's effective
deadline for the rest of the request, so it is read once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from parindex.assessments.models import (
    ASSESSMENT_EDITS,
    AppraisalAssignment,
    Assessment,
    AssessmentStatus,
    DeadlineExtension,
    LeafScore,
    sources_of,
)
from parindex.cycles.models import Cycle, CycleStatus
from parindex.engine.framework import ADJUSTMENT_SOURCES, EXTERNAL_SOURCES
from parindex.prepared import Prepared
from parindex.workflow import InvalidTransition

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13

    from parindex.accounts.models import User

S = AssessmentStatus

__all__ = [
    "assignment_for",
    "can_appraise",
    "can_appraise_code",
    "can_approve",
    "can_comment",
    "can_edit_self",
    "can_explain",
    "can_mark_done",
    "can_reopen",
    "can_resubmit",
    "can_return",
    "can_start_appraisal",
    "can_start_round2",
    "can_submit",
    "can_view",
    "can_withdraw",
    "effective_deadline",
    "remember_deadlines",
]


# ---------------------------------------------------------------- roles and scope


def _active(user: User | AnonymousUser | None) -> TypeIs[User]:
    """A signed-in, active user (the checks below then read the user's role)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _is_admin(user: User | AnonymousUser | None) -> bool:
    return _active(user) and bool(user.is_province_admin)


def _unit_user_of(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _active(user) and user.is_unit_user and user.unit_id == assessment.unit_id


def _unit_head_of(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _active(user) and user.is_unit_head and _unit_user_of(user, assessment)


def assignment_for(
    user: User | AnonymousUser | None, cycle: Cycle | int
) -> AppraisalAssignment | None:
    """The user's appraisal assignment in ``cycle`` (with its units prefetched), if any."""
    if not _active(user) or not user.is_appraiser:
        return None
    cycle_id = cycle if isinstance(cycle, int) else cycle.pk
    return (
        AppraisalAssignment.objects.filter(cycle_id=cycle_id, appraiser=user)
        .prefetch_related("units")
        .first()
    )


def _assigned_unit(
    user: User | AnonymousUser | None, assessment: Assessment
) -> AppraisalAssignment | None:
    """The assignment when it covers the assessment's unit (empty units = all)."""
    if not _active(user) or not user.is_appraiser:
        return None
    return (
        AppraisalAssignment.objects.filter(cycle_id=assessment.cycle_id, appraiser=user)
        .filter(Q(units__isnull=True) | Q(units=assessment.unit_id))
        .first()
    )


def can_view(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    """Admin, council and leaders: everything; appraisers: assigned units; unit users:
    their own unit."""
    if not _active(user):
        return False
    if user.is_superuser or user.is_province_admin or user.is_council or user.is_leader:
        return True
    if user.is_appraiser:
        return _assigned_unit(user, assessment) is not None
    return _unit_user_of(user, assessment)


def _appraiser_or_admin(
    user: User | AnonymousUser | None, assessment: Assessment, code: str | None = None
) -> bool:
    if _is_admin(user):
        return True
    assignment = _assigned_unit(user, assessment)
    if assignment is None:
        return False
    return code is None or assignment.covers_code(code)


# ---------------------------------------------------------------- deadlines


def effective_deadline(
    cycle: Cycle, unit: Any, stage: str, *, assessment: Assessment | None = None
) -> datetime | None:
    """The unit's extension for ``stage`` if any, else (for the explanation stage) the
    deadline set when the assessment was returned, else the cycle's deadline; ``None`` =
    no deadline. Read once per request for an assessment given to
    :func:`remember_deadlines`."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    memo = getattr(assessment, "_deadline_memo", None)
    if assessment is None or memo is None:
        return _effective_deadline(cycle, unit_id, stage, assessment)
    key = (cycle.pk, unit_id, stage, assessment.explanation_due)
    if key not in memo:
        memo[key] = _effective_deadline(cycle, unit_id, stage, assessment)
    return memo[key]


def remember_deadlines(assessment: Assessment, memo: dict | None = None) -> dict:
    """Let ``assessment`` (an object that lives for one request) keep the effective deadlines
    it is asked for; ``memo`` shares them with another object of the same assessment."""
    if memo is None:
        memo = getattr(assessment, "_deadline_memo", None)
    assessment._deadline_memo = {} if memo is None else memo  # type: ignore[attr-defined]
    return assessment._deadline_memo  # type: ignore[attr-defined]


def _effective_deadline(
    cycle: Cycle, unit_id: int, stage: str, assessment: Assessment | None
) -> datetime | None:
    ext = _EXTENSION.first(cycle.pk, unit_id, variant=str(stage))
    if ext is not None:
        return ext[0]
    if stage == CycleStatus.EXPLANATION and assessment is not None and assessment.explanation_due:
        return assessment.explanation_due
    return cycle.deadline_for(stage)


def _extension_qs(cycle_id: int, unit_id: int, *, variant: str) -> QuerySet[Any, Any]:
    # At most one row (unique per cycle, unit and stage): no ordering (the model's joined
    # the cycles).
    qs = DeadlineExtension.objects.filter(cycle_id=cycle_id, unit_id=unit_id, stage=variant)
    return qs.values_list("until").order_by()[:1]


# Compiled once per stage (parindex.prepared): every save checks its deadline.
_EXTENSION = Prepared(_extension_qs)


def _require_open(assessment: Assessment, stage: str) -> None:
    when = effective_deadline(assessment.cycle, assessment.unit_id, stage, assessment=assessment)
    if when is not None and timezone.now() > when:
        shown = timezone.localtime(when).strftime("%H:%M ngày %d/%m/%Y")
        raise ValidationError(
            f"Đã hết hạn {CycleStatus(stage).label.lower()} ({shown}); "
            "cần Sở Nội vụ gia hạn cho đơn vị."
        )


# ---------------------------------------------------------------- checks


def _require_view(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    if not can_view(user, assessment):
        raise Http404("Không tìm thấy phiếu đánh giá.")


def _require_status(assessment: Assessment, allowed: tuple[str, ...], action: str) -> None:
    """``allowed`` comes from the table in the models: the states a transition starts from
    (``sources_of(service)``) or those an edit is open in (``ASSESSMENT_EDITS``)."""
    if assessment.status not in allowed:
        raise InvalidTransition(
            f"Không thể {action} khi phiếu đang ở trạng thái “{S(assessment.status).label}”."
        )


def check_edit_self(
    user: User | AnonymousUser | None, assessment: Assessment, score: LeafScore | None = None
) -> None:
    _require_view(user, assessment)
    if not _unit_user_of(user, assessment):
        raise PermissionDenied("Chỉ cán bộ của đơn vị được tự chấm điểm.")
    _require_status(assessment, ASSESSMENT_EDITS["self_score"], "sửa điểm tự chấm")
    if score is not None and score.criterion.source != "self":
        raise ValidationError(
            f"Tiêu chí {score.criterion.code} không do đơn vị tự chấm "
            f"(nguồn điểm: {score.criterion.source})."
        )
    _require_open(assessment, CycleStatus.SELF_ASSESSMENT)


def check_submit(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _require_view(user, assessment)
    if not _unit_head_of(user, assessment):
        raise PermissionDenied("Chỉ thủ trưởng đơn vị được gửi phiếu tự chấm.")
    _require_status(assessment, sources_of("assessment_submit"), "gửi phiếu")
    _require_open(assessment, CycleStatus.SELF_ASSESSMENT)


def check_withdraw(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _require_view(user, assessment)
    if not _unit_head_of(user, assessment):
        raise PermissionDenied("Chỉ thủ trưởng đơn vị được rút lại phiếu đã gửi.")
    _require_status(assessment, sources_of("assessment_withdraw"), "rút lại phiếu")
    _require_open(assessment, CycleStatus.SELF_ASSESSMENT)


def check_explain(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _require_view(user, assessment)
    if not _unit_user_of(user, assessment):
        raise PermissionDenied("Chỉ cán bộ của đơn vị được giải trình.")
    _require_status(assessment, ASSESSMENT_EDITS["explain"], "giải trình")
    _require_open(assessment, CycleStatus.EXPLANATION)


def check_resubmit(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _require_view(user, assessment)
    if not _unit_head_of(user, assessment):
        raise PermissionDenied("Chỉ thủ trưởng đơn vị được gửi lại phiếu sau giải trình.")
    _require_status(assessment, sources_of("assessment_resubmit"), "gửi giải trình")
    _require_open(assessment, CycleStatus.EXPLANATION)


def _check_appraiser(
    user: User | AnonymousUser | None, assessment: Assessment, code: str | None = None
) -> None:
    _require_view(user, assessment)
    if not _appraiser_or_admin(user, assessment, code):
        raise PermissionDenied(
            "Chỉ thành viên tổ thẩm định được phân công (hoặc Sở Nội vụ) được thẩm định"
            + (f" tiêu chí {code}." if code else " đơn vị này.")
        )


def check_start_appraisal(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _check_appraiser(user, assessment)
    _require_status(assessment, sources_of("appraisal_start"), "bắt đầu thẩm định vòng 1")


def check_return(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _check_appraiser(user, assessment)
    _require_status(assessment, sources_of("assessment_return"), "trả lại phiếu để giải trình")


def can_appraise_code(user: User | AnonymousUser | None, assessment: Assessment, code: str) -> bool:
    """The actor appraises leaf ``code`` of the assessment (assigned, or the admin)."""
    return _appraiser_or_admin(user, assessment, code)


def check_appraisal_done(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _check_appraiser(user, assessment)
    _require_status(assessment, ASSESSMENT_EDITS["appraisal_done"], "đánh dấu đã thẩm định xong")


def check_start_round2(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _check_appraiser(user, assessment)
    _require_status(assessment, sources_of("appraisal_round2_start"), "bắt đầu thẩm định vòng 2")


def check_appraise(
    user: User | AnonymousUser | None, assessment: Assessment, score: LeafScore
) -> None:
    _check_appraiser(user, assessment, score.criterion.code)
    _require_status(assessment, ASSESSMENT_EDITS["appraise"], "chấm điểm thẩm định")


def check_adjust(
    user: User | AnonymousUser | None, assessment: Assessment, score: LeafScore
) -> None:
    _check_appraiser(user, assessment, score.criterion.code)
    _require_status(assessment, ASSESSMENT_EDITS["appraise"], "chấm điểm thưởng/trừ")
    if score.criterion.source not in ADJUSTMENT_SOURCES:
        raise ValidationError(
            f"Tiêu chí {score.criterion.code} không phải tiêu chí điểm thưởng hoặc điểm trừ."
        )


def check_comment(
    user: User | AnonymousUser | None, assessment: Assessment, score: LeafScore
) -> None:
    _require_view(user, assessment)
    if not (
        _unit_user_of(user, assessment)
        or _appraiser_or_admin(user, assessment, score.criterion.code)
    ):
        raise PermissionDenied("Chỉ đơn vị và tổ thẩm định được ghi ý kiến.")
    _require_status(assessment, ASSESSMENT_EDITS["comment"], "ghi ý kiến")


def check_approve(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _require_view(user, assessment)
    if not (_active(user) and user.is_council):
        raise PermissionDenied("Chỉ Hội đồng thẩm định được phê duyệt kết quả.")
    _require_status(assessment, sources_of("council_approve"), "phê duyệt")


def check_reopen(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    _require_view(user, assessment)
    if not _is_admin(user):
        raise PermissionDenied("Chỉ Sở Nội vụ được mở lại kết quả đã phê duyệt.")
    _require_status(assessment, sources_of("assessment_reopen"), "mở lại")


def check_set_external(
    user: User | AnonymousUser | None, assessment: Assessment, score: LeafScore | None = None
) -> None:
    _require_view(user, assessment)
    if not _is_admin(user):
        raise PermissionDenied("Chỉ Sở Nội vụ được nhập điểm khảo sát, SIPAS, thống kê.")
    if assessment.status not in ASSESSMENT_EDITS["external"]:  # approved
        raise ValidationError(
            "Kết quả đã được phê duyệt; cần mở lại trước khi sửa điểm nguồn bên ngoài."
        )
    if score is not None and score.criterion.source not in EXTERNAL_SOURCES:
        raise ValidationError(
            f"Tiêu chí {score.criterion.code} không lấy điểm từ nguồn bên ngoài "
            f"(nguồn điểm: {score.criterion.source})."
        )


Check = Callable[["User | AnonymousUser | None", Assessment], None]

#: The permission check of every service in ``ASSESSMENT_FLOW`` (a test keeps the two in
#: step); each reads its status condition from that table.
TRANSITION_CHECKS: dict[str, Check] = {
    "assessment_submit": check_submit,
    "assessment_withdraw": check_withdraw,
    "appraisal_start": check_start_appraisal,
    "assessment_return": check_return,
    "assessment_resubmit": check_resubmit,
    "appraisal_round2_start": check_start_round2,
    "council_approve": check_approve,
    "assessment_reopen": check_reopen,
}


def check_move(user: User | AnonymousUser | None, assessment: Assessment, service: str) -> None:
    """The check of the transition ``service``, as
    :func:`parindex.assessments.services.assessment_move` runs it."""
    TRANSITION_CHECKS[service](user, assessment)


# ---------------------------------------------------------------- booleans for pages


def _ok(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except (Http404, PermissionDenied, InvalidTransition, ValidationError):
        return False
    return True


def can_edit_self(
    user: User | AnonymousUser | None, assessment: Assessment, score: LeafScore | None = None
) -> bool:
    return _ok(check_edit_self, user, assessment, score)


def can_submit(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_submit, user, assessment)


def can_withdraw(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_withdraw, user, assessment)


def can_explain(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_explain, user, assessment)


def can_resubmit(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_resubmit, user, assessment)


def can_start_appraisal(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_start_appraisal, user, assessment)


def can_return(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_return, user, assessment)


def can_start_round2(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_start_round2, user, assessment)


def can_appraise(user: User | AnonymousUser | None, score: LeafScore) -> bool:
    return _ok(check_appraise, user, score.assessment, score)


def can_comment(user: User | AnonymousUser | None, score: LeafScore) -> bool:
    return _ok(check_comment, user, score.assessment, score)


def can_approve(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_approve, user, assessment)


def can_mark_done(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_appraisal_done, user, assessment)


def can_reopen(user: User | AnonymousUser | None, assessment: Assessment) -> bool:
    return _ok(check_reopen, user, assessment)
