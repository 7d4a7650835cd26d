"""Pages of the app shell: overview, units, frameworks, cycles. Reads go through the apps'
selectors, so every page is scoped to the signed-in user (outsiders get 404)."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from parindex.accounts.http import AuthedHttpRequest
from parindex.assessments.models import AssessmentStatus
from parindex.assessments.selectors import assessments_for
from parindex.cycles.selectors import cycle_get, cycles_for, participants_of
from parindex.downloads import file_download
from parindex.formats.frameworks import save_framework_file
from parindex.formats.rule_text import describe_rule, format_rule
from parindex.frameworks.selectors import (
    criteria_of,
    criterion_rule,
    engine_framework,
    framework_get,
    frameworks_for,
)
from parindex.units.models import DivisionDataset, UnitKind
from parindex.units.selectors import lineage_for, unit_get, unit_groups_for, units_for
from parindex.web.navigation import working_cycle


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    cycle = working_cycle(request)
    groups = unit_groups_for(request.user).annotate(n=Count("units")).order_by("position", "name")
    # The province this installation serves: the active one with the most units under it
    # (a full `units load` brings all 34, but only one has departments and communes scored).
    province = (
        units_for(request.user)
        .filter(kind=UnitKind.PROVINCE, is_active=True, valid_to__isnull=True)
        .annotate(n_children=Count("children"))
        .order_by("-n_children", "name")
    )
    context: dict[str, Any] = {
        "nav": "home",
        "cycle": cycle,
        "groups": groups,
        "unit_count": units_for(request.user).count(),
        "frameworks": frameworks_for(request.user).order_by("-year", "code"),
        "dataset": DivisionDataset.objects.order_by("-loaded_at").first(),
        "province": province.first(),
    }
    if cycle is not None:
        counts = dict(
            assessments_for(request.user)
            .filter(cycle=cycle)
            .values_list("status")
            .annotate(n=Count("id"))
        )
        context["status_counts"] = [
            (label, counts[value]) for value, label in AssessmentStatus.choices if value in counts
        ]
    return render(request, "web/home.html", context)


@login_required
def unit_list(request: AuthedHttpRequest) -> HttpResponse:
    qs = units_for(request.user).order_by("group__position", "name")
    q = request.GET.get("q", "").strip()
    group = request.GET.get("group", "")
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(short_name__icontains=q))
    if group:
        qs = qs.filter(group__code=group)
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "nav": "units",
        "page": page,
        "q": q,
        "group": group,
        "kind": kind,
        "groups": unit_groups_for(request.user).order_by("position", "name"),
        "kinds": UnitKind.choices,
    }
    template = "web/_unit_rows.html" if request.headers.get("HX-Request") else "web/unit_list.html"
    return render(request, template, context)


@login_required
def unit_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    unit = unit_get(request.user, code)
    lineage = lineage_for(request.user).filter(Q(predecessor=unit) | Q(successor=unit))
    children = units_for(request.user).filter(parent=unit).order_by("name")
    return render(
        request,
        "web/unit_detail.html",
        {
            "nav": "units",
            "unit": unit,
            "lineage": lineage.order_by("effective"),
            "predecessors": unit.predecessors(),
            "successors": unit.successors(),
            "children": children[:200],
            "children_count": children.count(),
            "assessments": assessments_for(request.user)
            .filter(unit=unit)
            .select_related("cycle", "framework"),
        },
    )


@login_required
def framework_list(request: AuthedHttpRequest) -> HttpResponse:
    frameworks = frameworks_for(request.user).annotate(
        n_leaves=Count("criteria", filter=Q(criteria__children__isnull=True))
    )
    return render(
        request,
        "web/framework_list.html",
        {"nav": "frameworks", "frameworks": frameworks.order_by("-year", "code")},
    )


@login_required
def framework_detail(request: AuthedHttpRequest, code: str) -> HttpResponse:
    fw = framework_get(request.user, code)
    criteria = list(criteria_of(fw))
    parents = {c.parent_id for c in criteria if c.parent_id}
    rows = []
    for c in criteria:
        rule = criterion_rule(c) if c.pk not in parents else None
        rows.append(
            {
                "c": c,
                "is_leaf": c.pk not in parents,
                "rule_words": describe_rule(rule),
                "rule_text": format_rule(rule) if rule is not None else "",
            }
        )
    return render(
        request,
        "web/framework_detail.html",
        {
            "nav": "frameworks",
            "fw": fw,
            "rows": rows,
            "leaf_count": sum(1 for r in rows if r["is_leaf"]),
        },
    )


@login_required
def framework_download(request: AuthedHttpRequest, code: str, fmt: str) -> FileResponse:
    if fmt not in {"yaml", "xlsx"}:
        raise Http404
    fw = framework_get(request.user, code)
    data = engine_framework(fw)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{fw.code}.{fmt}"
        save_framework_file(data, path)
        payload = path.read_bytes()
    content_type = (
        "application/yaml; charset=utf-8"
        if fmt == "yaml"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return file_download(BytesIO(payload), filename=f"{fw.code}.{fmt}", content_type=content_type)


@login_required
def cycle_list(request: AuthedHttpRequest) -> HttpResponse:
    cycles = cycles_for(request.user).annotate(n_units=Count("participants")).order_by("-year")
    return render(request, "web/cycle_list.html", {"nav": "cycles", "cycles": cycles})


@login_required
def cycle_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    cycle = cycle_get(request.user, pk)
    links = cycle.framework_links.select_related("group", "framework").order_by("group__position")
    participants = participants_of(request.user, cycle).order_by("group__position", "unit__name")
    visible = assessments_for(request.user).filter(cycle=cycle)
    assessments = {a.unit_id: a for a in visible}
    rows = [(p, assessments.get(p.unit_id)) for p in participants]
    return render(
        request,
        "web/cycle_detail.html",
        {"nav": "cycles", "cycle": cycle, "links": links, "rows": rows},
    )
