"""Lists in the reader's language: Chinese joins with "、" and no spaces, English with ", "
(and "and"/"or" before the last item when the sentence needs one)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext

register = template.Library()


def _is_chinese() -> bool:
    return (get_language() or "").startswith("zh")


def separator() -> str:
    return "、" if _is_chinese() else ", "


def join_list(items: Iterable[object], conjunction: str = "") -> str:
    """join_list(["a", "b", "c"], "and") -> "a, b and c" / "a、b和c"."""
    names = [str(item) for item in items]
    if conjunction not in {"and", "or"} or len(names) < 2:
        return separator().join(names)
    word = pgettext("list", "and") if conjunction == "and" else pgettext("list", "or")
    last = word if _is_chinese() else f" {word} "
    return separator().join(names[:-1]) + last + names[-1]


@register.filter(name="join_list", needs_autoescape=True)
def join_list_filter(
    items: Iterable[object], conjunction: str = "", autoescape: bool = True
) -> SafeString:
    names = [conditional_escape(str(item)) if autoescape else str(item) for item in items]
    return mark_safe(join_list(names, conjunction))


@register.simple_tag(name="list_separator")
def list_separator_tag() -> str:
    """Between items a loop prints itself: {% if not forloop.last %}{% list_separator %}{% endif %}."""
    return separator()
