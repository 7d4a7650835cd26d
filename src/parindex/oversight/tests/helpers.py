"""Oversight objects on the test world (Sở Tư pháp's), for the app's tests and the
authorisation matrix: a plan with Tư pháp, a record, a finding, an initiative with its
file and a register row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from parindex.evidence.tests.samples import sample_upload
from parindex.oversight.services import (
    TargetFields,
    finding_create,
    initiative_register,
    inspection_plan_save,
    inspection_record_create,
    planned_inspection_add,
    target_save,
)
from parindex.testing import World


@dataclass(frozen=True)
class OversightObjects:
    plan_pk: int
    entry_pk: int
    record_pk: int
    finding_pk: int
    initiative_pk: int
    target_pk: int

    @property
    def page_ids(self) -> dict[str, int]:
        return {
            "entry_pk": self.entry_pk,
            "record_pk": self.record_pk,
            "finding_pk": self.finding_pk,
            "initiative_pk": self.initiative_pk,
            "target_pk": self.target_pk,
        }

    @property
    def api_ids(self) -> dict[str, int]:
        return {
            "inspection_plan_id": self.plan_pk,
            "entry_id": self.entry_pk,
            "record_id": self.record_pk,
            "finding_id": self.finding_pk,
            "target_id": self.target_pk,
        }


def oversight_objects(w: World) -> OversightObjects:
    plan = inspection_plan_save(
        cycle=w.cycle, title="Kế hoạch kiểm tra CCHC năm 2025", actor=w.admin
    )
    entry = planned_inspection_add(
        plan=plan, unit=w.tuphap, planned_on=date(2025, 10, 15), team="Đoàn số 1", actor=w.admin
    )
    record = inspection_record_create(
        entry=entry,
        inspected_on=date(2025, 10, 16),
        team="Đoàn số 1",
        content="Kiểm tra việc ban hành kế hoạch CCHC",
        actor=w.admin,
    )
    finding = finding_create(
        record_row=record,
        issue="Báo cáo quý III gửi trễ hạn",
        recommendation="Chấn chỉnh việc gửi báo cáo đúng hạn",
        actor=w.admin,
    )
    initiative = initiative_register(
        unit=w.tuphap,
        year=2025,
        title="Số hoá hồ sơ lý lịch tư pháp",
        level="province",
        decision="Quyết định số 12/QĐ-UBND",
        file=sample_upload("pdf"),
        actor=w.staff,
    )
    target = target_save(
        cycle=w.cycle,
        fields=TargetFields(
            kind="disbursement",
            name="Tỷ lệ giải ngân vốn đầu tư công",
            unit=w.tuphap,
            lead_unit=w.tuphap,
            measure="%",
            target="95",
            actual="90",
        ),
        actor=w.admin,
    )
    return OversightObjects(plan.pk, entry.pk, record.pk, finding.pk, initiative.pk, target.pk)
