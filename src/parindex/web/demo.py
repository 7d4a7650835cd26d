"""The demo province: Cà Mau after the 1 July 2025 reorganisation (merged with Bạc Liêu),
its 64 real communes and wards from vietnam-provinces, its provincial departments and a
few vertical agencies, the shipped sample frameworks, the 2025 cycle in self-assessment
and one account per role. ``seed_demo()`` is idempotent: a second run changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from parindex.accounts.models import Role, User
from parindex.accounts.services import user_create
from parindex.assessments.models import (
    AppraisalAssignment,
    Assessment,
    AssessmentStatus,
    FinalSource,
    LeafScore,
)
from parindex.assessments.services import assessments_open, assignment_set
from parindex.audit.services import record
from parindex.cycles.models import Cycle, CycleStatus
from parindex.cycles.services import cycle_create, cycle_transition
from parindex.dossiers.demo import seed_dossiers
from parindex.formats.errors import FormatError
from parindex.formats.frameworks import load_framework_file, shipped_frameworks
from parindex.formats.metrics import read_metrics
from parindex.frameworks.models import Framework
from parindex.frameworks.services import framework_import
from parindex.improvement.demo import seed_improvement, seed_next_year_draft
from parindex.national.demo import seed_national
from parindex.oversight.demo import seed_oversight
from parindex.results.services import cycle_publish, metrics_import, results_recompute
from parindex.surveys.demo import seed_surveys
from parindex.units.models import Unit, UnitGroup, UnitKind
from parindex.units.services import lineage_add, units_load_divisions

DEMO_PASSWORD = "parindex-demo"
PROVINCE = "Cà Mau"
CYCLE_NAME = "Chỉ số CCHC năm 2025"
CYCLE_YEAR = 2025
PREVIOUS_YEAR = 2024
PREVIOUS_NAME = "Chỉ số CCHC năm 2024 (dữ liệu minh hoạ)"
DEPARTMENT_FRAMEWORK = "sample-departments-2025"
COMMUNE_FRAMEWORK = "sample-communes-2025"

GROUPS = [
    # code, name, kind, position
    ("so-ban-nganh", "Sở, ban, ngành", "department", 1),
    ("ubnd-xa-phuong", "UBND xã, phường", "commune", 2),
    ("nganh-doc", "Cơ quan ngành dọc", "vertical", 3),
]

#: Provincial agencies of Cà Mau after the 2025 reorganisation (code, name, short name).
DEPARTMENTS = [
    ("vp-ubnd", "Văn phòng UBND tỉnh", "VP UBND"),
    ("so-noi-vu", "Sở Nội vụ", "SNV"),
    ("so-tu-phap", "Sở Tư pháp", "STP"),
    ("so-tai-chinh", "Sở Tài chính", "STC"),
    ("so-cong-thuong", "Sở Công Thương", "SCT"),
    ("so-nn-mt", "Sở Nông nghiệp và Môi trường", "SNN&MT"),
    ("so-xay-dung", "Sở Xây dựng", "SXD"),
    ("so-kh-cn", "Sở Khoa học và Công nghệ", "SKH&CN"),
    ("so-gd-dt", "Sở Giáo dục và Đào tạo", "SGD&ĐT"),
    ("so-y-te", "Sở Y tế", "SYT"),
    ("so-vh-tt-dl", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("so-dan-toc-ton-giao", "Sở Dân tộc và Tôn giáo", "SDT&TG"),
    ("thanh-tra", "Thanh tra tỉnh", "TTr"),
    ("bql-kkt", "Ban Quản lý Khu kinh tế", "BQL KKT"),
    ("tt-phvhcc", "Trung tâm Phục vụ hành chính công tỉnh", "TT PVHCC"),
]

VERTICALS = [
    ("thue", "Thuế tỉnh Cà Mau", "Thuế"),
    ("bhxh", "Bảo hiểm xã hội tỉnh Cà Mau", "BHXH"),
    ("kho-bac", "Kho bạc Nhà nước khu vực (Cà Mau)", "KBNN"),
    ("thong-ke", "Thống kê tỉnh Cà Mau", "Thống kê"),
    ("hai-quan", "Hải quan (Cà Mau)", "Hải quan"),
]

MERGER_DATE = date(2025, 7, 1)
DEMO_NOTE = "Ví dụ minh hoạ trong dữ liệu demo, không phải căn cứ pháp lý."


def _logins(units: dict[str, Any], commune: Any) -> list[dict[str, Any]]:
    return [
        {
            "username": "snv.admin",
            "full_name": "Nguyễn Văn An",
            "role": "admin",
            "unit": units["so-noi-vu"],
            "superuser": True,
        },
        {
            "username": "canbo.tuphap",
            "full_name": "Trần Thị Bích",
            "role": "unit_staff",
            "unit": units["so-tu-phap"],
        },
        {
            "username": "thutruong.tuphap",
            "full_name": "Lê Minh Châu",
            "role": "unit_head",
            "unit": units["so-tu-phap"],
        },
        {
            "username": "canbo.xa",
            "full_name": "Phạm Văn Dũng",
            "role": "unit_staff",
            "unit": commune,
        },
        {
            "username": "thamdinh",
            "full_name": "Võ Thị Hạnh",
            "role": "appraiser",
            "unit": units["so-noi-vu"],
        },
        {"username": "hoidong", "full_name": "Huỳnh Quốc Khánh", "role": "council", "unit": None},
        {"username": "lanhdao", "full_name": "Đặng Thanh Long", "role": "leader", "unit": None},
    ]


def _merged_into(successor: Unit, code: str, note: str, **fields: Any) -> None:
    """The former unit ``code`` (inactive since the 2025 merger) and its link to
    ``successor``, the unit it merged into."""
    former, _ = Unit.objects.get_or_create(
        code=code,
        defaults={**fields, "is_active": False, "valid_to": MERGER_DATE - timedelta(days=1)},
    )
    lineage_add(
        predecessor=former,
        successor=successor,
        kind="merged",
        effective=MERGER_DATE,
        actor=None,
        note=note,
    )


def seed_demo() -> dict[str, Any]:
    """Create the demo province (idempotent). Returns the logins to print."""
    created = False
    with transaction.atomic():
        groups: dict[str, UnitGroup] = {}
        for code, name, kind, position in GROUPS:
            groups[code], _ = UnitGroup.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "position": position}
            )
        province = Unit.objects.filter(kind=UnitKind.PROVINCE, code="ca_mau").first()
        if province is None or not province.children.filter(kind=UnitKind.COMMUNE).exists():
            units_load_divisions(
                actor=None, province=PROVINCE, commune_group=groups["ubnd-xa-phuong"]
            )
            province = Unit.objects.get(kind=UnitKind.PROVINCE, code="ca_mau")
            created = True

        units: dict[str, Unit] = {}
        for items, group, kind in (
            (DEPARTMENTS, "so-ban-nganh", UnitKind.DEPARTMENT),
            (VERTICALS, "nganh-doc", UnitKind.VERTICAL),
        ):
            for code, name, short in items:
                unit, new = Unit.objects.get_or_create(
                    code=code,
                    defaults={
                        "name": name,
                        "short_name": short,
                        "kind": kind,
                        "group": groups[group],
                        "parent": province,
                    },
                )
                created = created or new
                units[code] = unit

        # Lineage: Bạc Liêu merged into Cà Mau (Nghị quyết 202/2025/QH15, from 1/7/2025).
        _merged_into(
            province,
            "bac_lieu_truoc_2025",
            "Hợp nhất tỉnh Bạc Liêu và tỉnh Cà Mau thành tỉnh Cà Mau.",
            name="Tỉnh Bạc Liêu (trước 01/07/2025)",
            short_name="Bạc Liêu",
            kind=UnitKind.PROVINCE,
            division_type="tỉnh",
        )
        bl_ward = Unit.objects.filter(parent=province, name="Phường Bạc Liêu").first()
        if bl_ward is not None:
            for n in (1, 2):
                _merged_into(
                    bl_ward,
                    f"demo-phuong-{n}-bac-lieu-cu",
                    DEMO_NOTE,
                    name=f"Phường {n} (TP Bạc Liêu, trước 2025 — demo)",
                    kind=UnitKind.COMMUNE,
                    division_type="phường",
                )

        shipped = shipped_frameworks()
        for code in (DEPARTMENT_FRAMEWORK, COMMUNE_FRAMEWORK):
            if code not in shipped:
                raise RuntimeError(f"Thiếu bộ tiêu chí mẫu {code} trong gói cài đặt.")
        frameworks: dict[str, Framework] = {}
        for code, path in shipped.items():
            fw = Framework.objects.filter(code=code).first()
            if fw is None:
                fw = framework_import(
                    framework=load_framework_file(path), actor=None, imported_from=path.name
                )
                created = True
            frameworks[code] = fw

        communes = list(
            Unit.objects.filter(
                parent=province, kind=UnitKind.COMMUNE, group=groups["ubnd-xa-phuong"]
            )
        )
        commune = next((u for u in communes if u.name == "Phường An Xuyên"), None) or communes[0]

        cycle = Cycle.objects.filter(name=CYCLE_NAME, year=CYCLE_YEAR).first()
        if cycle is None:
            now = timezone.localtime().replace(hour=17, minute=0, second=0, microsecond=0)
            deadlines = {
                "self_assessment": now + timedelta(days=21),
                "appraisal_round1": now + timedelta(days=42),
                "explanation": now + timedelta(days=49),
                "appraisal_round2": now + timedelta(days=63),
                "council": now + timedelta(days=77),
                "published": now + timedelta(days=91),
            }
            cycle = cycle_create(
                year=CYCLE_YEAR,
                name=CYCLE_NAME,
                frameworks={
                    groups["so-ban-nganh"]: frameworks[DEPARTMENT_FRAMEWORK],
                    groups["nganh-doc"]: frameworks[DEPARTMENT_FRAMEWORK],
                    groups["ubnd-xa-phuong"]: frameworks[COMMUNE_FRAMEWORK],
                },
                units=[*units.values(), *communes],
                actor=None,
                deadlines=deadlines,
            )
            cycle_transition(
                cycle=cycle,
                to=CycleStatus.SELF_ASSESSMENT,
                actor=None,
                reason="Bắt đầu tự đánh giá (dữ liệu demo).",
            )
            created = True
        assessments_open(cycle=cycle, actor=None)

        logins = []
        for spec in _logins(units, commune):
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                user = user_create(
                    username=spec["username"],
                    password=DEMO_PASSWORD,
                    role=spec["role"],
                    full_name=spec["full_name"],
                    unit=spec["unit"],
                    actor=None,
                    is_staff=spec.get("superuser", False),
                    is_superuser=spec.get("superuser", False),
                )
                created = True
            logins.append(
                {
                    "username": user.username,
                    "password": DEMO_PASSWORD,
                    "role": user.role,
                    "role_label": Role(user.role).label,
                    "full_name": user.full_name,
                    "unit": str(user.unit) if user.unit_id else "",
                }
            )
        appraiser = User.objects.get(username="thamdinh")
        if not AppraisalAssignment.objects.filter(cycle=cycle, appraiser=appraiser).exists():
            # The demo appraiser handles every unit and criterion of the current cycle.
            assignment_set(
                cycle=cycle, appraiser=appraiser, units=[], criteria_codes=[], actor=None
            )
            created = True
        if not Cycle.objects.filter(year=PREVIOUS_YEAR).exists():
            _seed_previous_year(
                frameworks={
                    groups["so-ban-nganh"]: frameworks[DEPARTMENT_FRAMEWORK],
                    groups["nganh-doc"]: frameworks[DEPARTMENT_FRAMEWORK],
                    groups["ubnd-xa-phuong"]: frameworks[COMMUNE_FRAMEWORK],
                },
                units=[*units.values(), *communes],
                admin=User.objects.get(username="snv.admin"),
            )
            created = True
    created = bool(seed_national()) or created
    seed_improvement(admin=User.objects.get(username="snv.admin"))
    seed_next_year_draft(admin=User.objects.get(username="snv.admin"))
    created = seed_oversight(
        cycle=cycle, units=units, communes=communes, province=province,
        admin=User.objects.get(username="snv.admin"),
    ) or created  # fmt: skip
    # After the main transaction, like the others (the import's transactions are durable).
    seed_dossiers(unit_codes=[c for c, *_ in DEPARTMENTS], year=CYCLE_YEAR)
    created = (
        seed_surveys(
            cycle=cycle,
            unit_codes=[c for c, *_ in DEPARTMENTS],
            admin=User.objects.get(username="snv.admin"),
        )
        or created
    )
    return {
        "created": created,
        "province": province.name,
        "password": DEMO_PASSWORD,
        "logins": logins,
        "cycle": cycle.pk,
        "units": len(units) + len(communes),
        "communes": len(communes),
    }


def _seed_previous_year(*, frameworks: dict[Any, Any], units: list[Any], admin: Any) -> None:
    """A published 2024 cycle with made-up but plausible final points and metrics, so the
    dashboards, the comparison with last year and the public page have something to show.

    The points are illustrative (a fixed pseudo-random draw per unit), recorded as demo
    history rather than entered through the appraisal pages.
    """
    cycle = cycle_create(
        year=PREVIOUS_YEAR, name=PREVIOUS_NAME, frameworks=frameworks, units=units, actor=None
    )
    assessments_open(cycle=cycle, actor=None)
    rows = list(
        LeafScore.objects.filter(assessment__cycle=cycle).select_related(
            "criterion", "assessment__unit"
        )
    )
    cent = Decimal("0.01")
    quality: dict[str, float] = {}
    for row in rows:
        code = row.assessment.unit.code
        rng = random.Random(f"{code}:{row.criterion.code}")
        if code not in quality:
            quality[code] = random.Random(code).uniform(0.45, 0.98)
        share = min(1.0, max(0.0, rng.gauss(quality[code], 0.2)))
        top = row.criterion.max_points
        assert top is not None  # every leaf of a shipped framework has its maximum
        points = min(top, (top * Decimal(share)).quantize(cent))
        row.self_points = min(top, points + Decimal("0.25"))
        row.round1_points = points
        row.final_points = points
        row.final_source = FinalSource.ROUND1
    # One parameterised statement for ~6,000 rows: bulk_update's CASE expressions take
    # seconds here, executemany a fraction of one.
    table = connection.ops.quote_name(LeafScore._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET self_points = %s, round1_points = %s, final_points = %s, "
            "final_source = %s WHERE id = %s",
            [(r.self_points, r.round1_points, r.final_points, r.final_source, r.pk) for r in rows],
        )
    Assessment.objects.filter(cycle=cycle).update(status=AssessmentStatus.APPROVED)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.APPROVED)
    record(
        actor=None,
        action="demo.history",
        obj=cycle,
        after={"scores": len(rows)},
        reason="Kết quả năm 2024 minh hoạ cho bản demo (không phải số liệu thật).",
        context={"cycle": cycle.pk},
    )
    lines = ["unit,metric,value"]
    for unit in units:
        rng = random.Random(f"metrics:{unit.code}")
        lines.append(f"{unit.code},late_dossier_rate,{rng.choice([0, 0.5, 1.2, 2.8, 4.1, 6.3])}")
        lines.append(f"{unit.code},satisfaction_index,{rng.choice([78.5, 82.0, 86.4, 90.2, 93.7])}")
    metric_rows, problems = read_metrics("\n".join(lines) + "\n", name="metrics.csv")
    if problems:
        raise FormatError(problems)
    metrics_import(cycle=cycle, rows=metric_rows, source_name="metrics.csv", actor=admin)
    cycle.refresh_from_db()
    results_recompute(cycle=cycle, actor=None)
    cycle_publish(cycle=cycle, actor=admin)
