"""The Django-backed CLI commands."""

from __future__ import annotations

import argparse

import pytest

from parindex.cli import main
from parindex.units.models import Unit


@pytest.mark.django_db
def test_parindex_manage_check_works(capsys):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


@pytest.mark.django_db
def test_units_import_prints_each_problem_and_fails(tmp_path, capsys):
    from parindex.commands.django_cmds import units

    bad = tmp_path / "donvi.csv"
    bad.write_text("unit,name,group\nso-y-te,,Sở\n", encoding="utf-8")
    assert units(argparse.Namespace(action="import", file=str(bad))) == 1
    err = capsys.readouterr().err
    assert "dòng 2, cột name: Thiếu tên đơn vị" in err
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_framework_import_command_refuses_a_second_import_without_replace(capsys):
    from parindex.commands.django_cmds import framework_import
    from parindex.formats.frameworks import shipped_frameworks

    path = str(shipped_frameworks()["sample-departments-2025"])
    args = argparse.Namespace(file=path, replace=False)
    assert framework_import(args) == 0
    assert "Đã nhập bộ tiêu chí sample-departments-2025" in capsys.readouterr().out
    assert framework_import(args) == 1
    assert "--replace" in capsys.readouterr().err
    assert framework_import(argparse.Namespace(file=path, replace=True)) == 0
