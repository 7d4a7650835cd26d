"""The depth limit in both framework readers (issue 8, part 5): depth 6 reads, depth 7
and a 300-level file are refused with a located Vietnamese message, never a
RecursionError."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from parindex.formats.errors import FormatError
from parindex.formats.framework_excel import read_framework_excel, write_framework_excel
from parindex.formats.framework_yaml import dumps, loads


def chain_yaml(depth: int) -> str:
    """A framework whose one branch goes ``depth`` levels down (codes 1, 1.1, 1.1.1 …)."""
    lines = ["code: sau", "name: Bộ tiêu chí sâu", "total: 1", "nodes:"]
    indent, code = "", ""
    for level in range(1, depth + 1):
        code = "1" if level == 1 else code + ".1"
        lines += [f"{indent}  - code: '{code}'", f"{indent}    name: Cấp {level}"]
        lines.append(f"{indent}    max_points: 1")
        if level < depth:
            lines.append(f"{indent}    children:")
        indent += "    "
    return "\n".join(lines) + "\n"


def test_depth_six_reads_and_round_trips_through_excel(tmp_path: Path) -> None:
    fw = loads(chain_yaml(6))
    assert [n.code for n in fw.walk()][-1] == "1.1.1.1.1.1"
    path = tmp_path / "sau.xlsx"
    write_framework_excel(fw, path)
    assert dumps(read_framework_excel(path)) == dumps(fw)


def test_yaml_of_depth_seven_is_refused_at_its_line() -> None:
    with pytest.raises(FormatError) as info:
        loads(chain_yaml(7), file="sau.yaml")
    # The seventh level starts at line 4 + 6 levels × 4 lines + 1.
    assert [str(p) for p in info.value.problems] == [
        "sau.yaml, dòng 29: Bộ tiêu chí sâu quá 6 cấp: một mục ở cấp 7 (tối đa 6 cấp)"
    ]


def test_a_300_level_yaml_gets_the_depth_message_not_a_recursion_error() -> None:
    text = chain_yaml(300)
    with pytest.raises(FormatError) as info:
        loads(text, file="300.yaml")
    (problem,) = info.value.problems
    assert problem.line == 29 and "sâu quá 6 cấp" in problem.reason


def test_absurdly_nested_yaml_is_refused_too() -> None:
    text = "code: x\nname: x\nnodes: " + "[" * 400 + "]" * 400 + "\n"
    with pytest.raises(FormatError) as info:
        loads(text, file="x.yaml")
    assert "sâu quá 6 cấp" in str(info.value)


def test_excel_row_of_depth_seven_is_refused_with_row_and_column(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Nội dung", "Điểm tối đa"])
    code = ""
    for level in range(1, 8):
        code = "1" if level == 1 else code + ".1"
        ws.append([code, f"Cấp {level}", 1])
    path = tmp_path / "sau.xlsx"
    wb.save(path)
    with pytest.raises(FormatError) as info:
        read_framework_excel(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}, dòng 8, cột A (STT): Bộ tiêu chí sâu quá 6 cấp: mục '1.1.1.1.1.1.1' ở cấp 7 "
        "(tối đa 6 cấp)"
    ]
