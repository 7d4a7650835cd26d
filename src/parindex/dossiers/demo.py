"""Demo dossiers: a one-stop export of the demo province's departments for one year,
written as the CSV a provincial system gives (Vietnamese headers, ``dd/mm/yyyy HH:MM``) and
imported through the same service as an upload, so the metrics, the drill-down lists, the
detail pages, the apologies and the officials report have believable data. A status
mapping of the iGate source shows the mapping page filled. Idempotent: nothing is done
when dossiers are already stored."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from parindex.dossiers.models import Dossier, StatusMapping

HEADER = (
    "Mã hồ sơ;Mã thủ tục;Tên thủ tục;Lĩnh vực;Đơn vị xử lý;Cán bộ xử lý;Kênh thực hiện;"
    "Trạng thái;Ngày tiếp nhận;Ngày hẹn trả;Ngày kết thúc xử lý;Ngày yêu cầu bổ sung;"
    "Ngày hoàn thành bổ sung;Ngày xin lỗi"
)
PROCEDURES = [
    ("2.000815", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", 3),
    ("1.001023", "Cấp phiếu lý lịch tư pháp", "Lý lịch tư pháp", 10),
    ("1.004227", "Cấp giấy phép xây dựng", "Hoạt động xây dựng", 15),
    ("1.002512", "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược", "Dược phẩm", 20),
    ("2.001039", "Đăng ký thành lập doanh nghiệp", "Thành lập doanh nghiệp", 3),
]
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Thị Dung", "Quốc Em", "Thanh Hà", "Hữu Khang")


def _stamp(moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{moment:%d/%m/%Y %H:%M}"


def _working_days_after(start: dt.datetime, days: int) -> dt.datetime:
    """Weekdays only: close enough for made-up due dates (the import judges on the real
    calendar)."""
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day.replace(hour=17, minute=0)


def demo_rows(unit_codes: list[str], year: int, *, per_unit: int = 120) -> list[str]:
    """The export's lines: per unit, ``per_unit`` dossiers received from January to
    November, about 6% finished late (a third of them with an apology sent in time, a
    third too late), a few with one supplement request, the last weeks' still open."""
    rng = random.Random(766)
    lines = [HEADER]
    for u, unit in enumerate(unit_codes):
        officials = [f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}" for _ in range(3)]
        lateness = 0.02 + 0.09 * (u % 4) / 3  # some units above the 5% threshold
        for i in range(per_unit):
            code, name, field, limit = rng.choice(PROCEDURES)
            received = dt.datetime(year, 1, 2, 8) + dt.timedelta(
                days=rng.randrange(0, 330), hours=rng.randrange(0, 8)
            )
            while received.weekday() >= 5:
                received += dt.timedelta(days=1)
            due = _working_days_after(received, limit)
            late = rng.random() < lateness
            requested: dt.datetime | None = None
            completed: dt.datetime | None = None
            apology: dt.datetime | None = None
            finished: dt.datetime | None
            if not late and rng.random() < 0.08:  # one supplement episode, within time
                requested = received + dt.timedelta(days=1)
                completed = requested + dt.timedelta(days=2)
                due = _working_days_after(due, 2)
            if late:
                finished = due + dt.timedelta(days=rng.randrange(1, 6), hours=1)
                kind = rng.randrange(3)
                if kind == 0:
                    apology = due - dt.timedelta(days=3)
                elif kind == 1:
                    apology = due - dt.timedelta(hours=2)
            else:
                finished = received + (due - received) * rng.uniform(0.3, 0.98)
            status = 10 if rng.random() < 0.7 else 9
            if received > dt.datetime(year, 11, 20):
                finished, status = None, 4
            channel = 2 if rng.random() < 0.55 else 1
            cells = [
                f"{unit.upper()}-{year}-{i + 1:04d}", code, name, field, unit, officials[i % 3],
                str(channel), str(status), _stamp(received), _stamp(due), _stamp(finished),
                _stamp(requested), _stamp(completed), _stamp(apology),
            ]  # fmt: skip
            lines.append(";".join(cells))
    return lines


def seed_dossiers(*, unit_codes: list[str], year: int) -> int:
    """Import the demo export (``actor=None``: the demo loader). Returns the rows imported
    (0 when dossiers were already there)."""
    from parindex.dossiers.services import dossier_import_file, status_mapping_create

    if Dossier.objects.exists():
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"mot-cua-{year}.csv"
        path.write_text("\n".join(demo_rows(unit_codes, year)) + "\n", encoding="utf-8")
        job = dossier_import_file(path=path, actor=None)
    if not StatusMapping.objects.exists():
        status_mapping_create(source="igate", value="Chờ ký số", code=4, actor=None)
        status_mapping_create(source="igate", value="Đã ký, chờ trả", code=9, actor=None)
    return job.rows
