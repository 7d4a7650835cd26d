"""What-if (issue 12, part 3): a unit's new index and rank for chosen leaf points, and the
least-effort gains that reach a target rank in its group.

Both questions are answered for one unit against the other units' results of its group
(``others``: their exact ``(points, applicable max)`` in millionths, as
:class:`parindex.engine.compute.UnitResult` holds them). Ranks follow the engine: exact
values, competition ranking (1, 2, 2, 4); the unit's rank is 1 + the number of others with a
strictly higher index, so reaching a tie with the unit now at rank K counts as reaching K.

**Gains.** A leaf can gain at most its lost points: ``max − points`` for a regular or bonus
leaf (a missing score counts 0, so the whole maximum), ``points`` for a penalty leaf (the
gain is a smaller deduction). N/A leaves cannot gain, and nothing under an N/A parent moves
the index. Gains are continuous (any amount to the millionth) and cost ``effort`` per point
of the leaf (default 1; 0 is allowed and means free).

**Caps, exactly.** A parent's points are ``clamp(s, 0, applicable max)`` with ``s`` the sum
of its children (penalties subtracted), so a gain that a full parent swallows gives nothing.
Write ``C_n(x)`` for the least effort that raises node ``n``'s points by ``x``.

* A leaf: ``C(x) = effort × x`` on ``[0, room]`` — linear, hence convex.
* A parent with ``0 ≤ s ≤ max``: its points rise exactly by the children's rise until the
  headroom ``h = max − s`` is used, then not at all. Every unit of gain must come from some
  child, and the children's gains are independent, so ``C_n`` on ``[0, h]`` is the
  infimal convolution of the children's ``C``; for convex piecewise-linear functions that
  is the merge of their linear pieces in increasing order of effort per point, which is
  again convex. Gains beyond ``h`` are pure waste and never part of a least-effort plan.
* A parent with ``s < 0`` (penalties larger than its children's points) has a *deficit*
  ``d = −s``: the first ``d`` points of gain below it are swallowed. Its cost is
  ``C(d + x)`` of the merged children if it is used at all, and 0 for ``x = 0`` — not
  convex. Each such parent is therefore either paid (its deficit is a fixed cost ``C(d)``
  and the pieces beyond it pass on — convex again) or left unused, and a branch and bound
  over these choices keeps the cheapest plan: undecided parents are relaxed to "deficit
  waived" (cost ``C(x)``, below both choices), which bounds a branch from below. There are
  rarely any; more than :data:`MAX_DEFICITS` is refused rather than guessed.

So the root's cost function is the sorted list of pieces ``(effort per point, leaf,
amount)`` that survive every cap on the way up, and the least-effort plan for ``D`` points
takes its cheapest ``D`` points (a greedy on effort per point of the leaf, limited by the
remaining capacity of every node on the leaf → root path). This is exact — no LP solver
is needed, and all amounts are integers (millionths), so the target is met exactly. Ties
in effort go to the leaf that comes first in the framework.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final

from parindex.engine.aggregate import (
    PENALTY,
    CompiledFramework,
    _NAType,
    from_micro,
    to_micro,
)
from parindex.engine.numtext import range_text

#: Parents with a deficit (penalties above their children's points) a plan may weigh; in
#: the worst case each doubles the work.
MAX_DEFICITS: Final = 16

OPEN, CLOSED, FREE = "open", "closed", "free"

#: A linear piece of a cost function: (effort per point, leaf number, amount in micro).
Piece = tuple[Fraction, int, int]


class WhatIfError(ValueError):
    """Inputs a what-if cannot use (unknown code, points out of range, N/A leaf…)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One leaf's points before and after (a penalty leaf's ``to`` is smaller)."""

    code: str
    from_points: Decimal
    to_points: Decimal


@dataclass(frozen=True, slots=True)
class WhatIf:
    """The answer: before, after, the changes and their total effort.

    ``target_rank`` is the rank asked for (``None`` for a forward what-if); ``reached``
    says whether ``to_rank`` is at least as good. When it is not, the plan is the
    least-effort way to the best reachable rank.
    """

    unit: str
    from_index: Fraction
    from_rank: int
    to_index: Fraction
    to_rank: int
    effort: Decimal
    changes: tuple[Change, ...]
    target_rank: int | None = None
    reached: bool = True


@dataclass(frozen=True, slots=True)
class _State:
    cf: CompiledFramework
    v: list[int | None]  # leaf points in micro, None = N/A
    points: int  # the unit's total, micro
    max_micro: int  # the unit's applicable maximum, micro
    rates: list[Fraction]


def rank_among(points: int, max_micro: int, others: Sequence[tuple[int, int]]) -> int:
    """1 + the number of ``others`` ``(points, max > 0)`` with a strictly higher index."""
    return 1 + sum(1 for op, om in others if op * max_micro > points * om)


def what_if(
    framework: CompiledFramework,
    leaf_points: Mapping[str, Decimal | int | _NAType],
    targets: Mapping[str, Decimal | int],
    others: Sequence[tuple[int, int]],
    *,
    unit: str = "",
    effort: Mapping[str, Decimal | int] | None = None,
) -> WhatIf:
    """Forward: set leaves ``targets`` (``{code: new points}``) and re-rank the unit.

    ``effort`` of the result is ``Σ effort × |new − old|``. Raises :class:`WhatIfError`.
    """
    st = _state(framework, leaf_points, effort)
    others = [(p, m) for p, m in others if m > 0]
    cf = st.cf
    new = list(st.v)
    problems = []
    for code, value in targets.items():
        j = cf.leaf_index.get(code)
        if j is None:
            problems.append(f"mã {code}: không phải tiêu chí lá của bộ tiêu chí")
            continue
        if st.v[j] is None:
            problems.append(f"mã {code}: tiêu chí không áp dụng cho đơn vị, không đặt điểm được")
            continue
        micro = _micro(code, value, problems)
        if micro is not None and not 0 <= micro <= cf.leaf_max[j]:
            problems.append(
                f"mã {code}: điểm {value} nằm ngoài khoảng {range_text(0, cf.leaf_max_decimal[j])}"
            )
        elif micro is not None:
            new[j] = micro
    if problems:
        raise WhatIfError("\n".join(problems))
    return _answer(st, new, others, unit, None)


def cheapest_path(
    framework: CompiledFramework,
    leaf_points: Mapping[str, Decimal | int | _NAType],
    target_rank: int,
    others: Sequence[tuple[int, int]],
    *,
    unit: str = "",
    effort: Mapping[str, Decimal | int] | None = None,
) -> WhatIf:
    """Reverse: the least-effort gains that bring the unit to ``target_rank`` or better.

    Already there: no change. Out of reach: ``reached`` is false and the plan is the
    least-effort one to the best reachable rank. Raises :class:`WhatIfError`.
    """
    if target_rank < 1:
        raise WhatIfError(f"hạng mục tiêu phải từ 1 trở lên (nhận {target_rank})")
    st = _state(framework, leaf_points, effort)
    others = [(p, m) for p, m in others if m > 0]
    if rank_among(st.points, st.max_micro, others) <= target_rank:
        return _answer(st, list(st.v), others, unit, target_rank)
    head, deficit = _slack(st)
    deficits = _deficit_nodes(st, deficit)
    # Paying every deficit never lowers what can be delivered: the most reachable.
    _, _, pieces = _plan_pieces(st, head, deficit, dict.fromkeys(deficits, OPEN))
    best_total = sum(a for _, _, a in pieces)
    need = _points_needed(st, target_rank, others)
    reached = need - st.points <= best_total
    if not reached:
        best_rank = rank_among(st.points + best_total, st.max_micro, others)
        now = rank_among(st.points, st.max_micro, others)
        need = _points_needed(st, best_rank, others) if best_rank < now else 0
    gains = _cheapest(st, head, deficit, deficits, max(need - st.points, 0))
    new = list(st.v)
    for j, g in gains.items():
        old = new[j]
        assert old is not None
        new[j] = old - g if _is_penalty(st.cf, j) else old + g
    answer = _answer(st, new, others, unit, target_rank)
    assert answer.reached == reached
    return answer


def _points_needed(st: _State, rank: int, others: Sequence[tuple[int, int]]) -> int:
    """Least total (micro) whose index ties the ``rank``-th best of ``others``."""
    ordered = sorted(others, key=lambda pm: Fraction(pm[0], pm[1]), reverse=True)
    op, om = ordered[rank - 1]
    return -(-op * st.max_micro // om)


def _state(
    cf: CompiledFramework,
    leaf_points: Mapping[str, Decimal | int | _NAType],
    effort: Mapping[str, Decimal | int] | None,
) -> _State:
    problems: list[str] = []
    v: list[int | None] = [0] * cf.n_leaves
    for code, value in leaf_points.items():
        j = cf.leaf_index.get(code)
        if j is None:
            problems.append(f"mã {code}: không phải tiêu chí lá của bộ tiêu chí")
            continue
        if isinstance(value, _NAType):
            v[j] = None
            continue
        micro = _micro(code, value, problems)
        if micro is not None and not 0 <= micro <= cf.leaf_max[j]:
            problems.append(
                f"mã {code}: điểm {value} nằm ngoài khoảng {range_text(0, cf.leaf_max_decimal[j])}"
            )
        v[j] = micro if micro is not None and 0 <= micro <= cf.leaf_max[j] else 0
    rates = [Fraction(1)] * cf.n_leaves
    for code, w in (effort or {}).items():
        j = cf.leaf_index.get(code)
        if j is None:
            problems.append(f"mức công sức: mã {code} không phải tiêu chí lá của bộ tiêu chí")
        elif w < 0:
            problems.append(f"mức công sức: mã {code} có công sức âm ({w})")
        else:
            rates[j] = Fraction(w)
    pts, app = cf.evaluate(v)
    root_max = app[cf.root]
    if not problems and not root_max:
        problems.append("đơn vị không có tiêu chí nào áp dụng: không có chỉ số để xếp hạng")
    if problems:
        raise WhatIfError("\n".join(problems))
    assert root_max is not None
    return _State(cf, v, pts[cf.root], root_max, rates)


def _micro(code: str, value: Decimal | int, problems: list[str]) -> int | None:
    try:
        return to_micro(value)
    except (ValueError, ArithmeticError) as exc:
        problems.append(f"mã {code}: {exc}")
        return None


def _is_penalty(cf: CompiledFramework, j: int) -> bool:
    return cf.leaf_nodes[j].source == "penalty"


def _room(st: _State, j: int) -> int:
    x = st.v[j]
    if x is None:
        return 0
    return x if _is_penalty(st.cf, j) else st.cf.leaf_max[j] - x


def _slack(st: _State) -> tuple[list[int], list[int]]:
    """Per parent (index = number − L): headroom and deficit, both ≥ 0 (−1 = N/A)."""
    cf = st.cf
    pts, app = cf.evaluate(st.v)
    head: list[int] = []
    deficit: list[int] = []
    for p, kids in enumerate(cf.children):
        m = app[p + cf.n_leaves]
        if m is None:
            head.append(-1)
            deficit.append(0)
            continue
        s = sum((-pts[c] if kind == PENALTY else pts[c]) for c, kind in kids if app[c] is not None)
        head.append(max(m - s, 0) if s >= 0 else m)
        deficit.append(-s if s < 0 else 0)
    return head, deficit


def _deficit_nodes(st: _State, deficit: list[int]) -> list[int]:
    """The deficit parents (node numbers), every ancestor before its descendants."""
    L = st.cf.n_leaves
    nodes = [p + L for p, d in enumerate(deficit) if d > 0]
    if len(nodes) > MAX_DEFICITS:
        raise WhatIfError(
            f"có {len(nodes)} tiêu chí bị trừ điểm nhiều hơn điểm đạt được (tối đa "
            f"{MAX_DEFICITS}): không tính được phương án ít công sức nhất"
        )
    return nodes[::-1]  # parents are numbered after their children


def _plan_pieces(
    st: _State, head: list[int], deficit: list[int], modes: Mapping[int, str]
) -> tuple[Fraction, dict[int, int], list[Piece]]:
    """The root's cost function with each deficit parent :data:`OPEN` (paid),
    :data:`CLOSED` (unused) or :data:`FREE` (its deficit waived: a relaxation whose cost
    is a lower bound of both others).

    Returns (fixed effort of the paid deficits, the leaf gains that pay them, the root's
    pieces cheapest first).
    """
    cf = st.cf
    L = cf.n_leaves
    fixed_gain: dict[int, int] = {}
    fixed_cost = Fraction(0)
    pieces: dict[int, list[Piece]] = {}
    for j in range(L):
        r = _room(st, j)
        pieces[j] = [(st.rates[j], j, r)] if r > 0 else []
    for p, kids in enumerate(cf.children):  # children always come before their parent
        n = p + L
        merged = list(heapq.merge(*(pieces.pop(c) for c, _ in kids)))
        mode = modes.get(n, FREE) if deficit[p] else FREE
        if head[p] < 0 or mode == CLOSED:
            pieces[n] = []
            continue
        if mode == OPEN:
            paid, merged = _split(merged, deficit[p])
            if sum(a for _, _, a in paid) < deficit[p]:
                pieces[n] = []  # cannot even fill the deficit: using it is impossible
                continue
            for rate, j, a in paid:
                fixed_gain[j] = fixed_gain.get(j, 0) + a
                fixed_cost += rate * a
        pieces[n], _ = _split(merged, head[p])
    return fixed_cost, fixed_gain, pieces[cf.root]


def _split(pieces: list[Piece], amount: int) -> tuple[list[Piece], list[Piece]]:
    """The cheapest ``amount`` of ``pieces`` (or all), and the rest."""
    taken: list[Piece] = []
    left = amount
    for k, (rate, j, a) in enumerate(pieces):
        if left <= 0:
            return taken, pieces[k:]
        if a <= left:
            taken.append((rate, j, a))
            left -= a
        else:
            taken.append((rate, j, left))
            return taken, [(rate, j, a - left), *pieces[k + 1 :]]
    return taken, []


def _cheapest(
    st: _State, head: list[int], deficit: list[int], deficits: list[int], need: int
) -> dict[int, int]:
    """Leaf gains (micro) of the least-effort plan delivering ``need`` at the root.

    Branch and bound over the deficit parents (ancestors first): each is paid or left
    unused; the undecided ones are relaxed to :data:`FREE`, which bounds the cost from
    below, so a branch that cannot beat the best complete plan is cut. Without deficit
    parents this is one greedy pass.
    """
    if need <= 0:
        return {}
    best: tuple[Fraction, dict[int, int]] | None = None
    parents = [-1] * (st.cf.root + 1)
    for p, kids in enumerate(st.cf.children):
        for c, _ in kids:
            parents[c] = p + st.cf.n_leaves
    stack: list[dict[int, str]] = [{}]
    while stack:
        modes = stack.pop()
        fixed_cost, fixed_gain, pieces = _plan_pieces(st, head, deficit, modes)
        taken, _ = _split(pieces, need)
        if sum(a for _, _, a in taken) < need:
            continue
        cost = fixed_cost + sum((rate * a for rate, _, a in taken), Fraction(0))
        if best is not None and cost >= best[0]:
            continue
        undecided = [n for n in deficits if n not in modes and not _under_closed(n, modes, parents)]
        if not undecided:
            gains = dict(fixed_gain)
            for _, j, a in taken:
                gains[j] = gains.get(j, 0) + a
            best = (cost, gains)
            continue
        n = undecided[0]
        stack += [{**modes, n: CLOSED}, {**modes, n: OPEN}]  # OPEN is tried first
    assert best is not None
    return {j: g for j, g in best[1].items() if g}


def _under_closed(n: int, modes: Mapping[int, str], parents: Sequence[int]) -> bool:
    while n >= 0:
        n = parents[n]
        if modes.get(n) == CLOSED:
            return True
    return False


def _answer(
    st: _State,
    new: list[int | None],
    others: Sequence[tuple[int, int]],
    unit: str,
    target_rank: int | None,
) -> WhatIf:
    cf = st.cf
    pts, _ = cf.evaluate(new)
    to_points = pts[cf.root]
    to_rank = rank_among(to_points, st.max_micro, others)
    changes = []
    effort = Fraction(0)
    for j, (a, b) in enumerate(zip(st.v, new, strict=True)):
        if a is not None and b is not None and a != b:
            changes.append(Change(cf.leaf_codes[j], from_micro(a), from_micro(b)))
            effort += st.rates[j] * abs(b - a)
    return WhatIf(
        unit=unit,
        from_index=Fraction(st.points * 100, st.max_micro),
        from_rank=rank_among(st.points, st.max_micro, others),
        to_index=Fraction(to_points * 100, st.max_micro),
        to_rank=to_rank,
        effort=_effort_decimal(effort / 1_000_000),
        changes=tuple(changes),
        target_rank=target_rank,
        reached=target_rank is None or to_rank <= target_rank,
    )


def _effort_decimal(x: Fraction) -> Decimal:
    """Exact when it terminates (efforts are decimals × points in millionths)."""
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1))


__all__ = [
    "MAX_DEFICITS",
    "Change",
    "WhatIf",
    "WhatIfError",
    "cheapest_path",
    "rank_among",
    "what_if",
]
