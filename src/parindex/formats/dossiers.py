"""Reader of dossier records: one-stop CSV/XLSX exports and national sync JSON, streamed.

``open_dossiers(path)`` returns a :class:`DossierFile`; iterating :meth:`DossierFile.batches`
yields typed polars frames (:data:`~parindex.formats.dossier_columns.SCHEMA`) of at most
``batch_rows`` rows, so memory stays bounded whatever the file size. Problems (Vietnamese,
with the row number) and flags (kept rows that need a look, e.g. dates out of order) are
collected while reading; duplicate dossier codes within the file are found at the end
(codes are kept as 64-bit hashes with their row numbers: 12 bytes a row). CSV is parsed
in blocks of :data:`CHUNK_BYTES` cut at record boundaries, so memory does not grow with
the file beyond those 12 bytes a row. A file with any
problem must not be used: :func:`read_dossiers` gives ``(frame, problems)`` for small files.

Sources:

* CSV (``,`` ``;`` or tab; UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1258)
  and XLSX (first sheet, first non-empty row = headers) with Vietnamese headers or national
  sync names (aliases in :data:`~parindex.formats.dossier_columns.FIELDS`);
* JSON: a list of DongBoHoSoMC dossiers (or an object holding that list under ``data`` /
  ``HoSo``), or JSON Lines (``.jsonl``/``.ndjson``, streamed), with the status history
  (``QuaTrinhXuLy`` / ``DanhSachTienDo``: ``TrangThai``, ``ThoiDiemXuLy``, ``NguoiXuLy``) and
  ``DanhSachHoSoBoSung`` (supplements and re-appointments), see :func:`flatten_sync`.

Status codes go through a per-source table (``source="dvcqg" | "opencps" | "igate"`` or a
YAML file).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from parindex.engine.dossiers import end_time
from parindex.formats.archive import ArchiveRefused, inspect_zip
from parindex.formats.dossier_columns import (
    DATE_FORMATS,
    FIELDS,
    SCHEMA,
    Findings,
    _date,
    map_headers,
    parse_batch,
    status_map,
)
from parindex.formats.errors import Problem
from parindex.formats.folding import fold
from parindex.formats.numbers import parse_decimal

BATCH_ROWS = 200_000
#: Bytes of CSV parsed at a time (about 160,000 rows of a national export): memory stays
#: bounded whatever the file size (polars' own batched scan reads ahead without limit).
CHUNK_BYTES = 16 << 20
_NATIONAL = {aliases[0]: name for name, aliases in FIELDS.items()}
_HISTORY_KEYS = ("QuaTrinhXuLy", "DanhSachTienDo", "TienDoXuLy")


class DossierFile:
    """One file being read; see the module docstring."""

    def __init__(
        self,
        path: str | Path,
        *,
        source: str | Path = "dvcqg",
        batch_rows: int = BATCH_ROWS,
        ignore_unknown: bool = False,
        limits: Mapping[str, tuple[float, int]] | None = None,
    ) -> None:
        self.path = Path(path)
        self.limits = limits
        self.name = str(path)
        self.batch_rows = batch_rows
        self.ignore_unknown = ignore_unknown
        self.found = Findings(self.name)
        self.rows = 0
        self.present: frozenset[str] = frozenset()
        try:
            self.statuses = status_map(source)
        except (OSError, ValueError) as exc:
            self.statuses = {}
            self.found.add(None, None, str(exc))

    @property
    def problems(self) -> list[Problem]:
        return self.found.problems

    @property
    def flags(self) -> list[Problem]:
        return self.found.flags

    def batches(self) -> Iterator[pl.DataFrame]:
        if self.found.problems:
            return
        hashes: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        suffix = self.path.suffix.lower()
        if suffix == ".xlsx":
            raw = self._xlsx()
        elif suffix in (".json", ".jsonl", ".ndjson"):
            raw = self._json(suffix != ".json")
        else:
            raw = self._csv()
        try:
            for batch in raw:
                if batch.height == 0:
                    continue
                self.rows += batch.height
                codes = batch["code"].str.strip_chars()
                known = codes.is_not_null() & (codes != "")
                hashes.append(codes.filter(known).hash(seed=7).to_numpy())
                rows.append(batch["_row"].filter(known).cast(pl.Int32).to_numpy())
                typed = parse_batch(batch, self.found, self.statuses, self.present, self.limits)
                if typed.height:
                    yield typed
        except pl.exceptions.PolarsError as exc:
            self.found.add(None, None, f"tệp hỏng, không đọc tiếp được: {exc}".splitlines()[0])
        if not self.found.problems and self.rows == 0:
            self.found.add(None, None, "tệp không có dòng hồ sơ nào")
        self._duplicates(hashes, rows)
        self.found.close()

    def _duplicates(self, hashes: list[np.ndarray], rows: list[np.ndarray]) -> None:
        if not hashes:
            return
        h = np.concatenate(hashes)
        r = np.concatenate(rows)
        dup = pl.Series(h).is_duplicated().to_numpy()  # hash-based, both cores
        if not dup.any():
            return
        h, r = h[dup], r[dup]
        order = np.lexsort((r, h))
        first: dict[int, int] = {}
        for code, row in zip(h[order].tolist(), r[order].tolist(), strict=True):
            if code in first:
                self.found.add(
                    row,
                    FIELDS["code"][0],
                    f"mã hồ sơ trùng với dòng {first[code]}",
                    kind="trùng mã",
                )
            else:
                first[code] = row

    # -- sources -----------------------------------------------------------------------
    def _headers(self, headers: list[str]) -> list[str | None] | None:
        names, problems = map_headers(self.name, headers, ignore_unknown=self.ignore_unknown)
        for p in problems:
            self.found.add(p.line, p.column, p.reason)
        self.present = frozenset(n for n in names if n)
        self.found.labels = {FIELDS[n][0]: h for n, h in zip(names, headers, strict=True) if n}
        return None if problems else names

    def _csv(self) -> Iterator[pl.DataFrame]:
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            self.found.add(None, None, f"không mở được tệp: {exc.strerror}")
            return
        if size == 0:
            self.found.add(None, None, "tệp rỗng")
            return
        utf8, temp = _as_utf8(self.path)
        try:
            with open(utf8, encoding="utf-8-sig", newline="") as fh:
                first = fh.readline()
            sep = max((",", ";", "\t"), key=first.count)
            headers = next(csv.reader([first], delimiter=sep), [])
            names = self._headers(headers)
            if names is None:
                return
            labels = [n or f"_skip{i}" for i, n in enumerate(names)]
            wanted = ["_row", *[n for n in names if n]]
            row = 2  # row numbers as shown in an editor (the header is row 1)
            for part in _record_blocks(utf8, CHUNK_BYTES):
                # all text (typed by parse_batch)
                frame = pl.read_csv(
                    part, has_header=False, separator=sep, new_columns=labels,
                    infer_schema=False, truncate_ragged_lines=True,
                    row_index_name="_row", row_index_offset=row,
                ).select(wanted)  # fmt: skip
                row += frame.height
                for start in range(0, frame.height, self.batch_rows):
                    yield frame.slice(start, self.batch_rows)
        finally:
            if temp:
                os.unlink(utf8)

    def _xlsx(self) -> Iterator[pl.DataFrame]:
        import openpyxl  # only for .xlsx: keeps CSV reading light

        try:
            inspect_zip(self.path)  # the real expanded size, before openpyxl inflates it
        except ArchiveRefused as exc:
            self.found.add(None, None, f"tệp Excel bị từ chối: {exc}")
            return
        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a bad workbook
            self.found.add(None, None, f"không đọc được tệp Excel: {exc}")
            return
        try:
            it = wb.worksheets[0].iter_rows(values_only=True)
            names: list[str | None] | None = None
            chunk: list[dict[str, str | None]] = []
            for number, values in enumerate(it, 1):
                cells = [_cell_text(v) for v in values]
                if names is None:
                    if any(cells):
                        names = self._headers([c or "" for c in cells])
                        if names is None:
                            return
                    continue
                if not any(cells):
                    continue
                rec: dict[str, str | None] = {"_row": str(number)}
                rec.update({n: c for n, c in zip(names, cells, strict=False) if n})
                chunk.append(rec)
                if len(chunk) >= self.batch_rows:
                    yield _frame(chunk, self.present)
                    chunk = []
            if names is None:
                self.found.add(None, None, "tệp rỗng")
            elif chunk:
                yield _frame(chunk, self.present)
        finally:
            wb.close()

    def _json(self, lines: bool) -> Iterator[pl.DataFrame]:
        try:
            fh = open(self.path, encoding="utf-8-sig")  # noqa: SIM115 - closed by `with` below
        except OSError as exc:
            self.found.add(None, None, f"không mở được tệp: {exc.strerror}")
            return
        with fh:
            if lines:
                items: Iterator[tuple[int, Any]] = (
                    (n, _json_line(self.found, n, text)) for n, text in enumerate(fh, 1)
                )
            else:
                try:
                    data = json.load(fh)
                except json.JSONDecodeError as exc:
                    self.found.add(exc.lineno, None, f"JSON không hợp lệ: {exc.msg}")
                    return
                if isinstance(data, dict):
                    data = next((data[k] for k in ("data", "HoSo", "items") if k in data), [data])
                if not isinstance(data, list):
                    self.found.add(None, None, "JSON phải là danh sách hồ sơ")
                    return
                items = enumerate(data, 1)
            chunk: list[dict[str, str | None]] = []
            present: set[str] = {"code", "status", "received"}
            for number, item in items:
                if item is None:
                    continue
                if not isinstance(item, dict):
                    self.found.add(number, None, "mỗi hồ sơ phải là một đối tượng JSON")
                    continue
                rec = flatten_sync(item, self.statuses)
                present.update(k for k, v in rec.items() if v is not None)
                rec["_row"] = str(number)
                chunk.append(rec)
                if len(chunk) >= self.batch_rows:
                    self.present = frozenset(present)
                    yield _frame(chunk, self.present)
                    chunk = []
            self.present = frozenset(present)
            if chunk:
                yield _frame(chunk, self.present)


def batch_arrays(batch: pl.DataFrame) -> dict[str, Any]:
    """The engine's ``classify`` arguments (and ``channel``) of a typed batch."""

    def stamps(name: str) -> np.ndarray:
        return batch[name].to_numpy().astype("datetime64[s]")

    status = batch["status"].to_numpy()
    due = np.where(
        np.isnat(stamps("due_original")), stamps("due"), stamps("due_original")
    )  # an apology's new date is never judged
    return {
        "status": status,
        "received": stamps("received"),
        "due": due,
        "end": end_time(status, stamps("finished"), stamps("returned"), stamps("stopped")),
        "supplement_count": supplements(batch),
        "supplement_requested": stamps("supplement_requested"),
        "supplement_completed": stamps("supplement_completed"),
        "legal_amount": batch["legal_amount"].fill_null(np.nan).to_numpy(),
        "legal_unit": batch["legal_unit"].fill_null(1).cast(pl.Int64).to_numpy(),
        "channel": batch["channel"].fill_null(1).to_numpy(),
    }


def supplements(batch: pl.DataFrame) -> np.ndarray:
    """The count column, or 1 where only a request date is given."""
    implied = batch["supplement_requested"].is_not_null().cast(pl.Int64)
    return batch["supplement_count"].cast(pl.Int64).fill_null(implied).to_numpy()


def apologised(batch: pl.DataFrame) -> np.ndarray:
    has = batch["apology_sent"].is_not_null() | (batch["reappointments"].fill_null(0) > 0)
    return has.to_numpy()


def open_dossiers(path: str | Path, **options: Any) -> DossierFile:
    return DossierFile(path, **options)


def read_dossiers(path: str | Path, **options: Any) -> tuple[pl.DataFrame, list[Problem]]:
    """The whole file as one typed frame (small files, tests) and every problem."""
    f = DossierFile(path, **options)
    parts = list(f.batches())
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMA)
    return frame, f.problems


def _record_blocks(path: Path, size: int) -> Iterator[bytes]:
    """The data rows of a CSV file (header skipped) in blocks of about ``size`` bytes, each
    ending at a record boundary: a newline outside quotes."""
    with open(path, "rb") as fh:
        fh.readline()
        carry = b""
        while True:
            block = fh.read(size)
            data = carry + block
            if not block:
                if data.strip():
                    yield data
                return
            cut = _record_end(data)
            data, carry = data[:cut], data[cut:]
            if data.strip():
                yield data


def _record_end(data: bytes) -> int:
    """Index after the last newline of ``data`` that is outside quotes (0 if none)."""
    pos = data.rfind(b"\n")
    while pos >= 0:
        if data.count(b'"', 0, pos) % 2 == 0:
            return pos + 1
        pos = data.rfind(b"\n", 0, pos)
    return 0


def _as_utf8(path: Path) -> tuple[Path, bool]:
    """The path itself when it is UTF-8, else a temporary UTF-8 copy (streamed)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            head.decode("utf-8")
            return path, False
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the 64 KiB edge
                encoding = "cp1258"
            else:
                return path, False
    fd, name = tempfile.mkstemp(suffix=".csv")
    with open(path, encoding=encoding, newline="") as src, os.fdopen(fd, "w", newline="") as dst:
        # Windows-1258 writes most tones as combining marks: NFC, as formats.text does. By
        # lines, so that a letter and its mark are never cut apart.
        for line in src:
            nfc = unicodedata.is_normalized("NFC", line)
            dst.write(line if nfc else unicodedata.normalize("NFC", line))
    return Path(name), True


def _frame(chunk: list[dict[str, str | None]], present: frozenset[str]) -> pl.DataFrame:
    cols = ["_row", *sorted(present)]
    return pl.DataFrame(
        {c: [r.get(c) for r in chunk] for c in cols}, schema=dict.fromkeys(cols, pl.String)
    )


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _json_line(found: Findings, number: int, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        found.add(number, None, f"JSON không hợp lệ: {exc.msg}")
        return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def flatten_sync(
    item: dict[str, Any], statuses: Mapping[str, int] | None = None
) -> dict[str, str | None]:
    """One DongBoHoSoMC dossier → the flat fields of the CSV reader (text values).

    * End times, when the header lacks them, come from the status history: the first time of
      status 9 (NgayKetThucXuLy), of 10 (NgayTra), of 8 or 7 (NgayTuChoi).
    * Supplements: each history entry in status 5 is a request, completed at the next entry's
      time; without history, each ``DanhSachHoSoBoSung`` entry with ``NgayBoSung`` is a request
      completed at ``NgayTiepNhanBoSung``. The count and the first episode are kept (a second
      request makes the dossier late anyway).
    * Re-appointments: entries with ``NgayHenTraMoi``; the first one's ``NgayHenTraTruoc`` is
      the original due date judged (an apology never moves it), its ``NgayBoSung`` the date of
      the apology when ``NgayXinLoi`` is absent.
    * Fees: ``LePhi`` = Σ ``DanhSachLePhi[].Gia``; ``CoThanhPhanSoHoa`` = any
      ``TaiLieuNop[].DuocSoHoa``; ``CoKetQuaDienTu`` = any result with a file link.
    """
    rec: dict[str, str | None] = {}
    for key, value in item.items():
        name = _NATIONAL.get(key)
        if name and not isinstance(value, list | dict):
            rec[name] = _text(value)
    history = next((item[k] for k in _HISTORY_KEYS if isinstance(item.get(k), list)), None)
    requests: list[tuple[str | None, str | None]] = []
    if history:
        steps = sorted(
            (str(h.get("ThoiDiemXuLy") or ""), _history_status(h.get("TrangThai"), statuses), h)
            for h in history
            if isinstance(h, dict)
        )
        for target, codes in (("finished", ("9",)), ("returned", ("10",)), ("stopped", ("8", "7"))):
            if rec.get(target) is None:
                rec[target] = next((t for t, s, _ in steps if s in codes and t), None)
        if rec.get("official") is None and steps:
            rec["official"] = _text(steps[-1][2].get("NguoiXuLy"))
        # kept as given (file order) for the dossier's page: see history_steps
        rec["history"] = json.dumps(
            [
                {
                    "t": _text(h.get("ThoiDiemXuLy")),
                    "s": _history_status(h.get("TrangThai"), statuses),
                    "o": _text(h.get("NguoiXuLy")),
                    "u": _text(h.get("PhongBanXuLy")),
                }
                for h in history
                if isinstance(h, dict)
            ],
            ensure_ascii=False,
        )
        for i, (t, s, _) in enumerate(steps):
            if s == "5":
                nxt = steps[i + 1][0] if i + 1 < len(steps) else None
                requests.append((t or None, nxt or None))
    extra = item.get("DanhSachHoSoBoSung")
    if not isinstance(extra, list):
        extra = []
    resets = [e for e in extra if isinstance(e, dict) and e.get("NgayHenTraMoi")]
    if not history:
        requests = [
            (_text(e.get("NgayBoSung")), _text(e.get("NgayTiepNhanBoSung")))
            for e in extra
            if isinstance(e, dict) and e.get("NgayBoSung") and not e.get("NgayHenTraMoi")
        ]
    if requests and rec.get("supplement_requested") is None:
        rec["supplement_requested"], rec["supplement_completed"] = requests[0]
    if requests and rec.get("supplement_count") is None:
        rec["supplement_count"] = str(len(requests))
    if resets:
        rec.setdefault("due_original", _text(resets[0].get("NgayHenTraTruoc")))
        rec.setdefault("apology_due", _text(resets[-1].get("NgayHenTraMoi")))
        if rec.get("apology_sent") is None:
            rec["apology_sent"] = _text(resets[0].get("NgayBoSung"))
        rec.setdefault("reappointments", str(len(resets)))
    fees = item.get("DanhSachLePhi")
    if isinstance(fees, list) and rec.get("fee") is None:
        rec["fee"] = _fee_total(fees)
    files = item.get("TaiLieuNop")
    if isinstance(files, list) and rec.get("digitised") is None:
        rec["digitised"] = "1" if any(_text(f.get("DuocSoHoa")) == "1" for f in files) else "0"
    results = item.get("DanhSachGiayToKetQua")
    if isinstance(results, list) and rec.get("result_file") is None:
        linked = any(isinstance(r, dict) and r.get("DuongDanTepTinKetQua") for r in results)
        rec["result_file"] = "1" if linked else None
    return rec


_STEPS = pl.List(pl.Struct({"t": pl.String, "s": pl.String, "o": pl.String, "u": pl.String}))
STEP_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "order": pl.Int64(),
    "status": pl.Int64(),
    "at": pl.Datetime("us"),
    "official": pl.String(),
    "unit": pl.String(),
}


def history_steps(batch: pl.DataFrame, found: Findings | None = None) -> pl.DataFrame:
    """The status history of a typed batch, one row per step (:data:`STEP_SCHEMA`): the
    dossier's code, the step's place in the file's list, its national status code (null
    when the source's table does not know it), time (local), official and office. A time
    that does not read is flagged (the step is kept without it)."""
    rows = batch.select("_row", "code", "history").filter(pl.col("history").is_not_null())
    if rows.height == 0:
        return pl.DataFrame(schema=STEP_SCHEMA)
    steps = (
        rows.with_columns(pl.col("history").str.json_decode(_STEPS))
        .with_columns(order=pl.int_ranges(0, pl.col("history").list.len()))
        .explode("history", "order")
        .filter(pl.col("history").is_not_null())
        .unnest("history")
    )
    at = _date(pl.col("t"), list(DATE_FORMATS))
    status = pl.col("s").cast(pl.Int64, strict=False)
    steps = steps.with_columns(
        at=at,
        bad=pl.col("t").is_not_null() & at.is_null(),
        status=pl.when(status.is_between(1, 10)).then(status),
    )
    if found is not None:
        for row, value in steps.filter("bad").select("_row", "t").iter_rows():
            found.flag(row, "QuaTrinhXuLy", f"ngày giờ xử lý không đọc được: {value!r}")
    return steps.select(
        pl.col("code").str.strip_chars(),
        pl.col("order").cast(pl.Int64),
        "status",
        "at",
        pl.col("o").str.slice(0, 200).alias("official"),
        pl.col("u").str.slice(0, 300).alias("unit"),
    )


def _history_status(value: Any, statuses: Mapping[str, int] | None) -> str | None:
    """A history entry's status as a national code (text), through the source's table."""
    text = _text(value)
    if text is None or statuses is None:
        return text
    code = statuses.get(fold(text))
    return text if code is None else str(code)


def _fee_total(fees: list[Any]) -> str | None:
    """Σ ``Gia`` of the fee lines as text; a price that is not a number is returned as is
    (the reader then reports it)."""
    total = Decimal(0)
    for f in fees:
        price = f.get("Gia") if isinstance(f, dict) else None
        try:
            total += parse_decimal(str(price if price is not None else 0))
        except ValueError:
            return str(price)
    return str(total)
