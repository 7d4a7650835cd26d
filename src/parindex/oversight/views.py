"""Pages of the oversight app: the year's inspection plan with its coverage, a planned
unit's records and findings, the findings report (page and Excel). Initiatives and the
target register are in :mod:`parindex.oversight.views_register`. Every POST runs one
service through :func:`parindex.web.helpers.run_action` and redirects back (PRG)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import is_admin, require_admin_page
from parindex.cycles.models import Cycle
from parindex.cycles.selectors import cycle_get, cycles_for
from parindex.downloads import XLSX, file_download
from parindex.oversight import selectors as sel
from parindex.oversight.models import DEFAULT_MIN_SHARE, FindingStatus
from parindex.oversight.services import (
    finding_correct,
    finding_create,
    finding_resolve,
    inspection_plan_save,
    inspection_record_correct,
    inspection_record_create,
    planned_inspection_add,
    planned_inspection_remove,
)
from parindex.oversight.xlsx import report_xlsx
from parindex.units.models import Unit
from parindex.web.helpers import admin_cycle, form_decimal, form_texts, parse_when, run_action


def form_date(raw: str | None, what: str) -> date | None:
    """A date field (``2025-10-15``; ``15/10/2025`` is refused with a message)."""
    when = parse_when(raw, what, end_of_day=False)
    return None if when is None else when.date()


def _cycle(request: AuthedHttpRequest, cycle_pk: int) -> Cycle:
    sel.require_reader(request.user)
    return cycle_get(request.user, cycle_pk)


def _back(cycle_pk: int) -> str:
    return reverse("oversight:inspections", args=[cycle_pk])


@login_required
@require_safe
def index(request: AuthedHttpRequest) -> HttpResponse:
    sel.require_reader(request.user)
    cycles = cycles_for(request.user).order_by("-year", "-pk")
    return render(request, "oversight/index.html", {"nav": "oversight", "cycles": cycles})


@login_required
@require_safe
def inspections(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(request, cycle_pk)
    plan = sel.plan_for(request.user, cycle)
    ctx: dict[str, Any] = {
        "nav": "oversight",
        "cycle": cycle,
        "plan": plan,
        "is_admin": is_admin(request.user),
        "default_share": DEFAULT_MIN_SHARE,
    }
    if plan is not None:
        ctx |= {
            "coverage": sel.plan_coverage(plan),
            "entries": sel.entries_for(request.user, plan),
            "choices": sel.units_to_plan(plan) if ctx["is_admin"] else [],
        }
    return render(request, "oversight/inspections.html", ctx)


@login_required
@require_POST
def plan_save(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    _, cycle = admin_cycle(request, cycle_pk)

    def act() -> None:
        inspection_plan_save(
            cycle=cycle,
            min_share=form_decimal(request.POST.get("min_share"), "Tỷ lệ tối thiểu"),
            **form_texts(request, "title", "decision"),
            actor=request.user,
        )

    return run_action(request, act, success="Đã lưu kế hoạch kiểm tra.", back=_back(cycle_pk))


@login_required
@require_POST
def entry_add(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    _, cycle = admin_cycle(request, cycle_pk)
    plan = sel.plan_for(request.user, cycle)
    raw = request.POST.get("unit", "")
    unit = Unit.objects.filter(code=raw).first()

    def act() -> None:
        if plan is None:
            raise ValidationError("Cần lập kế hoạch kiểm tra trước.")
        if unit is None:
            raise ValidationError("Cần chọn đơn vị được kiểm tra.")
        planned_inspection_add(
            plan=plan,
            unit=unit,
            planned_on=form_date(request.POST.get("planned_on"), "Ngày dự kiến"),
            **form_texts(request, "team", "note"),
            actor=request.user,
        )

    return run_action(
        request, act, success="Đã thêm đơn vị vào kế hoạch kiểm tra.", back=_back(cycle_pk)
    )


@login_required
@require_POST
def entry_remove(request: AuthedHttpRequest, entry_pk: int) -> HttpResponse:
    require_admin_page(request.user)
    entry = sel.entry_get(request.user, entry_pk)
    return run_action(
        request,
        lambda: planned_inspection_remove(entry=entry, actor=request.user),
        success=f"Đã bỏ {entry.unit.name} khỏi kế hoạch.",
        back=_back(entry.plan.cycle_id),
    )


@login_required
@require_safe
def entry(request: AuthedHttpRequest, entry_pk: int) -> HttpResponse:
    row = sel.entry_get(request.user, entry_pk)
    records = list(row.records.prefetch_related("findings").order_by("-inspected_on", "-pk"))
    admin = is_admin(request.user)
    ctx = {
        "nav": "oversight",
        "entry": row,
        "cycle": row.plan.cycle,
        "records": records,
        "is_admin": admin,
        "may_resolve": admin or sel.own_unit(request.user) == row.unit_id,
        "statuses": FindingStatus.choices,
    }
    return render(request, "oversight/entry.html", ctx)


def _record_form(request: AuthedHttpRequest) -> dict[str, Any]:
    """The inspection record form (new or corrected) as the services' keywords; a bad
    date is a ValidationError, so call it inside the action."""
    inspected_on = form_date(request.POST.get("inspected_on"), "Ngày kiểm tra")
    return {"inspected_on": inspected_on, **form_texts(request, "team", "content")}


def _finding_form(request: AuthedHttpRequest) -> dict[str, Any]:
    """The finding form (new or corrected) as the services' keywords (as above)."""
    due_on = form_date(request.POST.get("due_on"), "Hạn xử lý")
    return {**form_texts(request, "issue", "recommendation"), "due_on": due_on}


def _entry_url(entry_pk: int) -> str:
    return reverse("oversight:entry", args=[entry_pk])


@login_required
@require_POST
def record_add(request: AuthedHttpRequest, entry_pk: int) -> HttpResponse:
    require_admin_page(request.user)
    row = sel.entry_get(request.user, entry_pk)

    def act() -> None:
        inspection_record_create(entry=row, **_record_form(request), actor=request.user)

    return run_action(request, act, success="Đã ghi biên bản kiểm tra.", back=_entry_url(entry_pk))


@login_required
@require_POST
def finding_add(request: AuthedHttpRequest, record_pk: int) -> HttpResponse:
    require_admin_page(request.user)
    record = sel.record_get(request.user, record_pk)

    def act() -> None:
        finding_create(record_row=record, **_finding_form(request), actor=request.user)

    return run_action(request, act, success="Đã ghi kiến nghị.", back=_entry_url(record.entry_id))


@login_required
@require_POST
def finding_update(request: AuthedHttpRequest, finding_pk: int) -> HttpResponse:
    finding = sel.finding_get(request.user, finding_pk)
    return run_action(
        request,
        lambda: finding_resolve(
            finding=finding,
            **form_texts(request, "status", "reason", "note"),
            actor=request.user,
        ),
        success="Đã cập nhật kết quả xử lý kiến nghị.",
        back=_entry_url(finding.record.entry_id) + f"#kn-{finding.pk}",
    )


@login_required
@require_safe
def report(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(request, cycle_pk)
    plan = sel.plan_for(request.user, cycle)
    ctx = {
        "nav": "oversight",
        "cycle": cycle,
        "plan": plan,
        "report": None if plan is None else sel.finding_report(request.user, plan),
    }
    return render(request, "oversight/report.html", ctx)


@login_required
@require_safe
def report_export(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    cycle = _cycle(request, cycle_pk)
    plan = sel.plan_for(request.user, cycle)
    if plan is None:
        return HttpResponse("Kỳ đánh giá chưa có kế hoạch kiểm tra.", status=404)
    data = report_xlsx(plan, sel.finding_report(request.user, plan))
    return file_download(data, filename=f"kien-nghi-kiem-tra-{cycle.year}.xlsx", content_type=XLSX)


@login_required
@require_POST
def record_edit(request: AuthedHttpRequest, record_pk: int) -> HttpResponse:
    """The admin corrects a recorded inspection (the audit keeps the old text)."""
    require_admin_page(request.user)
    row = sel.record_get(request.user, record_pk)

    def act() -> None:
        inspection_record_correct(record_row=row, **_record_form(request), actor=request.user)

    back = _entry_url(row.entry_id) + f"#bb-{row.pk}"
    return run_action(request, act, success="Đã sửa biên bản kiểm tra.", back=back)


@login_required
@require_POST
def finding_edit(request: AuthedHttpRequest, finding_pk: int) -> HttpResponse:
    """The admin corrects a finding's problem, recommendation or due date."""
    require_admin_page(request.user)
    finding = sel.finding_get(request.user, finding_pk)

    def act() -> None:
        finding_correct(finding=finding, **_finding_form(request), actor=request.user)

    back = _entry_url(finding.record.entry_id) + f"#kn-{finding.pk}"
    return run_action(request, act, success="Đã sửa kiến nghị.", back=back)
