"""Sở Nội vụ pages: open a cycle, appraisal teams, deadline extensions, external points
(form and CSV), and the progress dashboard (leaders read it too). Views parse the forms
and call the services of docs/workflow.md; the services validate and record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import require_admin_page
from parindex.assessments import selectors as asel
from parindex.assessments import services as svc
from parindex.assessments.models import (
    AppraisalAssignment,
    AssessmentStatus,
    DeadlineExtension,
    LeafScore,
)
from parindex.cycles.models import DEADLINE_STAGES, CycleStatus
from parindex.cycles.selectors import cycle_get, participants_of
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.formats.numbers import vn_number
from parindex.formats.scores import read_points
from parindex.formats.text import Upload
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import frameworks_for
from parindex.units.selectors import unit_groups_for, units_for
from parindex.web.helpers import admin_cycle, csv_import, error_messages, form_points, parse_when
from parindex.web.views_council import missing_external
from parindex.workflow import ConcurrentChange, InvalidTransition

STAGE_LABELS = [(s, CycleStatus(s).label) for s in DEADLINE_STAGES]


# --- open a cycle --------------------------------------------------------------------


@login_required
def cycle_open(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    require_admin_page(user)
    groups = list(unit_groups_for(user).order_by("position", "name"))
    frameworks = list(frameworks_for(user).order_by("-year", "code"))
    units = list(
        units_for(user)
        .filter(is_active=True, group__isnull=False)
        .exclude(kind="province")
        .order_by("group__position", "name")
    )
    by_group: dict[int | None, list[Any]] = {}
    for u in units:
        by_group.setdefault(u.group_id, []).append(u)
    errors: list[str] = []
    post = request.POST if request.method == "POST" else None
    if post is not None:
        try:
            year = int(post.get("year", ""))
        except ValueError:
            year = 0
            errors.append("Nhập năm đánh giá (ví dụ 2025).")
        name = post.get("name", "").strip()
        if not name:
            errors.append("Nhập tên kỳ đánh giá.")
        fw_by_pk = {f.pk: f for f in frameworks}
        chosen_fw: dict[Any, Any] = {}
        for g in groups:
            raw = post.get(f"fw-{g.pk}", "")
            if raw:
                try:
                    chosen_fw[g] = fw_by_pk[int(raw)]
                except (ValueError, KeyError):
                    errors.append(f"Bộ tiêu chí không hợp lệ cho nhóm “{g.name}”.")
        unit_ids = {int(x) for x in post.getlist("units") if x.isdigit()}
        chosen_units = [u for u in units if u.pk in unit_ids]
        if not chosen_units:
            errors.append("Chọn ít nhất một đơn vị tham gia.")
        deadlines: dict[str, datetime] = {}
        for stage, label in STAGE_LABELS:
            try:
                when = parse_when(post.get(f"deadline-{stage}"), f"Hạn {label.lower()}")
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            if when is not None:
                deadlines[stage] = when
        if not errors:
            try:
                cycle = svc.cycle_open(
                    year=year,
                    name=name,
                    frameworks=chosen_fw,
                    units=chosen_units,
                    deadlines=deadlines,
                    actor=user,
                )
            except (ValidationError, InvalidTransition, ConcurrentChange) as exc:
                errors.extend(error_messages(exc))
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, f"Đã mở kỳ đánh giá “{cycle.name}” và gửi thông báo.")
                return redirect("cycle_detail", pk=cycle.pk)
    selected_units = (
        {int(x) for x in post.getlist("units") if x.isdigit()} if post is not None else set()
    )
    return render(
        request,
        "web/admin/cycle_open.html",
        {
            "nav": "cycles",
            "groups": [(g, by_group.get(g.pk, [])) for g in groups],
            "frameworks": frameworks,
            "stages": STAGE_LABELS,
            "errors": errors,
            "form": post or {"year": timezone.localdate().year},
            "selected_units": selected_units,
        },
    )


# --- appraisal teams ------------------------------------------------------------------


@login_required
def assignments(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user, cycle = admin_cycle(request, pk)
    User = get_user_model()
    appraisers = list(User.objects.filter(role="appraiser", is_active=True).order_by("full_name"))
    participants = list(participants_of(user, cycle).order_by("group__position", "unit__name"))
    errors: list[str] = []
    if request.method == "POST":
        try:
            appraiser = next(a for a in appraisers if str(a.pk) == request.POST.get("appraiser"))
        except StopIteration:
            errors.append("Chọn thành viên tổ thẩm định.")
        else:
            ids = {int(x) for x in request.POST.getlist("units") if x.isdigit()}
            units = [p.unit for p in participants if p.unit_id in ids]
            codes = [
                c.strip()
                for c in request.POST.get("criteria_codes", "").replace(";", ",").split(",")
                if c.strip()
            ]
            try:
                svc.assignment_set(
                    cycle=cycle, appraiser=appraiser, units=units, criteria_codes=codes, actor=user
                )
            except ValidationError as exc:
                errors.extend(error_messages(exc))
            else:
                messages.success(request, f"Đã phân công thẩm định cho {appraiser}.")
                return redirect("cycle_assignments", pk=cycle.pk)
    current = list(
        AppraisalAssignment.objects.filter(cycle=cycle)
        .select_related("appraiser")
        .prefetch_related("units")
        .order_by("appraiser__full_name")
    )
    return render(
        request,
        "web/admin/assignments.html",
        {
            "nav": "cycles",
            "cycle": cycle,
            "appraisers": appraisers,
            "participants": participants,
            "current": current,
            "errors": errors,
        },
    )


# --- deadline extensions ---------------------------------------------------------------


@login_required
def deadline_extensions(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user, cycle = admin_cycle(request, pk)
    participants = list(participants_of(user, cycle).order_by("group__position", "unit__name"))
    errors: list[str] = []
    if request.method == "POST":
        p = request.POST
        unit = next((x.unit for x in participants if str(x.unit_id) == p.get("unit")), None)
        stage = p.get("stage", "")
        reason = p.get("reason", "").strip()
        if unit is None:
            errors.append("Chọn đơn vị được gia hạn.")
        if stage not in DEADLINE_STAGES:
            errors.append("Chọn giai đoạn được gia hạn.")
        try:
            until = parse_when(p.get("until"), "Gia hạn đến")
        except ValidationError as exc:
            errors.extend(exc.messages)
            until = None
        else:
            if until is None:
                errors.append("Nhập thời hạn mới.")
        if not reason:
            errors.append("Nhập lý do gia hạn.")
        if not errors and until is not None:  # an empty date is one of the errors
            try:
                svc.deadline_extend(
                    cycle=cycle, unit=unit, stage=stage, until=until, reason=reason, actor=user
                )
            except ValidationError as exc:
                errors.extend(error_messages(exc))
            else:
                messages.success(request, f"Đã gia hạn cho {unit}.")
                return redirect("cycle_extensions", pk=cycle.pk)
    current = DeadlineExtension.objects.filter(cycle=cycle).select_related("unit", "granted_by")
    return render(
        request,
        "web/admin/extensions.html",
        {
            "nav": "cycles",
            "cycle": cycle,
            "participants": participants,
            "stages": STAGE_LABELS,
            "current": current,
            "errors": errors,
            "form": request.POST if request.method == "POST" else {},
        },
    )


# --- external points -------------------------------------------------------------------


@login_required
def external_points(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user, cycle = admin_cycle(request, pk)
    errors: list[str] = []
    row_errors: list[str] = []
    result: Any = None
    fw_ids = cycle.framework_links.values_list("framework_id", flat=True)
    leaves = list(
        Criterion.objects.filter(
            framework_id__in=fw_ids, source__in=sorted(EXTERNAL_SOURCES), children__isnull=True
        )
        .select_related("framework")
        .order_by("framework_id", "position")
    )
    participants = list(participants_of(user, cycle).order_by("group__position", "unit__name"))
    if request.method == "POST":
        p = request.POST
        if p.get("what") == "csv":

            def store(upload: Upload) -> dict[str, int]:
                rows, problems = read_points(upload.text, name=upload.name)
                return svc.external_points_import(
                    cycle=cycle, rows=rows, problems=problems, source=upload.name, actor=user
                )

            done = csv_import(
                request,
                missing="Chọn tệp CSV (cột unit,code,points) hoặc dán nội dung.",
                store=store,
            )
            errors, row_errors, result = done.errors, [str(e) for e in done.problems], done.result
            if done.upload is not None:
                messages.success(request, f"{done.upload.summary}. Đã nhập điểm từ tệp CSV.")
        else:
            unit_id = p.get("unit", "")
            code = p.get("code", "")
            try:
                points = form_points(p.get("points"), "Nhập điểm.")
                score = (
                    LeafScore.objects.filter(
                        assessment__cycle=cycle,
                        assessment__unit_id=unit_id if unit_id.isdigit() else 0,
                        criterion__code=code,
                        criterion__source__in=sorted(EXTERNAL_SOURCES),
                    )
                    .select_related("criterion", "assessment")
                    .first()
                )
                if score is None:
                    raise ValidationError(
                        "Đơn vị không có tiêu chí này, hoặc tiêu chí không lấy điểm từ nguồn "
                        "bên ngoài."
                    )
                svc.external_points_set(
                    score=score, points=points, note=p.get("note", "").strip(), actor=user
                )
            except ValidationError as exc:
                errors.extend(error_messages(exc))
            else:
                messages.success(
                    request, f"Đã nhập điểm tiêu chí {code}: {vn_number(points)} điểm."
                )
                return redirect("cycle_external", pk=cycle.pk)
    entered = (
        LeafScore.objects.filter(
            assessment__cycle=cycle,
            criterion__source__in=sorted(EXTERNAL_SOURCES),
            final_points__isnull=False,
        )
        .select_related("criterion", "assessment__unit")
        .order_by("assessment__unit__name", "criterion__position")[:500]
    )
    return render(
        request,
        "web/admin/external.html",
        {
            "nav": "cycles",
            "cycle": cycle,
            "leaves": leaves,
            "participants": participants,
            "errors": errors,
            "result": result,
            "row_errors": row_errors,
            "entered": entered,
            "missing_external": missing_external(cycle),
            "form": request.POST if request.method == "POST" else {},
        },
    )


# --- progress --------------------------------------------------------------------------


@login_required
def progress(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not (user.is_province_admin or user.is_leader):
        raise Http404
    cycle = cycle_get(user, pk)
    rows = asel.progress(user, cycle)  # overdue first, then the nearest deadline
    status_filter = request.GET.get("status", "")
    if status_filter:
        rows = [r for r in rows if r.status == status_filter]
    context = {
        "nav": "progress",
        "cycle": cycle,
        "rows": rows,
        "statuses": AssessmentStatus.choices,
        "status_filter": status_filter,
        "read_only": not user.is_province_admin,
        "n_overdue": sum(1 for r in rows if r.overdue),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "web/admin/_progress_rows.html", context)
    return render(request, "web/admin/progress.html", context)
