"""Lists are paged (``?page=2&page_size=50``) and answer ``{"items": [...], "count": N}``.
:class:`Mapped` lets a paged queryset be serialised after slicing: only one page of rows
is read and turned into dicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class Pages(PageNumberPagination):
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
