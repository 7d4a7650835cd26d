"""Pages of the initiatives register (with progress against the year's goals and the
departments that have none yet) and of the target register (with the feed of its points
into the statistic leaves)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import is_admin, require_admin_page
from parindex.cycles.selectors import cycle_get
from parindex.downloads import file_download
from parindex.engine.targets import FORMULAS
from parindex.oversight import selectors as sel
from parindex.oversight.models import InitiativeLevel, TargetKind
from parindex.oversight.services import (
    TargetFields,
    initiative_goal_set,
    initiative_register,
    initiative_remove,
    target_save,
    targets_feed,
)
from parindex.oversight.views import form_date
from parindex.units.models import Unit
from parindex.web.helpers import admin_cycle, form_texts, form_year, run_action


def _initiatives_url(year: int) -> str:
    return reverse("oversight:initiatives") + f"?year={year}"


@login_required
@require_safe
def initiatives(request: AuthedHttpRequest) -> HttpResponse:
    year = form_year(request.GET.get("year"))
    admin = is_admin(request.user)
    ctx = {
        "nav": "oversight",
        "year": year,
        "rows": sel.initiatives_for(request.user, year).order_by("unit__name", "title"),
        "progress": sel.initiative_progress(request.user, year),
        "levels": InitiativeLevel.choices,
        "is_admin": admin,
        "may_register": admin or sel.own_unit(request.user) is not None,
        "units": Unit.objects.filter(is_active=True).order_by("kind", "name") if admin else [],
    }
    return render(request, "oversight/initiatives.html", ctx)


@login_required
@require_POST
def initiative_add(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    sel.require_reader(user)
    own = sel.own_unit(user)
    if own is None and not is_admin(user):
        raise Http404  # the council and the leaders read the register, they do not keep it
    code = request.POST.get("unit", "")
    unit = Unit.objects.filter(code=code).first() if is_admin(user) else user.unit
    year = form_year(request.POST.get("year"))
    upload = request.FILES.get("file")

    def act() -> None:
        if unit is None or (not is_admin(user) and unit.pk != own):
            raise ValidationError("Cần chọn đơn vị có sáng kiến.")
        initiative_register(
            unit=unit,
            **form_texts(request, "year", "title", "summary", "authors", "decision"),
            level=request.POST.get("level", InitiativeLevel.UNIT),
            recognised_on=form_date(request.POST.get("recognised_on"), "Ngày công nhận"),
            file=upload,
            file_name=getattr(upload, "name", "") or "",
            actor=user,
        )

    return run_action(request, act, success="Đã đăng ký sáng kiến.", back=_initiatives_url(year))


@login_required
@require_POST
def initiative_delete(request: AuthedHttpRequest, initiative_pk: int) -> HttpResponse:
    row = sel.initiative_get(request.user, initiative_pk)
    return run_action(
        request,
        lambda: initiative_remove(initiative=row, actor=request.user),
        success=f"Đã xoá sáng kiến “{row.title}”.",
        back=_initiatives_url(row.year),
    )


@login_required
@require_safe
def initiative_file(request: AuthedHttpRequest, initiative_pk: int) -> FileResponse:
    row = sel.initiative_get(request.user, initiative_pk)
    if not row.file:
        raise Http404
    return file_download(
        row.file.open("rb"), filename=row.file_name, content_type="application/octet-stream"
    )


@login_required
@require_POST
def initiative_goal(request: AuthedHttpRequest) -> HttpResponse:
    require_admin_page(request.user)
    year = form_year(request.POST.get("year"))
    return run_action(
        request,
        lambda: initiative_goal_set(
            **form_texts(request, "year", "per_department", "ministry"),
            actor=request.user,
        ),
        success="Đã lưu chỉ tiêu sáng kiến.",
        back=_initiatives_url(year),
    )


# --------------------------------------------------------------------------- targets


@login_required
@require_safe
def targets(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    sel.require_reader(request.user)
    cycle = cycle_get(request.user, cycle_pk)
    admin = is_admin(request.user)
    ctx = {
        "nav": "oversight",
        "cycle": cycle,
        "rows": sel.targets_for(request.user, cycle),
        "is_admin": admin,
        "kinds": TargetKind.choices,
        "formulas": FORMULAS.items(),
        "units": Unit.objects.filter(is_active=True).order_by("kind", "name") if admin else [],
    }
    return render(request, "oversight/targets.html", ctx)


def _fields(request: AuthedHttpRequest) -> TargetFields:
    units = {
        u.code: u
        for u in Unit.objects.filter(
            code__in=[request.POST.get(k, "") for k in ("unit", "lead_unit")]
        )
    }
    unit, lead = (
        units.get(request.POST.get("unit", "")),
        units.get(request.POST.get("lead_unit", "")),
    )
    if unit is None or lead is None:
        raise ValidationError("Cần chọn đơn vị của chỉ tiêu và cơ quan chủ trì theo dõi.")
    return TargetFields(
        **form_texts(request, "kind", "name", "measure", "target", "actual", "note"),
        unit=unit,
        lead_unit=lead,
        formula=request.POST.get("formula", "ratio"),
        criterion_code=request.POST.get("criterion", ""),
    )


def _targets_url(cycle_pk: int) -> str:
    return reverse("oversight:targets", args=[cycle_pk])


@login_required
@require_POST
def target_add(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    _, cycle = admin_cycle(request, cycle_pk)
    return run_action(
        request,
        lambda: target_save(cycle=cycle, fields=_fields(request), actor=request.user),
        success="Đã thêm chỉ tiêu.",
        back=_targets_url(cycle_pk),
    )


@login_required
@require_POST
def target_edit(request: AuthedHttpRequest, target_pk: int) -> HttpResponse:
    require_admin_page(request.user)
    row = sel.target_get(request.user, target_pk)
    return run_action(
        request,
        lambda: target_save(cycle=row.cycle, fields=_fields(request), row=row, actor=request.user),
        success=f"Đã lưu chỉ tiêu “{row.name}”.",
        back=_targets_url(row.cycle_id) + f"#ct-{row.pk}",
    )


@login_required
@require_POST
def targets_feed_view(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    _, cycle = admin_cycle(request, cycle_pk)
    return run_action(
        request,
        lambda: targets_feed(cycle=cycle, actor=request.user),
        success="Đã tính điểm các tiêu chí thống kê từ sổ chỉ tiêu.",
        back=_targets_url(cycle_pk),
    )
