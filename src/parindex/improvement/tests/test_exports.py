from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parindex.improvement.exports import plan_docx
from parindex.improvement.services import plan_update, target_set, task_save
from parindex.improvement.tests.helpers import approved_plan, assign, criterion
from parindex.reports.tests.conftest import pdf_text, soffice_to_pdf
from parindex.testing import make_unit

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def plan(world):
    make_unit("ca_mau", "Tỉnh Cà Mau", kind="province")
    assign(world, "1", world.tuphap, partners=[world.yte])
    plan, _ = approved_plan(world)
    task_save(plan=plan, title="=HYPERLINK(\"http://x\")", lead_unit=world.yte,
              criterion=criterion(world, "2.1"), deadline=plan.tasks.get().deadline,
              actor=world.admin)  # fmt: skip
    target_set(plan=plan, criterion=criterion(world, "1.2"), target_points="4",
               baseline_points="2,5", actor=world.admin)  # fmt: skip
    return plan_update(plan=plan, target_points="9", target_rank="5", baseline_rank="9",
                       actor=world.admin)  # fmt: skip


def test_libreoffice_opens_the_word_plan_in_the_seed_001_structure(world, plan, client, tmp_path):
    client.force_login(world.leader)
    response = client.get(reverse("improvement:plan_docx", args=[plan.pk]))
    assert response.status_code == 200
    path = tmp_path / "ke-hoach.docx"
    path.write_bytes(response.content)
    text = _flat(pdf_text(soffice_to_pdf(path, tmp_path)))
    for phrase in (
        "ỦY BAN NHÂN DÂN TỈNH CÀ MAU",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "2. Yêu cầu",
        "Phấn đấu xếp hạng 5 (năm trước hạng 9), tăng 4 bậc.",
        "II. NHIỆM VỤ, GIẢI PHÁP VÀ TRÁCH NHIỆM THỰC HIỆN",
        "1. Công tác chỉ đạo, điều hành",
        "a) Nhiệm vụ, giải pháp",
        "Mục tiêu tiêu chí 1.2 Báo cáo: đạt 4/4 điểm (hiện đạt 2,5 điểm).",
        "- Đơn vị chủ trì: Sở Tư pháp.",
        "- Đơn vị phối hợp: Sở Y tế.",
        "Kế hoạch triển khai các nhiệm vụ cụ thể",
        "Sở Tư pháp: phụ trách lĩnh vực “1. Công tác chỉ đạo, điều hành”.",
        "III. TỔ CHỨC THỰC HIỆN",
        "PHỤ LỤC",
        "Ban hành kế hoạch CCHC đúng hạn",
    ):
        assert phrase in text, phrase


def test_libreoffice_opens_the_workbook_and_formulas_stay_text(world, plan, client, tmp_path):
    client.force_login(world.admin)
    response = client.get(reverse("improvement:plan_xlsx", args=[plan.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c.value for row in wb["Nhiệm vụ"].iter_rows() for c in row]
    assert '=HYPERLINK("http://x")' in cells
    assert wb["Nhiệm vụ"]["B5"].data_type == "s"
    path = tmp_path / "ke-hoach.xlsx"
    path.write_bytes(response.content)
    text = _flat(pdf_text(soffice_to_pdf(path, tmp_path)))
    assert "Ban hành kế hoạch CCHC đúng hạn" in text and "Sở Tư pháp" in text
    assert '=HYPERLINK("http://x")' in text  # shown as typed, never evaluated


def test_a_replacement_template_with_unsafe_tags_is_refused(world, plan, tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ trich_yeu.__class__ }}")
    bad = tmp_path / "mau.docx"
    doc.save(bad)
    with pytest.raises(ValueError):
        plan_docx(world.admin, plan, template=bad)
