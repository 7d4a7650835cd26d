"""XLSForm (ODK Collect, KoboToolbox) from and to questionnaires (issue 10 part 2).

Writing (:func:`write_xlsform`), three sheets:

* ``survey``: ``type, name, label, required``. First a required ``text`` question ``unit``
  (the unit code, e.g. the commune's code: the responses reader reads it as the unit), then
  one ``begin_group``/``end_group`` per aspect (name = aspect code, label = its name) with
  its items: ``likert5`` → ``select_one likert5``, ``single`` → ``select_one <item>``,
  ``multi`` → ``select_multiple <item>``, ``number`` → ``integer``, ``text`` → ``text``;
* ``choices``: ``list_name, name, label``; the list ``likert5`` (1 Rất không hài lòng … 5
  Rất hài lòng) is shared, other lists are named after their item;
* ``settings``: ``form_title`` (the questionnaire's name), ``form_id`` (its code),
  ``version``.

Labels are Vietnamese as written in the questionnaire. Weights, parts, ``leaf`` and
``aggregate`` have no XLSForm column and stay in the YAML.

Reading (:func:`read_xlsform`): groups become aspects (a group inside a group: the inner
one is the aspect, the outer one its part), ``select_one`` lists become items (a list of
exactly the codes 1–5 is ``likert5``, else ``single``), ``select_multiple`` → ``multi``,
``integer``/``decimal`` → ``number``, ``text`` and other data types → ``text``; notes,
calculations and meta questions (``start``, ``end``, ``deviceid`` …) and the ``unit``
question are skipped; questions outside any group go to the aspect ``KHAC``. Refused, each
with its sheet row: a missing ``survey`` sheet or ``type``/``name`` column, a list name
missing from ``choices``, an unknown type, unbalanced groups, a repeated name.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import xlsxwriter
from openpyxl import load_workbook

from parindex.engine import survey as sv
from parindex.formats.archive import inspect_zip
from parindex.formats.cells import XLSX_OPTIONS
from parindex.formats.errors import Problem
from parindex.formats.questionnaire import NAME_RE, dumps, read_questionnaire

__all__ = ["read_xlsform", "write_xlsform", "xlsform_rows"]

_TYPE = {"likert5": "select_one", "single": "select_one", "multi": "select_multiple"}
_META_TYPES = {
    "note",
    "calculate",
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "audit",
    "simserial",
    "subscriberid",
    "start-geopoint",
    "hidden",
    "acknowledge",
}
_TEXT_TYPES = {
    "text",
    "date",
    "time",
    "datetime",
    "geopoint",
    "geotrace",
    "geoshape",
    "barcode",
    "image",
    "audio",
    "video",
    "file",
    "range",
    "rank",
}
_OTHER_ASPECT = sv.Aspect("KHAC", "Khác")


def _list_name(item: sv.Item) -> str:
    if item.type == "likert5" and item.choices == sv.likert5_choices():
        return "likert5"
    return item.code


def _question(item: sv.Item) -> list[str]:
    required = "yes" if item.required else ""
    if item.type in _TYPE:
        return [f"{_TYPE[item.type]} {_list_name(item)}", item.code, item.text, required]
    return ["integer" if item.type == "number" else "text", item.code, item.text, required]


def xlsform_rows(q: sv.Questionnaire) -> dict[str, list[list[str]]]:
    """The three sheets as rows (header first)."""
    survey = [["type", "name", "label", "required"]]
    if "unit" not in q.by_code:
        survey.append(["text", "unit", "Mã đơn vị (xã, phường, cơ quan)", "yes"])
    choices = [["list_name", "name", "label"]]
    lists: set[str] = set()
    blocks: list[tuple[str, list[sv.Aspect]]] = []  # (part code or "", aspects)
    for aspect in q.aspects:
        block = next((b for b in blocks if aspect.part and b[0] == aspect.part), None)
        if block is None:
            blocks.append((aspect.part, [aspect]))
        else:
            block[1].append(aspect)
    part_names = {p.code: p.name for p in q.parts}
    for part, aspects in blocks:
        if part:
            survey.append(["begin_group", part, part_names.get(part) or part, ""])
        for aspect in aspects:
            members = [i for i in q.items if i.aspect == aspect.code]
            if members:
                survey.append(["begin_group", aspect.code, aspect.name, ""])
                for item in members:
                    survey.append(_question(item))
                    name = _list_name(item)
                    if item.type in _TYPE and name not in lists:
                        lists.add(name)
                        choices += [[name, c.code, c.label] for c in item.choices]
                survey.append(["end_group", "", "", ""])
        if part:
            survey.append(["end_group", "", "", ""])
    settings = [["form_title", "form_id", "version"], [q.name, q.code, "1"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsform(q: sv.Questionnaire, path: str | Path | io.BytesIO) -> None:
    target: Any = path if isinstance(path, io.BytesIO) else str(path)
    wb = xlsxwriter.Workbook(target, {"in_memory": True, **XLSX_OPTIONS})
    bold = wb.add_format({"bold": True})
    for sheet, rows in xlsform_rows(q).items():
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row, bold if r == 0 else None)
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 16)
        ws.set_column(2, 2, 70)
    wb.close()


def _sheet(wb: Any, wanted: str) -> Any:
    return next((ws for ws in wb.worksheets if ws.title.strip().lower() == wanted), None)


def _table(ws: Any) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    rows = ws.iter_rows(values_only=True)
    head = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
    cols: dict[str, int] = {}
    for k, h in enumerate(head):
        key = "label" if h.startswith("label") else h
        cols.setdefault(key, k)
    body = [
        (r, ["" if v is None else str(v).strip() for v in row])
        for r, row in enumerate(rows, start=2)
        if any(v is not None and str(v).strip() for v in row)
    ]
    return cols, body


def _cell(row: list[str], cols: dict[str, int], key: str) -> str:
    k = cols.get(key)
    return row[k] if k is not None and k < len(row) else ""


def read_xlsform(
    source: Path | bytes, *, name: str
) -> tuple[sv.Questionnaire | None, list[Problem]]:
    """An XLSForm workbook → (questionnaire, problems); ``None`` whenever there is one."""
    try:
        data = io.BytesIO(source) if isinstance(source, bytes) else source
        inspect_zip(data)  # the real expanded size, before openpyxl inflates anything
        wb = load_workbook(data, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return None, [Problem(name, None, None, f"không phải tệp Excel (.xlsx) đọc được: {exc}")]
    try:
        return _read(wb, name)
    finally:
        wb.close()


def _read(wb: Any, name: str) -> tuple[sv.Questionnaire | None, list[Problem]]:
    problems: list[Problem] = []
    survey_ws = _sheet(wb, "survey")
    if survey_ws is None:
        return None, [Problem(name, None, "survey", "thiếu sheet 'survey' của XLSForm")]
    cols, rows = _table(survey_ws)
    for key in ("type", "name"):
        if key not in cols:
            problems.append(Problem(f"{name} [survey]", 1, key, f"thiếu cột '{key}'"))
    if problems:
        return None, problems
    lists: dict[str, list[sv.Choice]] = {}
    choices_ws = _sheet(wb, "choices")
    if choices_ws is not None:
        ccols, crows = _table(choices_ws)
        for _, row in crows:
            lst, code = _cell(row, ccols, "list_name"), _cell(row, ccols, "name")
            if lst and code:
                lists.setdefault(lst, []).append(
                    sv.Choice(code, _cell(row, ccols, "label") or code)
                )
    where = f"{name} [survey]"
    stack: list[tuple[str, str]] = []
    aspects: dict[str, sv.Aspect] = {}
    parts: dict[str, sv.Part] = {}
    items: list[sv.Item] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        kind = " ".join(_cell(row, cols, "type").split())
        code, label = _cell(row, cols, "name"), _cell(row, cols, "label")
        head, _, rest = kind.partition(" ")
        head = head.lower().replace(" ", "_")
        if head in ("begin_group", "begin_repeat", "begin"):
            stack.append((code, label or code))
            continue
        if head in ("end_group", "end_repeat", "end") and not code and rest in ("", "group"):
            if not stack:
                problems.append(Problem(where, line, "type", "end_group không có begin_group"))
            else:
                stack.pop()
            continue
        if head in _META_TYPES or code.lower() == "unit" or not kind:
            continue
        if code in seen:
            problems.append(
                Problem(where, line, "name", f"tên {code!r} bị trùng (dòng {seen[code]})")
            )
            continue
        if not NAME_RE.match(code):
            problems.append(Problem(where, line, "name", f"tên {code!r} không hợp lệ"))
            continue
        seen[code] = line
        if head in ("select_one", "select_multiple"):
            list_name = rest.split()[0] if rest else ""
            if list_name not in lists:
                problems.append(
                    Problem(
                        where,
                        line,
                        "type",
                        f"danh sách lựa chọn {list_name!r} không có trong sheet 'choices'",
                    )
                )
                continue
            options = tuple(lists[list_name])
            likert = [c.code for c in options] == [c for c, _ in sv.LIKERT5_CHOICES]
            item_type = "multi" if head == "select_multiple" else "likert5" if likert else "single"
        elif head in ("integer", "decimal"):
            item_type, options = "number", ()
        elif head in _TEXT_TYPES:
            item_type, options = "text", ()
        else:
            problems.append(Problem(where, line, "type", f"loại câu hỏi {kind!r} không hỗ trợ"))
            continue
        aspect = _aspect_for(stack, aspects, parts)
        required = _cell(row, cols, "required").lower() in ("yes", "true", "true()", "1")
        items.append(
            sv.Item(code, label or code, item_type, aspect.code, options, required=required)
        )
    if stack:
        problems.append(Problem(where, None, "type", f"nhóm {stack[-1][0]!r} thiếu end_group"))
    if not items and not problems:
        problems.append(Problem(where, None, None, "XLSForm không có câu hỏi nào"))
    if problems:
        return None, problems
    settings_ws = _sheet(wb, "settings")
    title, form_id = "", ""
    if settings_ws is not None:
        scols, srows = _table(settings_ws)
        if srows:
            title = _cell(srows[0][1], scols, "form_title")
            form_id = _cell(srows[0][1], scols, "form_id")
    stem = Path(name).stem
    code = (
        form_id
        if NAME_RE.match(form_id or "")
        else "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in stem) or "xlsform"
    )
    q = sv.Questionnaire(
        code, title or stem, tuple(aspects.values()), tuple(items), tuple(parts.values())
    )
    checked, found = read_questionnaire(dumps(q), name=f"{name} (bảng hỏi đọc được)")
    return checked, found


def _aspect_for(
    stack: list[tuple[str, str]], aspects: dict[str, sv.Aspect], parts: dict[str, sv.Part]
) -> sv.Aspect:
    if not stack:
        aspects.setdefault(_OTHER_ASPECT.code, _OTHER_ASPECT)
        return _OTHER_ASPECT
    code, label = stack[-1]
    part = ""
    if len(stack) >= 2:
        part = stack[0][0]
        parts.setdefault(part, sv.Part(part, stack[0][1]))
    return aspects.setdefault(code, sv.Aspect(code, label, part=part))
