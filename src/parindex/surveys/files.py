"""An uploaded file of a survey's responses, read the one way the page and the API share:
an Excel workbook (a zip: ``PK``) as bytes, anything else as text in an encoding the app
reads, then :func:`parindex.formats.responses.read_response_records` against the survey's
questionnaire and units."""

from __future__ import annotations

from dataclasses import dataclass

from parindex.formats.errors import Problem
from parindex.formats.responses import ResponseRecord, read_response_records
from parindex.formats.text import decode_text
from parindex.surveys.models import Survey

#: Names are cut to the length the import records keep of them.
MAX_NAME = 120


@dataclass(frozen=True)
class ResponsesFile:
    name: str
    records: list[ResponseRecord]
    #: Rows rejected in the Kobo/ODK review, left out.
    rejected: int
    problems: list[Problem]


def upload_name(name: str | None) -> str:
    """The name an upload is known by in messages and the import's records."""
    return (name or "tệp tải lên")[-MAX_NAME:]


def read_responses_file(survey: Survey, data: bytes, name: str | None) -> ResponsesFile:
    """The responses in ``data`` (the upload named ``name``) for ``survey``;
    :class:`~parindex.formats.errors.FormatError` for text in no encoding the app reads."""
    name = upload_name(name)
    source: bytes | str = data if data[:2] == b"PK" else decode_text(data, name)
    records, rejected, problems = read_response_records(
        source,
        name=name,
        questionnaire=survey.questionnaire.parsed,
        units=list(survey.units.values_list("code", flat=True)),
    )
    return ResponsesFile(name, records, rejected, problems)
