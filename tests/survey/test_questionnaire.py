"""The questionnaire YAML format: shipped files, round trip, located problems."""

from __future__ import annotations

import pytest
from survey_helpers import DATA

from parindex.engine.survey import LIKERT5_CHOICES, survey_tree
from parindex.formats.errors import FormatError
from parindex.formats.questionnaire import dumps, load_questionnaire, read_questionnaire


@pytest.mark.parametrize("name", ["sipas-service-2025", "par-leaders-officials-2025"])
def test_shipped_questionnaires_read_round_trip_and_are_labelled_samples(name: str) -> None:
    q = load_questionnaire(DATA / f"{name}.yaml")
    assert "Mẫu" in q.label and "tái dựng" in q.label
    assert any(i.reconstructed for i in q.items)
    again, problems = read_questionnaire(dumps(q), name="x")
    assert problems == [] and again == q
    survey_tree(q)


def test_the_sipas_questionnaire_has_the_five_service_aspects_and_the_respondent_block() -> None:
    q = load_questionnaire(DATA / "sipas-service-2025.yaml")
    service = [a.name for a in q.aspects if a.part == "DV"]
    assert service == [
        "Tiếp cận dịch vụ",
        "Thủ tục hành chính",
        "Công chức giải quyết công việc",
        "Kết quả cung ứng dịch vụ",
        "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị",
    ]
    respondent = [i.code for i in q.items if i.aspect == "NTL"]
    assert {"GT", "TUOI", "HV", "NN", "CO_TTHC"} <= set(respondent)
    tc = [i for i in q.items if i.aspect == "TCDV"]
    assert [i.reconstructed for i in tc if i.aggregate] == [False, False, False]
    assert any(i.type == "multi" for i in q.items)
    assert [(c.code, c.label) for c in q.by_code["TCDV1"].choices] == list(LIKERT5_CHOICES)


def test_leaders_template_maps_aspects_to_survey_leaves_of_the_department_sample() -> None:
    import yaml

    q = load_questionnaire(DATA / "par-leaders-officials-2025.yaml")
    fw = yaml.safe_load((DATA.parent / "frameworks" / "sample-departments-2025.yaml").read_text())
    survey_leaves: dict[str, str] = {}

    def walk(nodes: list[dict]) -> None:  # type: ignore[type-arg]
        for n in nodes:
            if n.get("source") == "survey":
                survey_leaves[str(n["code"])] = n["name"]
            walk(n.get("children", []))

    walk(fw["nodes"])
    leaves = [a.leaf for a in q.aspects if a.leaf] + [i.leaf for i in q.items if i.leaf]
    assert leaves and set(leaves) <= set(survey_leaves)


BAD = """\
code: t
name: Thử
aspects:
- {code: A, name: Một}
- {code: A, name: Hai}
items:
- {code: Q1, text: Câu 1, type: likert5, aspect: A}
- {code: Q1, text: Câu 1 lặp, type: likert5, aspect: A}
- {code: Q2, text: Câu 2, type: stars, aspect: A}
- {code: Q3, text: Câu 3, type: likert5, aspect: Z}
- {code: Q4, text: Câu 4, type: single, aspect: A}
- {code: Q5, text: Câu 5, type: likert5, aspect: A, choices: [{code: a, label: x}]}
- {code: 9x, text: Câu 6, type: text, aspect: A, colour: red}
"""


def test_every_problem_is_reported_with_its_line() -> None:
    q, problems = read_questionnaire(BAD, name="q.yaml")
    assert q is None
    got = {(p.line, p.column, p.reason.split(" ")[0]) for p in problems}
    assert (5, "code", "mã") in got  # duplicate aspect A
    assert (8, "code", "mã") in got  # duplicate item Q1
    assert (9, "type", "loại") in got
    assert (10, "aspect", "khía") in got
    assert (11, "choices", "câu") in got
    assert (12, "choices", "câu") in got
    assert (13, "code", "mã") in got  # 9x is not an XLSForm name
    assert (13, "colour", "khoá") in got
    texts = [str(p) for p in problems]
    assert "q.yaml, dòng 8, cột code: mã 'Q1' bị trùng (dòng 7)" in texts


def test_likert5_choices_default_to_the_five_level_scale() -> None:
    q, _ = read_questionnaire(
        "code: t\nname: T\naspects: [{code: A, name: A}]\n"
        "items: [{code: Q, text: Q, type: likert5, aspect: A}]\n",
        name="x",
    )
    assert q is not None
    assert q.by_code["Q"].choices[0].label == "Rất không hài lòng"
    assert q.by_code["Q"].choices[4].label == "Rất hài lòng"
    assert "choices" not in dumps(q)


def test_load_raises_with_every_problem_and_bad_yaml_is_located(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "q.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(FormatError) as exc:
        load_questionnaire(path)
    assert len(exc.value.problems) >= 8
    q, problems = read_questionnaire("code: [\n", name="b.yaml")
    assert q is None and problems[0].reason.startswith("YAML không hợp lệ")
