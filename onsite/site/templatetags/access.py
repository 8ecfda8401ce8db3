"""Links only to pages the reader may open: a page's roles are declared once, on its view,
and an in-page link asks the policy read from them as the menu does (a link that answers
403 is a dead end)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.urls import Resolver404, resolve

from onsite.site.policy import policy

register = template.Library()


@register.filter
def may_open(target: str, request: HttpRequest) -> bool:
    """{% if 'supplies:count-list'|may_open:request %} or {% if item.url|may_open:request %}."""
    if target.startswith("/"):
        try:
            target = resolve(target.split("?")[0]).view_name
        except Resolver404:
            return False
    access = policy().get(target)
    user = request.user
    if access is None:
        return True  # outside the matrix (the API, Django's admin): their own checks
    if not user.is_authenticated:
        return access.public
    if access.roles is None:
        return True
    if access.write and getattr(user, "is_cross_center_viewer", False):
        return False
    return bool(getattr(user, "roles", frozenset()) & access.roles)
