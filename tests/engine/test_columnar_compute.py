"""The column-wise paths of `parindex compute` (issue 14) give exactly what the
reference paths give: the Polars reader what the row reader reads, the Polars tree
what :meth:`CompiledFramework.evaluate` computes, and the command the same bytes."""

from __future__ import annotations

import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_any_depth import deep_trees
from test_properties import random_scores

from parindex.engine import compute as engine
from parindex.engine.aggregate import NA, compile_framework, to_micro
from parindex.engine.columnar import score_columns
from parindex.engine.compute import MISSING, NOT_APPLICABLE, finish, score_units
from parindex.engine.framework import Framework, Node
from parindex.formats import scores as reader
from parindex.formats.errors import FormatError
from parindex.formats.framework_yaml import read_framework_yaml
from parindex.formats.metrics import load_metrics
from parindex.formats.scores import read_scores
from parindex.formats.text import read_text_file
from parindex.formats.units import read_units

FW_YAML = """\
code: p
name: p
total: 10
nodes:
  - code: '1'
    name: a
    max_points: 6
    children:
      - {code: '1.1', name: x, max_points: 2}
      - {code: '1.2', name: x, max_points: 2}
      - {code: '1.3', name: x, max_points: 2, rule: {type: metric, metric: sipas}}
      - {code: '1.4', name: b, max_points: 1, source: bonus}
  - code: '2'
    name: b
    max_points: 4
    children:
      - {code: '2.1', name: x, max_points: 2.5}
      - {code: '2.2', name: x, max_points: 1.5}
      - {code: '2.3', name: p, max_points: 1, source: penalty}
"""


def make_case(tmp: Path, n_units: int = 400, seed: int = 3) -> dict[str, Path]:
    rnd = random.Random(seed)
    leaves = [
        ("1.1", 2),
        ("1.2", 2),
        ("1.3", 2),
        ("1.4", 1),
        ("2.1", 2.5),
        ("2.2", 1.5),
        ("2.3", 1),
    ]
    lines = ["unit,code,points"]
    units = ["unit,name,group"]
    metrics = ["unit,metric,value"]
    for u in range(n_units):
        unit = f"u{u:04d}"
        units.append(f"{unit},Đơn vị {u},{rnd.choice(['so', 'xa', 'tinh'])}")
        if rnd.random() < 0.8:
            metrics.append(f"{unit},sipas,{rnd.randint(0, 10000) / 100}")
        for code, mx in leaves:
            r = rnd.random()
            if code == "1.3" and r < 0.7:
                continue  # taken from the metrics file (or missing)
            if r < 0.05:
                continue  # missing
            if r < 0.12 and code not in ("1.4", "2.3"):
                lines.append(f"{unit},{code},NA")
            else:
                lines.append(f"{unit},{code},{rnd.randint(0, int(mx * 100)) / 100}")
    units.append("unscored,Không có điểm,xa")
    paths = {
        "framework": tmp / "fw.yaml",
        "scores": tmp / "scores.csv",
        "units": tmp / "units.csv",
        "metrics": tmp / "metrics.csv",
    }
    paths["framework"].write_text(FW_YAML, encoding="utf-8")
    paths["scores"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    paths["units"].write_text("\n".join(units) + "\n", encoding="utf-8")
    paths["metrics"].write_text("\n".join(metrics) + "\n", encoding="utf-8")
    return paths


def key(r: Any) -> tuple[Any, ...]:
    return (r.unit, r.points_micro, r.max_micro, r.area_points_micro, r.area_max_micro, r.missing)


def both_readers(path: Path, cf: Any, units: Any = None) -> tuple[Any, Any]:
    """(column-wise table, row reader's table) of one file."""
    table = read_scores(path, cf, units)
    rows = reader._read_rows(read_text_file(path), str(path), cf, units)
    return table, rows


def test_the_column_reader_reads_what_the_row_reader_reads(tmp_path: Path) -> None:
    paths = make_case(tmp_path)
    cf = compile_framework(read_framework_yaml(paths["framework"]))
    units = read_units(paths["units"])
    text = paths["scores"].read_text(encoding="utf-8")
    head, *body = text.splitlines()
    random.Random(5).shuffle(body)
    variants = {
        "as generated": text,
        "rows shuffled": "\n".join([head, *body]) + "\n",
        "Excel: BOM, `;`, decimal comma, CRLF": "\ufeff"
        + "".join(
            ";".join([u, c, p.replace(".", ",")]) + "\r\n"
            for u, c, p in (line.split(",") for line in text.splitlines())
        ),
        "no final line end": text.rstrip("\n"),
    }
    for what, content in variants.items():
        path = tmp_path / "v.csv"
        path.write_bytes(content.encode("utf-8"))
        table, rows = both_readers(path, cf, units)
        assert isinstance(table.flat, pl.Series), f"{what}: not read column-wise"
        assert (table.units, table.values) == (rows.units, rows.values), what
    assert NOT_APPLICABLE in table.values and MISSING in table.values


def test_files_that_are_not_clean_get_the_row_readers_located_problems(tmp_path: Path) -> None:
    paths = make_case(tmp_path, n_units=50)
    cf = compile_framework(read_framework_yaml(paths["framework"]))
    lines = paths["scores"].read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",9"  # above the leaf's maximum
    lines.insert(len(lines) - 2, lines[len(lines) - 4])  # a unit + code twice, near the end
    lines[20] = lines[20].rsplit(",", 1)[0] + ",-1"  # negative
    lines[30] = lines[30].replace(",1.", ",9.", 1) if ",1." in lines[30] else lines[30] + ",x"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_scores(path, cf)
    text = [str(p) for p in info.value.problems]
    assert any("dòng 4, cột points" in t and "nằm ngoài khoảng" in t for t in text), text
    assert any("dòng 21, cột points" in t and "âm" in t for t in text), text
    assert any("trùng đơn vị" in t for t in text), text
    assert any("dòng 31" in t for t in text), text
    assert [p.line for p in info.value.problems] == sorted(p.line or 0 for p in info.value.problems)


def test_a_value_to_convert_or_a_quoted_cell_reads_the_same_through_the_row_reader(
    tmp_path: Path,
) -> None:
    paths = make_case(tmp_path, n_units=30)
    cf = compile_framework(read_framework_yaml(paths["framework"]))
    text = paths["scores"].read_text(encoding="utf-8")
    clean = read_scores(paths["scores"], cf)
    quoted = tmp_path / "q.csv"
    quoted.write_text(
        text.replace(",u0003,", ',"u0003",', 1).replace("\nu0003,", '\n"u0003",', 1),
        encoding="utf-8",
    )
    table = read_scores(quoted, cf)
    assert isinstance(table.flat, list)  # not clean for Polars: the row reader read it
    assert (table.units, table.values) == (clean.units, clean.values)


def scored_both_ways(monkeypatch: pytest.MonkeyPatch, cf: Any, *args: Any) -> tuple[Any, Any]:
    monkeypatch.setattr(engine, "COLUMNAR_MIN_UNITS", 0)
    columns = score_units(cf, *args)
    monkeypatch.setattr(engine, "COLUMNAR_MIN_UNITS", 10**9)
    rows = score_units(cf, *args)
    return columns, rows


def test_columnar_scoring_equals_the_reference_on_a_whole_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = make_case(tmp_path)
    cf = compile_framework(read_framework_yaml(paths["framework"]))
    units = read_units(paths["units"])
    metrics = load_metrics(paths["metrics"])
    table = read_scores(paths["scores"], cf, units)
    columns, rows = scored_both_ways(monkeypatch, cf, table, units, metrics)
    assert [key(r) for r in columns] == [key(r) for r in rows]
    assert any(r.unit == "unscored" and r.missing for r in columns)
    assert sum(1 for r in columns if r.max_micro != 10_000_000) > 10  # N/A present
    assert sum(1 for r in columns if r.missing) > 10
    a, b = finish(columns, metrics), finish(rows, metrics)
    assert [(r.unit, r.rank) for r in a] == [(r.unit, r.rank) for r in b]


@settings(max_examples=150, deadline=None)
@given(fw=deep_trees(), seed=st.integers(0, 2**32))
def test_columns_equal_the_reference_evaluator_on_any_tree(fw: Framework, seed: int) -> None:
    rnd = random.Random(seed)
    cf = compile_framework(fw)
    rows: list[list[int]] = []
    for _ in range(rnd.randint(1, 12)):
        scores = random_scores(fw, rnd, rnd.choice([0, 0.3, 0.6, 1]))
        row = [MISSING] * cf.n_leaves
        for code, x in scores.items():
            row[cf.leaf_index[code]] = NOT_APPLICABLE if x is NA else to_micro(x)
        rows.append(row)
    nodes = list(range(len(cf.codes)))  # every leaf and parent, the root last
    columns = score_columns(cf, [x for row in rows for x in row], nodes)
    for u, row in enumerate(rows):
        ref_pts, ref_app = cf.evaluate([None if x == NOT_APPLICABLE else max(x, 0) for x in row])
        assert columns[u] == (*ref_pts, *ref_app)


def run(tmp: Path, scores: str) -> subprocess.CompletedProcess[str]:
    args = ["--framework", "fw.yaml", "--scores", scores, "--units", "units.csv"]
    return subprocess.run(
        [sys.executable, "-m", "parindex.cli", "compute", *args, "--metrics", "metrics.csv"],
        cwd=tmp,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def test_the_command_writes_the_same_bytes_on_the_column_and_the_row_paths(
    tmp_path: Path,
) -> None:
    paths = make_case(tmp_path, n_units=engine.COLUMNAR_MIN_UNITS + 50)
    text = paths["scores"].read_text(encoding="utf-8")
    # One quoted cell: the same scores, but the file goes through the row reader.
    (tmp_path / "quoted.csv").write_text(text.replace("\nu0001,", '\n"u0001",'), encoding="utf-8")
    columns, rows = run(tmp_path, "scores.csv"), run(tmp_path, "quoted.csv")
    assert columns.returncode == rows.returncode == 0, columns.stderr
    assert columns.stdout == rows.stdout
    assert columns.stderr == rows.stderr
    assert "thiếu điểm" in columns.stderr


def test_a_parent_whose_regular_children_are_all_na_is_na_even_with_a_bonus() -> None:
    # A declared gap (maximum 5 over children worth 3) keeps 2 points of maximum when the
    # regular child is N/A; the parent is N/A all the same and its bonus does not count.
    fw = Framework(
        "p",
        "p",
        total=Decimal(5),
        nodes=(
            Node(
                "1",
                "cha",
                Decimal(5),
                note="khoảng trống",
                children=(
                    Node("1.1", "x", Decimal(3)),
                    Node("1.2", "thưởng", Decimal(1), source="bonus"),
                ),
            ),
        ),
    )
    cf = compile_framework(fw)
    row = [NOT_APPLICABLE, 1_000_000]
    (area,) = cf.area_numbers
    ref_pts, ref_app = cf.evaluate([None, 1_000_000])
    assert score_columns(cf, row, [area]) == [(ref_pts[area], ref_app[area])] == [(0, None)]


def test_every_problem_of_a_file_is_named_by_line_and_column(tmp_path: Path) -> None:
    paths = make_case(tmp_path, n_units=3)
    cf = compile_framework(read_framework_yaml(paths["framework"]))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "unit,code,points,value\n"
        "u0000,1.1,1,\n"
        ",1.2,1,\n"  # no unit
        "u9999,1.2,1,\n"  # not in the units file
        "u0000,1,1,\n"  # a parent
        "u0000,1.2,-1,\n"  # negative
        "u0000,1.1,2,\n"  # the same unit + code again
        "u0000,2.1,3,\n"  # above 2.5
        "u0000,2.2,x,\n"  # not a number
        "u0000,1.3,,abc\n",  # a value its rule refuses
        encoding="utf-8",
    )
    with pytest.raises(FormatError) as info:
        read_scores(bad, cf, read_units(paths["units"]))
    got = [(p.line, p.column) for p in info.value.problems]
    assert got == [
        (3, "unit"),
        (4, "unit"),
        (5, "code"),
        (6, "points"),
        (7, "code"),
        (8, "points"),
        (9, "points"),
        (10, "value"),
    ]
    text = "\n".join(str(p) for p in info.value.problems)
    for words in ("thiếu mã đơn vị", "'u9999' không có trong tệp đơn vị", "chỉ chấm tiêu chí lá"):
        assert words in text
    assert "âm" in text and "(đã có ở dòng 2)" in text and "[0; 2,5]" in text


def test_a_small_table_is_scored_without_loading_polars() -> None:
    # Part 4: the engine loads Polars only for bulk work, so that small jobs start fast.
    code = (
        "import sys\n"
        "from decimal import Decimal\n"
        "from parindex.engine.compute import compute\n"
        "from parindex.engine.framework import Framework, Node\n"
        "fw = Framework('p', 'p', total=Decimal(2), nodes=(Node('1', 'x', Decimal(2)),))\n"
        "(r,) = compute(fw, {'u': {'1': Decimal(1)}})\n"
        "print(r.index, 'polars' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["50", "False"]
