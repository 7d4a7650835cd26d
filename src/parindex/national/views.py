"""Pages of the national results (issue 12 parts 1–4): the datasets and their import
(admin), the comparison, the lost points, the what-if and the rank bands — nationally and
for a unit of an internal cycle. Every page is a plain GET form or a POST-redirect-GET and
works without JavaScript; charts have their data table."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from parindex.accounts.http import AuthedHttpRequest
from parindex.accounts.permissions import is_admin, require_admin_page
from parindex.cycles.selectors import cycle_get
from parindex.formats.errors import FormatError
from parindex.formats.numbers import parse_decimal
from parindex.formats.results import round_fraction
from parindex.frameworks.models import Framework
from parindex.national import improve, internal
from parindex.national import selectors as sel
from parindex.national.models import IndexKind
from parindex.national.services import national_dataset_import
from parindex.web.charts import chart_number


def _readers_only(request: AuthedHttpRequest) -> None:
    if not sel.reads_national(request.user):
        raise Http404


def _frameworks() -> Any:
    return Framework.objects.order_by("-year", "code")


@login_required
@require_safe
def index(request: AuthedHttpRequest) -> HttpResponse:
    """The imported datasets; the import form for the admin."""
    _readers_only(request)
    return render(request, "national/index.html", _index_context(request))


def _index_context(request: AuthedHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "nav": "national",
        "datasets": list(sel.datasets_for(request.user)),
        "kinds": IndexKind.choices,
        "frameworks": _frameworks() if is_admin(request.user) else [],
        "can_import": is_admin(request.user),
        **extra,
    }


@login_required
@require_POST
def import_file(request: AuthedHttpRequest) -> HttpResponse:
    """Import a national results file (admin); on problems the page again, every problem
    listed with its line, and nothing saved."""
    require_admin_page(request.user)
    upload = request.FILES.get("file")
    form = {k: request.POST.get(k, "") for k in ("year", "kind", "framework")}
    problems: list[str] = []
    try:
        if upload is None:
            raise ValidationError("Chọn tệp kết quả (CSV hoặc Excel).")
        fw = Framework.objects.filter(pk=_int(form["framework"]) or 0).first()
        if fw is None:
            raise ValidationError("Chọn bộ tiêu chí quốc gia.")
        year = _int(form["year"])
        if year is None:
            raise ValidationError("Nhập năm đánh giá (ví dụ 2025).")
        ds = national_dataset_import(
            framework=fw,
            year=year,
            kind=form["kind"],
            file_name=upload.name or "ket-qua.csv",
            data=upload.read(),
            is_sample=bool(request.POST.get("is_sample")),
            actor=request.user,
        )
    except FormatError as exc:
        problems = [str(p) for p in exc.problems]
    except ValidationError as exc:
        problems = list(exc.messages)
    if problems:
        ctx = _index_context(request, problems=problems, form=form)
        return render(request, "national/index.html", ctx, status=400)
    messages.success(
        request, f"Đã nhập {ds} từ tệp “{ds.file_name}” ({ds.scores.count()} dòng số liệu)."
    )
    return redirect("national:compare", dataset_id=ds.pk)


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


@login_required
@require_safe
def compare(request: AuthedHttpRequest, dataset_id: int) -> HttpResponse:
    ds = sel.dataset_get(request.user, dataset_id)
    c = sel.comparison(request.user, ds, request.GET.get("tinh") or None)
    areas = c.rows[1:]
    series = [
        ("Tỉnh", [r.index(r.points) for r in areas]),
        ("Trung bình cả nước", [r.index(r.average) for r in areas]),
        ("Tỉnh cao nhất", [r.index(r.best_points) for r in areas]),
        ("Trung bình vùng", [r.index(r.region_average) for r in areas]),
        ("Năm trước", [r.index(r.previous) for r in areas]),
    ]
    chart = {
        "kind": "radar",
        "indicators": [f"{r.code}. {r.name}" for r in areas],
        "series": [
            {"name": name, "values": [chart_number(v) for v in values]}
            for name, values in series
            if any(v is not None for v in values)
        ],
    }
    provinces = sorted(c.table.provinces.values(), key=lambda p: p.name)
    return render(
        request,
        "national/compare.html",
        {"nav": "national", "c": c, "ds": ds, "chart": chart, "provinces": provinces},
    )


def _lost_chart(lines: list[Any]) -> dict[str, Any]:
    shown = [ln for ln in lines if ln.row.level >= 2][:15]
    return {
        "kind": "lost",
        "labels": [ln.row.code for ln in shown],
        "names": [ln.row.name for ln in shown],
        "values": [chart_number(ln.row.lost) for ln in shown],
    }


@login_required
@require_safe
def lost(request: AuthedHttpRequest, dataset_id: int) -> HttpResponse:
    ds = sel.dataset_get(request.user, dataset_id)
    page = sel.national_lost_page(request.user, ds, request.GET.get("tinh") or None)
    ctx = {"nav": "national", "ds": ds, "page": page, "lines": page.lines,
           "who": page.province.name, "scope": "cả nước",
           "chart": _lost_chart(page.lines)}  # fmt: skip
    return render(request, "national/lost.html", ctx)


@login_required
@require_safe
def unit_lost(request: AuthedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_get(request.user, cycle_id)
    page = internal.unit_lost_page(request.user, cycle, request.GET.get("don_vi", ""))
    ctx = {"nav": "results", "cycle": cycle, "page": page, "lines": page.lines,
           "who": page.context.me.unit.name, "scope": "nhóm",
           "units": page.context.peers if sel.reads_national(request.user) else [],
           "unit_code": page.context.me.unit.code, "chart": _lost_chart(page.lines)}  # fmt: skip
    return render(request, "national/lost.html", ctx)


# --------------------------------------------------------------------------- what-if


def question_of(request: AuthedHttpRequest) -> tuple[improve.Question, list[str]]:
    """The what-if form (GET): ``mode`` forward/reverse, ``diem-<code>`` new points,
    ``hang`` the target rank, ``cong-<code>`` the effort per point (default 1)."""
    q = request.GET
    errors: list[str] = []

    def numbers(prefix: str) -> dict[str, Decimal]:
        out = {}
        for key in q:
            value = q.get(key, "")
            if key.startswith(prefix) and value.strip():
                code = key[len(prefix) :]
                try:
                    out[code] = parse_decimal(value.strip())
                except ValueError as exc:
                    errors.append(f"Tiêu chí {code}: {exc}")
        return out

    effort = numbers("cong-")
    if any(v < 0 for v in effort.values()):
        errors.append("Công sức cho mỗi điểm phải từ 0 trở lên.")
    if q.get("mode") == "reverse":
        rank = _int(q.get("hang"))
        if rank is None or rank < 1:
            errors.append("Nhập hạng mục tiêu là số nguyên từ 1 trở lên.")
        return improve.Question(target_rank=rank, effort=effort), errors
    if q.get("mode") == "forward":
        targets = numbers("diem-")
        if not targets and not errors:
            errors.append("Nhập điểm mới cho ít nhất một tiêu chí.")
        return improve.Question(targets=targets, effort=effort), errors
    return improve.Question(), errors


def _whatif_page(
    request: AuthedHttpRequest, page: improve.WhatIfPage, errors: list[str], **ctx: Any
) -> HttpResponse:
    page.errors = errors + page.errors
    status = 400 if page.errors else 200
    a = page.answer
    if a is not None:  # exact fractions → the decimals the page shows
        ctx["from_index"] = Decimal(round_fraction(a.from_index, 6))
        ctx["to_index"] = Decimal(round_fraction(a.to_index, 6))
    return render(
        request,
        "national/whatif.html",
        {
            "page": page,
            "mode": request.GET.get("mode", "forward"),
            "q": request.GET,
            "names": {leaf.code: leaf.name for leaf in page.leaves},
            "rows": [
                (
                    leaf,
                    request.GET.get(f"diem-{leaf.code}", ""),
                    request.GET.get(f"cong-{leaf.code}", ""),
                )
                for leaf in page.leaves
            ],
            **ctx,
        },
        status=status,
    )


@login_required
@require_safe
def whatif(request: AuthedHttpRequest, dataset_id: int) -> HttpResponse:
    ds = sel.dataset_get(request.user, dataset_id)
    question, errors = question_of(request)
    page = improve.national_whatif(request.user, ds, question if not errors else improve.Question())
    return _whatif_page(request, page, errors, nav="national", ds=ds, among="tỉnh, thành phố")


@login_required
@require_safe
def unit_whatif(request: AuthedHttpRequest, cycle_id: int) -> HttpResponse:
    cycle = cycle_get(request.user, cycle_id)
    question, errors = question_of(request)
    page = internal.unit_whatif(
        request.user,
        cycle,
        request.GET.get("don_vi", ""),
        question if not errors else improve.Question(),
    )
    return _whatif_page(request, page, errors, nav="results", cycle=cycle, among="đơn vị cùng nhóm")


# --------------------------------------------------------------------------- rank bands


def band_params(request: AuthedHttpRequest) -> tuple[int, float, int, list[str]]:
    """The rank-band form: ``luot`` draws, ``dao_dong`` spread in percent, ``hat_giong``."""
    errors = []
    draws = _int(request.GET.get("luot") or str(improve.DEFAULT_DRAWS))
    if draws is None or not 1 <= draws <= improve.MAX_DRAWS:
        errors.append(f"Số lượt mô phỏng phải từ 1 đến {improve.MAX_DRAWS}.")
        draws = improve.DEFAULT_DRAWS
    try:
        spread = float(parse_decimal(request.GET.get("dao_dong") or "25")) / 100
    except ValueError:
        spread = -1
    if not 0 <= spread <= 1:
        errors.append("Độ dao động trọng số phải từ 0 đến 100 (%).")
        spread = improve.DEFAULT_SPREAD
    seed = _int(request.GET.get("hat_giong") or str(improve.DEFAULT_SEED))
    if seed is None or seed < 0:
        errors.append("Hạt giống phải là số nguyên không âm.")
        seed = improve.DEFAULT_SEED
    return draws, spread, seed, errors


def _bands_chart(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    shown = [r for r in rows if r[0].rank is not None]
    return {
        "kind": "bands",
        "labels": [r[1] for r in shown],
        "ranks": [r[0].rank for r in shown],
        "low": [r[0].p05 for r in shown],
        "mid": [r[0].p50 for r in shown],
        "high": [r[0].p95 for r in shown],
    }


def _bands_page(
    request: AuthedHttpRequest, rows: list[tuple[Any, ...]], **ctx: Any
) -> HttpResponse:
    return render(
        request,
        "national/bands.html",
        {"rows": rows, "chart": _bands_chart(rows), "q": request.GET, **ctx},
        status=400 if ctx.get("errors") else 200,
    )


@login_required
@require_safe
def bands(request: AuthedHttpRequest, dataset_id: int) -> HttpResponse:
    ds = sel.dataset_get(request.user, dataset_id)
    draws, spread, seed, errors = band_params(request)
    found, left_out = improve.national_bands(
        request.user, ds, draws=draws, spread=spread, seed=seed
    )
    rows = [(b, name, "") for b, name in found]
    return _bands_page(request, rows, nav="national", ds=ds, left_out=left_out, errors=errors,
                       draws=draws, spread=spread * 100, seed=seed)  # fmt: skip


@login_required
@require_safe
def cycle_bands(request: AuthedHttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle's bands; ``sai_so`` (checkbox, sent with the hidden ``tinh``) adds the
    survey sampling error, on by default where an interval exists."""
    cycle = cycle_get(request.user, cycle_id)
    draws, spread, seed, errors = band_params(request)
    asked = request.GET.get("sai_so") == "1" if "tinh" in request.GET else None
    found = internal.cycle_bands(
        request.user, cycle, draws=draws, spread=spread, seed=seed, survey_error=asked
    )
    return _bands_page(request, found.rows, nav="results", cycle=cycle, errors=errors,
                       draws=draws, spread=spread * 100, seed=seed, intervals=found.intervals,
                       survey_error=found.survey_error)  # fmt: skip
