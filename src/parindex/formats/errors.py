"""Problems found while reading a file: each names the file, the line or row, the column
and the reason, so that a user can find and fix it without guessing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", dòng {self.line}"
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.reason}"


class FormatError(Exception):
    """Raised with every problem found in a file; nothing has been imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
