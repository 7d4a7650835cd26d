"""Pass 2 of a dossier import, the database side: the staged Arrow parts written into the
dossier table in the caller's transaction, by the fastest way each backend has.

* First import of the province (no row yet): nothing to compare with, so the rows are
  inserted, not upserted: PostgreSQL ``COPY`` straight into the table, SQLite a plain
  ``INSERT`` through ``executemany``.
* Re-import: PostgreSQL ``COPY`` into a temporary staging table, then one
  ``INSERT … SELECT … ON CONFLICT (province, code) DO UPDATE … WHERE`` the row changed and
  the incoming version is not older; SQLite the same upsert through ``executemany``.
  Unchanged rows are not written, so re-importing a file changes nothing.
* Into an empty table the indexes and the unique key are dropped first and built once at
  the end (:func:`indexes_built_after`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from django.db import connection

from parindex.dossiers.models import Dossier, DossierYearCount
from parindex.engine.dossier_codes import LOCAL

Progress = Callable[[int, str], None]
#: SQLite page cache during an import (KiB).
SQLITE_CACHE_KIB = 256 * 1024
#: PostgreSQL's sort memory for the index builds after a first import (transaction only).
PG_SORT_MEM = "256MB"

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
#: Every column an import writes, in the order of :func:`_written`.
WRITTEN = (*COLUMNS, "imported_by_id", "updated_at")


def frames(parts: list[Path]) -> Iterator[pl.DataFrame]:
    for part in parts:
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


def _built_after() -> list[tuple[str, str]]:
    """``(drop, create)`` statements of the dossier table's indexes and of its unique key,
    read from the database's catalogue: all but the primary key and the foreign keys
    (dropping a foreign key would lock the users and units tables, so their per-row checks
    stay)."""
    table = Dossier._meta.db_table
    quoted = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND c.contype = 'u'",
                [table],
            )
            out = [
                (f"ALTER TABLE {table} DROP CONSTRAINT {quoted(name)}",
                 f"ALTER TABLE {table} ADD CONSTRAINT {quoted(name)} {sql}")
                for name, sql in cur.fetchall()
            ]  # fmt: skip
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM "
                "pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
        else:
            out = []
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        out += [(f"DROP INDEX {quoted(name)}", sql) for name, sql in cur.fetchall()]
        return out


@contextmanager
def indexes_built_after(*, empty: bool) -> Iterator[None]:
    """A first import into an empty table writes the rows without the indexes and the
    unique key, and builds them once at the end (one sort each instead of a B-tree insert
    per row and index), in the same transaction: a failure rolls the drop back too. The
    unique key is rebuilt too: the first import inserts (no upsert needs it meanwhile), and
    pass 1 refused any code given twice, so the rebuild cannot fail on a duplicate."""
    rebuilt = _built_after() if empty else []
    with connection.cursor() as cur:
        for drop, _ in rebuilt:
            cur.execute(drop)
    yield
    if not rebuilt:
        return
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # the written rows' deferred foreign-key checks must run before an index build
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            # each build sorts 1,000,000 keys: in memory rather than in temporary files
            cur.execute(f"SET LOCAL maintenance_work_mem = '{PG_SORT_MEM}'")
        for _, create in rebuilt:
            cur.execute(create)


def _insert_sql(values: str, *, upsert: bool) -> str:
    table = Dossier._meta.db_table
    cols = ", ".join(WRITTEN)
    if not upsert:
        return f"INSERT INTO {table} ({cols}) {values}"
    sets = ", ".join(f"{c} = excluded.{c}" for c in (*UPDATED, "imported_by_id", "updated_at"))
    return (
        f"INSERT INTO {table} ({cols}) {values} "
        f"ON CONFLICT (province, code) DO UPDATE SET {sets} "
        f"WHERE {table}.row_hash <> excluded.row_hash AND "
        f"({table}.version IS NULL OR excluded.version IS NULL "
        f"OR excluded.version >= {table}.version)"
    )


def _written(frame: pl.DataFrame, province: str, job_id: int | None, stamp: str) -> pl.DataFrame:
    """A staged frame with the columns of :data:`WRITTEN`, in key order: the unique index
    is then appended to rather than split at random pages."""
    return frame.sort("code").select(
        pl.lit(province).alias("province"),
        pl.all(),
        pl.lit(job_id, dtype=pl.Int64).alias("imported_by_id"),
        pl.lit(stamp).alias("updated_at"),
    )


def write_sqlite(
    parts: list[Path], province: str, job_id: int | None, stamp: str, report: Progress, first: bool
) -> int:
    marks = ", ".join(["%s"] * len(WRITTEN))
    sql = _insert_sql(f"VALUES ({marks})", upsert=not first)
    with connection.cursor() as cur:
        # A page cache large enough for the table's indexes: with the default 2 MB, every
        # upsert of a random code reads index pages from disk again (400 µs a row).
        cur.execute("PRAGMA cache_size")
        cache = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            changed = 0
            for i, frame in enumerate(frames(parts)):
                # rows(): the tuples straight from Polars, already in column order and
                # types (int, float, bool, None; times as the text Django stores)
                cur.executemany(sql, _utc_text(_written(frame, province, job_id, stamp)).rows())
                changed += max(cur.rowcount, 0)
                report(60 + 38 * (i + 1) // max(len(parts), 1), "Đang ghi vào cơ sở dữ liệu")
        finally:
            cur.execute(f"PRAGMA cache_size = {int(cache)}")
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


def _copy_text(frame: pl.DataFrame) -> bytes:
    """A frame as COPY's tab-separated text (times in UTC, text escaped, ``\\N`` null);
    ``updated_at``, when present, is already UTC text."""
    utc = [*STAMPS, *(["updated_at"] if "updated_at" in frame.columns else [])]
    text = _utc_text(frame).with_columns(
        [pl.col(c) + "+00" for c in utc]
        + [_copy_escaped(c) for c in ("province", *TEXT) if c in frame.columns]
    )
    buf = io.BytesIO()
    text.write_csv(buf, separator="\t", include_header=False, null_value="\\N", quote_style="never")
    return buf.getvalue()


def copy_postgres(
    parts: list[Path], province: str, job_id: int | None, stamp: str, report: Progress, first: bool
) -> int:
    """First import of the province: COPY straight into the dossier table (no staging
    table, no ON CONFLICT: there is no row to compare with)."""
    written = 0
    with connection.cursor() as cur:
        raw = cur.cursor  # the psycopg cursor under Django's wrapper
        table = Dossier._meta.db_table
        with raw.copy(f"COPY {table} ({', '.join(WRITTEN)}) FROM STDIN") as copy:
            # no progress report in here: the connection is busy with the COPY
            for frame in frames(parts):
                copy.write(_copy_text(_written(frame, province, job_id, stamp)))
                written += frame.height
    report(90, "Đang lập chỉ mục")
    return written


def write_postgres(
    parts: list[Path], province: str, job_id: int | None, stamp: str, report: Progress, first: bool
) -> int:
    """Re-import: COPY into a temporary staging table, then one upsert that writes only
    the rows whose content changed and whose version is not older."""
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
            for frame in frames(parts):
                copy.write(_copy_text(frame))
        report(88, "Đang cập nhật hồ sơ")
        select = f"SELECT %s, {', '.join(cols)}, %s::bigint, %s::timestamptz FROM dossier_stage"
        cur.execute(_insert_sql(select, upsert=True), [province, job_id, stamp + "+00"])
        changed = cur.rowcount
        cur.execute("DROP TABLE dossier_stage")
        return changed


def year_counts_rebuild() -> None:
    """Refill :class:`DossierYearCount` from every dossier (two GROUP BYs over the covering
    indexes, about the cost of one whole-year metrics query), in the caller's transaction."""
    d, y = Dossier._meta.db_table, DossierYearCount._meta.db_table
    closed = "outcome IN (1, 2, 3) AND processing_seconds IS NOT NULL"
    cols = "year, unit_id, kind, outcome, n, online, proc_sum, proc_n"
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {y}")
        cur.execute(
            f"INSERT INTO {y} ({cols}) SELECT class_year, unit_id, 0, outcome, COUNT(*), "
            "SUM(CASE WHEN channel = 2 THEN 1 ELSE 0 END), "
            f"COALESCE(SUM(CASE WHEN {closed} THEN processing_seconds END), 0), "
            f"SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) "
            f"FROM {d} WHERE outcome > 0 GROUP BY class_year, unit_id, outcome"
        )
        cur.execute(
            f"INSERT INTO {y} ({cols}) SELECT carry_year, unit_id, 1, carry_outcome, COUNT(*), "
            "SUM(CASE WHEN channel = 2 THEN 1 ELSE 0 END), 0, 0 "
            f"FROM {d} WHERE carry_year > 0 AND carry_outcome > 0 "
            "GROUP BY carry_year, unit_id, carry_outcome"
        )
