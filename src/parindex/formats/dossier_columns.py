"""Columns of dossier exports: header aliases, value maps, and the typed parse of a batch.

A raw batch is a polars frame of text columns named by their canonical field (see
:data:`FIELDS`) plus ``_row`` (the row number shown in messages). :func:`parse_batch` turns
it into the typed frame of :data:`SCHEMA`, with every problem found (bad dates, unknown
status or channel codes, bad numbers, a terminal status without an end time, no due date and
no legal limit) and every flag (dates out of order: kept, not dropped). Rows with a problem
are left out of the typed frame; the caller decides what a problem means (the metrics
command refuses to print, the import rejects the file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import polars as pl
import yaml

from parindex.engine.dossier_codes import STATUS_NAMES, TERMINAL
from parindex.engine.rules import NUMBER_RE
from parindex.formats.errors import FormatError, Problem
from parindex.formats.folding import fold, header_key
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import csv_rows, header_positions, read_text_file, width_reason

#: Canonical field → accepted headers (the national sync name first). Matching ignores
#: case, diacritics, spaces and punctuation (:func:`header_key`).
FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("MaHoSo", "Mã hồ sơ", "Số hồ sơ", "Mã số hồ sơ", "Số biên nhận"),
    "procedure": ("MaTTHC", "Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính"),
    "procedure_name": ("TenTTHC", "Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính"),
    "field": ("MaLinhVuc", "Mã lĩnh vực", "Lĩnh vực", "TenLinhVuc", "Tên lĩnh vực"),
    "unit": ("DonViXuLy", "Đơn vị xử lý", "Đơn vị", "Cơ quan giải quyết", "Cơ quan xử lý"),
    "official": ("CanBoXuLy", "Cán bộ xử lý", "NguoiXuLy", "Người xử lý", "Công chức xử lý"),
    "channel": ("KenhThucHien", "Kênh thực hiện", "Hình thức nộp", "Hình thức tiếp nhận"),
    "status": ("TrangThaiHoSo", "Trạng thái hồ sơ", "Trạng thái", "TrangThai"),
    "submitted": ("NgayNopHoSo", "Ngày nộp hồ sơ", "Ngày nộp"),
    "received": ("NgayTiepNhan", "Ngày tiếp nhận", "Ngày nhận hồ sơ"),
    "due": ("NgayHenTra", "Ngày hẹn trả", "Ngày hẹn trả kết quả", "Hạn xử lý", "Hạn giải quyết"),
    "due_original": ("NgayHenTraTruoc", "Ngày hẹn trả ban đầu", "Ngày hẹn trả trước"),
    "finished": (
        "NgayKetThucXuLy",
        "Ngày kết thúc xử lý",
        "Ngày có kết quả",
        "Ngày xử lý xong",
        "Ngày hoàn thành",
    ),
    "returned": ("NgayTra", "Ngày trả", "Ngày trả kết quả"),
    "stopped": ("NgayTuChoi", "Ngày từ chối", "Ngày dừng xử lý", "Ngày rút hồ sơ"),
    "supplement_count": ("SoLanBoSung", "Số lần bổ sung", "Số lần yêu cầu bổ sung"),
    "supplement_requested": ("NgayYeuCauBoSung", "Ngày yêu cầu bổ sung"),
    "supplement_completed": (
        "NgayHoanThanhBoSung",
        "NgayTiepNhanBoSung",
        "Ngày hoàn thành bổ sung",
        "Ngày tiếp nhận bổ sung",
    ),
    "legal_amount": ("ThoiHanGiaiQuyet", "Thời hạn giải quyết", "Thời hạn quy định"),
    "legal_unit": ("DonViTinh", "Đơn vị tính", "Đơn vị thời hạn"),
    "apology_sent": ("NgayXinLoi", "Ngày xin lỗi", "Ngày gửi phiếu xin lỗi"),
    "apology_due": ("NgayHenTraMoi", "Ngày hẹn trả mới", "Ngày hẹn lại"),
    "reappointments": ("SoLanHenLai", "Số lần hẹn lại"),
    "paid_online": ("DuocThanhToanTrucTuyen", "Thanh toán trực tuyến"),
    "fee": ("LePhi", "Phí, lệ phí", "Phí lệ phí", "Tổng phí"),
    "digitised": ("CoThanhPhanSoHoa", "Số hóa thành phần hồ sơ", "Đã số hóa"),
    "reused": ("HoSoCoThanhPhanSoHoa", "Tái sử dụng dữ liệu số hóa"),
    "result_file": ("CoKetQuaDienTu", "DuongDanTepTinKetQua", "Kết quả điện tử"),
}
#: Columns of national exports that carry nothing the metrics use; accepted and skipped.
IGNORED = (
    "STT", "ChuHoSo", "Chủ hồ sơ", "Người nộp", "SoGiayToChuHoSo", "Email", "Fax",
    "SoDienThoai", "Số điện thoại", "Địa chỉ", "DiaChi", "ThongTinKhac", "TrichYeuHoSo",
    "Trích yếu", "GhiChu", "Ghi chú", "NoiNopHoSo", "HinhThuc", "LoaiDoiTuong", "MaDoiTuong",
    "ThongTinTra", "TaiKhoanDuocXacThucVoiVNeID",
)  # fmt: skip
REQUIRED = ("code", "status", "received")
DATE_FIELDS = (
    "submitted", "received", "due", "due_original", "finished", "returned", "stopped",
    "supplement_requested", "supplement_completed", "apology_sent", "apology_due",
)  # fmt: skip
TEXT_FIELDS = ("code", "procedure", "procedure_name", "field", "unit", "official")
FLAG_FIELDS = ("paid_online", "digitised", "reused", "result_file")
SCHEMA: dict[str, pl.DataType] = {
    "_row": pl.Int64(),
    **{f: pl.String() for f in TEXT_FIELDS},
    "status": pl.Int8(),
    "channel": pl.Int8(),
    **{f: pl.Datetime("us") for f in DATE_FIELDS},
    "supplement_count": pl.Int16(),
    "legal_amount": pl.Float64(),
    "legal_unit": pl.Int8(),
    "reappointments": pl.Int16(),
    "fee": pl.Float64(),
    **{f: pl.Int8() for f in FLAG_FIELDS},
    #: The status history of a JSON dossier as JSON text (:func:`formats.dossiers.history_steps`).
    "history": pl.String(),
}
#: Date formats tried in this order (the first value of a column picks the first format).
DATE_FORMATS = (
    "%Y%m%d%H%M%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%Y%m%d",
    "%Y%m%d%H%M",
)  # fmt: skip
CHANNELS = {
    "1": 1, "2": 2, "3": 3, "truc tiep": 1, "truc tuyen": 2, "qua mang": 2, "buu chinh": 3,
    "buu chinh cong ich": 3, "dich vu buu chinh": 3, "online": 2, "direct": 1,
}  # fmt: skip
LIMIT_UNIT_NAMES = {
    "ngay lam viec": 1, "ngay": 2, "gio": 0, "gio lam viec": 0, "working_days": 1,
    "working_hours": 0, "calendar_days": 2,
}  # fmt: skip
YES = {"1": 1, "2": 1, "co": 1, "x": 1, "true": 1, "0": 0, "khong": 0, "false": 0}


_BY_KEY = {header_key(a): f for f, aliases in FIELDS.items() for a in aliases}
_IGNORED_KEYS = {header_key(a) for a in IGNORED}


def map_headers(
    file: str, headers: list[str], *, ignore_unknown: bool = False
) -> tuple[list[str | None], list[Problem]]:
    """Canonical field per header (``None`` = skipped) and the header problems."""
    out: list[str | None] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for raw in headers:
        key = header_key(raw or "")
        name = _BY_KEY.get(key)
        if name is None:
            if key and key not in _IGNORED_KEYS and not ignore_unknown:
                problems.append(Problem(file, 1, raw, "cột không nhận ra (xem docs/dossiers.md)"))
            out.append(None)
            continue
        if name in seen:
            problems.append(Problem(file, 1, raw, f"cột trùng nghĩa với cột «{seen[name]}»"))
            out.append(None)
            continue
        seen[name] = raw
        out.append(name)
    for name in REQUIRED:
        if name not in seen:
            problems.append(Problem(file, 1, FIELDS[name][0], "thiếu cột bắt buộc"))
    return out, problems


def status_map(source: str | Path = "dvcqg") -> dict[str, int]:
    """The status table of a shipped source (``dvcqg``, ``opencps``, ``igate``) or of a
    YAML file ``value: code``; keys are folded (:func:`fold`)."""
    path = Path(str(source))
    if path.suffix.lower() in (".yaml", ".yml"):
        table = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    else:
        shipped = resources.files("parindex") / "data" / "dossiers" / "status-maps.yaml"
        tables = yaml.safe_load(shipped.read_text(encoding="utf-8"))
        if str(source) not in tables:
            known = ", ".join(sorted(tables))
            raise ValueError(f"không có bảng trạng thái cho nguồn {source!r} (có: {known})")
        table = tables[str(source)]
    if not isinstance(table, dict) or not all(
        isinstance(v, int) and v in STATUS_NAMES for v in table.values()
    ):
        raise ValueError(f"{source}: bảng trạng thái phải là giá trị: mã 1–10")
    return {fold(str(k)): v for k, v in table.items()}


@dataclass
class Findings:
    """Problems and flags of one file, capped per kind so that a broken million-row file
    stays small in memory (the rest is counted and summarised)."""

    file: str
    cap: int = 100
    problems: list[Problem] = field(default_factory=list)
    flags: list[Problem] = field(default_factory=list)
    extra: dict[tuple[bool, str, str], int] = field(default_factory=dict)
    kept: dict[tuple[bool, str, str], int] = field(default_factory=dict)
    #: National column name → the header as written in the file (shown in messages).
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, row: int | None, column: str | None, reason: str, *, kind: str = "") -> None:
        self._put(False, row, column, reason, kind)

    def flag(self, row: int | None, column: str | None, reason: str, *, kind: str = "") -> None:
        self._put(True, row, column, reason, kind)

    def _put(self, flag: bool, row: int | None, col: str | None, reason: str, kind: str) -> None:
        col = self.labels.get(col, col) if col else col
        key = (flag, col or "", kind or reason)
        if self.kept.get(key, 0) >= self.cap:
            self.extra[key] = self.extra.get(key, 0) + 1
            return
        self.kept[key] = self.kept.get(key, 0) + 1
        (self.flags if flag else self.problems).append(Problem(self.file, row, col, reason))

    def close(self) -> None:
        """Sort by row and add one summary line per capped kind."""
        self.problems.sort(key=lambda p: p.line or 0)
        self.flags.sort(key=lambda p: p.line or 0)
        for (flag, col, kind), n in self.extra.items():
            target = self.flags if flag else self.problems
            target.append(Problem(self.file, None, col or None, f"và {n} dòng khác: {kind}"))
        self.extra.clear()


_CODED = frozenset({"status", "channel", "legal_unit", *FLAG_FIELDS})


def _mapping(raw: pl.Series, table: dict[str, int], dtype: pl.DataType) -> pl.Expr:
    """``raw``'s values through ``table`` (folded keys, so spaces do not matter); unknown
    values become null."""
    uniques = {u for u in raw.unique().to_list() if u is not None}
    old = sorted(u for u in uniques if fold(u) in table)
    new = [table[fold(u)] for u in old]
    return pl.col(raw.name).replace_strict(old, new, default=None, return_dtype=dtype)


def _date_formats(raw: pl.Series) -> list[str]:
    """:data:`DATE_FORMATS` with the one that reads the column's first value first."""
    first = raw.drop_nulls().head(1).to_list()
    order = list(DATE_FORMATS)
    if first:
        probe = pl.Series([first[0]])
        order.sort(key=lambda f: probe.str.strptime(pl.Datetime("us"), f, strict=False)[0] is None)
    return order


def _date(source: pl.Expr, formats: list[str]) -> pl.Expr:
    tries = [
        source.str.strptime(pl.Datetime("us"), f, strict=False, cache=False) for f in formats
    ]  # no cache: times are mostly unique, hashing them costs more than it saves
    return tries[0] if len(tries) == 1 else pl.coalesce(tries)


def _why(name: str, value: str) -> str:
    if name in DATE_FIELDS:
        return f"ngày giờ không đọc được: {value!r}"
    return {
        "status": f"mã trạng thái không rõ: {value!r}",
        "channel": f"kênh thực hiện không rõ: {value!r}",
        "supplement_count": f"không phải số nguyên: {value!r}",
        "reappointments": f"không phải số nguyên: {value!r}",
        "legal_unit": f"đơn vị thời hạn không rõ: {value!r}",
    }.get(name, f"không phải là số: {value!r}" if name in ("legal_amount", "fee") else
          f"phải là 1/0 hoặc có/không: {value!r}")  # fmt: skip


def parse_batch(
    raw: pl.DataFrame,
    found: Findings,
    statuses: dict[str, int],
    present: Iterable[str],
    limits: Mapping[str, tuple[float, int]] | None = None,
) -> pl.DataFrame:
    """Typed frame of :data:`SCHEMA` for the rows of ``raw`` without problems.

    One polars ``select`` strips and types every column (both cores); a failure mask per
    column gives the problems. Date columns are read with the format of their first value;
    only a batch with failures is read again trying every format."""
    names = [c for c in raw.columns if c != "_row"]
    exprs: dict[str, pl.Expr] = {}
    for name in names:
        if name in DATE_FIELDS:
            exprs[name] = _date(pl.col(name), _date_formats(raw[name].str.strip_chars())[:1])
        elif name == "status":
            exprs[name] = _mapping(raw[name], statuses, pl.Int8())
        elif name == "channel":
            exprs[name] = _mapping(raw[name], CHANNELS, pl.Int8())
        elif name == "legal_unit":
            exprs[name] = _mapping(raw[name], LIMIT_UNIT_NAMES, pl.Int8())
        elif name in ("supplement_count", "reappointments"):
            exprs[name] = pl.col(name).cast(pl.Int16, strict=False)
        elif name in ("legal_amount", "fee"):  # the grammar of formats.numbers
            number = pl.col(name).str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
            grammar = pl.col(name).str.contains(f"^(?:{NUMBER_RE.pattern})$")
            exprs[name] = pl.when(grammar).then(number)
        elif name in FLAG_FIELDS:
            flag = _mapping(raw[name], YES, pl.Int8())
            if name == "result_file":  # a link to the result file counts as "yes"
                flag = flag.fill_null(pl.col(name).is_not_null().cast(pl.Int8))
            exprs[name] = flag
    # Dates and coded values are read as they are (a padded date is read again stripped
    # below; codes are folded): stripping only the other columns saves a third of the time.
    stripped = [c for c in names if c not in DATE_FIELDS and c not in _CODED]
    clean = (
        raw.lazy()
        .with_columns(pl.col("_row").cast(pl.Int64))
        .with_columns([pl.col(c).str.strip_chars().replace("", None) for c in stripped])
        .with_columns([e.alias(f"={c}") for c, e in exprs.items()])
        .with_columns(
            [(pl.col(c).is_not_null() & pl.col(f"={c}").is_null()).alias(f"!{c}") for c in exprs]
        )
        .collect()
    )
    typed = clean.select(
        [pl.col("_row"), *[pl.col(c) for c in names if c not in exprs]]
        + [pl.col(f"={c}").alias(c) for c in exprs]
        + [pl.col(f"!{c}") for c in exprs]
    )
    retry = [c for c in exprs if c in DATE_FIELDS and typed[f"!{c}"].any()]
    if retry:
        trimmed = {c: pl.col(c).str.strip_chars() for c in retry}
        again = clean.select(
            [_date(trimmed[c], _date_formats(clean[c].str.strip_chars())).alias(c) for c in retry]
            + [
                (
                    (trimmed[c].str.len_bytes() > 0)
                    & _date(trimmed[c], list(DATE_FORMATS)).is_null()
                ).alias(f"!{c}")
                for c in retry
            ]
        )
        typed = typed.with_columns(again)
    bad = pl.repeat(False, raw.height, eager=True)
    rows = typed["_row"]
    for name in exprs:
        failed = typed[f"!{name}"]
        if failed.any():
            bad |= failed
            label = FIELDS[name][0]
            for r, v in zip(
                rows.filter(failed).to_list(), clean[name].filter(failed).to_list(), strict=True
            ):
                found.add(r, label, _why(name, v), kind=_why(name, "…"))
    for name, reason in (("code", "thiếu mã hồ sơ"), ("status", "thiếu trạng thái hồ sơ")):
        empty = (
            clean[name].is_null()
            if name in clean.columns
            else pl.repeat(True, raw.height, eager=True)
        )
        if empty.any():
            bad |= empty
            for r in rows.filter(empty).to_list():
                found.add(r, FIELDS[name][0], reason)
    frame = typed.select(
        [
            pl.col(c).cast(t) if c in typed.columns else pl.lit(None, dtype=t).alias(c)
            for c, t in SCHEMA.items()
        ]
    )
    if limits:  # the procedure table fills the legal limit the row does not give
        codes = list(limits)
        amount = pl.col("procedure").replace_strict(
            codes, [limits[c][0] for c in codes], default=None, return_dtype=pl.Float64
        )
        unit = pl.col("procedure").replace_strict(
            codes, [limits[c][1] for c in codes], default=None, return_dtype=pl.Int8
        )
        missing = pl.col("legal_amount").is_null()
        frame = frame.with_columns(
            pl.when(missing).then(amount).otherwise(pl.col("legal_amount")).alias("legal_amount"),
            pl.when(missing).then(unit).otherwise(pl.col("legal_unit")).alias("legal_unit"),
        )
    return _row_checks(frame, found, present, bad)


def read_procedure_limits(path: str | Path) -> tuple[dict[str, tuple[float, int]], list[Problem]]:
    """Legal limits per procedure: CSV ``procedure,limit[,unit]`` (unit: ``ngày làm việc``
    — the default —, ``giờ``, ``ngày``); ``(limits, problems)``."""
    name = str(path)
    problems: list[Problem] = []
    try:
        text = read_text_file(path)
    except FormatError as exc:
        return {}, exc.problems
    rows = csv_rows(text, name, problems)
    at = header_positions(name, rows, ["procedure", "limit"], ["unit"], problems)
    limits: dict[str, tuple[float, int]] = {}
    if at is None:
        return {}, problems
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != at[-1]:
            problems.append(Problem(name, line, None, width_reason(len(cells), at[-1])))
            continue
        code = cells[at[0]].strip()
        unit_text = cells[at[2]].strip() if at[2] >= 0 else ""
        unit = LIMIT_UNIT_NAMES.get(fold(unit_text)) if unit_text else 1
        try:
            amount = float(parse_decimal(cells[at[1]]))
        except ValueError as exc:
            problems.append(Problem(name, line, "limit", str(exc)))
            continue
        if unit is None:
            problems.append(Problem(name, line, "unit", f"đơn vị thời hạn không rõ: {unit_text!r}"))
        elif code in limits:
            problems.append(Problem(name, line, "procedure", f"thủ tục {code} khai hai lần"))
        else:
            limits[code] = (amount, unit)
    return limits, problems


def _row_checks(
    frame: pl.DataFrame, found: Findings, present: Iterable[str], bad: pl.Series
) -> pl.DataFrame:
    has = set(present)
    checks: list[tuple[pl.Expr, str, str]] = [
        (
            pl.col("status").is_in(TERMINAL)
            & pl.col("finished").is_null()
            & pl.col("returned").is_null()
            & pl.col("stopped").is_null(),
            FIELDS["finished"][0],
            "hồ sơ đã kết thúc (trạng thái 7–10) nhưng thiếu ngày kết thúc xử lý, ngày trả "
            "hoặc ngày từ chối",
        ),
        (
            ~pl.col("status").is_in((1, 3))
            & pl.col("received").is_not_null()
            & pl.col("due").is_null()
            & pl.col("legal_amount").is_null(),
            FIELDS["due"][0],
            "thiếu ngày hẹn trả và thời hạn giải quyết: không tính được hạn",
        ),
    ]
    masks = frame.select([e.alias(str(i)) for i, (e, _, _) in enumerate(checks)])
    for i, (_, column, reason) in enumerate(checks):
        m = masks[str(i)].fill_null(False) & ~bad
        for r in frame["_row"].filter(m).to_list():
            found.add(r, column, reason)
        bad = bad | m
    order = [
        ("received", "finished", "ngày tiếp nhận sau ngày kết thúc xử lý"),
        ("received", "returned", "ngày tiếp nhận sau ngày trả kết quả"),
        ("finished", "returned", "ngày kết thúc xử lý sau ngày trả kết quả"),
    ]
    for a, b, reason in order:
        if a in has and b in has:
            m = (frame[a] > frame[b]).fill_null(False) & ~bad
            for r in frame["_row"].filter(m).to_list():
                found.flag(r, FIELDS[a][0], f"{reason} (giữ lại, cần kiểm tra)")
    return frame.filter(~bad)
