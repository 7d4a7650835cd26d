"""The demo province's national results: the sample national frameworks and the SAMPLE
PAR INDEX 2023–2025 and SIPAS 2025 files of ``parindex/data/national`` (not official
figures), with every current province as a unit and Bạc Liêu merged into Cà Mau."""

from __future__ import annotations

import json
from pathlib import Path

from parindex.formats.frameworks import load_framework_file
from parindex.frameworks.models import Framework
from parindex.frameworks.services import framework_import
from parindex.national.models import NationalDataset
from parindex.national.services import national_dataset_import
from parindex.units.models import Unit, UnitKind

DATA = Path(__file__).resolve().parent.parent / "data" / "national"
FILES = (
    (2023, "par", "mau-par-index-quoc-gia", "mau-par-index-2023.csv"),
    (2024, "par", "mau-par-index-quoc-gia", "mau-par-index-2024.csv"),
    (2025, "par", "mau-par-index-quoc-gia", "mau-par-index-2025.csv"),
    (2025, "sipas", "mau-sipas-quoc-gia", "mau-sipas-2025.csv"),
)


def _provinces() -> None:
    """Every province of the vietnam-provinces package as a unit (no communes)."""
    import vietnam_provinces

    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    known = set(Unit.objects.filter(kind=UnitKind.PROVINCE).values_list("official_code", flat=True))
    for p in data:
        if p["code"] not in known and not Unit.objects.filter(code=p["codename"]).exists():
            Unit.objects.create(
                code=p["codename"],
                name=p["name"],
                short_name=p["name"].removeprefix("Tỉnh ").removeprefix("Thành phố "),
                kind=UnitKind.PROVINCE,
                division_type=p["division_type"],
                official_code=p["code"],
            )


def seed_national() -> int:
    """Load what is missing (idempotent); returns the number of datasets imported."""
    _provinces()
    frameworks = {}
    for code in ("mau-par-index-quoc-gia", "mau-sipas-quoc-gia"):
        fw = Framework.objects.filter(code=code).first()
        if fw is None:
            path = DATA / f"{code}.yaml"
            fw = framework_import(
                framework=load_framework_file(path), actor=None, imported_from=path.name
            )
        frameworks[code] = fw
    imported = 0
    for year, kind, fw_code, name in FILES:
        if NationalDataset.objects.filter(year=year, kind=kind).exists():
            continue
        national_dataset_import(
            framework=frameworks[fw_code],
            year=year,
            kind=kind,
            file_name=name,
            data=(DATA / name).read_bytes(),
            is_sample=True,
            actor=None,
        )
        imported += 1
    return imported
