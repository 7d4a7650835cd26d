"""Surveys and SIPAS (issue 10): questionnaires, satisfaction indices, intervals, points.

Plain data and pure formulas; the bulk computation over respondents lives in
:mod:`parindex.engine.survey_bulk` (numpy, imported only there).

Questionnaire
    ``Questionnaire(code, name, aspects, items, parts)``. An item has a ``type`` of
    :data:`ITEM_TYPES`; ``likert5`` items are the satisfaction questions (answers 1–5,
    :data:`LIKERT5_CHOICES`), ``single``/``multi`` are perception and expectation questions
    (their choices are listed), ``number``/``text`` are kept but not computed. Aspects group
    items and belong to a part (``part`` may be empty when the questionnaire has one part).

Indices (DESIGN §5; provisional until checked against QĐ 1001/QĐ-BNV)
    * item index = 100 × satisfied / valid, satisfied = answers 4 or 5, valid = answers 1–5
      (blank, ``KB`` không biết and ``NA`` không áp dụng are out of the denominator); the
      counts are kept as integers and the index is an exact :class:`~fractions.Fraction`;
    * aspect index = weighted mean of the indices of its likert5 items with
      ``aggregate`` true (item weight 1); part index = weighted mean of its aspects
      (aspect ``weight``, default 1); overall = weighted mean of the parts (part ``weight``)
      or, with no parts, of the aspects. A child without an index in a unit (no valid
      answer) is left out and the remaining weights renormalised. Nothing is rounded before
      display.

Intervals (95 %)
    * item: the Wilson score interval on satisfied / valid;
    * aspect, part, overall: the index is a linear combination Σ eⱼ·pⱼ of item proportions
      (eⱼ the effective item weights of :func:`effective_weights`). Its variance is
      estimated by Taylor linearisation with the respondent as the sampling unit: each
      respondent r contributes uᵣ = Σⱼ eⱼ·(sᵣⱼ − pⱼ·vᵣⱼ)/Vⱼ (s satisfied, v valid, V the
      item's valid count) and Var = Σᵣ uᵣ². This keeps the covariance between items
      answered by the same person (a plain sum of item variances would understate it). The
      variance is turned into an effective sample size n_eff = p(1−p)/Var and the Wilson
      formula is applied with n_eff, so the interval stays inside 0–100 and equals the item
      interval for a one-item aspect. When Var is 0 (all or none satisfied), n_eff is the
      unit's number of respondents with at least one valid likert5 answer.
    * Assumptions: respondents are a simple random sample of the unit's population (no
      design weights, no village clustering: clustered samples have wider true intervals),
      no finite-population correction (conservative), normal approximation for n_eff.

Sample size
    :func:`sample_size` is n = N / (1 + N·e²) (QĐ 1383/2012; e = 5 %); with N unknown its
    limit 1/e² (400 for ±5 %). :func:`margin_for` inverts it.

Points (issue 10 part 6)
    :func:`survey_points`: points = max × index / 100, or with ``full_at`` (full points from
    that index on) max × min(index, full_at) / full_at; Decimal, half-up to 6 decimals.

Sampling error in the points (issue 12 part 4)
    :func:`points_interval`: the leaf's points at index − 100·e and index + 100·e (e the
    :func:`margin_for` margin) through the same formula, so within [0, leaf max];
    :func:`area_interval`: an area's points with each such leaf's points replaced by its
    low (high) points, clipped to [0, area max] — the ``intervals`` of
    :func:`parindex.engine.rank_bands.rank_bands`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

ITEM_TYPES: tuple[str, ...] = ("likert5", "single", "multi", "number", "text")
LIKERT5_CHOICES: tuple[tuple[str, str], ...] = (
    ("1", "Rất không hài lòng"),
    ("2", "Không hài lòng"),
    ("3", "Bình thường"),
    ("4", "Hài lòng"),
    ("5", "Rất hài lòng"),
)
#: Answers 4 and 5 count as satisfied.
SATISFIED_FROM = 4
#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054
OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Part:
    """A part of the questionnaire (e.g. the service part of SIPAS); weighs in the overall."""

    code: str
    name: str = ""
    weight: Decimal = Decimal(1)
    #: framework leaf fed by this index (issue 10 part 6); "" = none
    leaf: str = ""


@dataclass(frozen=True, slots=True)
class Aspect(Part):
    """An aspect (khía cạnh): its items' mean is its index; it weighs in its ``part``."""

    part: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    code: str
    text: str
    type: str
    aspect: str
    choices: tuple[Choice, ...] = ()
    #: framework leaf fed by this item's index (issue 10 part 6); "" = none
    leaf: str = ""
    #: False: reported on its own but left out of its aspect's mean (e.g. the aspect's
    #: overall question)
    aggregate: bool = True
    #: the wording is a reconstruction, not the official text
    reconstructed: bool = False
    required: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if self.type == "likert5" and not self.choices:
            object.__setattr__(self, "choices", likert5_choices())


@dataclass(frozen=True, slots=True)
class Questionnaire:
    code: str
    name: str
    aspects: tuple[Aspect, ...]
    items: tuple[Item, ...]
    parts: tuple[Part, ...] = ()
    label: str = ""
    note: str = ""
    #: framework leaf fed by the overall index
    leaf: str = ""
    #: item code → item (built on construction)
    by_code: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {i.code: i for i in self.items})

    def likert_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type == "likert5")

    def choice_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.type in ("single", "multi"))


def likert5_choices() -> tuple[Choice, ...]:
    return tuple(Choice(c, label) for c, label in LIKERT5_CHOICES)


# ---------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class TreeNode:
    """One computed node: an aspect, a part or the overall index.

    ``children`` are indices into :attr:`SurveyTree.items` (for an aspect) or into
    :attr:`SurveyTree.nodes` (for a part or the overall node), with their weights.
    """

    level: str
    code: str
    children: tuple[int, ...]
    weights: tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class SurveyTree:
    """The aggregation tree of a questionnaire: likert5 items → aspects → parts → overall.

    ``nodes`` are in computation order (aspects, then parts, then the overall node last).
    Aspects without a likert5 item that aggregates (e.g. the respondent block) are left out.
    """

    items: tuple[str, ...]
    nodes: tuple[TreeNode, ...]


class QuestionnaireError(ValueError):
    """The questionnaire cannot be computed (reasons in Vietnamese)."""


def survey_tree(q: Questionnaire) -> SurveyTree:
    items = tuple(i.code for i in q.likert_items())
    pos = {c: k for k, c in enumerate(items)}
    nodes: list[TreeNode] = []
    aspect_node: dict[str, int] = {}
    for a in q.aspects:
        members = [i for i in q.likert_items() if i.aspect == a.code and i.aggregate]
        if members:
            aspect_node[a.code] = len(nodes)
            kids = tuple(pos[i.code] for i in members)
            nodes.append(TreeNode("aspect", a.code, kids, tuple(Fraction(1) for _ in kids)))
    if not nodes:
        raise QuestionnaireError("bảng hỏi không có câu likert5 nào để tính chỉ số")
    scored = [a for a in q.aspects if a.code in aspect_node]
    with_part = {a.part for a in scored if a.part}
    if with_part and any(not a.part for a in scored):
        missing = ", ".join(a.code for a in scored if not a.part)
        raise QuestionnaireError(f"khía cạnh {missing} chưa có 'part' trong khi khía cạnh khác có")
    top: list[int] = []
    top_w: list[Fraction] = []
    if with_part:
        declared = {p.code: p for p in q.parts}
        order = [p.code for p in q.parts if p.code in with_part]
        order += sorted(with_part - set(order))
        for code in order:
            members_a = [a for a in scored if a.part == code]
            kids = tuple(aspect_node[a.code] for a in members_a)
            weights = tuple(Fraction(a.weight) for a in members_a)
            top.append(len(nodes))
            part = declared.get(code)
            top_w.append(Fraction(part.weight) if part else Fraction(1))
            nodes.append(TreeNode("part", code, kids, weights))
    else:
        top = [aspect_node[a.code] for a in scored]
        top_w = [Fraction(a.weight) for a in scored]
    nodes.append(TreeNode("overall", OVERALL, tuple(top), tuple(top_w)))
    return SurveyTree(items, tuple(nodes))


def effective_weights(
    tree: SurveyTree, available: Sequence[bool]
) -> list[dict[int, Fraction] | None]:
    """For each tree node, the weight of every item in its index (``None``: no index).

    ``available[j]`` tells whether item j has an index (a valid answer) in the unit. A
    node's weights are its children's weights, renormalised over the children that have
    an index, multiplied down the tree; they sum to 1.
    """
    out: list[dict[int, Fraction] | None] = []
    for node in tree.nodes:
        if node.level == "aspect":
            kids = [
                ({j: Fraction(1)}, w)
                for j, w in zip(node.children, node.weights, strict=True)
                if available[j]
            ]
        else:
            kids = [
                (sub, w)
                for k, w in zip(node.children, node.weights, strict=True)
                if (sub := out[k]) is not None and w > 0
            ]
        total = sum((w for _, w in kids), Fraction(0))
        if not kids or total == 0:
            out.append(None)
            continue
        mix: dict[int, Fraction] = {}
        for sub, w in kids:
            for j, e in sub.items():
                mix[j] = mix.get(j, Fraction(0)) + e * w / total
        out.append(mix)
    return out


# ---------------------------------------------------------------- formulas


def item_index(satisfied: int, valid: int) -> Fraction | None:
    """100 × satisfied / valid, exactly; ``None`` when there is no valid answer."""
    if valid <= 0:
        return None
    if not 0 <= satisfied <= valid:
        raise ValueError("số hài lòng phải trong khoảng 0 … số câu trả lời hợp lệ")
    return Fraction(100 * satisfied, valid)


def node_index(
    weights: Mapping[int, Fraction], satisfied: Sequence[int], valid: Sequence[int]
) -> Fraction:
    """The exact index of a node from its effective item weights and the item counts."""
    return sum(
        (e * Fraction(100 * satisfied[j], valid[j]) for j, e in weights.items()), Fraction(0)
    )


def wilson_interval(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` (0–1) on ``n`` answers, in percent."""
    if n <= 0:
        return (math.nan, math.nan)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / (1 + z2 / n)
    return (100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0))


def sample_size(population: int | None, margin: float = 0.05) -> int:
    """n = N / (1 + N·e²), rounded up; with ``population`` unknown, the limit 1/e²."""
    if not 0 < margin < 1:
        raise ValueError("sai số phải trong khoảng (0, 1)")
    if population is None:
        return math.ceil(1 / (margin * margin) - 1e-9)
    if population <= 0:
        return 0
    return math.ceil(population / (1 + population * margin * margin) - 1e-9)


def margin_for(n: int, population: int | None = None) -> float | None:
    """The e that n respondents give by the same formula: e = √(1/n − 1/N)."""
    if n <= 0:
        return None
    inv = 1 / n - (1 / population if population else 0.0)
    return math.sqrt(max(inv, 0.0))


def survey_points(
    max_points: Decimal,
    index: Fraction | Decimal,
    full_at: Decimal = Decimal(100),
    decimals: int = 6,
) -> Decimal:
    """Points of a survey-sourced leaf: max × min(index, full_at) / full_at, half-up to
    ``decimals`` (6: the framework's precision; a feed into stored points asks for the
    columns' 3). ``full_at`` 100 gives max × index / 100."""
    if full_at <= 0:
        raise ValueError("full_at phải lớn hơn 0")
    idx = Fraction(index)
    idx = min(max(idx, Fraction(0)), Fraction(full_at))
    exact = Fraction(max_points) * idx / Fraction(full_at)
    return round_half_up(exact, decimals)


def points_interval(
    max_points: Decimal, index: Fraction | Decimal, margin: float, full_at: Decimal = Decimal(100)
) -> tuple[Decimal, Decimal]:
    """The leaf's points at ``index − 100·margin`` and ``index + 100·margin`` (index in
    percent, margin a fraction as :func:`margin_for` gives it), each by :func:`survey_points`
    (which keeps them within [0, max])."""
    if margin < 0:
        raise ValueError("sai số phải không âm")
    idx, shift = Fraction(index), Fraction(margin) * 100
    return (
        survey_points(max_points, idx - shift, full_at),
        survey_points(max_points, idx + shift, full_at),
    )


def area_interval(
    points: Decimal,
    max_points: Decimal | None,
    leaves: Sequence[tuple[Decimal, Decimal, Decimal]],
) -> tuple[Decimal, Decimal]:
    """An area's ``(low, high)`` points: its ``points`` with every survey leaf's
    ``(points, low, high)`` replaced by its low (high) points, clipped to [0, max_points]
    (no upper clip without a maximum)."""
    low = points + sum((lo - now for now, lo, _ in leaves), Decimal(0))
    high = points + sum((hi - now for now, _, hi in leaves), Decimal(0))
    top = high if max_points is None else max_points
    return max(min(low, top), Decimal(0)), max(min(high, top), Decimal(0))


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """Display rounding of an exact value (half away from zero, as the results format)."""
    scaled = value * 10**decimals
    whole = math.floor(abs(scaled) + Fraction(1, 2))
    return Decimal(whole if scaled >= 0 else -whole).scaleb(-decimals)


# ---------------------------------------------------------------- points feed


@dataclass(frozen=True, slots=True)
class LeafMapping:
    """A framework leaf fed by one survey result: ``level``/``code`` of the result row."""

    leaf: str
    level: str
    code: str
    max_points: Decimal
    full_at: Decimal = Decimal(100)


def leaf_mappings(q: Questionnaire, max_points: Mapping[str, Decimal]) -> list[LeafMapping]:
    """The ``leaf`` keys of a questionnaire, with each leaf's maximum from the framework.

    A leaf named by the questionnaire and absent from ``max_points`` is refused.
    """
    named: list[tuple[str, str, str]] = [(i.leaf, "item", i.code) for i in q.items if i.leaf]
    named += [(a.leaf, "aspect", a.code) for a in q.aspects if a.leaf]
    named += [(p.leaf, "part", p.code) for p in q.parts if p.leaf]
    if q.leaf:
        named.append((q.leaf, "overall", OVERALL))
    unknown = sorted({leaf for leaf, _, _ in named if leaf not in max_points})
    if unknown:
        raise QuestionnaireError(f"bộ tiêu chí không có tiêu chí {', '.join(unknown)}")
    return [LeafMapping(leaf, lvl, code, max_points[leaf]) for leaf, lvl, code in named]


def points_for_units(
    mappings: Sequence[LeafMapping],
    indices: Mapping[tuple[str, str, str], Fraction | None],
) -> dict[str, dict[str, Decimal | None]]:
    """``{unit: {leaf: points}}`` from exact indices keyed ``(unit, level, code)``.

    A unit whose mapped result has no index (no valid answer) gets ``None`` for that leaf:
    the caller decides (missing, not 0).
    """
    units = sorted({u for u, _, _ in indices})
    out: dict[str, dict[str, Decimal | None]] = {}
    for unit in units:
        row: dict[str, Decimal | None] = {}
        for m in mappings:
            idx = indices.get((unit, m.level, m.code))
            row[m.leaf] = None if idx is None else survey_points(m.max_points, idx, m.full_at)
        out[unit] = row
    return out
