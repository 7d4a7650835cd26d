"""The national results the tests read: the shipped SAMPLE files (real files: UTF-8 with
BOM and Windows-1258, ``;``, decimal comma) loaded as the demo loads them, with Bạc Liêu
merged into Cà Mau."""

from __future__ import annotations

import datetime

from parindex.national.demo import seed_national
from parindex.national.models import NationalDataset
from parindex.results.models import ResultSet, ResultStatus
from parindex.results.services import results_recompute
from parindex.surveys.feed import survey_feed
from parindex.surveys.models import Response, Survey
from parindex.surveys.services import paper_entry, responses_approve
from parindex.surveys.tests.helpers import make_survey
from parindex.testing import World
from parindex.units.models import LineageKind, Unit, UnitKind, UnitLineage


def national_world() -> dict[int, NationalDataset]:
    """The sample datasets by year (PAR INDEX) after loading the provinces and lineage."""
    seed_national_units()
    seed_national()
    return {d.year: d for d in NationalDataset.objects.filter(kind="par")}


def seed_national_units() -> None:
    """Bạc Liêu before 2025, merged into Cà Mau (as the demo province has it)."""
    from parindex.national.demo import _provinces

    _provinces()
    ca_mau = Unit.objects.get(code="ca_mau")
    bac_lieu, _ = Unit.objects.get_or_create(
        code="bac_lieu_truoc_2025",
        defaults={
            "name": "Tỉnh Bạc Liêu (trước 01/07/2025)",
            "short_name": "Bạc Liêu",
            "kind": UnitKind.PROVINCE,
            "is_active": False,
        },
    )
    UnitLineage.objects.get_or_create(
        predecessor=bac_lieu,
        successor=ca_mau,
        defaults={"kind": LineageKind.MERGED, "effective": datetime.date(2025, 7, 1)},
    )


def authz_dataset() -> int:
    """A small national dataset for the authorisation matrix (two provinces, the sample
    framework): its id."""
    from parindex.formats.frameworks import load_framework_file
    from parindex.frameworks.models import Framework
    from parindex.frameworks.services import framework_import
    from parindex.national.demo import DATA
    from parindex.national.services import national_dataset_import

    for code, name in (("ca_mau", "Tỉnh Cà Mau"), ("can_tho", "Thành phố Cần Thơ")):
        Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": UnitKind.PROVINCE})
    fw = Framework.objects.filter(code="mau-par-index-quoc-gia").first() or framework_import(
        framework=load_framework_file(DATA / "mau-par-index-quoc-gia.yaml"), actor=None
    )
    rows = "".join(f"Tỉnh Cà Mau;{a};{m}\n" for a, m in (("1", 8), ("2", 9), ("3", 11)))
    rows += "Tỉnh Cà Mau;4;9\nTỉnh Cà Mau;5;12\nTỉnh Cà Mau;6;10\nTỉnh Cà Mau;7;11\n"
    rows += "Tỉnh Cà Mau;8;14\nCần Thơ;;84\n"
    ds = national_dataset_import(
        framework=fw, year=2025, kind="par", file_name="kq.csv",
        data=("tinh;ma;diem\n" + rows).encode(), actor=None,
    )  # fmt: skip
    return ds.pk


def _answers(w: World, survey: Survey, unit: Unit, marks: list[str]) -> None:
    """Approved paper responses of ``unit``, every likert item answered ``mark``."""
    rows = [(f"{unit.code}-{k}", {"TC1": m, "TC2": m, "CC1": m}) for k, m in enumerate(marks)]
    paper_entry(survey=survey, unit=unit, rows=rows, batch_count=len(rows), actor=w.admin)


def _final(w: World) -> None:
    rs = results_recompute(cycle=w.cycle, actor=None)
    ResultSet.objects.filter(pk=rs.pk).update(status=ResultStatus.FINAL)


def fed_survey(w: World, *, feed: bool = True) -> Survey:
    """A survey of the world's cycle, its responses approved, fed into the cycle (or not),
    and the cycle's results final. Tư pháp: 3 of 4 satisfied (75 %, n = 4: e = 0,5);
    Y tế: 2 of 2 (100 %, n = 2)."""
    survey = make_survey(w)
    _answers(w, survey, w.tuphap, ["5", "4", "4", "2"])
    _answers(w, survey, w.yte, ["5", "4"])
    responses_approve(responses=list(Response.objects.filter(survey=survey)), actor=w.admin)
    if feed:
        survey_feed(survey=survey, actor=w.admin)
    _final(w)
    return survey
