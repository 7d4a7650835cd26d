"""The two passes of a dossier import: read and classify the file into staged Arrow files
(bounded memory, progress visible), then upsert every staged row in one transaction.

Pass 1 streams :class:`parindex.formats.dossiers.DossierFile` batches, resolves the unit and
official, classifies each dossier for its ``class_year`` with the engine and writes the
record frame to a temporary Arrow IPC file per batch. A file with any problem stops there:
nothing reaches the database.

Pass 2 runs in the caller's transaction. PostgreSQL: ``COPY`` (psycopg ``cursor.copy``)
into a temporary staging table, then one ``INSERT … SELECT … ON CONFLICT (province, code)
DO UPDATE … WHERE`` the row changed and the incoming version is not older. SQLite: batched
``executemany`` of the same upsert (SQLite ≥ 3.24). Unchanged rows are not written, so
re-importing a file changes nothing (``updated_at`` included).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection

from parindex.dossiers.calendar import work_calendar
from parindex.dossiers.models import Apology, Dossier, StatusMapping
from parindex.engine.calendar import WorkCalendar
from parindex.engine.dossier_codes import LOCAL
from parindex.engine.dossiers import Period, apology_checks, classify
from parindex.formats.dossier_columns import status_map
from parindex.formats.dossiers import CHUNK_BYTES, DossierFile, batch_arrays
from parindex.formats.errors import Problem
from parindex.formats.folding import fold

Progress = Callable[[int, str], None]
#: SQLite page cache during an import (KiB).
SQLITE_CACHE_KIB = 256 * 1024

#: Record columns written to the Dossier table, in the staging order.
TEXT = ("code", "source", "procedure", "procedure_name", "field", "unit_text", "official")
STAMPS = (
    "received_at", "due_at", "due_original_at", "finished_at", "returned_at", "stopped_at",
    "end_at", "supplement_requested_at", "supplement_completed_at", "apology_sent_at",
    "apology_due_at", "version",
)  # fmt: skip
INTS = (
    "unit_id", "official_user_id", "channel", "status", "supplement_count", "pause_seconds",
    "legal_unit", "reappointments", "outcome", "class_year", "carry_outcome", "carry_year",
    "processing_seconds", "row_hash",
)  # fmt: skip
FLOATS = ("legal_amount",)
BOOLS = ("paid_online", "digitised", "reused", "result_file")
HASHED = (*TEXT, *STAMPS[:-1], *INTS[:-1], *FLOATS, *BOOLS)
COLUMNS = ("province", *TEXT, *STAMPS, *INTS, *FLOATS, *BOOLS)
#: Columns the upsert rewrites (all but the key).
UPDATED = tuple(c for c in COLUMNS if c not in ("province", "code"))
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
        done = min(1.0, staged.rows * per_row / size) if size else 1.0
        report(int(5 + 55 * done), f"Đã đọc {staged.rows:,} dòng".replace(",", "."))
    for unit in sorted(unknown_units):
        f.found.flag(None, "DonViXuLy", f"đơn vị “{unit}” không có trong danh mục đơn vị")
    f.found.close()
    staged.rows = f.rows
    staged.problems, staged.flags = list(f.problems), list(f.flags)
    if staged.problems:
        staged.cleanup()
        staged.parts = []
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
    hashed = pl.struct([pl.col(c) for c in HASHED]).hash(seed=11).reinterpret(signed=True)
    return frame.with_columns(row_hash=hashed).select(COLUMNS[1:])


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


def _frames(staged: Staged) -> Iterator[pl.DataFrame]:
    for part in staged.parts:
        yield pl.read_ipc(part)


def _utc_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Local naive times → UTC text as Django stores them (``YYYY-MM-DD HH:MM:SS``)."""
    return frame.with_columns(
        [
            pl.col(c)
            .dt.replace_time_zone(LOCAL)
            .dt.convert_time_zone("UTC")
            .dt.strftime("%Y-%m-%d %H:%M:%S")
            for c in STAMPS
        ]
    )


@contextmanager
def bulk_mode() -> Iterator[None]:
    """SQLite: foreign keys unchecked while the staged rows are written (an upsert checks
    every row's deferred keys again, 2–3× the time); the unit and user ids were read from
    the database just before. Only outside a transaction (SQLite ignores the pragma in
    one, e.g. in the tests). PostgreSQL: nothing to do."""
    switch = connection.vendor == "sqlite" and not connection.in_atomic_block
    if switch:
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if switch:
            with connection.cursor() as cur:
                cur.execute("PRAGMA foreign_keys = ON")


def write_staged(
    staged: Staged, *, job_id: int | None, now: dt.datetime, progress: Progress | None = None
) -> dict[str, int]:
    """Pass 2 inside the caller's transaction: ``{"created", "changed", "unchanged"}``."""
    report = progress or (lambda pct, msg: None)
    province = settings.PARINDEX_PROVINCE_CODE
    before = Dossier.objects.filter(province=province).count()
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with _indexes_built_after(empty=not Dossier.objects.exists()):
        if connection.vendor == "postgresql":
            changed = _write_postgres(staged, province, job_id, stamp, report)
        else:
            changed = _write_sqlite(staged, province, job_id, stamp, report)
    created = Dossier.objects.filter(province=province).count() - before
    _write_apologies(job_id)
    return {"created": created, "changed": changed - created, "unchanged": staged.rows - changed}


def _secondary_indexes() -> list[tuple[str, str]]:
    """``(name, CREATE statement)`` of the dossier table's indexes that no constraint
    needs (the metrics' and the foreign keys'; not the primary key nor the unique key the
    upsert's ON CONFLICT uses), read from the database's catalogue."""
    table = Dossier._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM "
                "pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        return [(name, sql) for name, sql in cur.fetchall() if "UNIQUE" not in sql.upper()]


@contextmanager
def _indexes_built_after(*, empty: bool) -> Iterator[None]:
    """A first import into an empty table writes the rows without the secondary indexes
    and builds them once at the end (one sort each instead of a B-tree insert per row and
    index), in the same transaction: a failure rolls the drop back too."""
    indexes = _secondary_indexes() if empty else []
    with connection.cursor() as cur:
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cur:
        if indexes and connection.vendor == "postgresql":
            # the written rows' deferred foreign-key checks must run before an index build
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, sql in indexes:
            cur.execute(sql)


def _upsert_sql(values: str) -> str:
    table = Dossier._meta.db_table
    cols = ", ".join((*COLUMNS, "imported_by_id", "updated_at"))
    sets = ", ".join(f"{c} = excluded.{c}" for c in (*UPDATED, "imported_by_id", "updated_at"))
    return (
        f"INSERT INTO {table} ({cols}) {values} "
        f"ON CONFLICT (province, code) DO UPDATE SET {sets} "
        f"WHERE {table}.row_hash <> excluded.row_hash AND "
        f"({table}.version IS NULL OR excluded.version IS NULL "
        f"OR excluded.version >= {table}.version)"
    )


def _write_sqlite(
    staged: Staged, province: str, job_id: int | None, stamp: str, report: Progress
) -> int:
    marks = ", ".join(["%s"] * (len(COLUMNS) + 2))
    sql = _upsert_sql(f"VALUES ({marks})")
    with connection.cursor() as cur:
        # A page cache large enough for the table's indexes: with the default 2 MB, every
        # upsert of a random code reads index pages from disk again (400 µs a row).
        cur.execute("PRAGMA cache_size")
        cache = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            changed = _sqlite_batches(cur, sql, staged, province, job_id, stamp, report)
        finally:
            cur.execute(f"PRAGMA cache_size = {int(cache)}")
    return changed


def _sqlite_batches(
    cur: Any,
    sql: str,
    staged: Staged,
    province: str,
    job_id: int | None,
    stamp: str,
    report: Progress,
) -> int:
    changed = 0
    for i, frame in enumerate(_frames(staged)):
        text = _utc_text(frame.sort("code"))  # in key order: the unique index is appended to
        cur.executemany(sql, [(province, *r, job_id, stamp) for r in text.iter_rows()])
        changed += max(cur.rowcount, 0)
        report(60 + 38 * (i + 1) // max(len(staged.parts), 1), "Đang ghi vào cơ sở dữ liệu")
    return changed


def _pg_type(c: str) -> str:
    if c in STAMPS:
        return "timestamptz"
    if c in INTS:
        return "bigint"
    if c in FLOATS:
        return "double precision"
    if c in BOOLS:
        return "boolean"
    return "text"


def _copy_escaped(column: str) -> pl.Expr:
    """A text column in COPY's text format (backslash, tab and line breaks escaped)."""
    col = pl.col(column).str.replace_all("\\", "\\\\", literal=True)
    for raw, esc in (("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        col = col.str.replace_all(raw, esc, literal=True)
    return col


def _write_postgres(
    staged: Staged, province: str, job_id: int | None, stamp: str, report: Progress
) -> int:
    cols = COLUMNS[1:]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS dossier_stage")  # a test's outer transaction
        cur.execute(
            "CREATE TEMP TABLE dossier_stage ("
            + ", ".join(f"{c} {_pg_type(c)}" for c in cols)
            + ") ON COMMIT DROP"
        )
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY dossier_stage ({', '.join(cols)}) FROM STDIN") as copy:
            for frame in _frames(staged):
                text = _utc_text(frame).with_columns(
                    [pl.col(c) + "+00" for c in STAMPS] + [_copy_escaped(c) for c in TEXT]
                )
                buf = io.BytesIO()
                text.write_csv(
                    buf, separator="\t", include_header=False, null_value="\\N", quote_style="never"
                )
                copy.write(buf.getvalue())
        report(88, "Đang cập nhật hồ sơ")
        select = f"SELECT %s, {', '.join(cols)}, %s::bigint, %s::timestamptz FROM dossier_stage"
        cur.execute(_upsert_sql(select), [province, job_id, stamp + "+00"])
        changed = cur.rowcount
        cur.execute("DROP TABLE dossier_stage")
        return changed


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


def _save_apologies(batch: list[Apology]) -> None:
    if batch:
        Apology.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["dossier"],
            update_fields=["sent_at", "new_due_at", "resets", "in_time", "reset_once"],
        )


def local_series(values: list[Any]) -> pl.Series:
    """Aware datetimes (or None) from the database → naive local times (null)."""
    s = pl.Series(values, dtype=pl.Datetime("us", "UTC"))
    return s.dt.convert_time_zone(LOCAL).dt.replace_time_zone(None)


def local_stamps(values: list[Any]) -> np.ndarray:
    """Aware datetimes (or None) from the database → local ``datetime64[s]`` (NaT)."""
    return local_series(values).to_numpy().astype("datetime64[s]")
