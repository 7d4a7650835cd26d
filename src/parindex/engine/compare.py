"""Change against a previous result: index and rank deltas, described in Vietnamese."""

from __future__ import annotations

from decimal import Decimal


def index_change(new: Decimal | None, old: Decimal | None) -> Decimal | None:
    """``new − old`` (percentage points); ``None`` when either side is missing."""
    if new is None or old is None:
        return None
    return new - old


def rank_change(new_rank: int | None, old_rank: int | None) -> int | None:
    """``old_rank − new_rank``: positive when the unit moved up (rank 20 → 6 is +14)."""
    if new_rank is None or old_rank is None:
        return None
    return old_rank - new_rank


def describe_rank_change(n: int | None) -> str:
    """``tăng 14 bậc`` / ``giảm 3 bậc`` / ``giữ nguyên``; empty text when unknown."""
    if n is None:
        return ""
    if n > 0:
        return f"tăng {n} bậc"
    if n < 0:
        return f"giảm {-n} bậc"
    return "giữ nguyên"
