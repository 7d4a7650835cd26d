"""The tree of many units evaluated column-wise with Polars (issue 14).

:func:`score_columns` gives what :meth:`CompiledFramework.evaluate` gives one unit at a
time (the reference, which the property tests compare this with), for every unit of a
:class:`~parindex.engine.compute.ScoreTable` at once: each node's points and applicable
maximum are columns, a parent's computed from its children's level by level. Integers in
millionths throughout (``Int64``; a framework's sums stay far below 2⁶³): nothing goes
through floating point. Imported only for tables large enough to pay for Polars
(:data:`parindex.engine.compute.COLUMNAR_MIN_UNITS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import polars as pl

from parindex.engine.aggregate import PENALTY, REGULAR, CompiledFramework

#: The N/A marker of :class:`~parindex.engine.compute.ScoreTable` (kept in step there).
_NOT_APPLICABLE = -2

__all__ = ["score_columns"]


def score_columns(
    cf: CompiledFramework, values: Sequence[int] | pl.Series, nodes: Sequence[int]
) -> list[tuple[int | None, ...]]:
    """For every unit of a flat unit-major table, the points of ``nodes`` then their
    applicable maxima (``None`` = N/A). Missing leaves count 0, as in
    :meth:`CompiledFramework.evaluate`."""
    flat = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.Int64)
    frame = pl.DataFrame(flat.alias("v")).select(_leaves(cf))
    for level in _plan(cf):
        frame = frame.with_columns(level)
    at = list(enumerate(nodes))  # columns named by position: a node may be asked twice
    maxima = (pl.when(pl.col(f"q{n}") == 1).then(f"a{n}").alias(f"m{k}") for k, n in at)
    return frame.select(*(pl.col(f"p{n}").alias(f"x{k}") for k, n in at), *maxima).rows()


# Each node ``n`` has three Int64 columns: its points ``p{n}``, ``q{n}`` = 1 when it is
# applicable (0 when N/A) and its applicable maximum ``a{n}`` (0 when N/A). Plain integer
# arithmetic on them is several times faster in Polars than nulls and when/then.


@lru_cache(maxsize=16)
def _leaves(cf: CompiledFramework) -> tuple[pl.Expr, ...]:
    """Each leaf's columns (points 0 when missing or N/A), cut out of the flat ``v``."""
    L = cf.n_leaves
    cut = [pl.col("v").gather_every(L, j) for j in range(L)]
    exprs = [x.clip(lower_bound=0).alias(f"p{j}") for j, x in enumerate(cut)]
    applicable = [(x != _NOT_APPLICABLE).cast(pl.Int64) for x in cut]
    exprs += [q.alias(f"q{j}") for j, q in enumerate(applicable)]
    exprs += [
        (q * top).alias(f"a{j}")
        for j, (q, top) in enumerate(zip(applicable, cf.leaf_max, strict=True))
    ]
    return tuple(exprs)


@lru_cache(maxsize=16)
def _plan(cf: CompiledFramework) -> tuple[tuple[pl.Expr, ...], ...]:
    """The parents' expressions, grouped in levels whose children are all computed.

    Same rules as :meth:`CompiledFramework.evaluate`: the sum of the applicable children
    (penalties subtracted) clamped to ``[0, applicable max]``; a parent whose regular
    children (or, with none, all children) are N/A is N/A with 0 points. With ``t`` the
    applicable maxima of the regular children and ``rs`` their declared sum, the
    applicable max is ``min(max, t)`` when ``rs ≥ max`` and ``t + (max − rs)`` else:
    both are ``max`` when nothing below is N/A (``t = rs``), as the reference says.
    """
    L = cf.n_leaves
    height: dict[int, int] = {}
    levels: list[list[pl.Expr]] = []
    for p, kids in enumerate(cf.children):
        n = p + L
        h = height[n] = 1 + max((height.get(c, 0) for c, _ in kids), default=0)
        if len(levels) < h:
            levels.append([])
        # An N/A child has 0 points, so the sum needs no test of applicability.
        total = pl.sum_horizontal(
            *(-pl.col(f"p{c}") if kind == PENALTY else pl.col(f"p{c}") for c, kind in kids)
        )
        counted = [c for c, kind in kids if kind == REGULAR] or [c for c, _ in kids]
        alive = pl.max_horizontal(*(pl.col(f"q{c}") for c in counted))
        declared, rs = cf.declared[p], cf.regular_sum[p]
        if cf.has_regular[p]:
            t = pl.sum_horizontal(*(pl.col(f"a{c}") for c, kind in kids if kind == REGULAR))
            m = t.clip(upper_bound=declared) if rs >= declared else t + (declared - rs)
        else:
            m = pl.lit(declared, pl.Int64)
        levels[h - 1] += [
            (total.clip(0, m) * alive).alias(f"p{n}"),
            alive.alias(f"q{n}"),
            (m * alive).alias(f"a{n}"),
        ]
    return tuple(tuple(level) for level in levels)
