"""docs/workflow.md and the code's transition tables say the same thing: a row missing on
either side fails, naming the row."""

from __future__ import annotations

import re
from pathlib import Path

from parindex.assessments.models import ASSESSMENT_FLOW, ASSESSMENT_TRANSITIONS, AssessmentStatus
from parindex.assessments.permissions import TRANSITION_CHECKS
from parindex.cycles.models import CYCLE_TRANSITIONS

DOC = Path(__file__).resolve().parents[4] / "docs" / "workflow.md"


def _table(header: str) -> list[list[str]]:
    """The rows of the Markdown table whose header line is ``header``, as cells without
    backticks or a trailing parenthesised remark."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == header]
    assert len(starts) == 1, f"docs/workflow.md needs exactly one table headed {header!r}"
    rows = []
    for line in lines[starts[0] + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows.append([re.sub(r"\s*\(.*\)$", "", c).replace("`", "").strip() for c in cells])
    return rows


def _disagreement(doc: set, code: set, table: str) -> str:
    lines = [f"{table}: docs/workflow.md and the code disagree."]
    lines += [f"  only in docs/workflow.md: {row}" for row in sorted(doc - code)]
    lines += [f"  only in the code: {row}" for row in sorted(code - doc)]
    return "\n".join(lines)


def test_the_documented_assessment_transitions_are_the_table():
    doc = {tuple(row[:3]) for row in _table("| From | To | Service | Who | Condition |")}
    code = {(str(t.frm), str(t.to), t.service) for t in ASSESSMENT_FLOW}
    assert doc == code, _disagreement(doc, code, "ASSESSMENT_FLOW")


def test_the_documented_cycle_transitions_are_the_table():
    doc = {tuple(row[:2]) for row in _table("| From | To | Service |")}
    code = {(str(frm), str(to)) for frm, tos in CYCLE_TRANSITIONS.items() for to in tos}
    assert doc == code, _disagreement(doc, code, "CYCLE_TRANSITIONS")


def test_assessment_transitions_have_the_shape_of_the_cycle_table():
    assert set(ASSESSMENT_TRANSITIONS) == set(AssessmentStatus.values)
    pairs = {(frm, to) for frm, tos in ASSESSMENT_TRANSITIONS.items() for to in tos}
    assert pairs == {(t.frm, t.to) for t in ASSESSMENT_FLOW}


def test_every_transition_service_has_its_permission_check():
    assert set(TRANSITION_CHECKS) == {t.service for t in ASSESSMENT_FLOW}
