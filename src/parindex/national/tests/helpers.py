"""The national results the tests read: the shipped SAMPLE files (real files: UTF-8 with
BOM and Windows-1258, ``;``, decimal comma) loaded as the demo loads them, with Bạc Liêu
merged into Cà Mau."""

from __future__ import annotations

import datetime

from parindex.national.demo import seed_national
from parindex.national.models import NationalDataset
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
