"""The official report (Nghị định 30/2020 layout) as Word (docxtpl, replaceable template)
and PDF (WeasyPrint, shipped DejaVu fonts, inline SVG charts). Both are rendered from the
same context (:func:`report_context`; its variables are documented in docs/reports.md)."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from parindex.reports.charts import ranking_chart
from parindex.reports.data import PROVISIONAL_MARK, ReportData, Row
from parindex.reports.models import ReportTemplate
from parindex.reports.template_check import check_template, sandbox_env
from parindex.results.models import RatingConfig
from parindex.web.templatetags.parindex import index as fmt_index
from parindex.web.templatetags.parindex import points as fmt_points

Progress = Callable[[int, str], None]
HERE = Path(__file__).resolve().parent
SHIPPED_TEMPLATE = HERE / "templates_docx" / "bao-cao-ket-qua.docx"
FONTS_DIR = HERE / "fonts"
#: Placeholders a replacement template must use (the rest are optional).
REQUIRED_VARIABLES = frozenset({"nam_danh_gia", "nhom"})
#: Every variable the context provides (docs/reports.md).
KNOWN_VARIABLES = frozenset(
    {
        "co_quan_chu_quan",
        "co_quan",
        "so_ky_hieu",
        "dia_danh",
        "ngay",
        "thang",
        "nam",
        "nam_danh_gia",
        "ky_danh_gia",
        "tinh_trang",
        "gioi_thieu",
        "nhom",
        "tong_hop",
        "ket_luan",
        "noi_nhan",
        "quyen_han_ky",
        "chuc_vu_ky",
        "nguoi_ky",
        "so_don_vi",
        "tieu_de_trang",
        "can_cu",
    }
)

#: @font-face rules of the PDF: (family, file stem, weight, style), files in fonts/.
FONT_FACES = [
    ("ParindexSerif", "DejaVuSerif", "normal", "normal"),
    ("ParindexSerif", "DejaVuSerif-Bold", "bold", "normal"),
    ("ParindexSerif", "DejaVuSerif-Italic", "normal", "italic"),
    ("ParindexSerif", "DejaVuSerif-BoldItalic", "bold", "italic"),
    ("ParindexSans", "DejaVuSans", "normal", "normal"),
    ("ParindexSans", "DejaVuSans-Bold", "bold", "normal"),
    ("ParindexSans", "DejaVuSans-Oblique", "normal", "italic"),
]

CHART_CACHE_SECONDS = 3600

DEFAULT_RECIPIENTS = [
    "UBND tỉnh (để báo cáo)",
    "Các sở, ban, ngành tỉnh",
    "UBND các xã, phường",
    "Lưu: VT, CCHC",
]


def _change_text(r: Row, decimals: int) -> str:
    parts = []
    if r.index_change is not None:
        if r.index_change > 0:
            parts.append(f"tăng {fmt_index(r.index_change, decimals)}%")
        elif r.index_change < 0:
            parts.append(f"giảm {fmt_index(-r.index_change, decimals)}%")
        else:
            parts.append("chỉ số giữ nguyên")
    if r.rank_change is not None:
        parts.append(r.rank_change_text)
    if not parts:
        return r.rank_change_text or "—"
    return ", ".join(parts)


def _day(n: int, pad_below: int) -> str:
    return f"{n:02d}" if n < pad_below else str(n)


def report_context(data: ReportData) -> dict[str, Any]:
    """The template variables (charts are added by each renderer as ``g.bieu_do``)."""
    d = data.decimals
    province = data.province
    opts: dict[str, Any] = getattr(settings, "PARINDEX_REPORT", {}) or {}
    groups = []
    for g in data.groups:
        groups.append(
            {
                "ten": g.name,
                "so_don_vi": len(g.rows),
                "don_vi": [
                    {
                        "hang": "" if r.rank is None else r.rank,
                        "ten": r.unit,
                        "diem": fmt_points(r.points),
                        "diem_toi_da": fmt_points(r.max_points),
                        "chi_so": fmt_index(r.index, d),
                        "xep_loai": r.rating or "—",
                        "thay_doi": _change_text(r, d),
                        "ghi_chu": r.reasons,
                        "ha_xep_loai": "; ".join(r.downgrades),
                    }
                    for r in g.rows
                ],
                "chua_dat": [
                    {
                        "ma": n.code,
                        "ten": n.name,
                        "diem_toi_da": fmt_points(n.max_points),
                        "so_don_vi": n.units,
                        "bi_tru_binh_quan": fmt_points(n.lost_average.quantize(Decimal("0.01"))),
                        "don_vi": ", ".join(n.worst) + (" …" if n.units > len(n.worst) else ""),
                    }
                    for n in g.not_full
                ],
                "_group": g,
            }
        )
    order = [
        c["name"]
        for c in (
            RatingConfig.objects.filter(cycle_id=data.cycle.pk)
            .values_list("classes", flat=True)
            .first()
            or []
        )
    ]
    counts = Counter(r.rating for r in data.rows if r.rating)
    summary = [{"xep_loai": n, "so_luong": counts[n]} for n in order if counts.get(n)]
    summary += [{"xep_loai": n, "so_luong": k} for n, k in counts.items() if n not in order]
    status = "chính thức" if data.is_final else "tạm tính"
    year = data.cycle.year
    total = len(data.rows)
    issued = data.issued
    return {
        "co_quan_chu_quan": (
            f"ỦY BAN NHÂN DÂN TỈNH {province.upper()}" if province else "ỦY BAN NHÂN DÂN TỈNH"
        ),
        "co_quan": opts.get("co_quan", "SỞ NỘI VỤ"),
        "so_ky_hieu": opts.get("so_ky_hieu", "      /BC-SNV"),
        "dia_danh": data.place or "……",
        "ngay": _day(issued.day, 10),
        "thang": _day(issued.month, 3),
        "nam": issued.year,
        "nam_danh_gia": year,
        "ky_danh_gia": data.cycle.name,
        "tinh_trang": status,
        # the page header of every page: "TẠM TÍNH" until the results are final
        "tieu_de_trang": "" if data.is_final else PROVISIONAL_MARK,
        "can_cu": [{"dieu_kien": n.rule, "nguon": n.source} for n in data.notes],
        "so_don_vi": total,
        "gioi_thieu": (
            f"Thực hiện {data.cycle.name}, Sở Nội vụ báo cáo kết quả xác định Chỉ số cải cách "
            f"hành chính năm {year} của {total} cơ quan, đơn vị, địa phương (kết quả {status}) "
            "như sau:"
        ),
        "nhom": groups,
        "tong_hop": summary,
        "ket_luan": (
            f"Trên đây là kết quả xác định Chỉ số cải cách hành chính năm {year}, Sở Nội vụ "
            "báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./."
        ),
        "noi_nhan": list(opts.get("noi_nhan", DEFAULT_RECIPIENTS)),
        "quyen_han_ky": opts.get("quyen_han_ky", ""),
        "chuc_vu_ky": opts.get("chuc_vu_ky", "GIÁM ĐỐC"),
        "nguoi_ky": opts.get("nguoi_ky", ""),
    }


def chart(data: ReportData, group: Any, fmt: str) -> bytes:
    """The group's ranking chart, cached per computed result set (a recompute changes
    ``computed_at`` and ``input_hash``, so a stale chart is never served)."""
    rs = data.result_set
    key = (
        "reports:chart:"
        + hashlib.sha256(
            f"{rs.pk}|{rs.computed_at.isoformat()}|{rs.input_hash}|{group.name}|{fmt}".encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = ranking_chart(group, fmt, data.cycle.year)
        cache.set(key, found, CHART_CACHE_SECONDS)
    return found


# --------------------------------------------------------------------------- Word


def template_path() -> Path:
    """The template in use: the newest active uploaded one, else the
    ``PARINDEX_REPORT_TEMPLATE`` setting, else the shipped template."""
    uploaded = ReportTemplate.objects.filter(is_active=True).order_by("-uploaded_at", "-pk").first()
    if uploaded is not None and uploaded.file:
        try:
            return Path(uploaded.file.path)
        except (NotImplementedError, ValueError):
            pass
    configured = getattr(settings, "PARINDEX_REPORT_TEMPLATE", "")
    if configured:
        return Path(configured)
    return SHIPPED_TEMPLATE


def template_variables(source: Any) -> set[str]:
    """The documented Jinja variables a .docx template uses; ``ValueError`` (Vietnamese)
    when the file is not a DOCX, its tags do not parse, or it uses unknown variables or
    unsafe expressions (:mod:`parindex.reports.template_check`)."""
    # docxtpl and WeasyPrint load only when a document is built (WeasyPrint alone takes about
    # a second), so the pages, the API and the command line start without them.
    return check_template(source, KNOWN_VARIABLES)


def build_docx(
    data: ReportData, progress: Progress | None = None, template: Path | None = None
) -> bytes:
    from docx.shared import Mm  # loaded on use, see template_variables
    from docxtpl import DocxTemplate, InlineImage

    report = progress or (lambda pct, msg: None)
    report(10, "Đang chuẩn bị số liệu báo cáo")
    path = template or template_path()
    template_variables(str(path))  # a template placed on disk is checked like an upload
    ctx = report_context(data)
    tpl = DocxTemplate(str(path))
    n = max(len(ctx["nhom"]), 1)
    for i, g in enumerate(ctx["nhom"], start=1):
        png = chart(data, g.pop("_group"), "png")
        g["bieu_do"] = InlineImage(tpl, io.BytesIO(png), width=Mm(150))
        report(10 + 50 * i // n, f"Đã vẽ biểu đồ {i}/{n}")
    report(65, "Đang điền mẫu Word")
    render_template(tpl, ctx)
    out = io.BytesIO()
    tpl.save(out)
    report(95, "Đang đóng gói tệp Word")
    return out.getvalue()


def render_template(tpl: Any, ctx: dict[str, Any]) -> None:
    """Render a docxtpl template in the sandbox with only the documented variables
    (``jinja2.exceptions.SecurityError`` for an unsafe expression)."""
    safe = {k: v for k, v in ctx.items() if k in KNOWN_VARIABLES}
    tpl.render(safe, jinja_env=sandbox_env(), autoescape=True)


# --------------------------------------------------------------------------- PDF


def report_html(data: ReportData, progress: Progress | None = None) -> str:
    report = progress or (lambda pct, msg: None)
    ctx = report_context(data)
    n = max(len(ctx["nhom"]), 1)
    for i, g in enumerate(ctx["nhom"], start=1):
        svg = chart(data, g.pop("_group"), "svg").decode()
        svg = _unique_ids(svg[svg.find("<svg") :], f"g{i}-")  # no prolog; ids per chart
        g["bieu_do"] = mark_safe(svg)
        report(10 + 30 * i // n, f"Đã vẽ biểu đồ {i}/{n}")
    ctx["font_faces"] = [
        {"family": fam, "url": (FONTS_DIR / f"{stem}.ttf").as_uri(), "weight": w, "style": st}
        for fam, stem, w, st in FONT_FACES
    ]
    return render_to_string("reports/report.html", ctx)


def _unique_ids(svg: str, prefix: str) -> str:
    """Prefix the ids of one inline SVG (matplotlib reuses glyph and element ids)."""
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = re.sub(r'href="#', f'href="#{prefix}', svg)
    return re.sub(r"url\(#", f"url(#{prefix}", svg)


def build_pdf(data: ReportData, progress: Progress | None = None) -> bytes:
    from weasyprint import HTML  # loaded on use, see template_variables
    from weasyprint.text.fonts import FontConfiguration

    report = progress or (lambda pct, msg: None)
    quiet = logging.getLogger("weasyprint")
    if quiet.level == logging.NOTSET:
        # matplotlib's SVG style attributes make WeasyPrint warn once per element.
        quiet.setLevel(logging.ERROR)
    report(5, "Đang chuẩn bị số liệu báo cáo")
    html = report_html(data, report)
    report(45, "Đang dàn trang PDF")
    fonts = FontConfiguration()
    pdf = HTML(string=html, base_url=str(FONTS_DIR)).write_pdf(font_config=fonts)
    report(95, "Đang đóng gói tệp PDF")
    return pdf
