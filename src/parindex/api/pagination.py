"""Lists are paged (``?page=2&page_size=50``) and answer ``{"items": [...], "count": N}``.
:class:`Mapped` lets a paged queryset be serialised after slicing: only one page of rows
is read and turned into dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: A page number beyond any list (an offset past it would overflow the database's integer).
MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


class Mapped:
    def __init__(self, queryset: Any, fn: Callable[[Any], Any]) -> None:
        self.queryset = queryset
        self.fn = fn

    def all(self) -> Mapped:
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return [self.fn(obj) for obj in self.queryset[index]]
