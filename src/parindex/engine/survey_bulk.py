"""The survey computation over respondents (numpy; formulas in :mod:`parindex.engine.survey`).

Input is columnar (:class:`SurveyData`): one row per respondent, the unit as an integer
index, likert5 answers as ``uint8`` codes (0 = left out: blank, KB, NA; 1–5 the answer),
single-choice answers as 1-based choice positions (0 = no answer) and multi-choice answers
as bit masks (bit k−1 = choice k ticked; 0 = no answer).

Per unit the only statistics needed are integers: the Gram matrix G = XᵀX of the
respondents' indicator rows X = [s₁…s_L | v₁…v_L] (sⱼ satisfied, vⱼ valid on item j). Its
diagonal holds the item counts (sⱼ² = sⱼ), and every node's linearised variance is the
quadratic form cᵀGc with c = [e/V, −e·p/V] (see the module docstring of
:mod:`parindex.engine.survey`). Rows are sorted by unit once and G is built unit by unit
with float32 BLAS products, exact for counts below 2²⁴.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from parindex.engine.survey import (
    SATISFIED_FROM,
    Z95,
    SurveyTree,
    effective_weights,
    node_index,
    round_half_up,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]
    Array = npt.NDArray[Any]


@dataclass(frozen=True)
class SurveyData:
    units: tuple[str, ...]
    unit_of: Array
    #: (respondents × len(tree.items)) uint8, columns in ``tree.items`` order
    likert: Array
    #: item code → 1-D array (single: uint8 position; multi: uint64 mask)
    choices: dict[str, Array]

    @property
    def respondents(self) -> int:
        return int(self.unit_of.shape[0])


@dataclass(frozen=True)
class ChoiceCounts:
    item: str
    multi: bool
    #: per unit: respondents who answered the item
    answered: IntArray
    #: (units × choices) respondents who chose / ticked each choice
    chosen: IntArray


@dataclass(frozen=True)
class SurveyResult:
    tree: SurveyTree
    units: tuple[str, ...]
    #: per unit: respondents with at least one valid likert5 answer
    respondents: IntArray
    #: (units × items)
    valid: IntArray
    satisfied: IntArray
    item_ci: tuple[FloatArray, FloatArray]
    #: (units × nodes), NaN where a node has no index
    node_index: FloatArray
    node_valid: IntArray
    node_satisfied: IntArray
    node_ci: tuple[FloatArray, FloatArray]
    choices: tuple[ChoiceCounts, ...]

    def item_index(self) -> FloatArray:
        import numpy as np

        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = 100.0 * self.satisfied / self.valid
        return out

    def exact_node_index(self, unit: int, node: int) -> Fraction | None:
        """The node's index as an exact fraction (for display rounding and points)."""
        valid = [int(x) for x in self.valid[unit]]
        weights = effective_weights(self.tree, [x > 0 for x in valid])[node]
        if weights is None:
            return None
        return node_index(weights, [int(x) for x in self.satisfied[unit]], valid)


def wilson_arrays(p: FloatArray, n: FloatArray, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`parindex.engine.survey.wilson_interval` (percent; NaN for n ≤ 0)."""
    import numpy as np

    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(n > 0, n, np.nan)
        z2 = z * z
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
        low: FloatArray = 100 * np.maximum(centre - half, 0.0)
        high: FloatArray = 100 * np.minimum(centre + half, 1.0)
    return low, high


def _grams(unit_of: Array, likert: Array, n_units: int) -> tuple[FloatArray, IntArray]:
    """Per-unit Gram matrices of [s | v] (units × 2L × 2L) and respondents per unit.

    Rows are sorted by unit, then turned into indicator rows a block of units at a time
    (a few MB, so that no respondents × 2L float matrix is ever allocated).
    """
    import numpy as np

    n_items = likert.shape[1]
    order = np.argsort(unit_of, kind="stable")
    sorted_units = unit_of[order]
    answers = likert[order]
    valid_any = ((answers >= 1) & (answers <= 5)).any(axis=1)
    counts = np.bincount(sorted_units[valid_any], minlength=n_units).astype(np.int64)
    starts = np.searchsorted(sorted_units, np.arange(n_units + 1))
    gram = np.zeros((n_units, 2 * n_items, 2 * n_items), dtype=np.float64)
    block = np.empty((2 * n_items, 2 * n_items), dtype=np.float32)
    first = 0
    while first < n_units:
        last = int(np.searchsorted(starts, starts[first] + _BLOCK_ROWS, side="right")) - 1
        last = min(max(last, first + 1), n_units)
        rows = answers[starts[first] : starts[last]]
        x = np.empty((rows.shape[0], 2 * n_items), dtype=np.float32)
        x[:, n_items:] = (rows >= 1) & (rows <= 5)
        x[:, :n_items] = (rows >= SATISFIED_FROM) & (rows <= 5)
        base = starts[first]
        for u in range(first, last):
            part = x[starts[u] - base : starts[u + 1] - base]
            if part.shape[0]:
                np.matmul(part.T, part, out=block)
                gram[u] = block
        first = last
    return gram, counts


#: Respondent rows turned into indicators at a time by :func:`_grams`.
_BLOCK_ROWS = 32768


def compute_survey(tree: SurveyTree, data: SurveyData) -> SurveyResult:
    """Every item, aspect, part and overall index with its interval, for every unit."""
    import numpy as np

    n_units, n_items = len(data.units), len(tree.items)
    if data.likert.shape != (data.respondents, n_items):
        raise ValueError("likert matrix does not match the tree's items")
    if data.respondents >= 2**24:
        raise ValueError("too many respondents for exact float32 counts")
    gram, respondents = _grams(data.unit_of, data.likert, n_units)
    diag = np.rint(np.diagonal(gram, axis1=1, axis2=2)).astype(np.int64)
    satisfied, valid = diag[:, :n_items], diag[:, n_items:]
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(valid > 0, satisfied / np.maximum(valid, 1), 0.0)
        inv_v = np.where(valid > 0, 1.0 / np.maximum(valid, 1), 0.0)
    item_ci = wilson_arrays(p, valid.astype(np.float64))

    n_nodes = len(tree.nodes)
    index = np.full((n_units, n_nodes), np.nan)
    node_valid = np.zeros((n_units, n_nodes), dtype=np.int64)
    node_sat = np.zeros((n_units, n_nodes), dtype=np.int64)
    low = np.full((n_units, n_nodes), np.nan)
    high = np.full((n_units, n_nodes), np.nan)
    avail = valid > 0
    eff: list[FloatArray] = []  # (units × items) effective weights per node
    has: list[Array] = []
    for k, node in enumerate(tree.nodes):
        w = np.array([float(x) for x in node.weights])
        if node.level == "aspect":
            m = np.zeros((n_units, n_items))
            m[:, list(node.children)] = w[None, :] * avail[:, list(node.children)]
            total = m.sum(axis=1)
        else:
            m = np.zeros((n_units, n_items))
            total = np.zeros(n_units)
            for child, wc in zip(node.children, w, strict=True):
                if wc > 0:
                    m += wc * has[child][:, None] * eff[child]
                    total += wc * has[child]
        ok = total > 0
        e = np.where(ok[:, None], m / np.where(ok, total, 1.0)[:, None], 0.0)
        eff.append(e)
        has.append(ok)
        index[ok, k] = 100.0 * (e * p).sum(axis=1)[ok]
        used = e > 0
        node_valid[:, k] = (valid * used).sum(axis=1)
        node_sat[:, k] = (satisfied * used).sum(axis=1)
        c = np.concatenate([e * inv_v, -e * p * inv_v], axis=1)
        var = np.einsum("ui,uij,uj->u", c, gram, c)
        share = index[:, k] / 100.0
        with np.errstate(invalid="ignore", divide="ignore"):
            n_eff = np.where(
                var > 1e-15, share * (1 - share) / np.maximum(var, 1e-300), respondents
            )
        lo, hi = wilson_arrays(share, n_eff.astype(np.float64))
        low[:, k] = np.where(ok, lo, np.nan)
        high[:, k] = np.where(ok, hi, np.nan)
    choices = tuple(
        _choice_counts(code, arr, data.unit_of, n_units) for code, arr in data.choices.items()
    )
    return SurveyResult(
        tree,
        data.units,
        respondents,
        valid,
        satisfied,
        item_ci,
        index,
        node_valid,
        node_sat,
        (low, high),
        choices,
    )


def _choice_counts(code: str, arr: Array, unit_of: Array, n_units: int) -> ChoiceCounts:
    import numpy as np

    multi = arr.dtype == np.uint64
    answered = np.bincount(unit_of[arr != 0], minlength=n_units).astype(np.int64)
    if multi:
        top = int(arr.max()).bit_length() if arr.size else 0
        cols = [
            np.bincount(unit_of[(arr & np.uint64(1 << k)) != 0], minlength=n_units)
            for k in range(top)
        ]
    else:
        top = int(arr.max()) if arr.size else 0
        both = np.bincount(unit_of * (top + 1) + arr, minlength=n_units * (top + 1))
        table = both.reshape(n_units, top + 1)
        cols = [table[:, k] for k in range(1, top + 1)]
    chosen = np.stack(cols, axis=1).astype(np.int64) if cols else np.zeros((n_units, 0), np.int64)
    return ChoiceCounts(code, bool(multi), answered, chosen)


def display(value: float, decimals: int, exact: Fraction | None = None) -> str:
    """Half-up text of an index; a value within 1e-7 of a rounding tie is rounded from
    its exact fraction (``exact``) so that float noise never flips the last digit."""
    if math.isnan(value):
        return ""
    scaled = abs(value) * 10**decimals
    if exact is not None and abs(scaled - math.floor(scaled) - 0.5) < 1e-7:
        return str(round_half_up(exact, decimals))
    whole = math.floor(scaled + 0.5)
    sign = "-" if value < 0 and whole else ""
    text = str(whole).rjust(decimals + 1, "0")
    return sign + (f"{text[:-decimals]}.{text[-decimals:]}" if decimals else text)


def display_array(
    values: FloatArray, decimals: int
) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """:func:`display` for a (units × columns) array: the texts, and the cells at a
    rounding tie that the caller must round from their exact fraction."""
    import numpy as np

    scaled = np.abs(values) * 10**decimals
    with np.errstate(invalid="ignore"):
        whole = np.floor(scaled + 0.5)
        ties = np.argwhere(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-7)
    shown = (whole / 10**decimals).tolist()
    fmt = f"{{:.{decimals}f}}".format
    texts = [["" if v != v else fmt(v) for v in row] for row in shown]
    return texts, [(int(u), int(k)) for u, k in ties]
