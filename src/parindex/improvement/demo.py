"""The demo province's improvement work (``parindex demo``): last year's responsibility
matrix after seed 001 §III copied into this year in one step, and this year's approved plan
with tasks in every state — some done, some under way, some overdue — so the matrix, "Tiêu
chí của tôi", the plan, the dashboard and the exports show real content.

Next year's plan is a draft made the way Sở Nội vụ makes it each December: the matrix over
the national framework's areas, then "Lập dự thảo từ kết quả quốc gia" on the latest
(sample) PAR INDEX — one target and one task per criterion the province lost.

Runs after the demo's main transaction (the services each commit their own); idempotent:
a second run finds this year's plan and stops."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from parindex.frameworks.models import Criterion, Framework
from parindex.improvement.models import ImprovementPlan, PlanTask, ResponsibilityRow, WorkStatus
from parindex.improvement.services import (
    matrix_copy,
    matrix_row_progress,
    matrix_row_save,
    plan_approve,
    plan_create,
    plan_draft_generate,
    plan_update,
    target_set,
    task_progress,
    task_save,
)
from parindex.improvement.sources import national_label, national_lost
from parindex.national.models import NationalDataset
from parindex.units.models import Unit

FRAMEWORK = "par-province-2024"
EVERYONE = ("so-noi-vu", "vp-ubnd", "so-tu-phap", "so-tai-chinh", "so-kh-cn")

#: Seed 001 §III (Kế hoạch 126/KH-UBND, Cà Mau): criterion → lead unit, evidence.
MATRIX = [
    ("1", "so-noi-vu", "Kế hoạch CCHC năm; báo cáo CCHC quý, năm; kế hoạch và kết luận kiểm tra"),
    ("1.6", "vp-ubnd", "Thông báo kết luận các buổi đối thoại; danh sách kiến nghị đã trả lời"),
    ("1.7", "vp-ubnd", "Báo cáo kết quả thực hiện nhiệm vụ Chính phủ, Thủ tướng giao"),
    ("2", "so-tu-phap", "Danh mục VBQPPL ban hành; báo cáo kiểm tra, rà soát, theo dõi thi hành"),
    ("3", "vp-ubnd", "Quyết định công bố TTHC; báo cáo rà soát, đơn giản hóa TTHC"),
    ("4", "so-noi-vu", "Quyết định quy định chức năng, nhiệm vụ; báo cáo biên chế"),
    ("5", "so-noi-vu", "Đề án vị trí việc làm; kế hoạch đào tạo, bồi dưỡng"),
    ("6", "so-tai-chinh", "Báo cáo giải ngân vốn đầu tư công; tự chủ đơn vị sự nghiệp"),
    ("7.1", "so-kh-cn", "Danh mục cơ sở dữ liệu dùng chung; báo cáo kết nối LGSP, NDXP"),
    ("7.2", "so-kh-cn", "Báo cáo hệ thống quản lý văn bản, liên thông 4 cấp"),
    ("7.3", "vp-ubnd", "Số liệu dịch vụ công trực tuyến toàn trình, thanh toán trực tuyến"),
    ("8.1", "tt-phvhcc", "Kết quả khảo sát SIPAS; phương án khắc phục kiến nghị"),
    ("8.2", "so-tai-chinh", "Số liệu thu hút đầu tư (Cục Thống kê)"),
    ("8.3", "so-tai-chinh", "Số doanh nghiệp thành lập mới"),
    ("8.4", "so-tai-chinh", "Báo cáo thu ngân sách nhà nước"),
    ("8.5", "vp-ubnd", "Báo cáo thực hiện chỉ tiêu kinh tế - xã hội HĐND giao"),
]

#: (criterion, lead, title, days from today to the deadline, status, progress, note).
TASKS = [
    ("1", "so-noi-vu", "Kiểm tra công tác CCHC ít nhất 30% cơ quan, đơn vị", 45, "doing", 40,
     "Đã kiểm tra 6/20 đơn vị theo kế hoạch"),
    ("1", "so-noi-vu", "Xây dựng và trình ban hành Kế hoạch CCHC năm đúng hạn", -60, "done", 100,
     "Đã ban hành Kế hoạch, gửi Bộ Nội vụ"),
    ("1.6", "vp-ubnd", "Tổ chức đối thoại của lãnh đạo tỉnh với doanh nghiệp", -10, "doing", 60,
     "Đã tổ chức 1/2 hội nghị đối thoại"),
    ("2", "so-tu-phap", "Rà soát, hệ thống hóa VBQPPL; công bố danh mục hết hiệu lực", -5, "doing",
     70, "Đã rà soát 180/240 văn bản"),
    ("2", "so-tu-phap", "Cập nhật đầy đủ văn bản lên Cơ sở dữ liệu quốc gia về pháp luật", 5,
     "todo", 0, ""),
    ("3", "vp-ubnd", "Công bố, công khai TTHC đúng hạn; số hóa hồ sơ, kết quả giải quyết", 20,
     "doing", 50, "Tỷ lệ số hóa đạt 72%"),
    ("5", "so-noi-vu", "Hoàn thành 100% chỉ tiêu đào tạo, bồi dưỡng công chức, viên chức", 90,
     "todo", 0, ""),
    ("6", "so-tai-chinh", "Giải ngân vốn đầu tư công đạt từ 95% kế hoạch", 30, "doing", 55,
     "Lũy kế giải ngân 61% kế hoạch vốn"),
    ("7.3", "vp-ubnd", "Nâng tỷ lệ hồ sơ trực tuyến toàn trình", 60, "todo", 0, ""),
    ("8.1", "tt-phvhcc", "Khắc phục các nội dung người dân chưa hài lòng qua SIPAS", -20, "todo",
     10, "Đang tổng hợp kiến nghị"),
]  # fmt: skip


def seed_improvement(*, admin: Any, year: int | None = None) -> dict[str, int]:
    """The matrix of last year and this year and this year's approved plan."""
    year = year or timezone.localdate().year
    framework = Framework.objects.filter(code=FRAMEWORK).first()
    if framework is None or ImprovementPlan.objects.filter(year=year).exists():
        return {"rows": 0, "tasks": 0}
    units = {u.code: u for u in Unit.objects.filter(code__in=[*EVERYONE, "tt-phvhcc"])}
    criteria = {c.code: c for c in Criterion.objects.filter(framework=framework)}
    if not ResponsibilityRow.objects.filter(year=year - 1).exists():
        for code, lead, evidence in MATRIX:
            matrix_row_save(
                year=year - 1,
                framework=framework,
                criterion=criteria[code],
                lead_unit=units[lead],
                partner_units=[units[c] for c in EVERYONE if c != lead][:3],
                lead_evidence=evidence,
                partner_evidence="Báo cáo, số liệu thuộc lĩnh vực phụ trách gửi đơn vị chủ trì",
                actor=admin,
            )
    if not ResponsibilityRow.objects.filter(year=year).exists():
        matrix_copy(from_year=year - 1, to_year=year, actor=admin)
    for code, done in (("1", WorkStatus.DOING), ("2", WorkStatus.DOING), ("4", WorkStatus.DONE)):
        row = ResponsibilityRow.objects.get(year=year, criterion=criteria[code])
        matrix_row_progress(row=row, status=done, note="Đang tập hợp tài liệu", actor=admin)

    plan = plan_create(
        year=year,
        framework=framework,
        title=f"Kế hoạch cải thiện Chỉ số cải cách hành chính, Chỉ số SIPAS năm {year}",
        actor=admin,
    )
    plan_update(
        plan=plan,
        number=f"126/KH-UBND ({year}, demo)",
        baseline_points="89,33",
        baseline_rank=20,
        target_points="91",
        target_rank=12,
        actor=admin,
    )
    for code, points in (("3", "12,5"), ("4", "10,5"), ("8.1", "9,5")):
        target_set(plan=plan, criterion=criteria[code], target_points=points, actor=admin)
    today = timezone.localdate()
    for code, lead, title, days, status, progress, note in TASKS:
        task = task_save(
            plan=plan,
            title=title,
            criterion=criteria[code],
            lead_unit=units[lead],
            partner_units=[units[c] for c in EVERYONE if c != lead][:2],
            deadline=today + dt.timedelta(days=days),
            actor=admin,
        )
        if status != WorkStatus.TODO or progress:
            task_progress(task=task, status=status, progress=progress, note=note, actor=admin)
    plan_approve(plan=plan, actor=admin)
    return {"rows": len(MATRIX), "tasks": PlanTask.objects.filter(plan=plan).count()}


#: The national framework's areas → the lead unit (seed 001 §III, by area).
AREA_LEADS = {
    "1": "so-noi-vu", "2": "so-tu-phap", "3": "vp-ubnd", "4": "so-noi-vu",
    "5": "so-noi-vu", "6": "so-tai-chinh", "7": "so-kh-cn", "8": "tt-phvhcc",
}  # fmt: skip


def seed_next_year_draft(*, admin: Any, year: int | None = None) -> int:
    """Next year's draft plan from the latest national PAR INDEX: the number of tasks drafted
    (0 when there is no national dataset or the plan exists)."""
    year = year or timezone.localdate().year + 1
    dataset = NationalDataset.objects.filter(kind="par", home__isnull=False).order_by("-year")
    ds = dataset.select_related("framework", "home").first()
    if ds is None or ImprovementPlan.objects.filter(year=year).exists():
        return 0
    units = {u.code: u for u in Unit.objects.filter(code__in=set(AREA_LEADS.values()))}
    areas = Criterion.objects.filter(framework=ds.framework, code__in=list(AREA_LEADS))
    for area in areas:
        lead = units.get(AREA_LEADS[area.code])
        if lead is not None:
            matrix_row_save(
                year=year,
                framework=ds.framework,
                criterion=area,
                lead_unit=lead,
                partner_units=[u for u in units.values() if u != lead][:2],
                lead_evidence="Tài liệu kiểm chứng các tiêu chí của lĩnh vực",
                actor=admin,
            )
    plan = plan_create(year=year, framework=ds.framework, actor=admin)
    result = plan_draft_generate(
        plan=plan, lost=national_lost(admin, dataset=ds), actor=admin, source=national_label(ds)
    )
    return result.tasks
