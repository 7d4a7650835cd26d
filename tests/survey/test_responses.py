"""Responses: our CSV, Kobo and ODK Central exports (CSV, XLSX), and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from survey_helpers import small_questionnaire

from parindex.formats.responses import read_responses

Q = small_questionnaire()


def read(text: str, **kw):  # type: ignore[no-untyped-def]
    return read_responses(text, name="r.csv", questionnaire=Q, **kw)


def test_our_csv_reads_answers_blanks_kb_na_labels_and_choices() -> None:
    r, problems = read(
        "respondent,unit,Q1,Q2,Q3,S,M\n"
        "r1,x,5,KB,1,co,a c\n"
        "r2,x,Hài lòng,NA,,Không,\n"
        "r3,y,4.0,không biết,n/a,,b\n"
    )
    assert problems == [] and r is not None
    assert r.data.units == ("x", "y")
    assert r.data.unit_of.tolist() == [0, 0, 1]
    assert r.data.likert.tolist() == [[5, 0, 1], [4, 0, 0], [4, 0, 0]]
    assert r.data.choices["S"].tolist() == [1, 2, 0]
    assert r.data.choices["M"].tolist() == [0b101, 0, 0b010]


def test_the_fast_typed_path_and_the_text_path_give_the_same_data() -> None:
    clean = "respondent,unit,Q1,Q2,Q3\nr1,x,5,KB,1\nr2,y,3,NA,\nr3,x,4,2,5\n"
    slow = clean.replace("KB", "Không biết")  # not in the fast path's null list
    a, _ = read(clean)
    b, _ = read(slow)
    assert a is not None and b is not None
    assert a.data.likert.tolist() == b.data.likert.tolist()
    assert a.data.unit_of.tolist() == b.data.unit_of.tolist()


KOBO = (
    "start,end,grp_a/Q1,grp_a/Q2,grp_b/Q3,grp_c/M,grp_c/M/a,grp_c/M/b,grp_c/M/c,info/unit,"
    "_id,_uuid,_submission_time,_validation_status,_index\n"
    "t,t,4,5,3,a b,1,1,0,x,1,uu-1,2025-01-01,validation_status_approved,1\n"
    "t,t,1,2,3,,0,0,0,x,2,uu-2,2025-01-01,validation_status_not_approved,2\n"
    "t,t,5,5,5,c,0,0,1,y,3,uu-3,2025-01-01,,3\n"
)


def test_a_kobo_csv_export_imports_with_group_prefixes_and_meta_columns() -> None:
    r, problems = read(KOBO)
    assert problems == [] and r is not None
    assert r.rejected == 1
    assert r.columns == {"Q1": "grp_a/Q1", "Q2": "grp_a/Q2", "Q3": "grp_b/Q3", "M": "grp_c/M"}
    assert r.data.likert.tolist() == [[4, 5, 3], [5, 5, 5]]
    assert r.data.choices["M"].tolist() == [0b011, 0b100]


def test_an_odk_central_export_uses_dash_prefixes_and_key() -> None:
    text = (
        "SubmissionDate,grp-Q1,grp-Q2,grp-Q3,unit,meta-instanceID,KEY,SubmitterID,ReviewState\n"
        "2025,4,4,4,x,uuid:1,uuid:1,5,approved\n"
        "2025,1,1,1,x,uuid:2,uuid:2,5,rejected\n"
    )
    r, problems = read(text)
    assert problems == [] and r is not None
    assert r.rejected == 1 and r.data.likert.tolist() == [[4, 4, 4]]


def test_a_kobo_xlsx_export_reads_like_the_csv(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for line in KOBO.strip().splitlines():
        cells = line.split(",")
        ws.append([int(c) if c.isdigit() else (c or None) for c in cells])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    r, problems = read_responses(path, name="export.xlsx", questionnaire=Q)
    assert problems == [] and r is not None
    assert r.data.likert.tolist() == [[4, 5, 3], [5, 5, 5]]
    buf = io.BytesIO()
    wb.save(buf)
    again, _ = read_responses(buf.getvalue(), name="export.xlsx", questionnaire=Q)
    assert again is not None and again.data.likert.tolist() == r.data.likert.tolist()


def test_renamed_and_unknown_columns_are_named_and_nothing_is_returned() -> None:
    r, problems = read(KOBO.replace("grp_b/Q3", "grp_b/Câu 3").replace("info/unit", "info/unit,Q9"))
    assert r is None
    assert [(p.line, p.column) for p in problems] == [(1, "grp_b/Câu 3"), (1, "Q9")]
    assert "không khớp câu hỏi nào" in problems[0].reason


def test_bad_rows_are_each_reported_with_line_and_column() -> None:
    text = "respondent,unit,Q1,Q2,Q3,S\nr1,x,7,3,3,co\nr2,x,4,0,3,zz\nr1,z,4,3,3,co\n,x,4,3,3,\n"
    r, problems = read(text, units={"x"})
    assert r is None
    assert [str(p) for p in problems] == [
        "r.csv, dòng 2, cột Q1: giá trị '7' ngoài thang 1–5 của câu Q1",
        "r.csv, dòng 3, cột Q2: giá trị '0' ngoài thang 1–5 của câu Q2",
        "r.csv, dòng 3, cột S: câu S: 'zz' không phải lựa chọn (co, khong)",
        "r.csv, dòng 4, cột respondent: người trả lời 'r1' bị trùng (dòng 2)",
        "r.csv, dòng 4, cột unit: đơn vị 'z' không có trong danh sách đơn vị",
        "r.csv, dòng 5, cột respondent: thiếu mã người trả lời",
    ]


def test_line_numbers_follow_cells_that_span_lines_and_blank_lines() -> None:
    q_text = small_questionnaire()
    text = 'respondent,unit,Q1,S\nr1,x,4,"co"\n\nr2,"x\ny",9,co\n'
    r, problems = read_responses(text, name="r.csv", questionnaire=q_text)
    assert r is None
    assert [(p.line, p.column) for p in problems] == [(4, "Q1")]


def test_missing_identity_columns_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    r, problems = read("unit,Q1\nx,4\n")
    assert r is None and [p.column for p in problems] == ["respondent"]
    path = tmp_path / "latin.csv"
    path.write_bytes("respondent,unit,Q1\nr\xe9,x,4\n".encode("latin-1"))
    r, problems = read_responses(path, name="latin.csv", questionnaire=Q)
    assert r is None and "UTF-8" in problems[0].reason


def test_respondents_sorted_into_units_and_the_matrix_is_uint8() -> None:
    r, _ = read("respondent,unit,Q1\na,u2,4\nb,u1,5\nc,u2,1\n")
    assert r is not None
    assert r.data.units == ("u1", "u2") and r.data.unit_of.tolist() == [1, 0, 1]
    assert r.data.likert.dtype == np.uint8


TOKENS = {
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
    "5": 5,
    "": 0,
    "KB": 0,
    "NA": 0,
    "n/a": 0,
    "Không biết": 0,
    "4.0": 4,
    "Rất hài lòng": 5,
    "không áp dụng": 0,
}


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(sorted(TOKENS)), min_size=3, max_size=3), min_size=1, max_size=12
    )
)
def test_every_accepted_spelling_reads_as_its_code(rows: list[list[str]]) -> None:
    text = "respondent,unit,Q1,Q2,Q3\n" + "".join(
        f"r{k},u{k % 3},{','.join(cells)}\n" for k, cells in enumerate(rows)
    )
    r, problems = read(text)
    assert problems == [] and r is not None
    assert r.data.likert.tolist() == [[TOKENS[c] for c in cells] for cells in rows]


def test_an_id_that_looks_like_a_no_answer_word_is_kept() -> None:
    r, problems = read("respondent,unit,Q1\nNA,x,4\nr2,KB,5\n")
    assert problems == [] and r is not None
    assert r.data.units == ("KB", "x") and r.data.likert.tolist() == [[4, 0, 0], [5, 0, 0]]
