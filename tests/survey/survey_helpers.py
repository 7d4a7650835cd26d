"""Small questionnaires and data for the survey tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from parindex.engine.survey import Aspect, Choice, Item, Part, Questionnaire

DATA = Path(__file__).resolve().parents[2] / "src" / "parindex" / "data" / "questionnaires"


def small_questionnaire(**aspect_weights: float) -> Questionnaire:
    """A1 = {Q1, Q2}, A2 = {Q3} in part P; a single item S and a multi item M in A3."""
    from decimal import Decimal

    w = {k: Decimal(str(v)) for k, v in aspect_weights.items()}
    return Questionnaire(
        "t",
        "Thử",
        (
            Aspect("A1", "Một", w.get("A1", Decimal(1)), part="P"),
            Aspect("A2", "Hai", w.get("A2", Decimal(1)), part="P"),
            Aspect("A3", "Ba"),
        ),
        (
            Item("Q1", "Câu 1", "likert5", "A1"),
            Item("Q2", "Câu 2", "likert5", "A1"),
            Item("Q3", "Câu 3", "likert5", "A2"),
            Item("S", "Phiền hà?", "single", "A3", (Choice("co", "Có"), Choice("khong", "Không"))),
            Item(
                "M",
                "Mong đợi",
                "multi",
                "A3",
                (Choice("a", "Một"), Choice("b", "Hai"), Choice("c", "Ba")),
            ),
        ),
        (Part("P", "Phần"),),
    )


def brute_force_variance(answers: np.ndarray, weights: dict[int, float]) -> float:
    """Σᵣ uᵣ² with uᵣ = Σⱼ eⱼ (sᵣⱼ − pⱼ vᵣⱼ) / Vⱼ, by plain loops (percent²)."""
    n, _ = answers.shape
    valid = [sum(1 for r in range(n) if 1 <= answers[r, j] <= 5) for j in weights]
    sat = [sum(1 for r in range(n) if answers[r, j] >= 4) for j in weights]
    total = 0.0
    for r in range(n):
        u = 0.0
        for (j, e), vj, sj in zip(weights.items(), valid, sat, strict=True):
            s = 1.0 if answers[r, j] >= 4 else 0.0
            v = 1.0 if 1 <= answers[r, j] <= 5 else 0.0
            u += e * (s - sj / vj * v) / vj
        total += u * u
    return 10_000 * total
