"""XLSForm out (checked by pyxform) and in."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import Workbook
from survey_helpers import DATA

from parindex.formats.questionnaire import load_questionnaire
from parindex.formats.xlsform import read_xlsform, write_xlsform

pyxform = pytest.importorskip("pyxform.xls2xform")
XF = "{http://www.w3.org/2002/xforms}"


@pytest.mark.parametrize("name", ["sipas-service-2025", "par-leaders-officials-2025"])
def test_pyxform_turns_the_written_xlsform_into_an_xform_with_every_item(
    tmp_path: Path, name: str
) -> None:
    q = load_questionnaire(DATA / f"{name}.yaml")
    out = tmp_path / "q.xlsx"
    write_xlsform(q, out)
    # ODK Validate (the Java checker pyxform ships) runs where Java is installed
    result = pyxform.convert(xlsform=str(out), validate=shutil.which("java") is not None)
    root = ET.fromstring(result.xform)
    assert result.warnings == []
    binds = {b.get("nodeset", "").split("/")[-1]: b for b in root.iter(f"{XF}bind")}
    for item in q.items:
        assert item.code in binds, item.code
    assert "unit" in binds and binds["unit"].get("required") == "true()"
    body = {e.get("ref", "").split("/")[-1]: e for e in root.iter() if e.get("ref")}
    for item in q.items:
        element = body[item.code]
        tag = element.tag.removeprefix(XF)
        expected = {"likert5": "select1", "single": "select1", "multi": "select"}.get(
            item.type, "input"
        )
        assert tag == expected, item.code
        label = element.find(f"{XF}label")
        assert label is not None and label.text == item.text
    assert "Rất không hài lòng" in result.xform
    title = root.find(".//{http://www.w3.org/1999/xhtml}title")
    assert title is not None and title.text == q.name


def test_import_xlsform_gives_back_codes_types_aspects_parts_and_choices(tmp_path: Path) -> None:
    q = load_questionnaire(DATA / "sipas-service-2025.yaml")
    out = tmp_path / "q.xlsx"
    write_xlsform(q, out)
    back, problems = read_xlsform(out, name="q.xlsx")
    assert problems == [] and back is not None
    assert (back.code, back.name) == (q.code, q.name)
    assert [(i.code, i.type, i.aspect, i.choices, i.text) for i in back.items] == [
        (i.code, i.type, i.aspect, i.choices, i.text) for i in q.items
    ]
    assert [
        (a.code, a.name, a.part) for a in back.aspects if a.code in {i.aspect for i in q.items}
    ] == [(a.code, a.name, a.part) for a in q.aspects]
    assert [p.code for p in back.parts] == ["DV"]


def _workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_kobo_style_form_imports_with_groups_as_aspects() -> None:
    data = _workbook(
        {
            "survey": [
                ["type", "name", "label::Vietnamese (vi)"],
                ["start", "start", ""],
                ["begin group", "tc", "Tiếp cận"],
                ["select_one hl", "q1", "Biển chỉ dẫn"],
                ["select_multiple md", "q2", "Mong đợi"],
                ["end group", "", ""],
                ["integer", "tuoi", "Tuổi"],
                ["note", "n1", "Cảm ơn"],
            ],
            "choices": [
                ["list_name", "name", "label::Vietnamese (vi)"],
                *[["hl", str(k), f"Mức {k}"] for k in range(1, 6)],
                ["md", "a", "A"],
                ["md", "b", "B"],
            ],
            "settings": [["form_title", "form_id"], ["Khảo sát", "ks_2025"]],
        }
    )
    q, problems = read_xlsform(data, name="kobo.xlsx")
    assert problems == [] and q is not None
    assert q.code == "ks_2025"
    assert [(i.code, i.type, i.aspect) for i in q.items] == [
        ("q1", "likert5", "tc"),
        ("q2", "multi", "tc"),
        ("tuoi", "number", "KHAC"),
    ]
    assert q.by_code["q1"].choices[0].label == "Mức 1"


def test_a_malformed_xlsform_is_refused_with_located_messages() -> None:
    no_survey = _workbook({"choices": [["list_name", "name", "label"]]})
    q, problems = read_xlsform(no_survey, name="f.xlsx")
    assert q is None and [p.reason for p in problems] == ["thiếu sheet 'survey' của XLSForm"]
    unknown_list = _workbook(
        {
            "survey": [["type", "name", "label"], ["select_one nope", "q1", "Câu 1"]],
            "choices": [["list_name", "name", "label"], ["yn", "co", "Có"]],
        }
    )
    q, problems = read_xlsform(unknown_list, name="f.xlsx")
    assert q is None
    assert [str(p) for p in problems] == [
        "f.xlsx [survey], dòng 2, cột type: "
        "danh sách lựa chọn 'nope' không có trong sheet 'choices'"
    ]
    q, problems = read_xlsform(b"not a workbook", name="f.xlsx")
    assert q is None and "không phải tệp Excel" in problems[0].reason


def test_questionnaire_to_xlsform_to_a_simulated_kobo_export_to_indices(tmp_path: Path) -> None:
    """The pure part of issue 10's "done when": the export's column names are the XForm's
    own paths (``DV/TCDV/TCDV1``), as KoboToolbox writes them."""
    from parindex.engine.survey import survey_tree
    from parindex.engine.survey_bulk import compute_survey
    from parindex.formats.responses import read_responses

    q = load_questionnaire(DATA / "sipas-service-2025.yaml")
    out = tmp_path / "q.xlsx"
    write_xlsform(q, out)
    root = ET.fromstring(pyxform.convert(xlsform=str(out)).xform)
    paths = {
        b.get("nodeset", "").split("/")[-1]: "/".join(b.get("nodeset", "").split("/")[2:])
        for b in root.iter(f"{XF}bind")
    }
    likert = [i.code for i in q.likert_items()]
    header = [paths["unit"], *(paths[c] for c in likert), "_uuid", "_submission_time"]
    rows = []
    for k in range(10):  # unit a: answers 4 on every item for 8 of 10, 2 otherwise
        answer = "4" if k < 8 else "2"
        rows.append(["a", *([answer] * len(likert)), f"uuid-{k}", "2025-06-01T08:00:00"])
    export = tmp_path / "kobo.csv"
    export.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    responses, problems = read_responses(export, name="kobo.csv", questionnaire=q)
    assert problems == [] and responses is not None
    assert responses.columns["TCDV1"] == "DV/TCDV/TCDV1"
    result = compute_survey(survey_tree(q), responses.data)
    assert result.node_index[0].tolist() == pytest.approx([80.0] * len(result.tree.nodes))
    assert all(result.exact_node_index(0, k) == 80 for k in range(len(result.tree.nodes)))
    assert result.valid[0].tolist() == [10] * len(likert)
