"""Writes of the target register: rows with targets and actuals, and the feed of their
points into the statistic leaves through
:func:`parindex.assessments.services.external.external_points_set` (which checks, audits
and stores each leaf; the note names the register rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.assessments.models import ASSESSMENT_EDITS, LeafScore
from parindex.assessments.services.external import external_points_set
from parindex.audit.services import record, save_created
from parindex.cycles.models import Cycle, CycleUnit
from parindex.engine.rules import RuleInputError, points_for
from parindex.engine.targets import FORMULAS, TargetRow, target_points
from parindex.formats.numbers import parse_grouped, vn_number
from parindex.frameworks.selectors import criterion_rule
from parindex.oversight.models import TargetIndicator, TargetKind
from parindex.oversight.services._common import required
from parindex.units.models import Unit

STATISTIC = "statistic"


def _number(value: Any, field: str, what: str, *, optional: bool = False) -> Decimal | None:
    if value is None or str(value).strip() == "":
        if optional:
            return None
        raise ValidationError({field: f"Cần nhập {what}."})
    number = value if isinstance(value, Decimal) else parse_grouped(str(value).strip())
    if number is None:
        raise ValidationError({field: f"{what.capitalize()} phải là một số (ví dụ 95 hoặc 1,5)."})
    if not number.is_finite() or number < 0 or number >= Decimal("1e15"):
        raise ValidationError({field: f"{what.capitalize()} phải là số không âm."})
    return number


def statistic_leaf(cycle: Cycle, unit: Unit, code: str) -> LeafScore:
    """The statistic leaf ``code`` of ``unit``'s assessment in ``cycle``, or a Vietnamese
    ``ValidationError`` saying why there is none."""
    score = (
        LeafScore.objects.filter(assessment__cycle=cycle, assessment__unit=unit)
        .filter(criterion__code=code)
        .select_related("criterion", "assessment")
        .first()
    )
    if score is None:
        raise ValidationError(
            {"criterion": f"Bộ tiêu chí của {unit.name} không có tiêu chí lá “{code}”."}
        )
    if score.criterion.source != STATISTIC:
        raise ValidationError(
            {
                "criterion": f"Tiêu chí {code} không lấy điểm từ số liệu thống kê "
                f"(nguồn điểm: {score.criterion.source})."
            }
        )
    return score


@dataclass(frozen=True)
class TargetFields:
    kind: str
    name: str
    unit: Unit
    lead_unit: Unit
    measure: str
    target: Any
    actual: Any = None
    formula: str = "ratio"
    criterion_code: str = ""
    note: str = ""


def target_save(
    *, cycle: Cycle, fields: TargetFields, row: TargetIndicator | None = None, actor: User | None
) -> TargetIndicator:
    """Create (``row`` None) or update a register row. A row that feeds a leaf must be
    about a unit of the cycle, and the leaf a statistic leaf of that unit's framework."""
    require_admin(actor, "cập nhật sổ chỉ tiêu", system=True)
    f = fields
    if f.kind not in TargetKind.values:
        raise ValidationError({"kind": "Nhóm chỉ tiêu không hợp lệ."})
    if f.formula not in FORMULAS:
        raise ValidationError({"formula": "Cách tính điểm không hợp lệ."})
    name = required(f.name, "name", "Cần ghi tên chỉ tiêu.")
    measure = required(f.measure, "measure", "Cần ghi đơn vị tính.")
    target = _number(f.target, "target", "chỉ tiêu")
    actual = _number(f.actual, "actual", "số thực hiện", optional=True)
    criterion = None
    code = (f.criterion_code or "").strip()
    if code:
        if not CycleUnit.objects.filter(cycle=cycle, unit=f.unit).exists():
            raise ValidationError(
                {"unit": f"Đơn vị “{f.unit.name}” không tham gia kỳ đánh giá “{cycle.name}”."}
            )
        criterion = statistic_leaf(cycle, f.unit, code).criterion
    values = {
        "kind": f.kind, "name": name, "unit": f.unit, "lead_unit": f.lead_unit,
        "measure": measure, "target": target, "actual": actual, "formula": f.formula,
        "criterion": criterion, "note": (f.note or "").strip(),
    }  # fmt: skip
    after = {k: str(v.code if hasattr(v, "code") else v) for k, v in values.items()}
    with transaction.atomic(durable=True):
        if row is None:
            taken = TargetIndicator.objects.filter(cycle=cycle, unit=f.unit, name=name).exists()
            if taken:
                raise ValidationError({"name": f"{f.unit.name} đã có chỉ tiêu “{name}”."})
            made = TargetIndicator(cycle=cycle, updated_by=actor_user(actor), **values)
            return save_created(made, actor=actor, action="target.create", after=after)
        fresh = TargetIndicator.objects.select_for_update().get(pk=row.pk)
        before = {k: str(getattr(fresh, k)) for k in values}
        for k, v in values.items():
            setattr(fresh, k, v)
        fresh.updated_by = actor_user(actor)
        fresh.full_clean()
        fresh.save()
        record(actor=actor, action="target.update", obj=fresh, before=before, after=after)
    return fresh


def _note(rows: list[TargetIndicator]) -> str:
    parts = [
        f"dòng #{r.pk} “{r.name}”: thực hiện {vn_number(r.actual)}/{vn_number(r.target)} "
        f"{r.measure}"
        for r in rows
    ]
    return f"Sổ chỉ tiêu năm {rows[0].cycle.year} — " + "; ".join(parts)


def _engine_row(score: LeafScore, r: TargetIndicator) -> TargetRow:
    """The row for the engine; a ``rule`` row is scored by the leaf's own rule here."""
    points = None
    if r.formula == "rule" and r.actual is not None:
        maximum = score.criterion.max_points or Decimal(0)
        points = points_for(criterion_rule(score.criterion), maximum, r.actual)
    return TargetRow(r.target, r.actual, r.formula, points)


def targets_feed(*, cycle: Cycle, actor: User | None) -> dict[str, int]:
    """Give each statistic leaf named by the register its points (engine.targets: the
    mean share of its rows × the leaf's max). Every leaf is checked first, so that a
    problem (an approved assessment) stops the feed before anything is written; each
    leaf is then stored by ``external_points_set`` with its audit row."""
    # not the system: external_points_set records a signed-in admin (the demo passes its own)
    require_admin(actor, "tính điểm từ sổ chỉ tiêu")
    groups: dict[tuple[int, int | None], list[TargetIndicator]] = defaultdict(list)
    rows_qs = TargetIndicator.objects.filter(cycle=cycle, criterion__isnull=False)
    for t in rows_qs.select_related("cycle", "unit", "criterion__rule"):
        groups[(t.unit_id, t.criterion_id)].append(t)
    problems: list[str] = []
    planned: list[tuple[LeafScore, Decimal, str]] = []
    waiting = 0
    for rows in groups.values():
        first = rows[0]
        try:
            score = statistic_leaf(cycle, first.unit, first.criterion.code)
        except ValidationError as exc:
            problems.extend(exc.messages)
            continue
        if score.assessment.status not in ASSESSMENT_EDITS["external"]:
            problems.append(f"Kết quả của {first.unit.name} đã được phê duyệt.")
            continue
        with_actual = [r for r in rows if r.actual is not None]
        maximum = score.criterion.max_points or Decimal(0)
        try:
            points = target_points(maximum, [_engine_row(score, r) for r in with_actual])
        except (RuleInputError, ValueError) as exc:
            problems.append(f"{first.unit.name}, tiêu chí {first.criterion.code}: {exc}.")
            continue
        if points is None:
            waiting += 1
            continue
        planned.append((score, points, _note(with_actual)))
    if problems:
        raise ValidationError(problems)
    for score, points, note in planned:
        external_points_set(score=score, points=points, note=note, actor=actor)
    with transaction.atomic(durable=True):
        record(
            actor=actor,
            action="target.feed",
            obj=cycle,
            after={"leaves": len(planned), "waiting": waiting},
        )
    return {"leaves": len(planned), "waiting": waiting}
