"""What a page offers to the signed-in user: which inputs and buttons to show, and why a
stage is read-only. The answers come from ``parindex.assessments.permissions`` — the same
rules the services enforce — evaluated once per page (never per leaf)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from parindex.accounts.models import User
from parindex.assessments import permissions as perm
from parindex.assessments.models import Assessment, AssessmentStatus
from parindex.assessments.selectors import STAGE_OF_STATUS
from parindex.cycles.models import CycleStatus

S = AssessmentStatus


@dataclass
class Access:
    user: User
    assessment: Assessment
    own_unit: bool
    deadline: datetime | None
    deadline_label: str
    passed: bool
    can_score: bool
    can_explain_only: bool
    can_submit: bool
    can_withdraw: bool
    can_resubmit: bool
    can_start_round1: bool
    can_return: bool
    can_start_round2: bool
    can_approve: bool
    can_reopen: bool
    #: Criteria code prefixes the user appraises (None = every criterion, [] = none).
    prefixes: list[str] | None = field(default_factory=list)

    @property
    def can_explain(self) -> bool:
        """Explanation and evidence: the self-assessment and the explanation stage."""
        return self.can_score or self.can_explain_only

    @property
    def is_appraiser(self) -> bool:
        return self.prefixes != []

    @property
    def appraisal_round(self) -> int | None:
        if not self.is_appraiser:
            return None
        rounds: dict[str, int] = {S.ROUND1: 1, S.ROUND2: 2}
        return rounds.get(self.assessment.status)

    def covers(self, code: str) -> bool:
        if self.prefixes is None:
            return True
        return any(code == p or code.startswith(f"{p}.") for p in self.prefixes)

    @property
    def can_comment(self) -> bool:
        if self.assessment.status == S.APPROVED:
            return False
        return (self.own_unit and self.user.is_unit_user) or self.is_appraiser

    @property
    def lock_reason(self) -> str:
        """Why the unit cannot edit, in Vietnamese ("" when it can)."""
        a = self.assessment
        if self.can_score:
            return ""
        if not (self.own_unit and self.user.is_unit_user):
            return "Chỉ đơn vị được đánh giá mới tự chấm điểm phiếu này."
        if a.status == S.DRAFT and self.passed:  # the self-assessment deadline
            return "Đã hết hạn tự đánh giá. Liên hệ Sở Nội vụ để được gia hạn (có ghi lý do)."
        if a.status == S.RETURNED:
            if self.passed:
                return "Đã hết hạn giải trình."
            return (
                "Phiếu được trả lại để giải trình: điểm đã khoá, đơn vị bổ sung giải trình và "
                "tài liệu kiểm chứng rồi thủ trưởng gửi giải trình."
            )
        notes: dict[str, str] = {
            S.SUBMITTED: "Phiếu đã gửi Sở Nội vụ nên đã khoá; thủ trưởng có thể rút lại "
            "trước khi thẩm định bắt đầu.",
            S.ROUND1: "Phiếu đang được thẩm định vòng 1.",
            S.EXPLAINED: "Đơn vị đã gửi giải trình; phiếu chờ thẩm định vòng 2.",
            S.ROUND2: "Phiếu đang được thẩm định vòng 2.",
            S.APPROVED: "Kết quả đã được Hội đồng thẩm định phê duyệt và khoá.",
        }
        return notes.get(a.status, "Phiếu đang khoá.")


def appraisal_prefixes(user: User, assessment: Assessment) -> list[str] | None:
    """None: appraises every criterion (admin, or an assignment without codes);
    []: appraises nothing here."""
    if user.is_province_admin:
        return None
    assignment = perm.assignment_for(user, assessment.cycle_id)
    if assignment is None:
        return []
    units = [u.pk for u in assignment.units.all()]
    if units and assessment.unit_id not in units:
        return []
    return list(assignment.criteria_codes) or None


def access_for(user: User, assessment: Assessment) -> Access:
    returned = assessment.status == S.RETURNED
    stage = STAGE_OF_STATUS.get(assessment.status)
    deadline = (
        perm.effective_deadline(assessment.cycle, assessment.unit_id, stage, assessment=assessment)
        if stage
        else None
    )
    unit_side = bool(user.unit_id) and user.unit_id == assessment.unit_id
    province = not unit_side
    return Access(
        user=user,
        assessment=assessment,
        own_unit=unit_side,
        deadline=deadline,
        deadline_label=f"Hạn {CycleStatus(stage).label.lower()}" if stage else "",
        passed=deadline is not None and timezone.now() > deadline,
        can_score=unit_side and perm.can_edit_self(user, assessment),
        can_explain_only=unit_side and returned and perm.can_explain(user, assessment),
        can_submit=unit_side and perm.can_submit(user, assessment),
        can_withdraw=unit_side and perm.can_withdraw(user, assessment),
        can_resubmit=unit_side and perm.can_resubmit(user, assessment),
        can_start_round1=province and perm.can_start_appraisal(user, assessment),
        can_return=province and perm.can_return(user, assessment),
        can_start_round2=province and perm.can_start_round2(user, assessment),
        can_approve=province and perm.can_approve(user, assessment),
        can_reopen=province and perm.can_reopen(user, assessment),
        prefixes=appraisal_prefixes(user, assessment)
        if (user.is_appraiser or user.is_province_admin)
        else [],
    )
