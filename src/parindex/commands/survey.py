"""``parindex survey``: questionnaires to XLSForm and back, and indices from responses.

* ``survey xlsform Q.yaml --output Q.xlsx`` — the questionnaire as an XLSForm (ODK Collect,
  KoboToolbox);
* ``survey import-xlsform FILE.xlsx --output Q.yaml`` — an XLSForm as a questionnaire;
* ``survey compute --questionnaire Q.yaml --responses R.csv [--units U.csv]`` — item,
  aspect, part and overall indices with 95 % intervals per unit (docs/surveys.md).

Every problem of every input is printed to stderr, one per line, with exit status 1 and
nothing written. Warnings (a sample too small for the margin, units without responses,
submissions rejected in review) go to stderr with exit status 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO

from parindex.engine.survey import (
    Questionnaire,
    QuestionnaireError,
    margin_for,
    sample_size,
    survey_tree,
)
from parindex.engine.survey_bulk import SurveyResult, compute_survey
from parindex.formats.errors import FormatError, Problem
from parindex.formats.questionnaire import load_questionnaire, write_questionnaire
from parindex.formats.responses import read_responses
from parindex.formats.survey_results import write_survey_results
from parindex.formats.text import csv_rows, header_positions, read_text_file
from parindex.formats.units import read_units


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "xlsform":
            return _xlsform(args)
        if args.action == "import-xlsform":
            return _import_xlsform(args)
        return _compute(args)
    except FormatError as exc:
        return _fail([str(p) for p in exc.problems])


def _xlsform(args: argparse.Namespace) -> int:
    # openpyxl / XlsxWriter take ~0.4 s to import; `survey compute` does not need them
    from parindex.formats.xlsform import write_xlsform

    q = load_questionnaire(args.file)
    write_xlsform(q, args.output)
    print(f"đã ghi {args.output}: {len(q.items)} câu hỏi, {len(q.aspects)} nhóm", file=sys.stderr)
    return 0


def _import_xlsform(args: argparse.Namespace) -> int:
    from parindex.formats.xlsform import read_xlsform  # see _xlsform

    q, problems = read_xlsform(Path(args.file), name=args.file)
    if q is None:
        return _fail([str(p) for p in problems])
    write_questionnaire(q, args.output)
    print(f"đã ghi {args.output}: {len(q.items)} câu hỏi, {len(q.aspects)} nhóm", file=sys.stderr)
    return 0


def _compute(args: argparse.Namespace) -> int:
    if not 0 <= args.decimals <= 6:
        return _fail(["--decimals phải từ 0 đến 6"])
    if not 0 < args.margin < 100:
        return _fail(["--margin phải lớn hơn 0 và nhỏ hơn 100 (phần trăm)"])
    problems: list[str] = []
    q: Questionnaire | None = None
    try:
        q = load_questionnaire(args.questionnaire)
        survey_tree(q)
    except FormatError as exc:
        problems += [str(p) for p in exc.problems]
    except QuestionnaireError as exc:
        problems.append(f"{args.questionnaire}: {exc}")
        q = None
    units = population = None
    if args.units:
        try:
            units = read_units(args.units)
            population = _population(args.units)
        except FormatError as exc:
            problems += [str(p) for p in exc.problems]
    if q is None or problems:
        return _fail(problems)
    responses, found = read_responses(
        Path(args.responses), name=args.responses, questionnaire=q, units=units
    )
    if responses is None:
        return _fail([str(p) for p in found])
    result = compute_survey(survey_tree(q), responses.data)
    margin = args.margin / 100
    warnings: list[str] = []
    if responses.rejected:
        warnings.append(f"{args.responses}: bỏ {responses.rejected} phiếu bị từ chối khi duyệt")
    for u, unit in enumerate(result.units):
        n = int(result.respondents[u])
        pop = population.get(unit) if population else None
        needed = sample_size(pop, margin)
        if n < needed:
            got = margin_for(n, pop)
            shown = f"±{100 * got:.1f}%" if got is not None else "không xác định"
            warnings.append(
                f"đơn vị {unit}: {n} người trả lời, cần {needed} cho sai số ±{args.margin:g}% "
                f"(n = N/(1+N·e²){f', N = {pop}' if pop else ', N chưa biết'}); sai số đạt {shown}"
            )
    if units is not None:
        missing = [u for u in units if u not in set(result.units)]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            warnings.append(f"{len(missing)} đơn vị không có phiếu trả lời nào ({shown})")
    for w in warnings:
        print(f"Cảnh báo: {w}", file=sys.stderr)
    _write(result, q, args)
    return 0


def _write(result: SurveyResult, q: Questionnaire, args: argparse.Namespace) -> None:
    def emit(out: IO[str]) -> None:
        write_survey_results(result, q, out, args.format, args.decimals)

    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            emit(out)
        return
    try:
        emit(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `parindex survey compute … | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _population(path: str) -> dict[str, int]:
    """The optional ``population`` column of the units file (N of the sample-size rule)."""
    problems: list[Problem] = []
    rows = csv_rows(read_text_file(path), path, problems)
    pos = header_positions(path, rows, ("unit",), ("population",), problems)
    if pos is None or pos[1] < 0:
        return {}
    out: dict[str, int] = {}
    for line, row in rows:
        cell = row[pos[1]].strip() if len(row) > pos[1] else ""
        if not cell:
            continue
        if not cell.isdigit():
            problems.append(Problem(path, line, "population", f"{cell!r} không phải số nguyên"))
            continue
        out[row[pos[0]].strip()] = int(cell)
    if problems:
        raise FormatError(problems)
    return out


def _fail(problems: list[str]) -> int:
    print("\n".join(problems), file=sys.stderr)
    return 1
