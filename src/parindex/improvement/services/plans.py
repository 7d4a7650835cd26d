"""The plan of a year: create and edit it, set targets, generate the draft from the lost
points, approve it (draft → approved through :data:`PLAN_TRANSITIONS`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.engine.lost_points import LostRow, natural_key
from parindex.frameworks.models import Criterion, Framework
from parindex.improvement.models import (
    PLAN_TRANSITIONS,
    ImprovementPlan,
    PlanStatus,
    PlanTarget,
    PlanTask,
)
from parindex.improvement.selectors import framework_total, lead_for
from parindex.improvement.services.common import check_criterion, check_year, text
from parindex.web.templatetags.parindex import points as fmt_points
from parindex.workflow import InvalidTransition, compare_and_set

__all__ = [
    "CRITERION_LEVEL",
    "DEFAULT_TEXTS",
    "DraftResult",
    "plan_approve",
    "plan_create",
    "plan_draft_generate",
    "plan_reopen",
    "plan_update",
    "target_set",
]

#: The level of the framework the draft plans by: 2 = criterion (1 = area).
CRITERION_LEVEL = 2
#: The drafted tasks' deadline: before the Ministry's yearly assessment (seed 001).
DRAFT_DEADLINE = (10, 31)

#: The plan's standing texts, after seed 001 (Kế hoạch 126/KH-UBND, Cà Mau); the admin
#: edits them per plan.
DEFAULT_TEXTS = {
    "purpose": (
        "Nâng cao vị trí xếp hạng Chỉ số cải cách hành chính (PAR INDEX) và Chỉ số hài lòng "
        "của người dân đối với sự phục vụ của cơ quan hành chính nhà nước (SIPAS) của tỉnh.\n"
        "Duy trì điểm số của các tiêu chí, tiêu chí thành phần đã đạt điểm tối đa; tăng điểm "
        "của từng tiêu chí, tiêu chí thành phần chưa đạt điểm hoặc đạt điểm chưa cao.\n"
        "Nâng cao nhận thức, trách nhiệm của người đứng đầu các cơ quan, đơn vị, địa phương "
        "trong thực hiện nhiệm vụ cải cách hành chính."
    ),
    "requirements": (
        "Xác định rõ nhiệm vụ, giải pháp và trách nhiệm của từng cơ quan, đơn vị trong việc "
        "tham mưu cải thiện Chỉ số cải cách hành chính của tỉnh.\n"
        "Các cơ quan được giao chủ trì chủ động chuẩn bị tài liệu kiểm chứng đầy đủ, có tính "
        "thuyết phục cao theo từng tiêu chí, tiêu chí thành phần được phân công.\n"
        "Tăng cường kiểm tra, giám sát đối với các nhiệm vụ thuộc tiêu chí được chấm điểm "
        "thấp nhưng chậm khắc phục."
    ),
    "organisation": (
        "Các sở, ban, ngành tỉnh và các đơn vị có liên quan căn cứ nhiệm vụ được giao tại Kế "
        "hoạch này triển khai thực hiện hiệu quả.\n"
        "Các đơn vị được giao chủ trì xác định rõ điểm số, thứ hạng dự kiến cải thiện (tăng "
        "bao nhiêu điểm, bao nhiêu bậc) đối với các tiêu chí được giao phụ trách.\n"
        "Sở Tài chính tham mưu, bố trí kinh phí để triển khai thực hiện Kế hoạch theo quy định.\n"
        "Sở Nội vụ giúp Chủ tịch UBND tỉnh theo dõi, kiểm tra, đôn đốc các cơ quan, đơn vị "
        "triển khai thực hiện Kế hoạch này; tổng hợp, báo cáo theo quy định."
    ),
}


def _points(value: Any, label: str, key: str, problems: dict[str, str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        out = Decimal(str(value).replace(",", "."))
    except ArithmeticError:
        problems[key] = f"{label} “{value}” không phải là số."
        return None
    if not out.is_finite() or out < 0:
        problems[key] = f"{label} phải là số không âm."
        return None
    return out


def _rank(value: Any, label: str, key: str, problems: dict[str, str]) -> int | None:
    if value in (None, ""):
        return None
    try:
        out = int(str(value))
    except ValueError:
        problems[key] = f"{label} “{value}” không phải là số nguyên."
        return None
    if out < 1:
        problems[key] = f"{label} phải từ 1 trở lên."
        return None
    return out


def _above(value: Decimal | None, maximum: Decimal | None, what: str) -> str | None:
    if value is not None and maximum is not None and value > maximum:
        return f"{what} {fmt_points(value)} vượt điểm tối đa {fmt_points(maximum)}."
    return None


def plan_create(
    *, year: int, framework: Framework, title: str = "", actor: User | None
) -> ImprovementPlan:
    """Start the draft plan of ``year`` (one plan a year), with the standing texts."""
    require_admin(actor, "lập kế hoạch cải thiện", system=True)
    check_year(year)
    title = text(title, 500) or f"Kế hoạch cải thiện Chỉ số cải cách hành chính năm {year}"
    with transaction.atomic(durable=True):
        if ImprovementPlan.objects.filter(year=year).exists():
            raise ValidationError({"year": f"Năm {year} đã có kế hoạch cải thiện."})
        plan = ImprovementPlan.objects.create(
            year=year,
            framework=framework,
            title=title,
            created_by=actor_user(actor),
            **DEFAULT_TEXTS,
        )
        record(
            actor=actor,
            action="improvement.plan_create",
            obj=plan,
            after={"year": year, "framework": framework.code},
        )
    return plan


PLAN_FIELDS = ("title", "number", "purpose", "requirements", "organisation")
LIMITS = {"title": 500, "number": 100}


def plan_update(*, plan: ImprovementPlan, actor: User | None, **values: Any) -> ImprovementPlan:
    """Change the plan's texts and overall targets (``baseline_points``, ``baseline_rank``,
    ``target_points``, ``target_rank``); a target above the framework's total is refused
    and nothing is saved."""
    require_admin(actor, "sửa kế hoạch cải thiện", system=True)
    problems: dict[str, str] = {}
    total = framework_total(plan.framework)
    parsers = {
        "baseline_points": (_points, "Điểm năm trước"),
        "target_points": (_points, "Điểm mục tiêu"),
        "baseline_rank": (_rank, "Xếp hạng năm trước"),
        "target_rank": (_rank, "Xếp hạng mục tiêu"),
    }
    # only the values given change (a missing key keeps what is stored)
    numbers: dict[str, Any] = {
        key: parse(values[key], label, key, problems)
        for key, (parse, label) in parsers.items()
        if key in values
    }
    for key, what in (("target_points", "Điểm mục tiêu"), ("baseline_points", "Điểm năm trước")):
        message = _above(numbers.get(key), total, what)
        if message:
            problems[key] = message
    if "title" in values and not text(values["title"]):
        problems["title"] = "Cần đặt tên kế hoạch."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic(durable=True):
        locked = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
        before = {k: str(getattr(locked, k)) for k in (*PLAN_FIELDS, *parsers)}
        for key in PLAN_FIELDS:
            if key in values:
                setattr(locked, key, text(values[key], LIMITS.get(key)))
        for key, value in numbers.items():
            setattr(locked, key, value)
        locked.save()
        record(
            actor=actor,
            action="improvement.plan_update",
            obj=locked,
            before=before,
            after={k: str(getattr(locked, k)) for k in (*PLAN_FIELDS, *parsers)},
        )
    return locked


def target_set(
    *,
    plan: ImprovementPlan,
    criterion: Criterion | None,
    target_points: Any = None,
    target_rank: Any = None,
    baseline_points: Any = None,
    note: str = "",
    actor: User | None,
) -> PlanTarget:
    """Set a criterion's target (points and/or rank). Points above the criterion's maximum
    are refused with the maximum named, and nothing is saved."""
    require_admin(actor, "đặt mục tiêu", system=True)
    problems: dict[str, str] = {}
    if criterion is None:
        raise ValidationError({"criterion": "Cần chọn tiêu chí."})
    check_criterion(plan.framework, criterion)
    goal = _points(target_points, "Điểm mục tiêu", "target_points", problems)
    base = _points(baseline_points, "Điểm hiện tại", "baseline_points", problems)
    rank = _rank(target_rank, "Xếp hạng mục tiêu", "target_rank", problems)
    for key, value, what in (
        ("target_points", goal, f"Điểm mục tiêu của tiêu chí {criterion.code}"),
        ("baseline_points", base, f"Điểm hiện tại của tiêu chí {criterion.code}"),
    ):
        message = _above(value, criterion.max_points, what)
        if message:
            problems[key] = message
    if goal is None and rank is None and not problems:
        problems["target_points"] = "Cần nhập điểm mục tiêu hoặc xếp hạng mục tiêu."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic(durable=True):
        target, created = PlanTarget.objects.select_for_update().get_or_create(
            plan=plan, criterion=criterion
        )
        before = None if created else _target_state(target)
        target.target_points, target.target_rank = goal, rank
        if base is not None:
            target.baseline_points = base
        target.note = text(note)
        target.save()
        record(
            actor=actor,
            action="improvement.target_set",
            obj=target,
            before=before,
            after=_target_state(target),
            context={"plan": plan.pk},
        )
    return target


def _target_state(t: PlanTarget) -> dict[str, str | None]:
    return {
        "criterion": t.criterion.code,
        "baseline_points": None if t.baseline_points is None else str(t.baseline_points),
        "target_points": None if t.target_points is None else str(t.target_points),
        "target_rank": None if t.target_rank is None else str(t.target_rank),
    }


@dataclass
class DraftResult:
    targets: int = 0
    tasks: int = 0
    #: Codes with lost points but no lead unit in the year's matrix (no task drafted).
    without_lead: list[str] = field(default_factory=list)
    #: Codes already having a task (left as they are).
    kept: list[str] = field(default_factory=list)


def plan_draft_generate(
    *, plan: ImprovementPlan, lost: Sequence[LostRow], actor: User | None, source: str = ""
) -> DraftResult:
    """Draft the plan from the lost points: per criterion with lost > 0, largest loss first,
    a target (its maximum; the current points as baseline) and a task led by the matrix's
    lead unit of the plan's year (the criterion's row, or its area's). Criteria that already
    have a task keep it; the admin edits the draft before approving it."""
    require_admin(actor, "lập dự thảo kế hoạch", system=True)
    if plan.status != PlanStatus.DRAFT:
        raise InvalidTransition("Chỉ lập dự thảo khi kế hoạch đang ở trạng thái dự thảo.")
    rows = sorted(
        (r for r in lost if r.level == CRITERION_LEVEL and r.lost > 0),
        key=lambda r: (-r.lost, natural_key(r.code)),
    )
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(framework=plan.framework, code__in=[r.code for r in rows])
    }
    result = DraftResult()
    deadline = dt.date(plan.year, *DRAFT_DEADLINE)
    with transaction.atomic(durable=True):
        ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
        has_task = set(
            PlanTask.objects.filter(plan=plan, criterion__isnull=False).values_list(
                "criterion_id", flat=True
            )
        )
        position = PlanTask.objects.filter(plan=plan).count()
        for r in rows:
            c = criteria.get(r.code)
            if c is None:
                continue
            PlanTarget.objects.update_or_create(
                plan=plan,
                criterion=c,
                defaults={"baseline_points": r.points, "target_points": r.max_points},
            )
            result.targets += 1
            if c.pk in has_task:
                result.kept.append(r.code)
                continue
            lead = lead_for(plan.year, c)
            if lead is None:
                result.without_lead.append(r.code)
                continue
            position += 1
            task = PlanTask.objects.create(
                plan=plan,
                criterion=c,
                title=f"Khắc phục điểm bị trừ ở tiêu chí {c.code}. {c.name}"[:500],
                description=(
                    f"Kết quả đánh giá: đạt {fmt_points(r.points)}/{fmt_points(r.max_points)} "
                    f"điểm, bị trừ {fmt_points(r.lost)} điểm. Rà soát nguyên nhân, hoàn thiện "
                    "hồ sơ, tài liệu kiểm chứng để đạt điểm tối đa."
                ),
                lead_unit_id=lead.lead_unit_id,
                deadline=deadline,
                position=position,
                updated_by=actor_user(actor),
            )
            task.partner_units.set(lead.partner_units.all())
            result.tasks += 1
        if source:
            ImprovementPlan.objects.filter(pk=plan.pk).update(source=source[:300])
        record(
            actor=actor,
            action="improvement.plan_draft",
            obj=plan,
            after={
                "targets": result.targets,
                "tasks": result.tasks,
                "without_lead": result.without_lead,
            },
            context={"source": source},
        )
    return result


def _move(plan: ImprovementPlan, to: str, actor: User | None, **extra: Any) -> ImprovementPlan:
    if to not in PLAN_TRANSITIONS.get(plan.status, frozenset()):
        raise InvalidTransition(
            f"Không thể chuyển kế hoạch từ “{plan.get_status_display()}” sang "
            f"“{PlanStatus(to).label}”."
        )
    with transaction.atomic(durable=True):
        compare_and_set(
            ImprovementPlan, pk=plan.pk, field="status", old=plan.status, new=to, **extra
        )
        before = plan.status
        plan.refresh_from_db()
        record(
            actor=actor,
            action=f"improvement.plan_{to}",
            obj=plan,
            field="status",
            before=before,
            after=to,
        )
    return plan


def plan_approve(*, plan: ImprovementPlan, actor: User | None) -> ImprovementPlan:
    """Approve the draft (it needs at least one task); the lead units then see their tasks
    and the reminders start."""
    require_admin(actor, "phê duyệt kế hoạch", system=True)
    if not PlanTask.objects.filter(plan=plan).exists():
        raise ValidationError("Kế hoạch chưa có nhiệm vụ nào; cần thêm nhiệm vụ trước khi duyệt.")
    return _move(
        plan,
        PlanStatus.APPROVED,
        actor,
        approved_at=timezone.now(),
        approved_by=actor_user(actor),
    )


def plan_reopen(*, plan: ImprovementPlan, actor: User | None) -> ImprovementPlan:
    """Take an approved plan back to draft (to rework it)."""
    require_admin(actor, "đưa kế hoạch về dự thảo", system=True)
    return _move(plan, PlanStatus.DRAFT, actor)
