"""Bad frameworks refused at import with a located Vietnamese message and nothing stored
(issue 8, part 5): a framework of depth 7, codes and names longer than the database
allows."""

from __future__ import annotations

import argparse
import dataclasses
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from parindex.commands.django_cmds import framework_import as framework_import_command
from parindex.engine.framework import Framework as EngineFramework
from parindex.engine.framework import Node
from parindex.formats.framework_yaml import dumps
from parindex.frameworks.models import Criterion, Framework
from parindex.frameworks.services import framework_import
from parindex.testing import mixed_depth_framework

pytestmark = pytest.mark.django_db


def _refused(fw: EngineFramework) -> list[str]:
    with pytest.raises(ValidationError) as info:
        framework_import(framework=fw, actor=None)
    assert not Framework.objects.exists() and not Criterion.objects.exists()
    return info.value.messages


def test_a_framework_of_depth_seven_is_refused() -> None:
    leaf = Node("1.1.1.1.1.1.1", "cấp 7", Decimal(1))
    node = leaf
    for depth in range(6, 0, -1):
        node = Node("1" + ".1" * (depth - 1), f"cấp {depth}", Decimal(1), children=(node,))
    fw = EngineFramework("sau", "sâu", total=Decimal(1), nodes=(node,))
    assert _refused(fw) == [
        "Bộ tiêu chí sau không hợp lệ: 1.1.1.1.1.1.1: Bộ tiêu chí sâu quá 6 cấp: mục "
        "'1.1.1.1.1.1.1' ở cấp 7 (tối đa 6 cấp)"
    ]


def test_depth_six_mixed_is_stored_with_its_depths() -> None:
    stored = framework_import(framework=mixed_depth_framework(), actor=None)
    depths = dict(stored.criteria.values_list("code", "depth"))
    assert depths["1"] == 1 and depths["2.2.1.2"] == 4 and depths["3.1.1.1.1.2"] == 6


def test_an_over_long_code_or_name_names_the_criterion() -> None:
    fw = mixed_depth_framework()
    long_code = "2." + "9" * 60
    area = dataclasses.replace(
        fw.nodes[1],
        children=(*fw.nodes[1].children, Node(long_code, "dài", Decimal(0))),
    )
    bad = dataclasses.replace(fw, name="T" * 301, nodes=(fw.nodes[0], area, *fw.nodes[2:]))
    assert _refused(bad) == [
        "Bộ tiêu chí nhieu-cap-2025 không hợp lệ: tên bộ tiêu chí dài 301 ký tự, tối đa 300",
        f"Bộ tiêu chí nhieu-cap-2025 không hợp lệ: tiêu chí {long_code[:50]}…: mã dài 62 ký "
        "tự, tối đa 50",
    ]


def test_the_import_command_prints_the_located_message_and_stores_nothing(tmp_path, capsys) -> None:
    fw = mixed_depth_framework()
    long_code = "1" + "0" * 55
    bad = dataclasses.replace(
        fw,
        total=Decimal(20),
        nodes=(*fw.nodes[:3], dataclasses.replace(fw.nodes[3], code=long_code)),
    )
    path = tmp_path / "dai.yaml"
    path.write_text(dumps(bad), encoding="utf-8")
    assert framework_import_command(argparse.Namespace(file=str(path), replace=False)) == 1
    err = capsys.readouterr().err
    assert f"tiêu chí {long_code[:50]}…: mã dài 56 ký tự, tối đa 50" in err
    assert "Không nhập bộ tiêu chí nào." in err and "Traceback" not in err
    assert not Framework.objects.exists()
