"""Survey responses (DESIGN §5, issue 10 part 2): our CSV and KoboToolbox / ODK Central
exports (CSV or XLSX), read in bulk with Polars.

Our format: ``respondent,unit,<item code>…``, one row per respondent. Answers:

* ``likert5``: ``1``–``5`` (``4.0`` from a spreadsheet, or the choice's label, also read);
* ``single``: the choice code or its label; ``multi``: the ticked codes separated by spaces
  (the XLSForm convention); ``number``: a number (dot or decimal comma); ``text``: free;
* blank, ``KB``/``không biết`` and the not-applicable words (``NA``, ``N/A``, ``KAD``,
  ``không áp dụng``) mean "no answer" and are left out of every denominator.

Kobo / ODK exports are read as they come:

* group prefixes are stripped: ``grp/Q1`` and ``grp-Q1`` (ODK Central) match item ``Q1``;
  Kobo's one-column-per-choice ``grp/E1/opt`` columns of a multi item are ignored (the
  ``grp/E1`` column holds the same ticks);
* meta columns (every name starting with ``_``, ``start``, ``end``, ``today``,
  ``deviceid``, ``meta/instanceID``, ODK Central's ``SubmissionDate``, ``KEY``,
  ``SubmitterID`` …) are ignored;
* the respondent is the ``respondent`` column, else ``_uuid``, else ``KEY`` /
  ``meta-instanceID``; the unit is the column named ``unit`` (any group prefix);
* a submission rejected in review (``_validation_status`` =
  ``validation_status_not_approved``, ODK ``ReviewState`` = ``rejected``) is left out and
  counted.

Problems (all of them, each with its line and column; nothing is returned when there is
any): a column that matches no item (a renamed column, an unknown item code), two columns
for one item, an answer outside the scale or not among the item's choices, a number that is
not one, a missing respondent or unit, a duplicate respondent id, and — when the caller
gives the list of units — a unit that does not exist.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from parindex.engine.survey import Item, Questionnaire, survey_tree
from parindex.engine.survey_bulk import SurveyData
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import is_na, parse_decimal
from parindex.formats.text import csv_rows, decode_text

__all__ = [
    "KB_WORDS",
    "META_COLUMNS",
    "ResponseRecord",
    "Responses",
    "answer_problem",
    "normalise_answer",
    "read_response_records",
    "read_responses",
]

KB_WORDS: frozenset[str] = frozenset({"kb", "không biết", "khong biet"})
#: Export columns that are never answers (compared case-insensitively, any group prefix).
META_COLUMNS: frozenset[str] = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "instanceid",
        "instancename",
        "uuid",
        "submissiondate",
        "key",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "reviewstate",
        "edits",
        "formversion",
        "audit",
    }
)
_FAST_NULLS = ["", "NA", "na", "N/A", "n/a", "KB", "kb", "Kb", "KAD", "kad"]
_REJECTED = {"validation_status_not_approved", "rejected"}


@dataclass(frozen=True)
class Responses:
    """Parsed responses, ready for :func:`parindex.engine.survey_bulk.compute_survey`."""

    data: SurveyData
    #: item code → the file's column it was read from
    columns: dict[str, str] = field(default_factory=dict)
    #: submissions left out because they were rejected in Kobo / ODK review
    rejected: int = 0


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip()).casefold()


def _is_blank(text: str) -> bool:
    t = _fold(text)
    return t == "" or t in KB_WORDS or is_na(t)


def _column_map(
    header: list[str], q: Questionnaire, name: str, problems: list[Problem]
) -> tuple[dict[str, str], str | None, str | None, str | None]:
    """item code → column; the respondent, unit and review-status columns."""
    codes = {i.code for i in q.items}
    multi = {i.code: {c.code for c in i.choices} for i in q.items if i.type == "multi"}
    out: dict[str, str] = {}
    respondent = unit = status = None
    fallback: dict[str, str] = {}
    for col in header:
        parts = col.strip().split("/")
        last = parts[-1]
        low = last.lower()
        if low == "respondent":
            respondent = col
            continue
        if low == "unit":
            unit = col
            continue
        if col.startswith("_") or low in META_COLUMNS or low.startswith("meta-"):
            key = low.lstrip("_")
            if key in ("uuid", "key", "meta-instanceid", "instanceid"):
                fallback.setdefault(key, col)
            if key in ("validation_status", "reviewstate"):
                status = col
            continue
        if len(parts) >= 2 and parts[-2] in multi and last in multi[parts[-2]]:
            continue  # Kobo's per-choice column of a multi item
        code = last if last in codes else None
        if code is None and "-" in last:
            pieces = last.split("-")
            code = next(
                (c for k in range(1, len(pieces)) if (c := "-".join(pieces[k:])) in codes), None
            )
        if code is None:
            problems.append(
                Problem(name, 1, col, f"cột {col!r} không khớp câu hỏi nào trong bảng hỏi")
            )
        elif code in out:
            problems.append(
                Problem(name, 1, col, f"câu {code} có hai cột: {out[code]!r} và {col!r}")
            )
        else:
            out[code] = col
    if respondent is None:
        respondent = next(
            (
                fallback[k]
                for k in ("uuid", "key", "meta-instanceid", "instanceid")
                if k in fallback
            ),
            None,
        )
    return out, respondent, unit, status


def _answer_map(item: Item) -> Callable[[str], int | None]:
    """Text of one answer → code (0 = no answer); ``None`` = not a valid answer."""
    by_code = {c.code: k + 1 for k, c in enumerate(item.choices)}
    by_label = {_fold(c.label): k + 1 for k, c in enumerate(item.choices)}

    def one(text: str) -> int | None:
        t = text.strip()
        if _is_blank(t):
            return 0
        if t in by_code:
            return by_code[t]
        if item.type == "likert5" and t.endswith(".0") and t[:-2] in by_code:
            return by_code[t[:-2]]
        return by_label.get(_fold(t))

    if item.type != "multi":
        return one

    def ticks(text: str) -> int | None:
        if _is_blank(text):
            return 0
        single = one(text)
        if single:
            return 1 << (single - 1)
        mask = 0
        for token in text.split():
            k = by_code.get(token)
            if k is None:
                return None
            mask |= 1 << (k - 1)
        return mask

    return ticks


def _reason(item: Item, value: str) -> str:
    if item.type == "likert5":
        return f"giá trị {value!r} ngoài thang 1–5 của câu {item.code}"
    if item.type == "number":
        return f"câu {item.code}: {value!r} không phải là số"
    codes = ", ".join(c.code for c in item.choices)
    return f"câu {item.code}: {value!r} không phải lựa chọn ({codes})"


def _frame(source: Path | str | bytes, likert: list[str]) -> Any:
    """The file as a Polars frame of text columns (likert ones as UInt8 when they parse)."""
    import polars as pl

    data: Path | bytes
    if isinstance(source, Path):
        if source.suffix.lower() in (".xlsx", ".xlsm"):
            return _xlsx_frame(source)
        data = source
    elif isinstance(source, bytes):
        if source[:2] == b"PK":
            return _xlsx_frame(io.BytesIO(source))
        data = source
    else:
        data = source.encode("utf-8")
    header = pl.read_csv(data, n_rows=0, infer_schema=False).columns
    typed = {c: pl.UInt8 for c in header if c.split("/")[-1].split("-")[-1] in likert}
    if typed:  # fast path: likert columns parsed as UInt8, the no-answer words as null
        try:
            frame = pl.read_csv(
                data, infer_schema=False, schema_overrides=typed, null_values=_FAST_NULLS
            )
            if not any(((frame[c] < 1) | (frame[c] > 5)).any() for c in typed):
                return frame
        except pl.exceptions.ComputeError:
            pass  # a cell that is not a plain 0–255 number: the text path locates it
    return pl.read_csv(data, infer_schema=False)


def _xlsx_frame(source: Path | io.BytesIO) -> Any:
    import polars as pl
    from openpyxl import load_workbook

    from parindex.formats.archive import inspect_zip

    inspect_zip(source)  # ArchiveRefused (a ValueError) before openpyxl inflates anything
    wb = load_workbook(source, read_only=True, data_only=True)
    rows = wb.worksheets[0].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    body = [[_cell_text(v) for v in r[: len(header)]] for r in rows]
    wb.close()
    columns = {  # columns without a header (Excel's empty trailing columns) are dropped
        h: [r[k] if k < len(r) else None for r in body] for k, h in enumerate(header) if h
    }
    return pl.DataFrame(columns, schema={h: pl.String for h in header})


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _lines(source: Path | str | bytes, rows: int) -> list[int]:
    """Line (CSV) or row (XLSX) number of each data row, for messages only."""
    xlsx = (isinstance(source, Path) and source.suffix.lower() in (".xlsx", ".xlsm")) or (
        isinstance(source, bytes) and source[:2] == b"PK"
    )
    if xlsx:
        return list(range(2, rows + 2))
    if isinstance(source, Path):
        text = decode_text(source.read_bytes(), str(source))
    elif isinstance(source, bytes):
        text = decode_text(source, "")
    else:
        text = source
    ends = [line for line, _ in csv_rows(text, "", [], strict=False)]
    starts = [end + 1 for end in ends[:-1]]  # a quoted cell may span lines
    return starts + list(range(len(starts) + 2, rows + 2))


def read_responses(
    source: Path | str | bytes | TextIO,
    *,
    name: str,
    questionnaire: Questionnaire,
    units: Collection[str] | None = None,
) -> tuple[Responses | None, list[Problem]]:
    """A responses file → (responses, problems); ``None`` whenever there is a problem.

    ``source`` is a path (``.csv``, or ``.xlsx`` for a spreadsheet export), the file's
    bytes, or CSV text. With ``units``, every response's unit must be in it.
    """
    import numpy as np
    import polars as pl

    if not isinstance(source, (Path, str, bytes)):
        source = source.read()
    q = questionnaire
    tree = survey_tree(q)
    problems: list[Problem] = []
    try:
        frame = _frame(source, list(tree.items))
    except FormatError as exc:
        return None, exc.problems
    except pl.exceptions.ComputeError as exc:
        reason = "tệp không phải UTF-8" if "utf-8" in str(exc).lower() else f"CSV hỏng: {exc}"
        return None, [Problem(name, None, None, reason)]
    except (OSError, ValueError, KeyError) as exc:
        return None, [Problem(name, None, None, f"không đọc được tệp: {exc}")]
    columns, rcol, ucol, scol = _column_map(frame.columns, q, name, problems)
    if rcol is None:
        problems.append(Problem(name, 1, "respondent", "thiếu cột respondent (hoặc _uuid)"))
    if ucol is None:
        problems.append(Problem(name, 1, "unit", "thiếu cột unit"))
    if problems or rcol is None or ucol is None:
        return None, problems
    typed = any(frame[c].dtype == pl.UInt8 for c in frame.columns)
    if typed and (frame[rcol].null_count() or frame[ucol].null_count()):
        # the typed read turned an id such as "NA" into null: read the text as it is
        frame = _frame(source, [])
    frame = frame.with_row_index("__row")
    total_rows = frame.height
    frame = frame.filter(~pl.all_horizontal(pl.exclude("__row").is_null()))
    rejected = 0
    if scol is not None:
        bad = frame[scol].cast(pl.String).str.strip_chars().is_in(list(_REJECTED)).fill_null(False)
        rejected = int(bad.sum())
        frame = frame.filter(~bad)
    line_of: list[int] = []
    bad_cells: list[tuple[int, str, str]] = []  # (file row, column, reason)

    def cells(col: str, where: Any, reason: Callable[[Any], str]) -> None:
        rows = frame["__row"].filter(where).to_list()
        values = frame[col].filter(where).to_list()
        bad_cells.extend((r, col, reason(v)) for r, v in zip(rows, values, strict=True))

    resp = frame[rcol].cast(pl.String).str.strip_chars()
    cells(rcol, resp.is_null() | (resp == ""), lambda _: "thiếu mã người trả lời")
    present = resp.filter(resp.is_not_null() & (resp != ""))
    if present.n_unique() != present.len():
        line_of = _lines(source, total_rows)
        first: dict[str, int] = {}
        for row, r in zip(frame["__row"].to_list(), resp.to_list(), strict=True):
            if not r:
                continue
            if r in first:
                why = f"người trả lời {r!r} bị trùng (dòng {line_of[first[r]]})"
                bad_cells.append((row, rcol, why))
            else:
                first[r] = row
    unit_s = frame[ucol].cast(pl.String).str.strip_chars()
    cells(ucol, unit_s.is_null() | (unit_s == ""), lambda _: "thiếu mã đơn vị")
    if units is not None:
        unknown = unit_s.is_not_null() & (unit_s != "") & ~unit_s.is_in(list(units))
        cells(ucol, unknown, lambda v: f"đơn vị {v.strip()!r} không có trong danh sách đơn vị")
    n = frame.height
    likert = np.zeros((n, len(tree.items)), dtype=np.uint8)
    choices: dict[str, Any] = {}
    for item in q.items:
        col = columns.get(item.code)
        if col is None:
            continue
        series = frame[col]
        if item.type == "text":
            continue
        if series.dtype == pl.UInt8:
            codes = series.fill_null(0).to_numpy()
        else:
            codes = _codes(item, series.cast(pl.String), frame, col, cells)
            if codes is None:
                continue
        if item.type == "likert5":
            likert[:, tree.items.index(item.code)] = codes
        elif item.type in ("single", "multi"):
            choices[item.code] = codes.astype(np.uint64 if item.type == "multi" else np.uint8)
    if bad_cells:
        line_of = line_of or _lines(source, total_rows)
        bad_cells.sort(key=lambda c: (c[0], frame.columns.index(c[1])))
        return None, [Problem(name, line_of[r], c, why) for r, c, why in bad_cells]
    unit_codes = tuple(unit_s.unique().sort().to_list())
    positions = {u: k for k, u in enumerate(unit_codes)}
    unit_index = unit_s.replace_strict(positions, return_dtype=pl.Int64).to_numpy()
    data = SurveyData(unit_codes, unit_index, likert, choices)
    return Responses(data, columns, rejected), []


def _codes(
    item: Item,
    series: Any,
    frame: Any,
    col: str,
    cells: Callable[[str, Any, Callable[[Any], str]], None],
) -> Any:
    """Answer texts → integer codes through the column's distinct values."""
    import numpy as np
    import polars as pl

    values = series.fill_null("")
    distinct = values.unique().to_list()
    if item.type == "number":
        mapping = {v: 0 if _is_blank(v) or _number_ok(v) else None for v in distinct}
    else:
        one = _answer_map(item)
        mapping = {v: one(v) for v in distinct}
    bad = [v for v, code in mapping.items() if code is None]
    if bad:
        cells(col, values.is_in(bad), lambda v: _reason(item, v))
        return None
    if item.type == "number":
        return None
    dtype = pl.UInt64 if item.type == "multi" else pl.UInt8
    out = values.replace_strict(mapping, return_dtype=dtype)
    return np.asarray(out.to_numpy())


def _number_ok(text: str) -> bool:
    try:
        parse_decimal(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ResponseRecord:
    """One submission of a responses file, for storing (the app's import, issue 10 part 4):
    answers normalised to what the app stores (likert ``"1"``–``"5"``, a choice code, ticked
    codes separated by spaces, a number or text as written; no key = no answer)."""

    line: int
    respondent: str
    unit: str
    answers: dict[str, str]
    uuid: str = ""
    submitted: str = ""
    #: Kobo ``_validation_status`` / ODK ``ReviewState`` as exported ("" = none)
    review: str = ""


def read_response_records(
    source: Path | str | bytes,
    *,
    name: str,
    questionnaire: Questionnaire,
    units: Collection[str] | None = None,
) -> tuple[list[ResponseRecord], int, list[Problem]]:
    """A responses file → (records, rejected in Kobo/ODK review, problems).

    Checked by :func:`read_responses` (same problems, all or nothing); the records are the
    accepted rows with their answers as text."""
    checked, problems = read_responses(source, name=name, questionnaire=questionnaire, units=units)
    if checked is None:
        return [], 0, problems
    frame = _frame(source, [])
    columns, rcol, ucol, scol = _column_map(frame.columns, questionnaire, name, [])
    assert rcol is not None and ucol is not None  # read_responses checked them
    meta = {c.lower().lstrip("_"): c for c in frame.columns if c.startswith("_")}
    lines = _lines(source, frame.height)
    maps = {i.code: i for i in questionnaire.items}
    out: list[ResponseRecord] = []
    for k, row in enumerate(frame.iter_rows(named=True)):
        if all(v is None or str(v).strip() == "" for v in row.values()):
            continue
        review = str(row.get(scol) or "").strip() if scol else ""
        if review in _REJECTED:
            continue
        answers: dict[str, str] = {}
        for code, col in columns.items():
            value = normalise_answer(maps[code], str(row.get(col) or ""))
            if value:
                answers[code] = value
        out.append(
            ResponseRecord(
                line=lines[k],
                respondent=str(row[rcol]).strip(),
                unit=str(row[ucol]).strip(),
                answers=answers,
                uuid=str(row.get(meta.get("uuid", ""), "") or "").strip(),
                submitted=str(row.get(meta.get("submission_time", ""), "") or "").strip(),
                review=review,
            )
        )
    return out, checked.rejected, []


def normalise_answer(item: Item, text: str) -> str | None:
    """One answer as the app stores it: ``""`` = no answer (blank, KB, NA), ``None`` = not
    a valid answer (:func:`answer_problem` says why); likert and single answers become the
    choice code, multi ticks the codes separated by spaces."""
    t = text.strip()
    if _is_blank(t):
        return ""
    if item.type == "text":
        return t
    if item.type == "number":
        return t if _number_ok(t) else None
    value = _answer_map(item)(t)
    if value is None:
        return None
    if item.type == "multi":
        return " ".join(c.code for b, c in enumerate(item.choices) if value & (1 << b))
    return item.choices[value - 1].code


def answer_problem(item: Item, text: str) -> str:
    """Why ``text`` is not an answer to ``item`` (Vietnamese)."""
    return _reason(item, text.strip())
