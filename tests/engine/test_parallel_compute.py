"""The two-core path of `parindex compute` gives exactly the serial results."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from engine_helpers import framework, leaf, parent

from parindex.commands import compute as cmd
from parindex.engine.aggregate import compile_framework
from parindex.engine.compute import finish, score_units
from parindex.engine.framework import Rule
from parindex.formats.metrics import load_metrics
from parindex.formats.scores import read_scores
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


def fw():  # type: ignore[no-untyped-def]
    return framework(
        parent(
            "1",
            6,
            leaf("1.1", 2),
            leaf("1.2", 2),
            leaf("1.3", 2, rule=Rule("metric", {"metric": "sipas"})),
            leaf("1.4", 1, source="bonus"),
        ),
        parent("2", 4, leaf("2.1", "2.5"), leaf("2.2", "1.5"), leaf("2.3", 1, source="penalty")),
        total=10,
    )


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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_parallel_scoring_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = make_case(tmp_path)
    cf = compile_framework(fw())
    units = read_units(paths["units"])
    metrics = load_metrics(paths["metrics"])
    if threading.active_count() != 1:
        pytest.skip("the two-core path is only used when no other thread runs")
    monkeypatch.setattr(cmd, "PARALLEL_MIN_BYTES", 0)
    par = cmd._score_in_parallel(str(paths["scores"]), cf, units, metrics)
    assert par is not None, "the two-core path was not taken"
    ser = score_units(cf, read_scores(paths["scores"], cf, units), units, metrics)

    def key(r):  # type: ignore[no-untyped-def]
        return (
            r.unit,
            r.points_micro,
            r.max_micro,
            r.area_points_micro,
            r.area_max_micro,
            r.missing,
        )

    assert [key(r) for r in par] == [key(r) for r in ser]
    a = finish(par, metrics)
    b = finish(ser, metrics)
    assert [(r.unit, r.rank) for r in a] == [(r.unit, r.rank) for r in b]
    assert any(r.unit == "unscored" for r in par)
    assert sum(1 for r in par if r.max_micro != 10_000_000) > 10  # N/A present


def run(tmp: Path, env_min: str, scores: str = "scores.csv") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PARINDEX_PARALLEL_MIN_BYTES=env_min, PARINDEX_PARALLEL_MIN_UNITS=env_min)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "parindex.cli",
            "compute",
            "--framework",
            "fw.yaml",
            "--scores",
            scores,
            "--units",
            "units.csv",
            "--metrics",
            "metrics.csv",
        ],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )


def test_cli_output_identical_serial_and_parallel(tmp_path: Path) -> None:
    make_case(tmp_path)
    serial, parallel = run(tmp_path, "999999999"), run(tmp_path, "0")
    assert serial.returncode == parallel.returncode == 0, serial.stderr
    assert serial.stdout == parallel.stdout
    assert serial.stderr == parallel.stderr


def test_cli_errors_identical_serial_and_parallel(tmp_path: Path) -> None:
    paths = make_case(tmp_path)
    lines = paths["scores"].read_text(encoding="utf-8").splitlines()
    n = len(lines)
    lines.insert(n - 3, lines[n - 5])  # a duplicate in the second half
    lines[10] = lines[10].rsplit(",", 1)[0] + ",9"  # out of range in the first half
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    serial, parallel = run(tmp_path, "999999999", "bad.csv"), run(tmp_path, "0", "bad.csv")
    assert serial.returncode == parallel.returncode == 1
    assert serial.stderr == parallel.stderr
    assert "bad.csv, dòng 11, cột points" in serial.stderr
    assert "trùng" in serial.stderr
