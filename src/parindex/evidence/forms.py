"""Forms for the library page and the API: they run the same checks as the services, so
both show the same Vietnamese messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from parindex.evidence.validation import ACCEPTED_LABEL, EXTENSIONS, CheckedFile, validate_upload


class _DocumentFields(forms.Form):
    title = forms.CharField(label="Tên tài liệu", max_length=500, required=False)
    number = forms.CharField(label="Số/ký hiệu", max_length=100, required=False)
    issued_on = forms.DateField(label="Ngày ban hành", required=False)
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=300, required=False)
    summary = forms.CharField(label="Trích yếu", required=False, widget=forms.Textarea)
    page_ref = forms.CharField(label="Trang/mục", max_length=200, required=False)

    def clean_issued_on(self) -> Any:
        value = self.cleaned_data.get("issued_on")
        if value and value > timezone.localdate():
            raise ValidationError("Ngày ban hành không thể sau hôm nay.")
        return value


class UploadForm(_DocumentFields):
    file = forms.FileField(
        label="Tệp",
        help_text="",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{ext}" for ext in sorted(EXTENSIONS))}
        ),
        error_messages={
            "required": "Chọn tệp cần tải lên.",
            "empty": "Tệp rỗng (0 byte).",
        },
    )
    checked: CheckedFile | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.PARINDEX_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.fields["file"].help_text = f"{ACCEPTED_LABEL}; tối đa {limit} MB mỗi tệp."
        # Empty files get the content check's message (Django's own would come first).
        file_field = self.fields["file"]
        assert isinstance(file_field, forms.FileField)
        file_field.allow_empty_file = True

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        self.checked = validate_upload(file, name=file.name)
        return file

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`parindex.evidence.services.document_upload` (and
        :func:`~parindex.evidence.services.evidence_upload`)."""
        data = self.cleaned_data
        return {
            "file": data["file"],
            "title": data["title"],
            "number": data["number"],
            "issued_on": data["issued_on"],
            "issuer": data["issuer"],
            "summary": data["summary"],
            "page_ref": data["page_ref"],
        }


class ReferenceForm(_DocumentFields):
    number = forms.CharField(
        label="Số/ký hiệu",
        max_length=100,
        error_messages={"required": "Nhập số/ký hiệu văn bản."},
    )
    issued_on = forms.DateField(
        label="Ngày ban hành",
        error_messages={"required": "Nhập ngày ban hành.", "invalid": "Ngày không hợp lệ."},
    )
    issuer = forms.CharField(
        label="Cơ quan ban hành",
        max_length=300,
        error_messages={"required": "Nhập cơ quan ban hành."},
    )

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`parindex.evidence.services.document_reference_create`
        (and :func:`~parindex.evidence.services.evidence_reference_add`)."""
        data = self.cleaned_data
        return {
            k: data[k] for k in ("title", "number", "issued_on", "issuer", "summary", "page_ref")
        }
