"""`{% sort_header sort "key" label %}`: a list's column header that sorts by its key."""

from __future__ import annotations

from typing import Any

from django import template

from onsite.core.sorting import SORT_PARAM, Sort

register = template.Library()


@register.inclusion_tag("components/sort_header.html", takes_context=True)
def sort_header(
    context: template.Context, sort: Sort, key: str, label: str, css: str = ""
) -> dict[str, Any]:
    """A `<th>` whose link sorts by `key` (the other way round when already sorted by it),
    keeping the list's filters and going back to its first page; `aria-sort` and an arrow
    say how the list is sorted now."""
    query = context["request"].GET.copy()
    query[SORT_PARAM] = sort.next_value(key)
    query.pop("page", None)
    state = sort.state(key)
    return {
        "href": f"?{query.urlencode()}",
        "label": label,
        "css": css,
        "state": state,
        "icon": {"ascending": "caret-up-fill", "descending": "caret-down-fill"}.get(
            state or "", "chevron-expand"
        ),
    }


@register.inclusion_tag("components/sort_link.html", takes_context=True)
def sort_link(context: template.Context, sort: Sort, key: str, label: str) -> dict[str, Any]:
    """The same as `sort_header` for lists that are not tables (a row of links above them)."""
    return sort_header(context, sort, key, label)
