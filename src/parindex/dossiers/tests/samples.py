"""Sample one-stop exports for the dossiers app's tests (Vietnamese headers, ``;``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parindex.testing import cp1258_bytes

HEADER = (
    "Mã hồ sơ;Mã thủ tục;Lĩnh vực;Đơn vị xử lý;Cán bộ xử lý;Kênh thực hiện;Trạng thái;"
    "Ngày tiếp nhận;Ngày hẹn trả;Ngày kết thúc xử lý;Ngày xin lỗi"
)
#: Sở Tư pháp: 10 dossiers of 2025, 1 late (10%, capped at "không tốt" by the 5% rule);
#: Sở Y tế: 4 dossiers, none late. Nguyễn Văn A handles the late one (1 of 5: 20%).
ROWS = [
    "TP-001;2.000815;Hộ tịch;Sở Tư pháp;Nguyễn Văn A;2;10;03/03/2025 08:00;10/03/2025 17:00;"
    "12/03/2025 09:00;07/03/2025 09:00",
    *[
        f"TP-{i:03d};2.000815;Hộ tịch;so-tu-phap;Nguyễn Văn A;2;10;03/03/2025 08:00;"
        "10/03/2025 17:00;05/03/2025 09:00;"
        for i in range(2, 6)
    ],
    *[
        f"TP-{i:03d};1.001;Lý lịch tư pháp;Sở Tư pháp;Trần Thị B;1;9;04/03/2025 08:00;"
        "11/03/2025 17:00;11/03/2025 10:00;"
        for i in range(6, 11)
    ],
    *[
        f"YT-{i:03d};1.002;Dược;Sở Y tế;Lê C;2;10;04/03/2025 08:00;11/03/2025 17:00;"
        "10/03/2025 10:00;"
        for i in range(1, 5)
    ],
]


def export_text(rows: list[str] | None = None) -> str:
    return "\n".join([HEADER, *(ROWS if rows is None else rows)]) + "\n"


def write_export(folder: Path, rows: list[str] | None = None, *, cp1258: bool = False) -> Path:
    path = folder / ("mot-cua-1258.csv" if cp1258 else "mot-cua.csv")
    text = export_text(rows)
    path.write_bytes(cp1258_bytes(text) if cp1258 else text.encode("utf-8"))
    return path


@dataclass(frozen=True)
class DossierObjects:
    """What the authorisation matrix points at: a Sở Tư pháp dossier and a status mapping."""

    dossier_pk: int
    mapping_pk: int


def dossier_objects(w: Any) -> DossierObjects:
    from django.utils import timezone

    from parindex.dossiers.models import Dossier, StatusMapping

    now = timezone.now()
    dossier = Dossier.objects.create(
        code="MT-1", unit=w.tuphap, status=9, received_at=now, due_at=now, end_at=now,
        finished_at=now, outcome=2, class_year=now.year, updated_at=now,
    )  # fmt: skip
    mapping = StatusMapping.objects.create(source="igate", value="Đã xong (MT)", code=9)
    return DossierObjects(dossier.pk, mapping.pk)
