"""The two passes of a dossier import: read and classify the file into staged Arrow files
(bounded memory, progress visible), then upsert every staged row in one transaction.

Pass 1 streams :class:`parindex.formats.dossiers.DossierFile` batches, resolves the unit and
official, classifies each dossier for its ``class_year`` with the engine and writes the
record frame to a temporary Arrow IPC file per batch. A file with any problem stops there:
nothing reaches the database.

Pass 2 runs in the caller's transaction: the rows go in through :mod:`parindex.dossiers.bulk`
(COPY or a plain insert on a first import, an upsert that writes only changed rows on a
re-import, so re-importing a file changes nothing, ``updated_at`` included), then the
apologies and the status histories of the dossiers written.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection

from parindex.dossiers import bulk
from parindex.dossiers.bulk import BOOLS, COLUMNS, HASHED, STAMPS, Progress
from parindex.dossiers.calendar import work_calendar
from parindex.dossiers.models import Apology, Dossier, DossierStep, StatusMapping
from parindex.engine.calendar import WorkCalendar
from parindex.engine.dossier_codes import LOCAL
from parindex.engine.dossiers import Period, apology_checks, classify
from parindex.formats.dossier_columns import status_map
from parindex.formats.dossiers import CHUNK_BYTES, DossierFile, batch_arrays, history_steps
from parindex.formats.errors import Problem
from parindex.formats.folding import fold

#: Dossiers whose status history is replaced per query.
STEP_CHUNK = 5000
_FROM_FILE = {
    "received_at": "received", "due_at": "due", "due_original_at": "due_original",
    "finished_at": "finished", "returned_at": "returned", "stopped_at": "stopped",
    "supplement_requested_at": "supplement_requested",
    "supplement_completed_at": "supplement_completed", "apology_sent_at": "apology_sent",
    "apology_due_at": "apology_due",
}  # fmt: skip


@dataclass
class Staged:
    """The result of pass 1."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    flags: list[Problem] = field(default_factory=list)
    parts: list[Path] = field(default_factory=list)
    #: The status history steps of the batches that carry one (JSON), same folder.
    step_parts: list[Path] = field(default_factory=list)
    folder: Path | None = None

    def cleanup(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def statuses_for(source: str) -> dict[str, int]:
    """The shipped table of ``source`` (empty for an unknown source) with the admin's
    :class:`StatusMapping` rows on top."""
    try:
        table = status_map(source)
    except (OSError, ValueError):
        table = {}
    table.update(
        {
            fold(v): c
            for v, c in StatusMapping.objects.filter(source=source).values_list("value", "code")
        }
    )
    return table


def _lookup(pairs: list[tuple[int, list[str]]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for pk, names in pairs:
        for name in names:
            if name:
                out.setdefault(fold(name), pk)
    return out


def unit_lookup() -> dict[str, int]:
    """Folded unit code, name and short name → unit id (DonViXuLy resolution)."""
    from parindex.units.models import Unit

    rows = Unit.objects.values_list("pk", "code", "name", "short_name")
    return _lookup([(pk, [c, n, s]) for pk, c, n, s in rows])


def official_lookup() -> dict[str, int]:
    """Folded user name and full name of unit users → user id (CanBoXuLy resolution)."""
    from parindex.accounts.models import User

    rows = User.objects.filter(unit__isnull=False).values_list(
        "pk", "username", "first_name", "last_name"
    )
    return _lookup([(pk, [u, f"{f} {la}".strip(), f"{la} {f}".strip()]) for pk, u, f, la in rows])


def _resolve(col: pl.Series, table: dict[str, int]) -> pl.Series:
    uniques = [u for u in col.unique().to_list() if u]
    known = [u for u in uniques if fold(u) in table]
    return col.replace_strict(
        known, [table[fold(u)] for u in known], default=None, return_dtype=pl.Int64
    )


def stage_file(
    path: str | Path,
    *,
    source: str = "dvcqg",
    as_of: dt.date | None = None,
    calendar: WorkCalendar | None = None,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> Staged:
    """Pass 1: read, check and classify ``path``; see the module docstring."""
    report = progress or (lambda pct, msg: None)
    staged = Staged()
    name = Path(path).name
    limit = settings.PARINDEX_DOSSIER_MAX_BYTES if max_bytes is None else max_bytes
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        staged.problems.append(Problem(name, None, None, f"không mở được tệp: {exc.strerror}"))
        return staged
    if size > limit:
        staged.problems.append(
            Problem(
                name, None, None,
                f"tệp {size / 1024**3:.1f} GB vượt giới hạn {limit / 1024**3:.1f} GB "
                "(PARINDEX_DOSSIER_MAX_BYTES); chia nhỏ tệp "
                "hoặc nhập bằng lệnh parindex dossiers import",
            )
        )  # fmt: skip
        return staged
    f = DossierFile(path, source=source)
    f.name = name
    f.found.file = name
    f.statuses = statuses_for(source)
    if not f.statuses:
        f.found.add(None, None, f"không có bảng trạng thái cho nguồn {source!r}")
    cal = calendar or work_calendar()
    year = (as_of or dt.date.today()).year
    units, officials = unit_lookup(), official_lookup()
    unknown_units: set[str] = set()
    staged.folder = Path(tempfile.mkdtemp(prefix="parindex-dossiers-"))
    per_row = 0.0
    for batch in f.batches():
        if not per_row:
            per_row = min(size, CHUNK_BYTES) / max(batch.height, 1)
        staged.rows += batch.height
        if f.problems:
            continue  # keep reading to list every problem, write nothing
        frame = _records(batch, source, year, cal, units, officials, unknown_units, f)
        part = staged.folder / f"{len(staged.parts):05d}.arrow"
        frame.write_ipc(part)
        staged.parts.append(part)
        steps = history_steps(batch, f.found)
        if steps.height:
            steps_part = part.with_suffix(".steps.arrow")
            steps.write_ipc(steps_part)
            staged.step_parts.append(steps_part)
        done = min(1.0, staged.rows * per_row / size) if size else 1.0
        report(int(5 + 55 * done), f"Đã đọc {staged.rows:,} dòng".replace(",", "."))
    for unit in sorted(unknown_units):
        f.found.flag(None, "DonViXuLy", f"đơn vị “{unit}” không có trong danh mục đơn vị")
    f.found.close()
    staged.rows = f.rows
    staged.problems, staged.flags = list(f.problems), list(f.flags)
    if staged.problems:
        staged.cleanup()
        staged.parts, staged.step_parts = [], []
    return staged


def _records(
    batch: pl.DataFrame,
    source: str,
    year: int,
    cal: WorkCalendar,
    units: dict[str, int],
    officials: dict[str, int],
    unknown: set[str],
    f: DossierFile,
) -> pl.DataFrame:
    arrays = batch_arrays(batch)
    channel = arrays.pop("channel")
    end = arrays["end"]
    years = np.where(np.isnat(end), year, end.astype("datetime64[Y]").astype(np.int64) + 1970)
    outcome = _judge(arrays, years, cal)
    rec = arrays["received"]
    rec_years = np.where(np.isnat(rec), 0, rec.astype("datetime64[Y]").astype(np.int64) + 1970)
    carry_years = np.where((rec_years > 0) & (rec_years < years), rec_years, 0)
    carry = _judge(arrays, carry_years, cal)
    _apology_flags(batch, cal, f)
    unit_text = batch["unit"].fill_null("")
    unit_id = _resolve(unit_text, units)
    unknown.update(unit_text.filter(unit_id.is_null() & (unit_text != "")).unique().to_list())
    official = batch["official"].fill_null("")
    received = batch["received"]
    end_s = pl.Series(end.astype("datetime64[us]"))
    frame = pl.DataFrame(
        {
            "code": batch["code"].str.strip_chars(),
            "source": pl.repeat(source, batch.height, eager=True),
            "procedure": batch["procedure"].fill_null(""),
            "procedure_name": batch["procedure_name"].fill_null("").str.slice(0, 500),
            "field": batch["field"].fill_null("").str.slice(0, 300),
            "unit_text": unit_text.str.slice(0, 300),
            "official": official.str.slice(0, 200),
            **{c: batch[src] for c, src in _FROM_FILE.items()},
            "end_at": end_s,
            "unit_id": unit_id,
            "official_user_id": _resolve(official, officials),
            "channel": pl.Series(channel).cast(pl.Int64),
            "status": batch["status"].cast(pl.Int64),
            "supplement_count": pl.Series(arrays["supplement_count"]).cast(pl.Int64),
            "pause_seconds": (
                (batch["supplement_completed"] - batch["supplement_requested"])
                .dt.total_seconds()
                .fill_null(0)
                .clip(lower_bound=0)
                .cast(pl.Int64)
            ),
            "legal_unit": pl.Series(arrays["legal_unit"]).cast(pl.Int64),
            "reappointments": batch["reappointments"].fill_null(0).cast(pl.Int64),
            "outcome": pl.Series(outcome).cast(pl.Int64),
            "class_year": pl.Series(years).cast(pl.Int64),
            "carry_outcome": pl.Series(carry).cast(pl.Int64),
            "carry_year": pl.Series(carry_years).cast(pl.Int64),
            "processing_seconds": (end_s - received).dt.total_seconds().cast(pl.Int64),
            "legal_amount": batch["legal_amount"],
            **{c: batch[c].cast(pl.Boolean) for c in BOOLS},
        }
    )
    dates = [pl.col(c) for c in STAMPS[:-1]]
    frame = frame.with_columns(version=pl.max_horizontal(dates))
    hashed = pl.struct([pl.col(c) for c in HASHED]).hash(seed=11)
    # A status history is part of the version (a changed history is a changed dossier);
    # rows without one keep the hash they had before histories were stored.
    history = batch["history"]
    with_history = pl.struct(hashed, pl.lit(history)).hash(seed=13)
    hashed = pl.when(pl.lit(history).is_null()).then(hashed).otherwise(with_history)
    return frame.with_columns(row_hash=hashed.reinterpret(signed=True)).select(COLUMNS[1:])


def _judge(arrays: dict[str, Any], years: np.ndarray, cal: WorkCalendar) -> np.ndarray:
    """Each dossier's class for the whole year in ``years`` (0 = none)."""
    outcome = np.zeros(years.shape[0], np.int8)
    for y in np.unique(years).tolist():
        if y:
            mask = years == y
            sub = {k: v[mask] for k, v in arrays.items()}
            outcome[mask] = classify(period=Period.year(int(y)), calendar=cal, **sub)
    return outcome


def _apology_flags(batch: pl.DataFrame, cal: WorkCalendar, f: DossierFile) -> None:
    sent = batch.filter(pl.col("apology_sent").is_not_null())
    if sent.height == 0:
        return
    due = sent["due_original"].fill_null(sent["due"]).to_numpy()
    in_time, once = apology_checks(
        due=due, sent=sent["apology_sent"].to_numpy(), calendar=cal,
        resets=sent["reappointments"].fill_null(1).to_numpy(),
    )  # fmt: skip
    for row, ok, single in zip(sent["_row"], in_time, once, strict=True):
        if not ok:
            f.found.flag(row, "NgayXinLoi", "phiếu xin lỗi gửi muộn: phải gửi chậm nhất 01 ngày "
                         "làm việc trước ngày hẹn trả")  # fmt: skip
        if not single:
            f.found.flag(row, "SoLanHenLai", "hẹn lại ngày trả kết quả quá một lần")


# -- pass 2 ------------------------------------------------------------------------------


def write_staged(
    staged: Staged, *, job_id: int | None, now: dt.datetime, progress: Progress | None = None
) -> dict[str, int]:
    """Pass 2 inside the caller's transaction (:mod:`parindex.dossiers.bulk`), then the
    apologies and status histories: ``{"created", "changed", "unchanged"}``."""
    report = progress or (lambda pct, msg: None)
    province = settings.PARINDEX_PROVINCE_CODE
    before = Dossier.objects.filter(province=province).count()
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    # No row of this province yet: nothing to compare, so every staged row is inserted as
    # is (no code repeats within a file, pass 1 refuses that) instead of upserted.
    first = before == 0
    with bulk.indexes_built_after(empty=not Dossier.objects.exists()):
        if connection.vendor == "postgresql":
            write = bulk.copy_postgres if first else bulk.write_postgres
        else:
            write = bulk.write_sqlite
        changed = write(staged.parts, province, job_id, stamp, report, first)
    created = Dossier.objects.filter(province=province).count() - before
    _write_apologies(job_id)
    _write_steps(staged, province, job_id)
    if changed:  # an unchanged re-import writes nothing, the counts included
        bulk.year_counts_rebuild()
    return {"created": created, "changed": changed - created, "unchanged": staged.rows - changed}


def _write_apologies(job_id: int | None) -> None:
    """One :class:`Apology` per dossier with an apology date written by this import, its
    checks from the engine (vectorised per chunk)."""
    rows = Dossier.objects.filter(imported_by_id=job_id, apology_sent_at__isnull=False)
    fields = ("pk", "apology_sent_at", "apology_due_at", "due_original_at", "due_at",
              "reappointments")  # fmt: skip
    cal: WorkCalendar | None = None
    chunk: list[tuple[Any, ...]] = []
    for row in [*rows.values_list(*fields).iterator(chunk_size=20000), None]:
        if row is not None:
            chunk.append(row)
        if chunk and (row is None or len(chunk) >= 20000):
            cal = cal or work_calendar()
            pk, sent, new_due, original, due, resets = zip(*chunk, strict=True)
            judged = [o or d for o, d in zip(original, due, strict=True)]
            counts = np.maximum(np.array(resets, dtype=np.int64), 1)
            in_time, once = apology_checks(
                due=local_stamps(judged), sent=local_stamps(list(sent)), resets=counts,
                calendar=cal,
            )  # fmt: skip
            _save_apologies(
                [
                    Apology(
                        dossier_id=p,
                        sent_at=s,
                        new_due_at=n,
                        resets=int(r),
                        in_time=bool(t),
                        reset_once=bool(o),
                    )
                    for p, s, n, r, t, o in zip(
                        pk, sent, new_due, counts, in_time, once, strict=True
                    )
                ]
            )
            chunk = []


def _write_steps(staged: Staged, province: str, job_id: int | None) -> None:
    """The status history of each dossier this import wrote (new or changed) whose new
    version carries one replaces the stored steps; unchanged dossiers keep theirs, and so
    do dossiers updated from a file without history (a CSV export has none)."""
    for part in staged.step_parts:
        steps = pl.read_ipc(part).with_columns(
            pl.col("at").dt.replace_time_zone(LOCAL).dt.convert_time_zone("UTC")
        )
        codes = steps["code"].unique().to_list()
        for start in range(0, len(codes), STEP_CHUNK):
            written = dict(
                Dossier.objects.filter(
                    province=province,
                    imported_by_id=job_id,
                    code__in=codes[start : start + STEP_CHUNK],
                ).values_list("code", "pk")
            )
            if not written:
                continue
            DossierStep.objects.filter(dossier_id__in=list(written.values())).delete()
            mine = steps.filter(pl.col("code").is_in(list(written)))
            DossierStep.objects.bulk_create(
                [
                    DossierStep(
                        dossier_id=written[code], order=order, status=status, at=at,
                        official=official or "", unit_text=unit or "",
                    )
                    for code, order, status, at, official, unit in mine.iter_rows()
                ],
                batch_size=STEP_CHUNK,
            )  # fmt: skip


def _save_apologies(batch: list[Apology]) -> None:
    if batch:
        Apology.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["dossier"],
            update_fields=["sent_at", "new_due_at", "resets", "in_time", "reset_once"],
        )


def local_series(values: list[Any]) -> pl.Series:
    """Aware datetimes (or None) from the database, or the UTC text SQLite stores for them
    when read without Django's converters → naive local times (null)."""
    utc = pl.Datetime("us", "UTC")
    if isinstance(next((v for v in values if v is not None), None), str):
        raw = pl.Series(values, dtype=pl.String)
        s = pl.select(
            pl.coalesce(
                raw.str.strptime(utc, "%Y-%m-%d %H:%M:%S", strict=False),
                raw.str.strptime(utc, "%Y-%m-%d %H:%M:%S%.f", strict=False),
            )
        ).to_series()
    else:
        s = pl.Series(values, dtype=utc)
    return s.dt.convert_time_zone(LOCAL).dt.replace_time_zone(None)


def local_stamps(values: list[Any]) -> np.ndarray:
    """Aware datetimes (or None) from the database → local ``datetime64[s]`` (NaT)."""
    return local_series(values).to_numpy().astype("datetime64[s]")
