"""National results (PAR INDEX, SIPAS) and the improvement analyses: datasets, comparison,
lost points, what-if and rank bands, nationally and for a unit of an internal cycle.
National data: admin, council and leaders (404 for everyone else); a unit's own lost
points and what-if: its staff and head too."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from parindex.accounts.http import ApiRequest
from parindex.api import schemas as s
from parindex.api.lookups import found_or_invalid
from parindex.api.schemas import Id
from parindex.cycles.selectors import cycle_get
from parindex.engine.lost_points import LostRow
from parindex.engine.whatif import WhatIf
from parindex.formats.results import round_fraction
from parindex.frameworks.models import Framework
from parindex.national import improve, internal
from parindex.national import selectors as sel
from parindex.national.services import national_dataset_import

router = Router(tags=["Chỉ số quốc gia và cải thiện chỉ số"])


class DatasetOut(Schema):
    id: int
    year: int
    kind: str
    framework: str
    home: str | None
    file_name: str
    is_sample: bool


class CompareOut(Schema):
    code: str
    name: str
    max_points: Decimal | None
    points: Decimal | None
    rank: int | None
    national_average: Decimal | None
    best_province: str | None
    best_points: Decimal | None
    region_average: Decimal | None
    previous_points: Decimal | None
    previous_rank: int | None
    rank_change: int | None
    rank_change_text: str


class ComparisonOut(Schema):
    province: str
    region: str
    year: int
    provinces_ranked: int
    previous_year: int | None
    previous_label: str
    rows: list[CompareOut]


class LostOut(Schema):
    code: str
    name: str
    level: int
    max_points: Decimal
    points: Decimal
    lost: Decimal


class WhatIfIn(Schema):
    targets: dict[str, Decimal] = Field(default_factory=dict, description="mã lá → điểm mới")
    target_rank: int | None = Field(None, ge=1, description="hạng mục tiêu (câu hỏi ngược)")
    effort: dict[str, Decimal] = Field(default_factory=dict, description="công sức mỗi điểm")


class UnitWhatIfIn(WhatIfIn):
    unit: str = ""


class ChangeOut(Schema):
    code: str
    from_points: Decimal = Field(..., alias="from")
    to_points: Decimal = Field(..., alias="to")


class WhatIfOut(Schema):
    unit: str
    from_index: Decimal
    from_rank: int
    to_index: Decimal
    to_rank: int
    effort: Decimal
    changes: list[dict[str, Any]]
    target_rank: int | None
    reached: bool


class BandOut(Schema):
    unit: str
    name: str
    group: str
    rank: int | None
    p05: int | None
    p50: int | None
    p95: int | None


def _dataset_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk, "year": d.year, "kind": d.kind, "framework": d.framework.code,
        "home": d.home.code if d.home_id else None, "file_name": d.file_name,
        "is_sample": d.is_sample,
    }  # fmt: skip


def _lost_out(rows: list[LostRow]) -> list[dict[str, Any]]:
    return [
        {"code": r.code, "name": r.name, "level": r.level, "max_points": r.max_points,
         "points": r.points, "lost": r.lost}
        for r in rows
    ]  # fmt: skip


def _whatif_out(page: improve.WhatIfPage) -> dict[str, Any]:
    if page.errors or page.answer is None:
        raise ValidationError(page.errors or ["Cần targets hoặc target_rank."])
    a: WhatIf = page.answer
    return {
        "unit": a.unit,
        "from_index": Decimal(round_fraction(a.from_index, 6)),
        "from_rank": a.from_rank,
        "to_index": Decimal(round_fraction(a.to_index, 6)),
        "to_rank": a.to_rank,
        "effort": a.effort,
        "changes": [{"code": c.code, "from": c.from_points, "to": c.to_points} for c in a.changes],
        "target_rank": a.target_rank,
        "reached": a.reached,
    }


def _question(payload: WhatIfIn) -> improve.Question:
    if payload.target_rank is None and not payload.targets:
        raise ValidationError("Cần targets (điểm mới) hoặc target_rank (hạng mục tiêu).")
    return improve.Question(payload.targets, payload.target_rank, payload.effort)


def _band_args(draws: int, spread: float, seed: int) -> dict[str, Any]:
    if not 1 <= draws <= improve.MAX_DRAWS:
        raise ValidationError(f"draws phải từ 1 đến {improve.MAX_DRAWS}.")
    if not 0 <= spread <= 1:
        raise ValidationError("spread phải trong [0, 1].")
    return {"draws": draws, "spread": spread, "seed": seed}


@router.get(
    "/national/datasets",
    response={200: list[DatasetOut], **s.ERRORS},
    summary="Các bộ kết quả chỉ số quốc gia đã nhập",
)
def dataset_list(request: ApiRequest) -> Any:
    return [_dataset_out(d) for d in sel.datasets_for(request.auth)]


@router.post(
    "/national/datasets",
    response={200: DatasetOut, **s.UPLOAD_ERRORS},
    summary="Nhập kết quả chỉ số quốc gia của một năm (Sở Nội vụ)",
    description="Tệp CSV (`,` hoặc `;`; UTF-8, UTF-8 BOM, Windows-1258) hoặc .xlsx, cột "
    "tinh;ma;diem[;vung]. kind: par | sipas; framework: mã bộ tiêu chí quốc gia. Tỉnh hoặc "
    "mã tiêu chí không có → 400 với mọi lỗi theo dòng, không lưu gì. Nhập lại cùng năm và "
    "chỉ số thì thay thế.",
)
def dataset_import(
    request: ApiRequest,
    year: Form[int],
    kind: Form[str],
    framework: Form[str],
    file: File[UploadedFile],
) -> Any:
    known = Framework.objects.filter(code=framework)
    fw = found_or_invalid(known, "framework", f"Không có bộ tiêu chí “{framework}”.")
    ds = national_dataset_import(
        framework=fw,
        year=year,
        kind=kind,
        file_name=(file.name or "ket-qua.csv")[-200:],
        data=file.read(),
        actor=request.auth,
    )
    return _dataset_out(sel.dataset_get(request.auth, ds.pk))


@router.get(
    "/national/datasets/{dataset_id}/comparison",
    response={200: ComparisonOut, **s.ERRORS},
    summary="So sánh tỉnh với trung bình cả nước, tỉnh cao nhất, vùng và năm trước",
    description="province: mã đơn vị của tỉnh (mặc định: tỉnh của mình). rank_change dương = "
    "tăng bậc. Tỉnh hợp nhất so sánh với các tỉnh trước sáp nhập (previous_label).",
)
def dataset_comparison(request: ApiRequest, dataset_id: Id, province: str = "") -> Any:
    c = sel.comparison(request.auth, sel.dataset_get(request.auth, dataset_id), province or None)
    rows = [
        {
            "code": r.code, "name": r.name, "max_points": r.max_points, "points": r.points,
            "rank": r.rank, "national_average": r.average,
            "best_province": r.best.code if r.best else None, "best_points": r.best_points,
            "region_average": r.region_average, "previous_points": r.previous,
            "previous_rank": r.previous_rank, "rank_change": r.rank_change,
            "rank_change_text": r.rank_change_text,
        }
        for r in c.rows
    ]  # fmt: skip
    return {
        "province": c.province.code,
        "region": c.province.region,
        "year": c.dataset.year,
        "provinces_ranked": c.ranked,
        "previous_year": c.previous_dataset.year if c.previous_dataset else None,
        "previous_label": c.previous.label if c.previous else "",
        "rows": rows,
    }


@router.get(
    "/national/datasets/{dataset_id}/lost-points",
    response={200: list[LostOut], **s.ERRORS},
    summary="Điểm bị mất của tỉnh so với điểm tối đa (nhiều nhất trước)",
)
def dataset_lost_points(request: ApiRequest, dataset_id: Id, province: str = "") -> Any:
    ds = sel.dataset_get(request.auth, dataset_id)
    return _lost_out(sel.province_lost_points(request.auth, dataset=ds, province=province or None))


@router.post(
    "/national/datasets/{dataset_id}/whatif",
    response={200: WhatIfOut, **s.ERRORS},
    summary="Giả định: chỉ số và thứ hạng mới của tỉnh, hoặc cách ít công sức nhất để đạt hạng K",
    description="targets (mã lá → điểm mới) hoặc target_rank; effort: công sức mỗi điểm "
    "(mặc định 1). reached=false: không đạt được hạng K, phương án là hạng cao nhất có thể.",
)
def dataset_whatif(request: ApiRequest, dataset_id: Id, payload: WhatIfIn) -> Any:
    ds = sel.dataset_get(request.auth, dataset_id)
    return _whatif_out(improve.national_whatif(request.auth, ds, _question(payload)))


@router.get(
    "/national/datasets/{dataset_id}/rank-bands",
    response={200: list[BandOut], **s.ERRORS},
    summary="Dải xếp hạng Monte Carlo (P05, P50, P95) của các tỉnh có điểm từng lĩnh vực",
)
def dataset_bands(
    request: ApiRequest,
    dataset_id: Id,
    draws: int = improve.DEFAULT_DRAWS,
    spread: float = improve.DEFAULT_SPREAD,
    seed: int = improve.DEFAULT_SEED,
) -> Any:
    ds = sel.dataset_get(request.auth, dataset_id)
    found, _ = improve.national_bands(request.auth, ds, **_band_args(draws, spread, seed))
    return [_band_out(b, name, "") for b, name in found]


def _band_out(b: Any, name: str, group: str) -> dict[str, Any]:
    return {"unit": b.unit, "name": name, "group": group, "rank": b.rank, "p05": b.p05,
            "p50": b.p50, "p95": b.p95}  # fmt: skip


@router.get(
    "/cycles/{cycle_id}/lost-points",
    response={200: list[LostOut], **s.ERRORS},
    summary="Điểm bị mất của một đơn vị trong kỳ đánh giá (mặc định: đơn vị của tôi)",
)
def cycle_lost_points(request: ApiRequest, cycle_id: Id, unit: str = "") -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    return _lost_out(internal.unit_lost_points(request.auth, cycle, unit))


@router.post(
    "/cycles/{cycle_id}/whatif",
    response={200: WhatIfOut, **s.ERRORS},
    summary="Giả định cho một đơn vị trong nhóm của nó (mặc định: đơn vị của tôi)",
)
def cycle_whatif(request: ApiRequest, cycle_id: Id, payload: UnitWhatIfIn) -> Any:
    cycle = cycle_get(request.auth, cycle_id)
    page = internal.unit_whatif(request.auth, cycle, payload.unit, _question(payload))
    return _whatif_out(page)


@router.get(
    "/cycles/{cycle_id}/rank-bands",
    response={200: list[BandOut], **s.ERRORS},
    summary="Dải xếp hạng Monte Carlo của các đơn vị trong nhóm",
)
def cycle_rank_bands(
    request: ApiRequest,
    cycle_id: Id,
    draws: int = improve.DEFAULT_DRAWS,
    spread: float = improve.DEFAULT_SPREAD,
    seed: int = improve.DEFAULT_SEED,
    survey_error: bool = True,
) -> Any:
    """``survey_error``: also draw the points of areas holding survey-fed leaves within
    their sampling interval (where a fed survey gives one; else it changes nothing)."""
    cycle = cycle_get(request.auth, cycle_id)
    found = internal.cycle_bands(
        request.auth, cycle, survey_error=survey_error, **_band_args(draws, spread, seed)
    )
    return [_band_out(b, name, group) for b, name, group in found.rows]
