"""Competition ranking ("1, 2, 2, 4") on unrounded values, high first (DESIGN §4).

Values must be exact (Decimal, Fraction, int) so that two units share a rank only when
their full-precision values are equal; ``None`` (no index, e.g. nothing applicable) is
not ranked.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal
from fractions import Fraction

Value = Decimal | Fraction | int


def rank(values: Sequence[Value | None]) -> list[int | None]:
    """Rank of each value, 1 = highest; equal values share the best rank; ``None`` → None.

    Sorting uses the correctly rounded float of each value (monotonic, so it never puts a
    larger value after a smaller one) and settles runs of equal floats exactly.
    """
    exact: list[Fraction | None] = [
        None if v is None else (v if isinstance(v, Fraction) else Fraction(v)) for v in values
    ]
    keyed = [(float(v), i) for i, v in enumerate(exact) if v is not None]
    keyed.sort(reverse=True)
    order: list[int] = []
    start = 0
    while start < len(keyed):
        end = start + 1
        while end < len(keyed) and keyed[end][0] == keyed[start][0]:
            end += 1
        run = [i for _, i in keyed[start:end]]
        if len(run) > 1:
            run.sort(key=lambda i: exact[i], reverse=True)  # type: ignore[arg-type,return-value]
        order += run
        start = end
    out: list[int | None] = [None] * len(values)
    prev: Fraction | None = None
    current = 0
    for pos, i in enumerate(order, 1):
        v = exact[i]
        if pos == 1 or v != prev:
            current = pos
            prev = v
        out[i] = current
    return out


def rank_within(values: Sequence[Value | None], groups: Sequence[Hashable]) -> list[int | None]:
    """Like :func:`rank`, but each value is ranked only against values of the same group."""
    members: dict[Hashable, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    out: list[int | None] = [None] * len(values)
    for idx in members.values():
        for i, r in zip(idx, rank([values[i] for i in idx]), strict=True):
            out[i] = r
    return out


def rank_ratios(
    nums: Sequence[int], dens: Sequence[int | None], groups: Sequence[Hashable]
) -> list[int | None]:
    """:func:`rank_within` for values given as exact ratios ``num / den``.

    ``den`` is positive, or ``None``/0 for "no value". Sorting uses the correctly rounded
    float (monotonic); runs of equal floats are settled by exact cross-multiplication.
    This is what :func:`parindex.engine.compute.compute` uses (no Fraction objects).
    """
    members: dict[Hashable, list[tuple[float, int]]] = {}
    for i, (n, d, g) in enumerate(zip(nums, dens, groups, strict=True)):
        if d:
            members.setdefault(g, []).append((n / d, i))
    out: list[int | None] = [None] * len(nums)
    for keyed in members.values():
        keyed.sort(reverse=True)
        pos = 0
        while pos < len(keyed):
            end = pos + 1
            while end < len(keyed) and keyed[end][0] == keyed[pos][0]:
                end += 1
            run = [i for _, i in keyed[pos:end]]
            if len(run) > 1:
                run.sort(key=lambda i: Fraction(nums[i], dens[i] or 1), reverse=True)
            prev = -1
            for k, i in enumerate(run):
                if k == 0 or nums[i] * (dens[prev] or 1) != nums[prev] * (dens[i] or 1):
                    out[i] = pos + k + 1
                else:
                    out[i] = out[prev]
                prev = i
            pos = end
    return out
