"""The demo province's inspections, initiatives and target register (issue 12 parts 7–9):
an inspection plan at about 30 % of the 2025 cycle's units (one vertical agency short, so
the per-kind warning shows), records with findings in each state, initiatives at each
level (the Ministry's goal of three not yet met, some departments with none), and the
target register filled and fed into the statistic leaves. Idempotent: nothing is added
once the cycle has a plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from parindex.accounts.models import User
from parindex.cycles.models import Cycle
from parindex.oversight.models import InspectionPlan
from parindex.oversight.services import (
    TargetFields,
    finding_create,
    finding_resolve,
    initiative_goal_set,
    initiative_register,
    inspection_plan_save,
    inspection_record_create,
    planned_inspection_add,
    target_save,
    targets_feed,
)
from parindex.units.models import Unit

TEAMS = ("Đoàn kiểm tra số 1 (Sở Nội vụ chủ trì)", "Đoàn kiểm tra số 2 (Sở Nội vụ, Sở Tư pháp)")
DEPARTMENTS = ("so-tai-chinh", "so-y-te", "so-gd-dt", "so-xay-dung", "so-nn-mt")
FINDINGS = [
    # issue, recommendation, status, reason
    (
        "Kế hoạch CCHC của đơn vị ban hành chậm so với quy định.",
        "Ban hành kế hoạch CCHC năm sau trước ngày 15/12.",
        "resolved",
        "",
    ),
    (
        "Chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận một cửa.",
        "Niêm yết công khai đầy đủ, đúng quy định các TTHC thuộc thẩm quyền.",
        "in_progress",
        "",
    ),
    (
        "Tỷ lệ hồ sơ giải quyết trễ hạn cao (7,2%).",
        "Rà soát quy trình nội bộ, gửi thư xin lỗi đúng quy định.",
        "unresolved",
        "Phần mềm một cửa chưa kết nối với hệ thống của Bộ, chờ nâng cấp trong quý I.",
    ),
    (
        "Báo cáo CCHC quý III gửi trễ hạn.",
        "Chấn chỉnh việc gửi báo cáo định kỳ đúng hạn.",
        "resolved",
        "",
    ),
    (
        "Chưa cập nhật vị trí việc làm sau sắp xếp tổ chức bộ máy.",
        "Hoàn thiện đề án vị trí việc làm, trình cấp có thẩm quyền phê duyệt.",
        "unresolved",
        "Chờ hướng dẫn của Bộ Nội vụ về khung vị trí việc làm mới.",
    ),
]
INITIATIVES = [
    # unit, title, level, decision
    ("tt-phvhcc", "Hẹn giờ trả kết quả qua Zalo OA của Trung tâm", "ministry", "QĐ số 812/QĐ-BNV"),
    ("so-tu-phap", "Cấp phiếu lý lịch tư pháp trên VNeID", "ministry", "QĐ số 935/QĐ-BNV"),
    ("so-noi-vu", "Bản đồ số theo dõi nhiệm vụ CCHC", "province", "QĐ số 1450/QĐ-UBND"),
    ("so-tai-chinh", "Tự động đối chiếu giải ngân với Kho bạc", "province", "QĐ số 1451/QĐ-UBND"),
    ("so-y-te", "Đặt lịch khám bệnh trực tuyến liên thông", "province", "QĐ số 1452/QĐ-UBND"),
    ("so-xay-dung", "Cấp phép xây dựng không gặp mặt", "unit", ""),
    ("so-gd-dt", "Tuyển sinh đầu cấp trực tuyến", "unit", ""),
]
AUTONOMY = (
    "Tự bảo đảm chi thường xuyên và chi đầu tư",
    "Tự bảo đảm từ 70% đến dưới 100% chi thường xuyên",
    "Tự bảo đảm từ 30% đến dưới 70% chi thường xuyên",
    "Tự bảo đảm từ 10% đến dưới 30% chi thường xuyên",
)


def seed_oversight(
    *, cycle: Cycle, units: dict[str, Unit], communes: list[Unit], province: Unit, admin: User
) -> bool:
    """Seed the oversight data of ``cycle``; False when it was there already."""
    if InspectionPlan.objects.filter(cycle=cycle).exists():
        return False
    plan = inspection_plan_save(
        cycle=cycle,
        title=f"Kế hoạch kiểm tra công tác cải cách hành chính năm {cycle.year}",
        decision=f"Quyết định số 215/QĐ-UBND ngày 20/02/{cycle.year}",
        actor=None,
    )
    start = date(cycle.year, 4, 7)
    chosen = [units[c] for c in DEPARTMENTS] + [units["thue"]] + communes[:20]
    entries = [
        planned_inspection_add(
            plan=plan,
            unit=unit,
            planned_on=start + timedelta(days=7 * (n // 3)),
            team=TEAMS[n % 2],
            actor=None,
        )
        for n, unit in enumerate(chosen)
    ]
    for n, entry in enumerate(entries[:8]):
        record = inspection_record_create(
            entry=entry,
            inspected_on=entry.planned_on,
            team=entry.team,
            content="Kiểm tra công tác chỉ đạo, điều hành CCHC; cải cách TTHC; thực hiện cơ "
            "chế một cửa, một cửa liên thông; chế độ báo cáo.",
            actor=None,
        )
        for issue, recommendation, status, reason in (FINDINGS[n % 5], FINDINGS[(n + 2) % 5]):
            finding = finding_create(
                record_row=record,
                issue=issue,
                recommendation=recommendation,
                due_on=entry.planned_on + timedelta(days=60),
                actor=None,
            )
            if status != "in_progress":
                finding_resolve(finding=finding, status=status, reason=reason, actor=None)
    _seed_initiatives(cycle.year, units)
    _seed_targets(cycle, units, province, admin)
    return True


def _seed_initiatives(year: int, units: dict[str, Unit]) -> None:
    initiative_goal_set(year=year, per_department=1, ministry=3, actor=None)
    for code, title, level, decision in INITIATIVES:
        initiative_register(
            unit=units[code],
            year=year,
            title=title,
            summary="Sáng kiến, giải pháp mới trong cải cách hành chính (dữ liệu minh hoạ).",
            authors="Tổ công tác CCHC của đơn vị",
            level=level,
            recognised_on=date(year, 9, 15) if decision else None,
            decision=decision,
            actor=None,
        )


def _row(cycle: Cycle, admin: User, **fields: Any) -> None:
    target_save(cycle=cycle, fields=TargetFields(**fields), actor=admin)


def _seed_targets(cycle: Cycle, units: dict[str, Unit], province: Unit, admin: User) -> None:
    finance = units["so-tai-chinh"]
    for kind, name, target, actual, measure in (
        ("investment", "Vốn đầu tư thực hiện trên địa bàn", "38000", "39650", "tỷ đồng"),
        ("enterprise", "Doanh nghiệp thành lập mới, quay lại thị trường", "1200", "1087", "DN"),
        ("budget", "Thu ngân sách nhà nước trên địa bàn", "7800", "8125", "tỷ đồng"),
    ):  # fmt: skip
        _row(cycle, admin, kind=kind, name=name, unit=province, lead_unit=finance,
             measure=measure, target=target, actual=actual)  # fmt: skip
    for n, group in enumerate(AUTONOMY):
        _row(cycle, admin, kind="autonomy", name=f"Số đơn vị sự nghiệp: {group.lower()}",
             unit=province, lead_unit=units["so-noi-vu"], measure="đơn vị",
             target=str(3 + n), actual=str(3 + n + (n % 2)),
             note="Mỗi nhóm tự chủ có thêm ít nhất 01 đơn vị so với năm trước.")  # fmt: skip
    # Public-investment disbursement ≥ 95 %, scored by the leaf's own bands (6.1.2).
    for code, actual in (("so-xay-dung", "96.4"), ("so-nn-mt", "91.8"), ("so-y-te", "78.5")):
        _row(cycle, admin, kind="disbursement", name="Tỷ lệ giải ngân kế hoạch vốn đầu tư công",
             unit=units[code], lead_unit=finance, measure="%", target="95", actual=actual,
             formula="rule", criterion_code="6.1.2")  # fmt: skip
    for code, actual in (("so-cong-thuong", "87.5"), ("so-tai-chinh", "100")):
        _row(cycle, admin, kind="other", name="Tỷ lệ chỉ tiêu KT-XH của ngành đạt và vượt kế hoạch",
             unit=units[code], lead_unit=finance, measure="%", target="100", actual=actual,
             formula="rule", criterion_code="8.3.1")  # fmt: skip
    targets_feed(cycle=cycle, actor=admin)
