"""Sortable columns of a list.

A list declares the keys a person may sort by, each mapped to model fields or expressions;
`?sort=due` sorts by one ascending, `?sort=-due` descending. Anything else (an unknown key,
a field name that is not declared, junk) leaves the list in its own order, which is the one
its index serves, so a bad link never costs a 500 or a scan of the whole history. A sorted
list always ends with the primary key, so rows that tie keep one order from page to page.

    rows, sort = sort_rows(rows, request, keys={"due": "due_on", "zone": "zone__code"},
                           default="-due")
    {% load sorting %} … <tr>{% sort_header sort "due" _("Due") %}…</tr>

`default` names the key (and direction) the unsorted list is already in, so its header shows
the arrow without ordering the query a second time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Case, Expression, F, IntegerField, QuerySet, Value, When
from django.http import HttpRequest

Rows = TypeVar("Rows", bound=QuerySet[Any])
Order = str | Expression
SortKeys = Mapping[str, Order | Sequence[Order]]  # a list's declared keys
SORT_PARAM = "sort"


@dataclass(frozen=True)
class Sort:
    """Which key a list is sorted by, for its column headers."""

    key: str | None
    descending: bool = False
    keys: frozenset[str] = field(default_factory=frozenset)

    def state(self, key: str) -> str | None:
        """The header's aria-sort: "ascending", "descending", or None when not sorted by it."""
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"

    def next_value(self, key: str) -> str:
        """What `?sort=` a click on the header asks for: the other direction of the current
        column, else this column ascending."""
        if key == self.key and not self.descending:
            return f"-{key}"
        return key


def by_choices(field_name: str, values: Sequence[str]) -> Case:
    """An order for a choice field that follows the declared order of its choices (a
    workflow's steps) rather than the alphabet of its codes."""
    return Case(
        *(When(**{field_name: value}, then=Value(i)) for i, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def _ordered(order: Order, *, descending: bool) -> Any:
    expression = F(order) if isinstance(order, str) else order
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def sort_rows(
    rows: Rows,
    request: HttpRequest,
    *,
    keys: SortKeys,
    default: str | None = None,
    tiebreaker: str = "pk",
) -> tuple[Rows, Sort]:
    """`rows` ordered by the declared key the request asks for, with the `Sort` to render."""
    declared = frozenset(keys)
    raw = request.GET.get(SORT_PARAM, "")[:64]
    descending = raw.startswith("-")
    key = raw.removeprefix("-")
    if key not in declared:
        if default is None:
            return rows, Sort(None, keys=declared)
        return rows, Sort(default.removeprefix("-"), default.startswith("-"), declared)
    wanted = keys[key]
    orders = [wanted] if isinstance(wanted, str | Expression) else list(wanted)
    ordered = [_ordered(o, descending=descending) for o in orders]
    ordered.append(_ordered(tiebreaker, descending=descending))
    return rows.order_by(*ordered), Sort(key, descending, declared)
