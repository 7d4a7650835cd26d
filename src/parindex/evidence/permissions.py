"""Who may do what with evidence: a unit's library belongs to its users; changing the
evidence of an assessment follows the assessment's own checks
(:mod:`parindex.assessments.permissions`), so the two never disagree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parindex.assessments import permissions as assessment_permissions
from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from parindex.accounts.models import User

__all__ = ["can_manage_library", "check_edit_evidence"]


def can_manage_library(user: User | AnonymousUser | None, unit: Unit) -> bool:
    """Upload or record documents in the unit's library: the unit's own active users."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_unit_user", False)
        and getattr(user, "unit_id", None) == unit.pk
    )


def check_edit_evidence(user: User | AnonymousUser | None, assessment: Assessment) -> None:
    """Raise what the assessment's own checks raise (404 outside scope, PermissionDenied,
    InvalidTransition, ValidationError after the deadline) when ``user`` may not change the
    evidence of ``assessment``: the unit's self-assessment while a draft, its explanation
    while returned."""
    if assessment.status == AssessmentStatus.RETURNED:
        assessment_permissions.check_explain(user, assessment)
    else:
        assessment_permissions.check_edit_self(user, assessment)
