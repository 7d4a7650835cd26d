"""Reads of the dossiers app, scoped to the user: a province-wide role sees every dossier,
a unit user the dossiers of the unit; a unit outside the scope is a 404.

Metrics of a whole year are GROUP BY queries over the class stored at import
(``class_year``/``outcome``), plus the few dossiers stored for another year that were open
at this year's end, judged on the fly by the engine. Other periods (quarter, month, dates)
are judged on the fly for the dossiers they touch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from parindex.accounts.models import User
from parindex.accounts.permissions import is_admin
from parindex.dossiers.filters import FILTERS
from parindex.dossiers.models import (
    DEFAULT_THRESHOLD,
    Apology,
    Dossier,
    DossierImport,
    DossierYearCount,
    OfficialThreshold,
    StatusMapping,
)
from parindex.engine.dossier_codes import LOCAL, Counts, Outcome, Period, rates
from parindex.units.models import Unit

if TYPE_CHECKING:
    import numpy as np

#: Group keys of the metrics: the column grouped on.
GROUPS = {
    "unit": "unit_id",
    "official": "official",
    "procedure": "procedure",
    "field": "field",
    "channel": "channel",
}
CLASS_NAMES = {
    "early": Outcome.EARLY,
    "on_time": Outcome.ON_TIME,
    "late": Outcome.LATE,
    "open_within": Outcome.OPEN_WITHIN,
    "open_over": Outcome.OPEN_OVER,
}
LATE = (int(Outcome.LATE), int(Outcome.OPEN_OVER))
#: Filter names of the drill-down that are sets of classes.
CLASS_SETS = {
    **{k: (int(v),) for k, v in CLASS_NAMES.items()},
    "received": tuple(int(v) for v in CLASS_NAMES.values()),
    "late_all": LATE,
}
_FLY = (
    "pk", "status", "received_at", "due_at", "due_original_at", "finished_at", "returned_at",
    "stopped_at", "supplement_count", "supplement_requested_at", "supplement_completed_at",
    "legal_amount", "legal_unit", "channel", "processing_seconds",
)  # fmt: skip
_AS_FILE = {
    "received_at": "received", "due_at": "due", "due_original_at": "due_original",
    "finished_at": "finished", "returned_at": "returned", "stopped_at": "stopped",
    "supplement_requested_at": "supplement_requested",
    "supplement_completed_at": "supplement_completed",
}  # fmt: skip
CHUNK = 50_000


def _reader_units(user: User | AnonymousUser | None) -> list[int] | None:
    """The one rule of who reads which unit's dossiers: ``None`` every unit (the system —
    CLI, feeds run by the worker — and the province-wide readers), the unit user's own
    unit, or ``[]`` none."""
    if user is None:
        return None
    if not user.is_authenticated or not user.is_active:
        return []
    if user.sees_all_units:
        return None
    if user.is_unit_user and user.unit_id:
        return [user.unit_id]
    return []


def dossiers_for(user: User | AnonymousUser | None) -> QuerySet[Dossier]:
    """Every dossier the user may read."""
    units = _reader_units(user)
    if units is None:
        return Dossier.objects.all()
    return Dossier.objects.filter(unit_id=units[0]) if units else Dossier.objects.none()


def can_read_dossiers(user: User | AnonymousUser | None) -> bool:
    return _reader_units(user) != []


def require_reader(user: User | AnonymousUser) -> None:
    """404 for a user who reads no dossier at all (outsiders)."""
    if not can_read_dossiers(user):
        raise Http404


def units_for(user: User | AnonymousUser | None) -> QuerySet[Unit]:
    units = _reader_units(user)
    if units is None:
        return Unit.objects.all()
    return Unit.objects.filter(pk=units[0]) if units else Unit.objects.none()


def imports_for(user: User | AnonymousUser | None) -> QuerySet[DossierImport]:
    """Import jobs: Sở Nội vụ (admin) only."""
    if user is None or (user.is_authenticated and user.is_province_admin):
        return DossierImport.objects.select_related("requested_by")
    return DossierImport.objects.none()


def import_get(user: User | AnonymousUser, pk: int) -> DossierImport:
    job = imports_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def status_mappings_for(user: User | AnonymousUser | None) -> QuerySet[StatusMapping]:
    """The admin's status mappings (Sở Nội vụ only; nobody else sees them)."""
    if user is None or is_admin(user):
        return StatusMapping.objects.all()
    return StatusMapping.objects.none()


def status_mapping_get(user: User | AnonymousUser, pk: int) -> StatusMapping:
    found = status_mappings_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def dossier_get(user: User | AnonymousUser, pk: int) -> Dossier:
    found = dossiers_for(user).select_related("unit", "apology").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def aware(day: dt.date, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(23, 59, 59) if end else dt.time())
    return moment.replace(tzinfo=ZoneInfo(LOCAL))


def is_year(period: Period) -> bool:
    return period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(
        period.start.year, 12, 31
    )


def filtered(qs: QuerySet[Dossier], filters: dict[str, Any] | None) -> QuerySet[Dossier]:
    for name, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if name not in FILTERS:
            raise ValueError(name)
        qs = qs.filter(**{GROUPS[name]: value})
    return qs


_VALID_APOLOGY = Q(apology__in_time=True, apology__reset_once=True)


def with_apology(qs: QuerySet[Dossier], apology: str) -> QuerySet[Dossier]:
    """The dossiers with a valid apology, an invalid one, none, or all (``""``)."""
    if apology == "valid":
        return qs.filter(_VALID_APOLOGY)
    if apology == "invalid":
        return qs.filter(apology__isnull=False).exclude(_VALID_APOLOGY)
    if apology == "none":
        return qs.filter(apology__isnull=True)
    return qs


def _fly_set(qs: QuerySet[Dossier], period: Period) -> QuerySet[Dossier]:
    """The dossiers whose class for ``period`` is not stored: judged on the fly."""
    p0, p1 = aware(period.start), aware(period.end, end=True)
    touches = qs.filter(received_at__lte=p1)
    if is_year(period):
        # stored neither for this year nor as carried into it: received in an earlier year
        # and closed (or stored) after this one; or stored for an earlier year, still open
        year = period.start.year
        return touches.filter(
            Q(carry_year__gt=0, carry_year__lt=year, class_year__gt=year)
            | Q(end_at__isnull=True, class_year__lt=year)
        )
    return touches.filter(Q(end_at__isnull=True) | Q(end_at__gte=p0))


def _judged(
    qs: QuerySet[Dossier], period: Period, column: str | None
) -> Iterator[tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """``(keys, pks, outcome, channel, processing seconds)`` per chunk of the on-the-fly set."""
    names = (*_FLY, *((column,) if column else ()))
    rows = _fly_set(qs, period).values_list(*names).order_by()
    # The raw rows, not the queryset's: Django's per-value converters (SQLite's text → aware
    # datetime) cost more than the classification itself; Polars reads the times at once.
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        yield from _judge_chunks(iter(lambda: cur.fetchmany(CHUNK), []), names, period, column)


def _judge_chunks(
    chunks: Iterator[list[tuple[Any, ...]]],
    names: tuple[str, ...],
    period: Period,
    column: str | None,
) -> Iterator[tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    # numpy and Polars load with the first on-the-fly judgement, not with the web app
    import numpy as np
    import polars as pl

    from parindex.dossiers.calendar import work_calendar
    from parindex.dossiers.importing import local_series
    from parindex.engine.dossiers import classify
    from parindex.formats.dossiers import batch_arrays

    cal = None
    for chunk in chunks:
        cal = cal or work_calendar()
        cols = list(zip(*chunk, strict=True))
        values = dict(zip(names, cols, strict=True))
        frame = pl.DataFrame(
            {
                "status": pl.Series(values["status"], dtype=pl.Int64),
                **{new: local_series(list(values[old])) for old, new in _AS_FILE.items()},
                "supplement_count": pl.Series(values["supplement_count"], dtype=pl.Int64),
                "legal_amount": pl.Series(values["legal_amount"], dtype=pl.Float64),
                "legal_unit": pl.Series(values["legal_unit"], dtype=pl.Int64),
                "channel": pl.Series(values["channel"], dtype=pl.Int64),
            }
        )
        arrays = batch_arrays(frame)
        channel = arrays.pop("channel")
        outcome = classify(period=period, calendar=cal, **arrays)
        keys = list(values[column]) if column else [period.label] * len(chunk)
        proc = np.array([-1 if s is None else s for s in values["processing_seconds"]])
        yield keys, np.array(values["pk"]), outcome, channel, proc


class _Group:
    __slots__ = ("apology_invalid", "apology_valid", "counts", "proc_n", "proc_sum")

    def __init__(self) -> None:
        self.counts = Counts()
        self.proc_sum = 0
        self.proc_n = 0
        self.apology_valid = 0
        self.apology_invalid = 0


def _add(group: _Group, outcome: int, n: int, online: int, proc: int, proc_n: int) -> None:
    c = group.counts
    name = {1: "early", 2: "on_time", 3: "late", 4: "open_within", 5: "open_over"}[outcome]
    setattr(c, name, getattr(c, name) + n)
    c.received += n
    c.online += online
    group.proc_sum += proc
    group.proc_n += proc_n


def _tally(
    qs: QuerySet[Dossier],
    period: Period,
    column: str | None,
    apologies: bool = True,
    summary: tuple[bool, list[int] | None] = (False, None),
) -> dict[Any, _Group]:
    groups: dict[Any, _Group] = {}
    closed = Q(outcome__in=(1, 2, 3), processing_seconds__isnull=False)
    if is_year(period) and summary[0] and column == "unit_id":
        counts = DossierYearCount.objects.filter(year=period.start.year)
        if summary[1] is not None:
            counts = counts.filter(unit_id__in=summary[1])
        fields = ("unit_id", "outcome", "n", "online", "proc_sum", "proc_n")
        for unit, outcome, n, online, proc, proc_n in counts.values_list(*fields):
            _add(groups.setdefault(unit, _Group()), outcome, n, online, proc, proc_n)
    elif is_year(period):
        stored = (
            qs.filter(class_year=period.start.year, outcome__gt=0)
            .values(*((column,) if column else ()), "outcome")
            .annotate(
                n=Count("pk"),
                online=Count("pk", filter=Q(channel=2)),
                proc=Sum("processing_seconds", filter=closed),
                proc_n=Count("pk", filter=closed),
            )
            .order_by()
        )
        for r in stored:
            key = r[column] if column else period.label
            g = groups.setdefault(key, _Group())
            _add(g, r["outcome"], r["n"], r["online"], r["proc"] or 0, r["proc_n"])
        carried = (
            qs.filter(carry_year=period.start.year, carry_outcome__gt=0)
            .values(*((column,) if column else ()), "carry_outcome")
            .annotate(n=Count("pk"), online=Count("pk", filter=Q(channel=2)))
            .order_by()
        )
        for r in carried:  # open at this year's end: no processing time
            key = r[column] if column else period.label
            _add(groups.setdefault(key, _Group()), r["carry_outcome"], r["n"], r["online"], 0, 0)
    judged_late: set[int] = set()
    for keys, pks, outcome, channel, proc in _judged(qs, period, column):
        for key, pk, oc, ch, sec in zip(keys, pks.tolist(), outcome.tolist(), channel.tolist(),
                                        proc.tolist(), strict=True):  # fmt: skip
            if oc:
                done = oc in (1, 2, 3) and sec >= 0
                g = groups.setdefault(key, _Group())
                _add(g, oc, 1, int(ch == 2), sec if done else 0, int(done))
                if oc in LATE:
                    judged_late.add(pk)
    if apologies:
        _tally_apologies(groups, qs, period, column, judged_late)
    return groups


def apology_kind(in_time: bool, reset_once: bool) -> str:
    """``valid`` when sent at least one working day before the due date and the date was
    reset at most once; ``invalid`` otherwise (see :data:`filters.APOLOGY_LABELS`)."""
    return "valid" if in_time and reset_once else "invalid"


def _tally_apologies(
    groups: dict[Any, _Group],
    qs: QuerySet[Dossier],
    period: Period,
    column: str | None,
    judged_late: set[int],
) -> None:
    """Count, per group, the late dossiers (quá hạn, đang xử lý quá hạn) with a valid or an
    invalid apology; the others have none. An apology never changes the class: only the
    dossiers already late are looked at. Apologies are few: read them all in the scope."""
    year = period.start.year if is_year(period) else None
    names = ["dossier_id", "in_time", "reset_once", "dossier__class_year", "dossier__outcome",
             "dossier__carry_year", "dossier__carry_outcome"]  # fmt: skip
    if column:
        names.append(f"dossier__{column}")
    # every dossier (the system, Sở Nội vụ without a filter): no "IN (every dossier id)",
    # which SQLite builds as a temporary index of the whole table before reading apologies
    apologies = Apology.objects.filter(dossier__in=qs) if qs.query.where else Apology.objects
    rows = apologies.values_list(*names).order_by()
    for pk, in_time, once, cy, oc, carry_y, carry_oc, *key in rows.iterator(chunk_size=CHUNK):
        stored = year is not None and (
            (cy == year and oc in LATE) or (carry_y == year and carry_oc in LATE)
        )
        if not stored and pk not in judged_late:
            continue
        g = groups.get(key[0] if column else period.label)
        if g is None:
            continue
        if apology_kind(in_time, once) == "valid":
            g.apology_valid += 1
        else:
            g.apology_invalid += 1


def summary_scope(
    user: User | AnonymousUser | None,
    by: str,
    filters: dict[str, Any] | None,
    units: Sequence[int] | None,
) -> tuple[bool, list[int] | None]:
    """Whether a whole year's stored counts by unit can come from :class:`DossierYearCount`
    (no filter needs the rows: by unit, the user's scope is every unit or their own), and
    the units to read (``None``: all)."""
    readable = _reader_units(user)
    if readable == [] or by != "unit" or any(v not in (None, "") for v in (filters or {}).values()):
        return False, None
    wanted = None if units is None else list(units)
    if readable is None:
        return True, wanted
    return True, [u for u in (wanted or readable) if u in readable]


def metrics_rows(
    user: User | AnonymousUser | None,
    period: Period,
    by: str,
    *,
    units: Sequence[int] | None = None,
    filters: dict[str, Any] | None = None,
    apologies: bool = True,
) -> list[dict[str, Any]]:
    """One row per group: ``key``, ``label``, the five classes, ``received`` (counted),
    ``online``, the three rates (None = N/A) and ``avg_days`` (average processing time of
    the finished dossiers, in days) and the late dossiers by apology (``late_apology_valid``,
    ``_invalid``, ``_none``; all counted as none when ``apologies`` is False)."""
    qs = filtered(dossiers_for(user), filters)
    if units is not None:
        qs = qs.filter(unit_id__in=list(units))
    if by == "month":
        groups: dict[Any, _Group] = {}
        for p in period.months():
            groups.update(_tally(qs, p, None, apologies))
    else:
        summary = summary_scope(user, by, filters, units)
        groups = _tally(qs, period, GROUPS[by], apologies, summary)
    labels = _labels(by, list(groups))
    rows = []
    for key, g in groups.items():
        c = g.counts
        avg = None
        if g.proc_n:
            avg = (Decimal(g.proc_sum) / Decimal(g.proc_n * 86400)).quantize(Decimal("0.01"))
        late = c.late + c.open_over
        rows.append(
            {
                "key": key,
                "label": labels.get(key, key),
                **{f: getattr(c, f) for f in ("received", *CLASS_NAMES, "online")},
                **rates(c),
                "avg_days": avg,
                "late_apology_valid": g.apology_valid,
                "late_apology_invalid": g.apology_invalid,
                "late_apology_none": late - g.apology_valid - g.apology_invalid,
            }
        )
    if by != "month":
        rows.sort(key=lambda r: str(r["label"]))
    return rows


def _labels(by: str, keys: list[Any]) -> dict[Any, str]:
    if by == "unit":
        names = dict(Unit.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
        return {k: names.get(k, "(chưa xác định đơn vị)") for k in keys}
    if by == "channel":
        return {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
    return {k: k or "(trống)" for k in keys}


def drill_down(
    user: User | AnonymousUser,
    period: Period,
    *,
    classes: str = "received",
    filters: dict[str, Any] | None = None,
    apology: str = "",
) -> list[int]:
    """The ids of the dossiers behind a number of the metrics (``classes`` one of
    :data:`CLASS_SETS`; ``apology`` one of ``valid``, ``invalid``, ``none`` or empty), in
    the order of the list page."""
    wanted = CLASS_SETS.get(classes, CLASS_SETS["received"])
    qs = with_apology(filtered(dossiers_for(user), filters), apology)
    pks: list[int] = []
    if is_year(period):
        year = period.start.year
        stored = Q(class_year=year, outcome__in=wanted) | Q(
            carry_year=year, carry_outcome__in=wanted
        )
        pks += list(qs.filter(stored).order_by("-received_at", "pk").values_list("pk", flat=True))
    for _keys, ids, outcome, _ch, _proc in _judged(qs, period, None):
        pks += [pk for pk, oc in zip(ids.tolist(), outcome.tolist(), strict=True) if oc in wanted]
    return pks


def threshold_for(year: int) -> Decimal:
    """The officials' late-rate threshold of ``year`` (the latest row from that year or
    before; 10% when none)."""
    row = OfficialThreshold.objects.filter(year__lte=year).order_by("-year").first()
    return row.percent if row is not None else DEFAULT_THRESHOLD


def officials_report(
    user: User | AnonymousUser, year: int, *, unit: Unit | None = None
) -> dict[str, Any]:
    """Per unit, each official's counts and late rate for ``year``, flagged when at or above
    the year's threshold. Heads of unit see their own unit's staff; the province-wide roles
    see all; anyone else 404."""
    if not user.is_authenticated or not (user.sees_all_units or user.is_unit_head):
        raise Http404
    allowed = units_for(user)
    if unit is not None and not allowed.filter(pk=unit.pk).exists():
        raise Http404
    threshold = threshold_for(year)
    period = Period.year(year)
    units = [unit] if unit is not None else list(allowed.order_by("name"))
    out = []
    for u in units:
        rows = metrics_rows(user, period, "official", filters={"unit": u.pk}, apologies=False)
        for r in rows:
            r["over"] = r["late_rate"] is not None and r["late_rate"] >= threshold
        if rows:
            out.append({"unit": u, "rows": rows, "over": sum(r["over"] for r in rows)})
    return {"year": year, "threshold": threshold, "units": out}
