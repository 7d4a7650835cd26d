"""The frameworks shipped in parindex/data: they parse, validate, round-trip, and the
``parindex framework`` command reports them honestly."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

import pytest

from parindex.commands.framework import run
from parindex.engine.framework import RULE_TYPES, validate_framework
from parindex.formats.framework_excel import read_framework_excel, write_framework_excel
from parindex.formats.framework_yaml import dumps, read_framework_yaml
from parindex.formats.frameworks import load_framework_file, shipped_frameworks

SHIPPED = shipped_frameworks()
SAMPLES = ["sample-departments-2025", "sample-communes-2025"]
RATING = Path(__file__).resolve().parents[2] / "src/parindex/data/rating/default.yaml"


def test_expected_frameworks_are_shipped() -> None:
    assert set(SHIPPED) >= {"par-province-2024", *SAMPLES}
    for code, path in SHIPPED.items():
        assert read_framework_yaml(path).code == code  # file name = code


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_shipped_file_is_canonical_and_round_trips_through_excel(code: str, tmp_path: Path) -> None:
    path = SHIPPED[code]
    text = path.read_text(encoding="utf-8")
    fw = read_framework_yaml(path)
    assert dumps(fw) == text  # the shipped file is exactly what the writer produces
    xlsx = tmp_path / f"{code}.xlsx"
    write_framework_excel(fw, xlsx)
    assert dumps(read_framework_excel(xlsx)) == text


@pytest.mark.parametrize("code", SAMPLES)
def test_samples_are_complete(code: str) -> None:
    fw = load_framework_file(SHIPPED[code])
    assert validate_framework(fw) == []
    assert fw.label == "Bộ tiêu chí mẫu" and "mẫu" in fw.name
    assert fw.total == Decimal(100) and len(fw.nodes) == 8
    leaves = list(fw.leaves())
    assert 60 <= len(leaves) <= 90
    for leaf in leaves:
        assert leaf.max_points is not None and leaf.max_points > 0, leaf.code
        assert leaf.rule is not None, leaf.code
        assert leaf.guidance.strip() and leaf.evidence.strip(), leaf.code
    survey = sum((n.max_points or 0 for n in leaves if n.source == "survey"), Decimal(0))
    assert 20 <= survey <= 30
    sources = {n.source for n in leaves}
    assert {"self", "survey", "sipas", "statistic", "bonus", "penalty"} <= sources
    sipas = [n for n in leaves if n.source == "sipas"]
    assert sipas and all(n.rule and n.rule.type == "metric" for n in sipas)


def test_samples_use_every_rule_type() -> None:
    used = {
        n.rule.type
        for code in SAMPLES
        for n in load_framework_file(SHIPPED[code]).leaves()
        if n.rule is not None
    }
    assert used == set(RULE_TYPES)


def test_par_province_is_incomplete_and_says_so() -> None:
    fw = load_framework_file(SHIPPED["par-province-2024"])
    assert "chưa đầy đủ" in fw.label
    assert "876/QĐ-BNV" in fw.decision and "892/QĐ-BNV" in fw.decision
    issues = validate_framework(fw)
    assert issues and {i.level for i in issues} == {"unknown"}
    unknown = {i.code for i in issues}
    assert {"2", "6", "7"} <= unknown  # the three area maxima the sources do not give
    areas = {a.code: a.max_points for a in fw.nodes}
    assert areas == {
        "1": Decimal("9.5"),
        "2": None,
        "3": Decimal(13),
        "4": Decimal("10.5"),
        "5": Decimal(15),
        "6": None,
        "7": None,
        "8": Decimal("16.5"),
    }
    by = fw.by_code()
    for code in ("1.6", "1.7", "7.1", "7.2", "7.3", "8.2", "8.3", "8.4", "8.5"):
        assert by[code].max_points is None and code in unknown
    assert by["8.1"].source == "sipas" and by["8.1"].max_points == Decimal(10)
    assert "[I]" in by["8.1"].note
    assert all(by[c].source == "statistic" for c in ("8.2", "8.3", "8.4", "8.5"))


def _args(action: str, **kw: str) -> argparse.Namespace:
    return argparse.Namespace(command="framework", action=action, **kw)


def test_validate_command_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(_args("validate", file=str(SHIPPED["sample-communes-2025"]))) == 0
    assert "hợp lệ" in capsys.readouterr().out
    path = SHIPPED["par-province-2024"]
    assert run(_args("validate", file=str(path))) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{path}: 2: chưa rõ: chưa rõ điểm tối đa" in out
    assert "chưa đầy đủ" in out[-1]


def test_validate_command_reports_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nname: [\n", encoding="utf-8")
    assert run(_args("validate", file=str(bad))) == 1
    assert f"{bad}, dòng" in capsys.readouterr().err


def test_export_and_list_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "xa.xlsx"
    assert run(_args("export", source="sample-communes-2025", output=str(xlsx))) == 0
    yaml_out = tmp_path / "xa.yaml"
    assert run(_args("export", source=str(xlsx), output=str(yaml_out))) == 0
    assert yaml_out.read_text(encoding="utf-8") == SHIPPED["sample-communes-2025"].read_text(
        encoding="utf-8"
    )
    assert run(_args("export", source=str(xlsx), output=str(tmp_path / "x.csv"))) == 2
    capsys.readouterr()
    assert run(_args("list")) == 0
    out = capsys.readouterr().out
    assert "par-province-2024" in out and "Cấu trúc công khai — chưa đầy đủ" in out


def test_default_rating_classes_and_seed_conditions() -> None:
    from parindex.formats.rating import read_rating

    scheme = read_rating(RATING)
    assert [(n, int(m)) for n, m in scheme.classes] == [
        ("Xuất sắc", 90),
        ("Tốt", 80),
        ("Khá", 70),
        ("Trung bình", 50),
        ("Yếu", 0),
    ]
    conds = {(c.metric, c.op, int(c.value), c.cap) for c in scheme.conditions}
    assert conds == {("late_dossier_rate", ">=", 5, "Khá"), ("satisfaction_index", "<=", 80, "Khá")}
    assert all("Không xếp hạng tốt" in c.reason for c in scheme.conditions)
