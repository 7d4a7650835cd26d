"""Results pages of the Sở Nội vụ (issue 4): accountability report, rating classes and
conditions, rating metrics (form and CSV), recompute and publication. The dashboards are
:mod:`parindex.web.views_results`.

Reads go through :mod:`parindex.results.selectors`, writes through
:mod:`parindex.results.services` (docs/results.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parindex.accounts.http import AuthedHttpRequest
from parindex.cycles.selectors import cycle_get, participants_of
from parindex.formats.errors import FormatError
from parindex.formats.metrics import read_metrics
from parindex.formats.text import Upload
from parindex.results import selectors as rsel
from parindex.results import services as rsvc
from parindex.results.models import KNOWN_METRICS, METRIC_LABELS, MetricSource, UnitMetric
from parindex.web.helpers import admin_cycle, csv_import, error_messages
from parindex.web.views_results import base_context, can_read_accountability

OP_CHOICES = ["<", "<=", ">", ">=", "=="]


# --------------------------------------------------------------------------- accountability


@login_required
def accountability(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    user = request.user
    if not can_read_accountability(user):
        raise Http404
    cycle = cycle_get(user, cycle_pk)
    rs = rsel.result_set_for(user, cycle)
    ctx = base_context(request, cycle, rs)
    ctx["rows"] = rsel.accountability_report(user, cycle) if rs is not None else []
    config = rsel.rating_config_for(cycle) if user.is_province_admin else None
    ctx["rule"] = _rule_text(config.accountability) if config is not None else []
    return render(request, "web/results/accountability.html", ctx)


def _rule_text(rule: dict[str, Any] | None) -> list[str]:
    rule = rule or rsel.DEFAULT_ACCOUNTABILITY
    out = []
    c = rule.get("consecutive") or {}
    if c.get("class"):
        out.append(f"Xếp loại {c['class']} (hoặc thấp hơn) {c.get('years')} năm liên tục.")
    if rule.get("once"):
        out.append("Xếp loại " + ", ".join(rule["once"]) + " trong năm.")
    if rule.get("head_not_good_at_or_below"):
        out.append(
            f"Đơn vị xếp loại {rule['head_not_good_at_or_below']} trở xuống: người đứng đầu "
            "không được xếp loại hoàn thành tốt nhiệm vụ trở lên."
        )
    return out


# --------------------------------------------------------------------------- rating config


def _rows_from_post(post: Any, prefix: str, fields: list[str]) -> list[dict[str, str]]:
    """Rows of a repeated form: ``<prefix>-<field>`` lists; blank rows dropped."""
    columns = [post.getlist(f"{prefix}-{f}") for f in fields]
    out = []
    for values in zip(*columns, strict=False):
        row = {f: (v or "").strip() for f, v in zip(fields, values, strict=True)}
        if any(row.values()):
            out.append(row)
    return out


@login_required
def rating_config(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    user, cycle = admin_cycle(request, cycle_pk)
    config = rsel.rating_config_for(cycle)
    errors: list[str] = []
    classes = [dict(c) for c in config.classes]
    conditions = [dict(c) for c in config.conditions]
    decimals: Any = config.decimals
    if request.method == "POST":
        classes = _rows_from_post(request.POST, "class", ["name", "min"])
        conditions = _rows_from_post(
            request.POST, "cond", ["metric", "op", "value", "cap", "reason"]
        )
        # numbers typed the Vietnamese way: 89,5
        for c in classes:
            c["min"] = c["min"].replace(",", ".")
        for c in conditions:
            c["value"] = c["value"].replace(",", ".")
        raw = request.POST.get("decimals", "").strip()
        decimals = int(raw) if raw.isdigit() else raw
        try:
            rsvc.rating_config_set(
                cycle=cycle,
                classes=classes,
                conditions=conditions,
                decimals=decimals,
                actor=user,
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, "Đã lưu cấu hình xếp loại; kết quả sẽ được tính lại.")
            return redirect("results_rating", cycle_pk=cycle.pk)
    blank_class = {"name": "", "min": ""}
    blank_cond = {"metric": "", "op": "", "value": "", "cap": "", "reason": ""}
    return render(
        request,
        "web/results/rating.html",
        {
            "nav": "results",
            "cycle": cycle,
            "errors": errors,
            "classes": [*classes, blank_class],
            "conditions": [*conditions, blank_cond],
            "decimals": decimals,
            "ops": OP_CHOICES,
            "metrics": sorted(rsel.known_metrics(cycle)),
            "metric_labels": METRIC_LABELS,
        },
        status=422 if errors else 200,
    )


# --------------------------------------------------------------------------- metrics


@login_required
def metrics(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    """One form row per participating unit and metric, plus a CSV upload."""
    user, cycle = admin_cycle(request, cycle_pk)
    participants = list(participants_of(user, cycle).order_by("group__position", "unit__name"))
    names = list(KNOWN_METRICS)
    values: dict[tuple[int, str], Any] = {}
    computed: set[tuple[int, str]] = set()  # values taken from the dossiers app
    for unit_id, metric, value, source in UnitMetric.objects.filter(cycle=cycle).values_list(
        "unit_id", "metric", "value", "source"
    ):
        values[(unit_id, metric)] = value
        if source == MetricSource.DOSSIERS:
            computed.add((unit_id, metric))
        if metric not in names:
            names.append(metric)
    errors: list[str] = []
    csv_errors: list[Any] = []
    typed: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("action") == "csv":

        def store(upload: Upload) -> dict[str, int]:
            parsed, problems = read_metrics(upload.text, name=upload.name)
            if problems:
                raise FormatError(problems)
            return rsvc.metrics_import(
                cycle=cycle, rows=parsed, source_name=upload.name, actor=user
            )

        done = csv_import(
            request,
            missing="Chọn tệp CSV (các cột unit,metric,value) hoặc dán nội dung.",
            store=store,
        )
        errors, csv_errors = done.errors, done.problems
        if done.upload is not None:
            out = done.result
            messages.success(
                request,
                f"{done.upload.summary}. Đã nhập tệp: {out['created']} giá trị mới, "
                f"{out['updated']} giá trị cập nhật; kết quả sẽ được tính lại.",
            )
            return redirect("results_metrics", cycle_pk=cycle.pk)
    elif request.method == "POST" and request.POST.get("action") == "one":
        unit = next(
            (p.unit for p in participants if str(p.unit_id) == request.POST.get("unit")), None
        )
        metric, typed_value = request.POST.get("metric", ""), request.POST.get("value", "")
        try:
            if unit is None:
                raise ValidationError("Chọn đơn vị tham gia kỳ đánh giá.")
            rsvc.metric_set(
                cycle=cycle, unit=unit, metric=metric, value=typed_value.strip(), actor=user
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            label = METRIC_LABELS.get(metric, metric)
            messages.success(request, f"Đã lưu {label} của {unit.name}; kết quả sẽ được tính lại.")
            return redirect("results_metrics", cycle_pk=cycle.pk)
    elif request.method == "POST":
        changes = []
        by_id = {p.unit_id: p.unit for p in participants}
        for key in request.POST:
            if not key.startswith("m-"):
                continue
            _, unit_part, metric = key.split("-", 2)
            text = request.POST.get(key, "").strip()
            typed[key] = text
            try:
                unit = by_id[int(unit_part)]
            except (ValueError, KeyError):
                continue
            old = values.get((unit.pk, metric))
            if text == "" or (old is not None and _same(old, text)):
                continue
            changes.append((unit, metric, text))
        # Every value is checked; nothing is saved when one of them is refused.
        try:
            rsvc.metrics_set(
                cycle=cycle,
                values=[(unit, metric, text.replace(",", ".")) for unit, metric, text in changes],
                actor=user,
            )
        except ValidationError as exc:
            errors = error_messages(exc)
        if not errors:
            messages.success(request, f"Đã lưu {len(changes)} giá trị; kết quả sẽ được tính lại.")
            return redirect("results_metrics", cycle_pk=cycle.pk)
    rows = [
        (
            p.unit,
            p.group,
            [
                (
                    f"m-{p.unit_id}-{m}",
                    typed.get(f"m-{p.unit_id}-{m}", _plain(values.get((p.unit_id, m)))),
                    (p.unit_id, m) in computed,
                )
                for m in names
            ],
        )
        for p in participants
    ]
    return render(
        request,
        "web/results/metrics.html",
        {
            "nav": "results",
            "cycle": cycle,
            "rows": rows,
            "dossiers_url": reverse("dossiers:metrics"),
            "names": [(m, METRIC_LABELS.get(m, m)) for m in names],
            "known": list(METRIC_LABELS.items()),
            "errors": errors,
            "csv_errors": csv_errors,
        },
        status=422 if (errors or csv_errors) else 200,
    )


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def _same(old: Decimal, text: str) -> bool:
    try:
        return Decimal(text.replace(",", ".")) == old
    except ArithmeticError:
        return False


# --------------------------------------------------------------------------- actions


@login_required
@require_POST
def recompute(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    _user, cycle = admin_cycle(request, cycle_pk)
    rsvc.request_recompute(cycle)
    messages.success(request, "Đã yêu cầu tính lại kết quả; trang sẽ cập nhật khi tính xong.")
    return redirect("results_overview", cycle_pk=cycle.pk)


@login_required
@require_POST
def publish(request: AuthedHttpRequest, cycle_pk: int) -> HttpResponse:
    user, cycle = admin_cycle(request, cycle_pk)
    try:
        rsvc.cycle_publish(cycle=cycle, actor=user)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, f"Chưa công bố được: {m}")
    else:
        url = reverse("public:cycle", args=[cycle.pk])
        messages.success(request, f"Đã công bố kết quả; trang công khai: {url}")
    return redirect("results_overview", cycle_pk=cycle.pk)
