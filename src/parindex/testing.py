"""The test world every app's tests share: personas, units, a tiny framework, an open
cycle (:class:`World`, the ``world`` fixture), and small builders."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parindex.accounts.models import User
from parindex.assessments.models import Assessment, LeafScore
from parindex.assessments.services import assignment_set, cycle_open, score_set
from parindex.cycles.models import Cycle
from parindex.engine.framework import Framework as EngineFramework
from parindex.engine.framework import Node, Rule
from parindex.frameworks.models import Framework
from parindex.frameworks.services import framework_import
from parindex.units.models import Unit, UnitGroup

PASSWORD = "mat-khau-thu-nghiem"
#: A document reference (số/ký hiệu, ngày, cơ quan ban hành) as the forms and the API take it.
REFERENCE = {
    "title": "Báo cáo CCHC",
    "number": "45/BC-STP",
    "issued_on": "2025-12-01",
    "issuer": "Sở Tư pháp",
    "summary": "Báo cáo năm",
    "page_ref": "tr. 3",
}


def make_group(
    code: str = "so-ban-nganh", name: str = "Sở, ban, ngành", kind: str = "department"
) -> UnitGroup:
    return UnitGroup.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]


def make_unit(
    code: str, name: str | None = None, group: UnitGroup | None = None, kind: str = "department"
) -> Unit:
    return Unit.objects.create(
        code=code, name=name or code, kind=kind, group=group if group is not None else make_group()
    )


def make_user(username: str, role: str, unit: Unit | None = None, **extra: Any) -> User:
    user = User(username=username, role=role, unit=unit, full_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def tiny_framework(code: str = "thu-nghiem-2025") -> EngineFramework:
    """Two areas, a sub-criterion level, several rule types, texts and notes."""
    d = Decimal
    return EngineFramework(
        code=code,
        name="Bộ tiêu chí thử nghiệm",
        decision="Quyết định số 1/QĐ-UBND",
        year=2025,
        total=d("10"),
        label="Bộ tiêu chí mẫu",
        nodes=(
            Node(
                code="1",
                name="Công tác chỉ đạo, điều hành",
                max_points=d("6"),
                children=(
                    Node(
                        code="1.1",
                        name="Kế hoạch CCHC",
                        max_points=d("2"),
                        rule=Rule(
                            type="tiers",
                            params={
                                "tiers": [
                                    {"label": "Kịp thời", "points": d("2")},
                                    {"label": "1", "points": d("0.5")},
                                ]
                            },
                        ),
                        guidance="Ban hành trước 31/12",
                        evidence="Kế hoạch",
                    ),
                    Node(
                        code="1.2",
                        name="Báo cáo",
                        max_points=d("4"),
                        note="Có điểm thưởng",
                        children=(
                            Node(
                                code="1.2.1",
                                name="Đủ số lượng",
                                max_points=d("2.5"),
                                rule=Rule(
                                    type="bands",
                                    params={
                                        "bands": [
                                            {
                                                "min": d("0"),
                                                "max": d("50"),
                                                "min_inclusive": True,
                                                "max_inclusive": False,
                                                "points": d("0"),
                                            },
                                            {
                                                "min": d("50"),
                                                "max": d("100"),
                                                "min_inclusive": True,
                                                "max_inclusive": True,
                                                "points": d("2.5"),
                                            },
                                        ]
                                    },
                                ),
                            ),
                            Node(code="1.2.2", name="Đúng hạn", max_points=d("1.5")),
                        ),
                    ),
                ),
            ),
            Node(
                code="2",
                name="Mức độ hài lòng",
                max_points=d("4"),
                children=(
                    Node(
                        code="2.1",
                        name="Khảo sát",
                        max_points=d("4"),
                        source="survey",
                        rule=Rule(type="survey", params={"scale_min": d("1"), "scale_max": d("5")}),
                    ),
                ),
            ),
        ),
    )


def framework_with_bonus() -> EngineFramework:
    """:func:`tiny_framework` plus a bonus area "3" capped at 1 point."""
    fw = tiny_framework()
    bonus = Node(code="3", name="Điểm thưởng", max_points=Decimal("1"), source="bonus")
    return dataclasses.replace(fw, nodes=(*fw.nodes, bonus))


def mixed_depth_framework(code: str = "nhieu-cap-2025") -> EngineFramework:
    """Depths 1, 2, 4 and 6 in one tree: a scored leaf area "1", area "2" with a leaf
    criterion and a 4-level branch, area "3" six levels deep (with a survey leaf) and a
    bonus leaf area "4". Total 20."""
    d = Decimal

    def chain(code: str, mx: str, depth: int, leaves: tuple[Node, ...]) -> Node:
        """``code`` → ``code.1`` → … down to ``depth`` levels below, ending in ``leaves``."""
        node = leaves
        for level in range(depth, 0, -1):
            node = (Node(f"{code}{'.1' * level}", f"Nhánh cấp {level}", d(mx), children=node),)
        return Node(code, f"Nhánh {code}", d(mx), children=node)

    deep = (
        Node("3.1.1.1.1.1", "Khảo sát sâu", d(4), source="survey"),
        Node("3.1.1.1.1.2", "Tự chấm sâu", d(6)),
    )
    return EngineFramework(
        code=code,
        name="Bộ tiêu chí nhiều cấp",
        year=2025,
        total=d(20),
        nodes=(
            Node("1", "Lĩnh vực là tiêu chí lá", d(2), rule=Rule(type="binary")),
            Node(
                "2",
                "Lĩnh vực hỗn hợp",
                d(8),
                children=(
                    Node("2.1", "Tiêu chí lá cấp 2", d(3)),
                    chain(
                        "2.2",
                        "5",
                        1,
                        (
                            Node("2.2.1.1", "Lá cấp 4", d(2)),
                            Node("2.2.1.2", "Lá cấp 4 khác", d(3)),
                        ),
                    ),
                ),
            ),
            chain("3", "10", 4, deep),
            Node("4", "Điểm thưởng", d(1), source="bonus"),
        ),
    )


@dataclass(frozen=True)
class World:
    """A cycle open for two departments (Tư pháp, Y tế) on :func:`framework_with_bonus`,
    with every persona: the Tư pháp staff and head, Y tế's staff and head (``colleague``), an
    appraiser assigned to Tư pháp for 1.1 and 3 and one assigned to Y tế only (unassigned for
    Tư pháp), the council, a leader, the Sở Nội vụ admin and an anonymous visitor."""

    fw: Framework
    group: UnitGroup
    cycle: Cycle
    tuphap: Unit
    yte: Unit
    a: Assessment  # Tư pháp's
    b: Assessment  # Y tế's
    admin: User
    staff: User
    head: User
    other_staff: User
    colleague: User  # Y tế's head
    appraiser: User
    other_appraiser: User
    council: User
    leader: User
    anonymous: AnonymousUser = field(default_factory=AnonymousUser)

    @property
    def personas(self) -> dict[str, User | AnonymousUser]:
        """Persona name → user, in the order of the authorisation matrix."""
        return {name: getattr(self, name) for name in PERSONAS}


#: The personas every app's tests speak of (attribute names of :class:`World`).
PERSONAS = (
    "admin",
    "staff",
    "head",
    "other_staff",
    "colleague",
    "appraiser",
    "other_appraiser",
    "council",
    "leader",
    "anonymous",
)


def workflow_world(
    *,
    deadlines: dict[str, Any] | None = None,
    appraiser_criteria: tuple[str, ...] = ("1.1", "3"),
    unassigned_appraiser: str = "thamdinh2",
    framework: EngineFramework | None = None,
) -> World:
    """Build the :class:`World` (see there). The ``world`` fixture returns the default one;
    a variant may give all the stage ``deadlines`` (default: self-assessment in ten days),
    the criteria of the Tư pháp appraiser (empty = all), the other appraiser's name and
    another ``framework`` (e.g. :func:`mixed_depth_framework`)."""
    fw = framework_import(framework=framework or framework_with_bonus(), actor=None)
    group = make_group()
    tuphap = make_unit("so-tu-phap", "Sở Tư pháp", group=group)
    yte = make_unit("so-y-te", "Sở Y tế", group=group)
    admin = make_user("quantri", "admin")
    cycle = cycle_open(
        year=2025,
        name="Chỉ số CCHC năm 2025",
        frameworks={group: fw},
        units=[tuphap, yte],
        deadlines=deadlines or {"self_assessment": timezone.now() + timedelta(days=10)},
        actor=admin,
    )
    appraiser = make_user("thamdinh", "appraiser")
    other_appraiser = make_user(unassigned_appraiser, "appraiser")
    assignment_set(
        cycle=cycle,
        appraiser=appraiser,
        units=[tuphap],
        criteria_codes=list(appraiser_criteria),
        actor=admin,
    )
    assignment_set(
        cycle=cycle, appraiser=other_appraiser, units=[yte], criteria_codes=[], actor=admin
    )
    return World(
        fw=fw,
        group=group,
        cycle=cycle,
        tuphap=tuphap,
        yte=yte,
        a=Assessment.objects.get(unit=tuphap),
        b=Assessment.objects.get(unit=yte),
        admin=admin,
        staff=make_user("canbo", "unit_staff", unit=tuphap),
        head=make_user("thutruong", "unit_head", unit=tuphap),
        other_staff=make_user("nhanvien.yte", "unit_staff", unit=yte),
        colleague=make_user("canbo.yte", "unit_head", unit=yte),
        appraiser=appraiser,
        other_appraiser=other_appraiser,
        council=make_user("hoidong", "council"),
        leader=make_user("lanhdao", "leader"),
    )


@pytest.fixture
def world(db: None) -> World:
    """The suite-wide test world (registered by the root conftest)."""
    return workflow_world()


def leaf_score(assessment: Assessment, code: str) -> LeafScore:
    return LeafScore.objects.select_related("criterion").get(
        assessment=assessment, criterion__code=code
    )


def put(w: World, code: str, actor: User | None = None, **kw: Any) -> LeafScore:
    """Save leaf ``code`` of the world's Tư pháp assessment (as its staff by default)."""
    s = leaf_score(w.a, code)
    return score_set(score=s, expected_version=s.version, actor=actor or w.staff, **kw)


def fill(w: World) -> None:
    """Score every self-assessed leaf of the world's Tư pháp assessment, with evidence
    replaced by explanations, so that it can be submitted."""
    put(w, "1.1", value="Kịp thời", explanation="Kế hoạch số 12/KH")
    put(w, "1.2.1", value="75", explanation="Báo cáo quý")
    put(w, "1.2.2", not_applicable=True)


# --------------------------------------------------------------------------- query counts

#: The query-count baseline: scenario name → queries (or ``{vendor: queries}`` when the
#: backends differ). Refresh: ``pytest --refresh-query-counts`` (see CONTRIBUTING notes).
QUERY_COUNTS = Path(__file__).resolve().parents[2] / "tests" / "query_counts.json"
REFRESH_HINT = (
    "refresh the baseline with `pytest --refresh-query-counts -m 'not e2e'` "
    "(or `./run test --refresh-query-counts`) and commit tests/query_counts.json"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--refresh-query-counts",
        action="store_true",
        help="write the measured query counts to tests/query_counts.json instead of checking",
    )


class QueryCounts:
    """Checks (or, with ``--refresh-query-counts``, records) the queries of one scenario
    against :data:`QUERY_COUNTS`. ``with query_counts("web.progress"): client.get(url)``."""

    def __init__(self, refresh: bool) -> None:
        self.refresh = refresh
        self.baseline: dict[str, Any] = (
            json.loads(QUERY_COUNTS.read_text("utf-8")) if QUERY_COUNTS.exists() else {}
        )
        self.measured: dict[str, int] = {}

    def expected(self, name: str) -> int | None:
        value = self.baseline.get(name)
        if isinstance(value, dict):
            value = value.get(connection.vendor)
        return value

    def check(self, name: str, count: int, queries: list[str] | None = None) -> None:
        seen = self.measured.setdefault(name, count)
        assert seen == count, f"{name}: {count} queries here, {seen} in another test of it"
        if self.refresh:
            return
        expected = self.expected(name)
        listing = "\n".join(queries or [])
        assert expected is not None, f"{name} is not in {QUERY_COUNTS.name}: {REFRESH_HINT}"
        assert count == expected, (
            f"{name}: {count} queries, the baseline says {expected} "
            f"({'more' if count > expected else 'fewer: good, but'} {REFRESH_HINT})\n{listing}"
        )

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        with CaptureQueriesContext(connection) as ctx:
            yield
        self.check(name, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries])

    def write(self) -> None:
        merged = dict(self.baseline)
        for name, count in self.measured.items():
            old = merged.get(name)
            if isinstance(old, dict):
                merged[name] = {**old, connection.vendor: count}
            else:
                merged[name] = count
        QUERY_COUNTS.write_text(
            json.dumps(dict(sorted(merged.items())), indent=2, ensure_ascii=False) + "\n",
            "utf-8",
        )


@pytest.fixture(scope="session")
def _query_counts(request: pytest.FixtureRequest) -> Iterator[QueryCounts]:
    counts = QueryCounts(bool(request.config.getoption("--refresh-query-counts")))
    yield counts
    if counts.refresh and counts.measured:
        counts.write()


@pytest.fixture
def query_counts(_query_counts: QueryCounts, db: None) -> QueryCounts:
    """The query-count baseline (:class:`QueryCounts`)."""
    return _query_counts
