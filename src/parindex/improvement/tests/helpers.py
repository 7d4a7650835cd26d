"""The improvement objects the tests (and the authorisation matrix) point at, added to the
suite's world: this year's matrix row for 1.1 led by Sở Tư pháp, an approved plan with a
task led by Sở Tư pháp, and a draft plan for next year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from parindex.frameworks.models import Criterion
from parindex.improvement.models import ImprovementPlan, PlanTask, ResponsibilityRow
from parindex.improvement.services import (
    matrix_row_save,
    plan_approve,
    plan_create,
    task_evidence_add,
    task_save,
)
from parindex.testing import World


@dataclass(frozen=True)
class ImprovementObjects:
    row_pk: int
    plan_pk: int
    task_pk: int
    draft_pk: int
    #: an evidence file attached to the task by its lead unit
    task_document_pk: int


def criterion(w: World, code: str) -> Criterion:
    return Criterion.objects.get(framework=w.fw, code=code)


def assign(w: World, code: str, lead, partners=(), year: int | None = None) -> ResponsibilityRow:  # type: ignore[no-untyped-def]
    return matrix_row_save(
        year=year or timezone.localdate().year,
        framework=w.fw,
        criterion=criterion(w, code),
        lead_unit=lead,
        partner_units=partners,
        lead_evidence="Kế hoạch CCHC năm, báo cáo quý",
        actor=w.admin,
    )


def approved_plan(w: World, *, deadline: dt.date | None = None) -> tuple[ImprovementPlan, PlanTask]:
    year = timezone.localdate().year
    plan = plan_create(year=year, framework=w.fw, actor=w.admin)
    task = task_save(
        plan=plan,
        title="Ban hành kế hoạch CCHC đúng hạn",
        criterion=criterion(w, "1.1"),
        lead_unit=w.tuphap,
        deadline=deadline or timezone.localdate() + dt.timedelta(days=30),
        actor=w.admin,
    )
    plan = plan_approve(plan=plan, actor=w.admin)
    return plan, task


def improvement_objects(w: World) -> ImprovementObjects:
    row = assign(w, "1.1", w.tuphap)
    plan, task = approved_plan(w)
    draft = plan_create(year=plan.year + 1, framework=w.fw, actor=w.admin)
    from parindex.evidence.tests.samples import sample_upload

    doc = task_evidence_add(task=task, file=sample_upload("pdf"), actor=w.staff)
    return ImprovementObjects(row.pk, plan.pk, task.pk, draft.pk, doc.pk)
