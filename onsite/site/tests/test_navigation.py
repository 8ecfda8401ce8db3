"""The menu and the in-page links follow each page's declared roles."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from onsite.accounts.models import Role
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.site.navigation import NAV, nav_for
from onsite.site.policy import policy
from onsite.site.templatetags.access import may_open


def labels(roles):
    entries = nav_for(frozenset(roles))
    return [entry["label"] for entry in entries]


def test_the_menu_follows_the_roles_and_the_language_after_it_was_built_once():
    with translation.override("zh-hans"):
        staff_zh = labels({Role.STAFF})
        admin_zh = labels({Role.ADMIN})
        assert labels({Role.STAFF}) == staff_zh
    with translation.override("en"):
        staff_en = labels({Role.STAFF})
    assert staff_zh != admin_zh
    assert staff_zh != staff_en
    assert all(label.isascii() for label in staff_en)
    assert not all(label.isascii() for label in staff_zh)


def menu_urls(entries):
    for entry in entries:
        if "children" in entry:
            yield from menu_urls(entry["children"])
        else:
            yield entry["url"]


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_menu_entry_opens_for_the_role_that_sees_it(role, center, client):
    unit = UnitFactory(center=center)
    if role == Role.VIEWER:
        user = UserFactory(center=None, roles=[role])
        user.viewable_centers.add(center)
    else:
        user = UserFactory(center=center, unit=unit, roles=[role])
    client.force_login(user)
    refused = []
    for url in menu_urls(nav_for(frozenset(user.roles))):
        status = client.get(url).status_code
        if status != 200:
            refused.append(f"{url}: {status}")
    assert refused == []


def test_security_admins_are_not_offered_the_inspection_pages():
    urls = set(menu_urls(nav_for(frozenset({Role.SYSADMIN}))))
    urls |= set(menu_urls(nav_for(frozenset({Role.SECADMIN}))))
    assert "/inspections/" not in urls
    assert "/rectification/" not in urls
    assert "/accounts/users/" in urls


def test_every_menu_entry_is_a_page_that_declares_its_roles():
    assert [item.url_name for item in NAV if item.url_name not in policy()] == []


def test_an_in_page_link_asks_the_policy(staff_user, viewer, admin_user):
    request = RequestFactory().get("/")
    request.user = staff_user
    assert not may_open("supplies:count-list", request)
    assert may_open("supplies:requisition-create", request)
    assert not may_open("/supplies/counts/", request)
    assert not may_open("/no/such/page/", request)
    request.user = viewer  # reads counts, never writes
    assert may_open("supplies:count-list", request)
    assert not may_open("supplies:requisition-create", request)
    request.user = admin_user
    assert may_open("/supplies/counts/?page=2", request)
