"""Validation gaps (issue 9 part 11): framework codes limited to a safe character set, unit
parent loops refused, over-long texts refused with a message — on SQLite and PostgreSQL
alike (the tests run on both: PARINDEX_TEST_DATABASE_URL)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parindex.engine.aggregate import compile_framework
from parindex.engine.framework import Node, code_problem, validate_framework
from parindex.evidence.services import document_upload
from parindex.evidence.tests.samples import sample_upload
from parindex.formats.errors import FormatError
from parindex.formats.framework_yaml import dumps, loads
from parindex.formats.units import read_units_csv
from parindex.frameworks.models import Framework
from parindex.frameworks.services import framework_import
from parindex.testing import make_unit, mixed_depth_framework, tiny_framework
from parindex.units.models import Unit
from parindex.units.services import units_import

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- framework codes

#: Children codes extend their parent's (``1.x``), as the YAML reader requires.
BAD_CODES = ["1.1<script>", "1.1/2", "1.1 1", "1.1;DROP", "1.Đ1", "1.=1+1", "1.1\n2", '1.1"']


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_criterion_code_outside_the_safe_set_is_refused_at_import(code):
    fw = tiny_framework()
    area = fw.nodes[0]
    leaf = dataclasses.replace(area.children[0], code=code)
    area = dataclasses.replace(area, children=(leaf, *area.children[1:]))
    bad = dataclasses.replace(fw, nodes=(area, *fw.nodes[1:]))
    # the YAML file round trip (what an admin uploads) and the service
    with pytest.raises(ValidationError) as exc:
        framework_import(framework=loads(dumps(bad)), actor=None)
    message = " ".join(exc.value.messages)
    assert repr(code) in message and "chữ cái không dấu" in message
    assert leaf.name[:20] in message  # located: which criterion
    assert not Framework.objects.exists()
    # the command line (`parindex compute`) refuses it too: the check is in the engine
    with pytest.raises(ValueError, match="không hợp lệ"):
        compile_framework(bad)


@pytest.mark.parametrize("code", ["../1", ".1", "/etc", "-1", "1#"])
def test_codes_the_readers_let_through_are_refused_by_the_engine(code):
    fw = tiny_framework()
    bad = dataclasses.replace(fw, nodes=(*fw.nodes, Node(code, "Lĩnh vực lạ", Decimal(0))))
    with pytest.raises(ValidationError) as exc:
        framework_import(framework=bad, actor=None)
    assert f"tiêu chí 'Lĩnh vực lạ': mã {code!r} không hợp lệ" in " ".join(exc.value.messages)


def test_a_framework_code_outside_the_safe_set_is_refused():
    issues = validate_framework(tiny_framework(code="khanh-hoa/2025"))
    assert any("mã bộ tiêu chí 'khanh-hoa/2025' không hợp lệ" in str(i) for i in issues)


@pytest.mark.parametrize("code", ["1", "1.2.3.4.5.6", "KQ", "A.1-b_2", "par-province-2024"])
def test_the_codes_in_use_stay_valid(code):
    assert code_problem(code) is None


def test_the_shipped_frameworks_still_import():
    fw = mixed_depth_framework()
    assert framework_import(framework=fw, actor=None).code == fw.code
    assert not [i for i in validate_framework(fw) if i.level == "error"]


# --------------------------------------------------------------------------- parent loops


def _import(text: str):  # type: ignore[no-untyped-def]
    rows, problems = read_units_csv(text, name="don-vi.csv")
    return units_import(rows=rows, problems=problems, source="don-vi.csv", actor=None)


def _refused(text: str) -> list[str]:
    with pytest.raises(FormatError) as exc:
        _import(text)
    return [f"{p.line}:{p.column}:{p.reason}" for p in exc.value.problems]


HEAD = "unit,name,group,parent\n"


def test_a_two_unit_loop_in_the_file_is_refused():
    problems = _refused(HEAD + "a,Đơn vị A,Nhóm,b\nb,Đơn vị B,Nhóm,a\n")
    assert problems[0] == "2:parent:Cấp trên tạo thành vòng lặp: a → b → a."
    assert not Unit.objects.exists()


def test_a_longer_loop_is_refused():
    problems = _refused(HEAD + "a,A,Nhóm,b\nb,B,Nhóm,c\nc,C,Nhóm,a\n")
    assert problems == ["2:parent:Cấp trên tạo thành vòng lặp: a → b → c → a."]


def test_a_loop_through_the_database_is_refused():
    _import(HEAD + "a,A,Nhóm,\nb,B,Nhóm,a\n")
    problems = _refused(HEAD + "a,A,Nhóm,b\n")
    assert problems == ["2:parent:Cấp trên tạo thành vòng lặp: a → b → a."]
    assert Unit.objects.get(code="a").parent is None


def test_a_loop_is_refused_in_the_admin_form_too():
    a = make_unit("a", "A")
    b = make_unit("b", "B")
    b.parent = a
    b.save()
    a.parent = b
    with pytest.raises(ValidationError) as exc:
        a.full_clean()
    assert exc.value.message_dict["parent"] == ["Cấp trên tạo thành vòng lặp: a → b → a."]


# --------------------------------------------------------------------------- long fields


def test_an_over_long_unit_name_is_located_in_the_import():
    problems = _refused(HEAD + f"a,{'Đ' * 301},Nhóm,\nb,B,{'N' * 201},\n")
    assert problems == [
        "2:name:Tên đơn vị dài 301 ký tự, tối đa 300 ký tự.",
        "3:group:Tên nhóm dài 201 ký tự, tối đa 200 ký tự.",
    ]
    assert not Unit.objects.exists()


def test_every_save_refuses_an_over_long_text(world):
    with pytest.raises(ValidationError) as exc:
        document_upload(
            unit=world.tuphap, file=sample_upload("pdf"), title="KH", number="N" * 101,
            actor=world.staff,
        )  # fmt: skip
    assert exc.value.messages == ["Số/ký hiệu dài 101 ký tự, tối đa 100 ký tự."]
    unit = Unit.objects.get(pk=world.tuphap.pk)
    unit.short_name = "x" * 101
    with pytest.raises(ValidationError, match="Tên viết tắt dài 101 ký tự, tối đa 100"):
        unit.save()
    with pytest.raises(ValidationError, match="tối đa 300"):
        Unit.objects.create(code="dai", name="x" * 301)


def test_a_text_at_the_limit_is_stored():
    unit = Unit.objects.create(code="vua", name="Đ" * 300)
    unit.refresh_from_db()
    assert len(unit.name) == 300
