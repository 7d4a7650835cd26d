"""Writes of the national results app (keyword-only, audited, one durable transaction).

* :func:`national_dataset_import` — read a national results file (CSV or Excel) against a
  national framework and the provinces, and store it as the dataset of its year and kind,
  replacing the previous one atomically. Any problem (unknown province or criterion code,
  bad number, points above the maximum…) refuses the whole file with every problem listed
  by line; nothing is saved.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from parindex.accounts.models import User
from parindex.accounts.permissions import actor_user, require_admin
from parindex.audit.services import record
from parindex.formats.errors import FormatError
from parindex.formats.national import NationalRow, province_key, read_national
from parindex.frameworks.models import Framework
from parindex.national.models import IndexKind, NationalDataset, NationalScore
from parindex.national.selectors import node_maxima
from parindex.units.models import Unit, UnitKind

#: Largest national results file accepted (bytes): 63 provinces × 200 nodes fit in 1 MB.
MAX_BYTES = 5 * 1024 * 1024


def province_lookup() -> dict[str, str]:
    """Folded code, name and short name of every province unit → its code."""
    out: dict[str, str] = {}
    for code, name, short, official in Unit.objects.filter(kind=UnitKind.PROVINCE).values_list(
        "code", "name", "short_name", "official_code"
    ):
        for key in (code, name, short, "" if official is None else str(official)):
            if key:
                out.setdefault(province_key(key), code)
    return out


def national_dataset_import(
    *,
    framework: Framework,
    year: int,
    kind: str,
    file_name: str,
    data: bytes,
    actor: User | None,
    is_sample: bool = False,
) -> NationalDataset:
    """Store the national results of ``year`` and ``kind`` from a file (Sở Nội vụ only).

    Raises :class:`FormatError` with every problem of the file (nothing saved), or
    :class:`ValidationError` for a bad year, kind or an empty/oversized file.
    """
    require_admin(actor, "nhập kết quả chỉ số quốc gia", system=True)
    if kind not in IndexKind.values:
        raise ValidationError({"kind": "Chọn chỉ số PAR INDEX hoặc SIPAS."})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": f"Năm đánh giá {year} không hợp lệ."})
    if not data:
        raise ValidationError({"file": "Tệp rỗng: chọn tệp kết quả do Bộ Nội vụ công bố."})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": "Tệp quá lớn (tối đa 5 MB)."})
    rows, problems = read_national(
        data, name=file_name, maxima=node_maxima(framework), provinces=province_lookup()
    )
    if problems:
        raise FormatError(problems)
    units = dict(
        Unit.objects.filter(
            kind=UnitKind.PROVINCE, code__in={r.province for r in rows}
        ).values_list("code", "pk")
    )
    home = _home(rows)
    with transaction.atomic(durable=True):
        old = NationalDataset.objects.select_for_update().filter(year=year, kind=kind).first()
        before = None
        if old is not None:
            before = {
                "file": old.file_name,
                "rows": old.scores.count(),
                "framework": old.framework_id,
            }
            old.delete()
        ds = NationalDataset.objects.create(
            year=year,
            kind=kind,
            framework=framework,
            home_id=units.get(home) if home else None,
            file_name=file_name[:300],
            is_sample=is_sample,
            imported_by=actor_user(actor),
        )
        NationalScore.objects.bulk_create(
            NationalScore(
                dataset=ds, unit_id=units[r.province], code=r.code, points=r.points, region=r.region
            )
            for r in rows
        )
        record(
            actor=actor,
            action="national.replace" if before else "national.import",
            obj=ds,
            before=before,
            after={
                "file": ds.file_name,
                "rows": len(rows),
                "provinces": len(units),
                "framework": framework.code,
                "home": home,
            },
        )
    return ds


def _home(rows: list[NationalRow]) -> str | None:
    """The installation's province: ``PARINDEX_PROVINCE_CODE``, else the home province of
    the datasets already imported, when the file has it; else the province with the most
    rows (the one the Ministry gave per criterion)."""
    counts = Counter(r.province for r in rows)
    earlier = (
        NationalDataset.objects.filter(home__isnull=False)
        .order_by("-year", "-pk")
        .values_list("home__code", flat=True)
        .first()
    )
    for wanted in (settings.PARINDEX_PROVINCE_CODE, earlier):
        if wanted and wanted in counts:
            return str(wanted)
    return counts.most_common(1)[0][0] if counts else None
