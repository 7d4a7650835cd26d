"""CSV imports of the Sở Nội vụ that have no page of their own elsewhere (the units
register), and the downloadable template of every CSV import (issue 8, part 7): external
points pre-filled with the cycle's units and external leaves, metrics with its units and
the known metrics, units with the current register. Upload pages read files through
:func:`parindex.web.helpers.csv_upload` (encoding and separator detected, the file's name
as the source)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import require_admin_page
from parindex.cycles.selectors import participants_of
from parindex.downloads import file_download
from parindex.engine.framework import EXTERNAL_SOURCES
from parindex.formats.templates import (
    METRICS_HEADER,
    POINTS_HEADER,
    UNITS_HEADER,
    template_csv,
)
from parindex.formats.text import Upload
from parindex.formats.units import read_units_csv
from parindex.frameworks.models import Criterion
from parindex.results.models import KNOWN_METRICS
from parindex.units.selectors import units_for
from parindex.units.services import units_import
from parindex.web.helpers import CsvImport, admin_cycle, csv_import


def _csv_download(data: bytes, filename: str) -> HttpResponse:
    return file_download(data, filename=filename, content_type="text/csv; charset=utf-8")


@login_required
def external_template(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """``unit,code,points`` with one row per participating unit and external leaf of its
    framework, points left blank."""
    user, cycle = admin_cycle(request, pk)
    framework_of = dict(cycle.framework_links.values_list("group_id", "framework_id"))
    leaves: dict[int, list[str]] = {}
    for fw_id, code in (
        Criterion.objects.filter(
            framework_id__in=set(framework_of.values()),
            source__in=sorted(EXTERNAL_SOURCES),
            children__isnull=True,
        )
        .order_by("framework_id", "position")
        .values_list("framework_id", "code")
    ):
        leaves.setdefault(fw_id, []).append(code)
    participants = participants_of(user, cycle).order_by("group__position", "unit__name")
    rows = [
        (p.unit.code, code, "")
        for p in participants
        for code in leaves.get(framework_of.get(p.group_id, 0), [])
    ]
    return _csv_download(template_csv(POINTS_HEADER, rows), f"diem-ngoai-ky-{cycle.pk}.csv")


@login_required
def metrics_template(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    """``unit,metric,value`` with one row per participating unit and known metric."""
    user, cycle = admin_cycle(request, cycle_pk)
    participants = participants_of(user, cycle).order_by("group__position", "unit__name")
    rows = [(p.unit.code, m, "") for p in participants for m in KNOWN_METRICS]
    return _csv_download(template_csv(METRICS_HEADER, rows), f"chi-so-ky-{cycle.pk}.csv")


@login_required
def units_template(request: AuthedHttpRequest) -> HttpResponse:
    """``unit,name,group,parent,kind`` filled with the register (edit and import back)."""
    user = request.user
    require_admin_page(user)
    rows = [
        (u.code, u.name, u.group.code if u.group else "", u.parent.code if u.parent else "", u.kind)
        for u in units_for(user).order_by("group__position", "name")
    ]
    return _csv_download(template_csv(UNITS_HEADER, rows), "don-vi.csv")


@login_required
def unit_import(request: AuthedHttpRequest) -> HttpResponse:
    """Import the units register from a CSV (all or nothing, every problem with its line)."""
    user = request.user
    require_admin_page(user)
    done = CsvImport()
    if request.method == "POST":

        def store(upload: Upload) -> dict[str, int]:
            rows, found = read_units_csv(upload.text, name=upload.name)
            return units_import(rows=rows, problems=found, source=upload.name, actor=user)

        done = csv_import(
            request, missing="Chọn tệp CSV (các cột unit,name,group,parent,kind).", store=store
        )
        if done.upload is not None:
            stats = done.result
            messages.success(
                request,
                f"{done.upload.summary}. Đã nhập {stats['rows']} dòng: tạo mới "
                f"{stats['created']} đơn vị, cập nhật {stats['updated']}, tạo "
                f"{stats['groups_created']} nhóm mới.",
            )
            return redirect("unit_list")
    return render(
        request,
        "web/admin/unit_import.html",
        {"nav": "units", "errors": done.errors, "csv_errors": done.problems},
        status=422 if (done.errors or done.problems) else 200,
    )
