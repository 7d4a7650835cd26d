"""The plan as a Word "Kế hoạch" (Nghị định 30/2020 layout, seed 001's structure) and as an
Excel workbook.

Word: the reports app's machinery — docxtpl rendered in the sandboxed Jinja environment,
the template checked by :func:`parindex.reports.template_check.check_template` against
:data:`KNOWN_VARIABLES` before use (a replacement template named by the setting
``PARINDEX_PLAN_TEMPLATE`` is checked the same way). Excel: XlsxWriter with
:data:`parindex.formats.cells.XLSX_OPTIONS` and ``write_string`` for every text cell, so a
task called ``=HYPERLINK(…)`` stays text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from parindex.improvement.models import ImprovementPlan, PlanTask
from parindex.improvement.selectors import (
    area_of,
    criterion_parents,
    framework_criteria,
    is_overdue,
    matrix_rows,
    plan_targets,
    tasks_by_area,
)
from parindex.reports.document import DEFAULT_RECIPIENTS
from parindex.reports.template_check import check_template, sandbox_env
from parindex.reports.xlsx import FONT, VI
from parindex.units.models import Unit, UnitKind
from parindex.web.templatetags.parindex import points as fmt_points

__all__ = ["KNOWN_VARIABLES", "plan_context", "plan_docx", "plan_xlsx"]

SHIPPED_TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "ke-hoach-cai-thien.docx"
KNOWN_VARIABLES = frozenset(
    {
        "co_quan_chu_quan", "so_ky_hieu", "dia_danh", "ngay", "thang", "nam", "trich_yeu",
        "nam_ke_hoach", "can_cu", "muc_dich", "yeu_cau", "muc_tieu", "linh_vuc",
        "so_muc_trien_khai", "trien_khai_gioi_thieu", "phan_cong", "to_chuc", "nhiem_vu",
        "noi_nhan", "quyen_han_ky", "chuc_vu_ky", "nguoi_ky",
    }
)  # fmt: skip
COMMON_PARTNERS = "Các sở, ban, ngành tỉnh; UBND cấp xã và các cơ quan, đơn vị có liên quan"


def _lines(value: str) -> list[str]:
    return [line.strip(" -\t") for line in (value or "").splitlines() if line.strip(" -\t")]


def _names(units: list[Unit]) -> str:
    seen: dict[int, str] = {}
    for u in units:
        seen.setdefault(u.pk, u.name)
    return ", ".join(seen.values())


def _status(t: PlanTask) -> str:
    if is_overdue(t):
        return f"Quá hạn ({t.progress}%)"
    return f"{t.get_status_display()} ({t.progress}%)"


def _task_row(i: int, t: PlanTask) -> dict[str, Any]:
    return {
        "stt": i,
        "ten": t.title,
        "mo_ta": t.description,
        "tieu_chi": t.criterion.code if t.criterion_id else "",
        "chu_tri": t.lead_unit.name,
        "phoi_hop": _names(list(t.partner_units.all())),
        "thoi_han": t.deadline.strftime("%d/%m/%Y"),
        "tinh_trang": _status(t),
        "tien_do": t.progress,
    }


def _subject(title: str) -> str:
    """The trích yếu under "KẾ HOẠCH": the title without its leading "Kế hoạch"."""
    rest = title[len("Kế hoạch") :].strip() if title.lower().startswith("kế hoạch") else title
    return rest[:1].upper() + rest[1:] if rest else title


def _overall_targets(plan: ImprovementPlan) -> list[str]:
    out = []
    if plan.target_points is not None:
        base = (
            f" (năm trước {fmt_points(plan.baseline_points)} điểm)"
            if plan.baseline_points is not None
            else ""
        )
        out.append(f"Chỉ số cải cách hành chính đạt {fmt_points(plan.target_points)} điểm{base}.")
    if plan.target_rank is not None:
        base = f" (năm trước hạng {plan.baseline_rank})" if plan.baseline_rank else ""
        gain = (
            f", tăng {plan.baseline_rank - plan.target_rank} bậc"
            if plan.baseline_rank and plan.baseline_rank > plan.target_rank
            else ""
        )
        out.append(f"Phấn đấu xếp hạng {plan.target_rank}{base}{gain}.")
    return out


def plan_context(user: Any, plan: ImprovementPlan) -> dict[str, Any]:
    """The template variables (docs/improvement.md)."""
    opts: dict[str, Any] = getattr(settings, "PARINDEX_REPORT", {}) or {}
    province = Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk").first()
    place = province.name.replace("Tỉnh ", "").replace("Thành phố ", "") if province else ""
    areas = list(framework_criteria(plan.framework).filter(depth=1))
    grouped = tasks_by_area(plan)
    rows = list(matrix_rows(user, plan.year).filter(framework=plan.framework))
    parent_of = criterion_parents(plan)

    def root(pk: int | None) -> int | None:
        return area_of(parent_of, pk)

    targets_by_area: dict[int | None, list[str]] = {}
    for t in plan_targets(plan):
        if t.target_points is None and t.target_rank is None:
            continue
        goal = []
        if t.target_points is not None:
            goal.append(
                f"đạt {fmt_points(t.target_points)}/{fmt_points(t.criterion.max_points)} điểm"
            )
        if t.target_rank is not None:
            goal.append(f"xếp hạng {t.target_rank}")
        now = (
            f" (hiện đạt {fmt_points(t.baseline_points)} điểm)"
            if t.baseline_points is not None
            else ""
        )
        targets_by_area.setdefault(root(t.criterion_id), []).append(
            f"Mục tiêu {'lĩnh vực' if t.criterion.depth == 1 else 'tiêu chí'} {t.criterion.code} "
            f"{t.criterion.name}: {', '.join(goal)}{now}."
        )
    lead_areas: dict[str, list[str]] = {}
    linh_vuc = []
    for area in areas:
        tasks = grouped.get(area.pk, [])
        in_area = [r for r in rows if root(r.criterion_id) == area.pk]
        leads = [r.lead_unit for r in in_area] + [t.lead_unit for t in tasks]
        partners = [u for r in in_area for u in r.partner_units.all()]
        partners += [u for t in tasks for u in t.partner_units.all()]
        lead_ids = {u.pk for u in leads}
        for r in in_area:
            what = (
                f"lĩnh vực “{area.code}. {area.name}”"
                if r.criterion_id == area.pk
                else f"tiêu chí {r.criterion.code}"
            )
            lead_areas.setdefault(r.lead_unit.name, []).append(what)
        if not tasks and not in_area and area.pk not in targets_by_area:
            continue
        linh_vuc.append(
            {
                "ma": area.code,
                "ten": area.name,
                "muc_tieu": targets_by_area.get(area.pk, []),
                "nhiem_vu": [{"ten": t.title, "mo_ta": t.description} for t in tasks],
                "chu_tri": _names(leads) or "Sở Nội vụ",
                "phoi_hop": _names([u for u in partners if u.pk not in lead_ids])
                or COMMON_PARTNERS,
            }
        )
    general = grouped.get(None, [])
    if general:
        linh_vuc.append(
            {
                "ma": "",
                "ten": "Nhiệm vụ chung",
                "muc_tieu": [],
                "nhiem_vu": [{"ten": t.title, "mo_ta": t.description} for t in general],
                "chu_tri": _names([t.lead_unit for t in general]),
                "phoi_hop": COMMON_PARTNERS,
            }
        )
    issued = timezone.localdate()
    all_tasks = [t for area in areas for t in grouped.get(area.pk, [])] + general
    return {
        "co_quan_chu_quan": f"ỦY BAN NHÂN DÂN TỈNH {place.upper()}".strip(),
        "so_ky_hieu": plan.number or "      /KH-UBND",
        "dia_danh": place or "……",
        "ngay": f"{issued.day:02d}" if issued.day < 10 else str(issued.day),
        "thang": f"{issued.month:02d}" if issued.month < 3 else str(issued.month),
        "nam": issued.year,
        "trich_yeu": _subject(plan.title),
        "nam_ke_hoach": plan.year,
        "can_cu": (
            f"Căn cứ kết quả xác định Chỉ số cải cách hành chính năm {plan.year - 1}"
            + (f" ({plan.source})" if plan.source else "")
            + f", Ủy ban nhân dân tỉnh ban hành {plan.title}, cụ thể như sau:"
        ),
        "muc_dich": _lines(plan.purpose),
        "yeu_cau": _lines(plan.requirements),
        "muc_tieu": _overall_targets(plan) or ["Cải thiện điểm số và thứ hạng so với năm trước."],
        "linh_vuc": linh_vuc,
        "so_muc_trien_khai": len(linh_vuc) + 1,
        "trien_khai_gioi_thieu": (
            "Bên cạnh các nhiệm vụ trọng tâm ở từng lĩnh vực, các đơn vị được giao chủ trì "
            "phải chủ động chuẩn bị tài liệu kiểm chứng đầy đủ, có tính thuyết phục cao, cụ thể:"
        ),
        "phan_cong": [{"don_vi": k, "noi_dung": "; ".join(v)} for k, v in lead_areas.items()],
        "to_chuc": _lines(plan.organisation),
        "nhiem_vu": [_task_row(i, t) for i, t in enumerate(all_tasks, start=1)],
        "noi_nhan": ["Bộ Nội vụ (để báo cáo)", *DEFAULT_RECIPIENTS],
        "quyen_han_ky": opts.get("plan_quyen_han_ky", "KT. CHỦ TỊCH"),
        "chuc_vu_ky": opts.get("plan_chuc_vu_ky", "PHÓ CHỦ TỊCH"),
        "nguoi_ky": opts.get("plan_nguoi_ky", ""),
    }


def template_path() -> Path:
    configured = getattr(settings, "PARINDEX_PLAN_TEMPLATE", "")
    return Path(configured) if configured else SHIPPED_TEMPLATE


def plan_docx(user: Any, plan: ImprovementPlan, template: Path | None = None) -> bytes:
    from docxtpl import DocxTemplate  # loaded on use (slow import)

    path = template or template_path()
    check_template(str(path), KNOWN_VARIABLES)  # a replacement is checked like an upload
    ctx = plan_context(user, plan)
    tpl = DocxTemplate(str(path))
    tpl.render(ctx, jinja_env=sandbox_env(), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


XLSX_COLUMNS = (
    ("stt", "STT", 6),
    ("ten", "Nhiệm vụ", 48),
    ("tieu_chi", "Tiêu chí", 10),
    ("chu_tri", "Đơn vị chủ trì", 26),
    ("phoi_hop", "Đơn vị phối hợp", 30),
    ("thoi_han", "Thời hạn", 12),
    ("tinh_trang", "Tình trạng", 20),
)


def plan_xlsx(user: Any, plan: ImprovementPlan) -> bytes:
    """Two sheets: "Nhiệm vụ" (the appendix with progress in %) and "Mục tiêu"."""
    import xlsxwriter  # loaded on use (slow import)

    from parindex.formats.cells import XLSX_OPTIONS

    ctx = plan_context(user, plan)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, **XLSX_OPTIONS})
    base = {"font_name": FONT, "font_size": 12, "valign": "top", "border": 1}
    title = wb.add_format({**base, "border": 0, "bold": True, "font_size": 14})
    head = wb.add_format({**base, "bold": True, "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
    num = wb.add_format({**base, "num_format": f"{VI}#,##0.00"})
    ws = wb.add_worksheet("Nhiệm vụ")
    ws.write_string(0, 0, f"{plan.title} — nhiệm vụ cụ thể", title)
    for j, (_, label, width) in enumerate(XLSX_COLUMNS):
        ws.write_string(2, j, label, head)
        ws.set_column(j, j, width)
    ws.write_string(2, len(XLSX_COLUMNS), "Tiến độ (%)", head)
    for i, row in enumerate(ctx["nhiem_vu"], start=3):
        ws.write_number(i, 0, row["stt"], cell)
        for j, (key, _, _) in enumerate(XLSX_COLUMNS[1:], start=1):
            ws.write_string(i, j, str(row[key]), cell)
        ws.write_number(i, len(XLSX_COLUMNS), row["tien_do"], cell)
    ws.freeze_panes(3, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2, 2)
    tg = wb.add_worksheet("Mục tiêu")
    tg.write_string(0, 0, f"{plan.title} — mục tiêu", title)
    heads = ("Mã", "Tiêu chí", "Điểm tối đa", "Điểm hiện tại", "Điểm mục tiêu", "Xếp hạng mục tiêu")
    for j, label in enumerate(heads):
        tg.write_string(2, j, label, head)
    tg.set_column(0, 0, 10)
    tg.set_column(1, 1, 50)
    tg.set_column(2, 5, 14)
    for i, t in enumerate(plan_targets(plan), start=3):
        tg.write_string(i, 0, t.criterion.code, cell)
        tg.write_string(i, 1, t.criterion.name, cell)
        for j, value in enumerate((t.criterion.max_points, t.baseline_points, t.target_points), 2):
            if value is None:
                tg.write_blank(i, j, None, cell)
            else:
                tg.write_number(i, j, float(value), num)
        if t.target_rank is None:
            tg.write_blank(i, 5, None, cell)
        else:
            tg.write_number(i, 5, t.target_rank, cell)
    wb.close()
    return out.getvalue()
