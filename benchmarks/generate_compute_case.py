"""Deterministic synthetic national-scale case for ``parindex compute`` (issue 2).

3,355 units (34 provinces, 600 departments, 2,721 communes — ranked within those three
groups) × 90 leaves in 8 areas (area → criterion → leaf; one bonus and one penalty leaf),
about 300,000 scores with ~1 % N/A, two rating metrics per unit and a rating scheme with
two capping conditions. Usage: ``python benchmarks/generate_compute_case.py OUTDIR``.
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

SEED = 20261122
N_PROVINCES, N_DEPARTMENTS, N_COMMUNES = 34, 600, 2721
AREA_MAX = [9, 7, 9, 10, 15, 12, 20, 18]  # sums to 100
LEAVES_PER_AREA = [11, 11, 11, 11, 12, 11, 11, 10]  # 88 regular leaves + bonus + penalty

RATING_YAML = """\
classes:
- {name: Xuất sắc, min: 90}
- {name: Tốt, min: 80}
- {name: Khá, min: 70}
- {name: Trung bình, min: 50}
- {name: Yếu, min: 0}
conditions:
- {metric: late_dossier_rate, op: ">=", value: 5, cap: Khá,
   reason: "Tỷ lệ hồ sơ trễ hạn từ 5% trở lên"}
- {metric: satisfaction_index, op: "<=", value: 80, cap: Khá,
   reason: "Chỉ số hài lòng từ 80% trở xuống"}
"""


def _split(total_quarters: int, parts: int, rng: random.Random) -> list[int]:
    """Split ``total_quarters`` (points × 4) into ``parts`` positive integers."""
    cuts = sorted(rng.sample(range(1, total_quarters), parts - 1))
    bounds = [0, *cuts, total_quarters]
    return [b - a for a, b in itertools.pairwise(bounds)]


def _q(quarters: int) -> str:
    whole, rest = divmod(quarters, 4)
    return str(whole) if rest == 0 else f"{whole}.{rest * 25:02d}".rstrip("0")


def build(out: Path) -> dict[str, Path]:
    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        "code: bench-national",
        "name: Bộ tiêu chí tổng hợp để đo hiệu năng",
        "label: Dữ liệu giả lập",
        "year: 2025",
        "total: 100",
        "nodes:",
    ]
    leaves: list[tuple[str, int]] = []  # (code, max in quarters)
    for a, (amax, n_leaves) in enumerate(zip(AREA_MAX, LEAVES_PER_AREA, strict=True), 1):
        lines += [f"- code: '{a}'", f"  name: Lĩnh vực {a}", f"  max_points: {amax}", "  children:"]
        n_crit = 4 if n_leaves >= 11 else 3
        per_crit = [n_leaves // n_crit + (1 if i < n_leaves % n_crit else 0) for i in range(n_crit)]
        crit_max = _split(amax * 4, n_crit, rng)
        for c, (cmax, k) in enumerate(zip(crit_max, per_crit, strict=True), 1):
            while cmax < k:  # every leaf needs at least 0.25
                cmax += 1
            code = f"{a}.{c}"
            lines += [f"  - code: '{code}'", f"    name: Tiêu chí {code}"]
            lines += [f"    max_points: {_q(cmax)}", "    children:"]
            for i, lmax in enumerate(_split(cmax, k, rng) if k > 1 else [cmax], 1):
                lcode = f"{code}.{i}"
                lines += [f"    - code: '{lcode}'", f"      name: Tiêu chí thành phần {lcode}"]
                lines += [f"      max_points: {_q(lmax)}"]
                leaves.append((lcode, lmax))
            if a == 8 and c == 1:
                for src, label in (("bonus", "Điểm thưởng"), ("penalty", "Điểm trừ")):
                    lcode = f"{code}.{k + 1 if src == 'bonus' else k + 2}"
                    lines += [f"    - code: '{lcode}'", f"      name: {label}"]
                    lines += ["      max_points: 2", f"      source: {src}"]
                    leaves.append((lcode, 8))
    # The criteria maxima may have been raised above the split; make areas add up.
    text = "\n".join(lines) + "\n"
    fw_path = out / "framework.yaml"
    fw_path.write_text(_fix_area_sums(text), encoding="utf-8")

    groups = [("tinh", N_PROVINCES), ("so", N_DEPARTMENTS), ("xa", N_COMMUNES)]
    units: list[tuple[str, str]] = []
    for g, n in groups:
        units += [(f"{g}{i:04d}", g) for i in range(1, n + 1)]
    rng.shuffle(units)
    with open(out / "units.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("unit,name,group\n")
        for u, g in units:
            fh.write(f"{u},Đơn vị {u},{g}\n")
    with open(out / "scores.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("unit,code,points\n")
        for u, _ in units:
            skill = rng.random() * 0.5 + 0.5
            for code, q in leaves:
                if rng.random() < 0.01 and not code.startswith("8.1."):
                    fh.write(f"{u},{code},NA\n")
                    continue
                top = q * 25  # hundredths of a point
                got = min(top, max(0, round(top * (skill + rng.gauss(0, 0.2)))))
                if rng.random() < 0.7:  # most leaves: full or nothing, like real tables
                    got = top if got > top // 2 else 0
                fh.write(f"{u},{code},{got // 100}.{got % 100:02d}\n")
    with open(out / "metrics.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("unit,metric,value\n")
        for u, _ in units:
            fh.write(f"{u},late_dossier_rate,{rng.random() * 8:.2f}\n")
            if rng.random() < 0.9:
                fh.write(f"{u},satisfaction_index,{70 + rng.random() * 30:.2f}\n")
    (out / "rating.yaml").write_text(RATING_YAML, encoding="utf-8")
    return {
        "framework": fw_path,
        "scores": out / "scores.csv",
        "units": out / "units.csv",
        "metrics": out / "metrics.csv",
        "rating": out / "rating.yaml",
    }


def _fix_area_sums(text: str) -> str:
    """Recompute criterion and area maxima from their children (after the +0.25 bumps)."""
    import yaml

    data = yaml.safe_load(text)

    def total(node: dict[str, object]) -> float:
        kids = node.get("children")
        if not kids:
            return float(node["max_points"])  # type: ignore[arg-type]
        s = sum(total(k) for k in kids if k.get("source") not in ("bonus", "penalty"))  # type: ignore[union-attr,attr-defined]
        node["max_points"] = s
        return s

    data["total"] = sum(total(a) for a in data["nodes"])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    for k, v in build(Path(sys.argv[1])).items():
        print(k, v)
