"""Pages of lists that grow with the years.

Django's paginator counts every matching row to number the pages, and that count costs as
much as reading the whole history: at ten center-years an inspection list spent most of its
time counting 250,000 rows nobody pages through. `CappedPaginator` counts at most `cap` rows
(one `COUNT(*)` over a `LIMIT` subquery, so the cost stops growing at the cap) and says when
there are more; filters narrow a list further, the way people look for something old."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 5000


class CappedPaginator(Paginator[Any]):
    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _bounded_count(self) -> int:
        rows: Any = self.object_list
        return int(rows[: self.cap + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def capped(self) -> bool:
        """True when there are more rows than the pages reach."""
        return self._bounded_count > self.cap


def page_of(rows: Any, request: Any, per_page: int, *, cap: int | None = None) -> Page[Any]:
    """The requested page (`?page=`) of `rows`, counting at most `cap` rows."""
    return CappedPaginator(rows, per_page, cap=cap).get_page(request.GET.get("page"))
