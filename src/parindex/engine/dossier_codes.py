"""The codes of dossier records without numpy: the national status codes 1–10, the 766
classes and the reporting period. The models, views and column reader import them here,
so that starting the web app loads neither numpy nor Polars (the engine's vectorised
:mod:`parindex.engine.dossiers` re-exports them)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

#: The time zone of the one-stop exports' local times.
LOCAL = "Asia/Ho_Chi_Minh"
NOT_RECEIVED = (1, 3)
TERMINAL = (7, 8, 9, 10)


class Outcome(IntEnum):
    NOT_COUNTED = 0
    EARLY = 1
    ON_TIME = 2
    LATE = 3
    OPEN_WITHIN = 4
    OPEN_OVER = 5


OUTCOME_LABELS = {
    Outcome.EARLY: "trước hạn",
    Outcome.ON_TIME: "đúng hạn",
    Outcome.LATE: "quá hạn",
    Outcome.OPEN_WITHIN: "đang xử lý trong hạn",
    Outcome.OPEN_OVER: "đang xử lý quá hạn",
}


def parse_day(text: str) -> dt.date:
    """A day written ``dd/mm/yyyy`` (Vietnamese) or ``yyyy-mm-dd`` (ISO); ``ValueError``
    with a Vietnamese reason."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(f"ngày phải có dạng dd/mm/yyyy hoặc yyyy-mm-dd: {text!r}")


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: from ``start`` 00:00:00 to ``end`` 23:59:59, both days inclusive."""

    start: dt.date
    end: dt.date
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"kỳ báo cáo kết thúc ({self.end}) trước khi bắt đầu ({self.start})")

    @property
    def first_instant(self) -> np.datetime64:
        import numpy as np  # only the engine's vectorised code asks for instants

        return np.datetime64(self.start, "s")

    @property
    def last_instant(self) -> np.datetime64:
        import numpy as np

        return np.datetime64(self.end, "s") + np.timedelta64(86399, "s")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(dt.date(year, month, 1), nxt - dt.timedelta(days=1), f"{year}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = cls.month(year, 3 * quarter - 2)
        last = cls.month(year, 3 * quarter)
        return cls(first.start, last.end, f"{year}-Q{quarter}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025``, ``2025-03`` or ``2025-Q1``; ``ValueError`` with a Vietnamese reason."""
        text = text.strip()
        if m := re.fullmatch(r"(\d{4})", text):
            return cls.year(int(m[1]))
        if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", text)) and 1 <= int(m[2]) <= 12:
            return cls.month(int(m[1]), int(m[2]))
        if (m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text)) is not None:
            return cls.quarter(int(m[1]), int(m[2]))
        raise ValueError(f"phải có dạng 2025, 2025-03 hoặc 2025-Q1: {text!r}")

    def months(self) -> list[Period]:
        """The calendar months the period touches, clipped to the period."""
        out = []
        y, m = self.start.year, self.start.month
        while dt.date(y, m, 1) <= self.end:
            p = Period.month(y, m)
            out.append(Period(max(p.start, self.start), min(p.end, self.end), p.label))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


@dataclass(slots=True)
class Counts:
    """Counts of one group; ``received`` = counted dossiers (the sum of the five classes)."""

    received: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    open_within: int = 0
    open_over: int = 0
    online: int = 0
    late_with_apology: int = 0
    late_without_apology: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


COUNT_FIELDS = tuple(f.name for f in fields(Counts))


def percent(part: int, whole: int, decimals: int = 2) -> Decimal | None:
    """``part / whole × 100`` rounded half-up; ``None`` (N/A) when ``whole`` is 0."""
    if whole == 0:
        return None
    value = Decimal(part * 100) / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rates(c: Counts, decimals: int = 2) -> dict[str, Decimal | None]:
    """on_time_rate = (early + on_time + open_within) / received × 100 (indicator 2.1);
    late_rate = (late + open_over) / received × 100; online_rate = online / received × 100."""
    return {
        "on_time_rate": percent(c.early + c.on_time + c.open_within, c.received, decimals),
        "late_rate": percent(c.late + c.open_over, c.received, decimals),
        "online_rate": percent(c.online, c.received, decimals),
    }
