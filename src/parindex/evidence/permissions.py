"""Who may do what with evidence. Uses ``parindex.assessments.permissions`` when it offers
the checks, and narrow local checks until then."""

from __future__ import annotations

from typing import Any

from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.units.models import Unit

try:  # the assessments engineer's checks, once they exist
    from parindex.assessments import permissions as _assessment_permissions
except ImportError:  # pragma: no cover - depends on the other app's progress
    _assessment_permissions = None  # type: ignore[assignment]


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_unit_member(user: Any, unit: Unit | int) -> bool:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return _active(user) and user.is_unit_user and user.unit_id == unit_id


def can_manage_library(user: Any, unit: Unit) -> bool:
    """Upload or record documents in the unit's library: the unit's own users."""
    return is_unit_member(user, unit)


def can_edit_evidence(user: Any, assessment: Assessment) -> bool:
    """Attach or detach evidence: the unit's users while the unit may edit (draft), or
    explain (returned for explanation/supplement)."""
    perms = _assessment_permissions
    if perms is not None and hasattr(perms, "can_edit_self") and hasattr(perms, "can_explain"):
        return bool(perms.can_edit_self(user, assessment) or perms.can_explain(user, assessment))
    if not is_unit_member(user, assessment.unit_id):
        return False
    return assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


def check_edit_evidence(user: Any, assessment: Assessment) -> None:
    """Raise what the assessment's own checks raise (404 outside scope, PermissionDenied,
    InvalidTransition, ValidationError after the deadline) when ``user`` may not change the
    evidence of ``assessment``."""
    perms = _assessment_permissions
    if perms is not None and hasattr(perms, "check_edit_self"):
        if assessment.status == AssessmentStatus.RETURNED:
            perms.check_explain(user, assessment)
        else:
            perms.check_edit_self(user, assessment)
        return
    from django.core.exceptions import ValidationError
    from django.http import Http404

    from parindex.assessments.selectors import assessments_for

    if not assessments_for(user).filter(pk=assessment.pk).exists():
        raise Http404("Không tìm thấy phiếu đánh giá.")
    if not can_edit_evidence(user, assessment):
        raise ValidationError(
            "Không thể thay đổi tài liệu kiểm chứng khi phiếu đang ở trạng thái "
            f"“{assessment.get_status_display()}”."
        )


def effective_deadline(
    cycle: Any, unit: Any, stage: str, *, assessment: Assessment | None = None
) -> Any:
    """The unit's deadline for ``stage``: its extension, else (explanation) the deadline set
    on return, else the cycle's."""
    perms = _assessment_permissions
    if perms is not None and hasattr(perms, "effective_deadline"):
        return perms.effective_deadline(cycle, unit, stage, assessment=assessment)
    from parindex.assessments.models import DeadlineExtension

    unit_id = unit if isinstance(unit, int) else unit.pk
    ext = DeadlineExtension.objects.filter(cycle_id=cycle.pk, unit_id=unit_id, stage=stage).first()
    if ext is not None:
        return ext.until
    if stage == "explanation" and assessment is not None and assessment.explanation_due:
        return assessment.explanation_due
    return cycle.deadline_for(stage)
