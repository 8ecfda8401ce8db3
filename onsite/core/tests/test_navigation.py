from django.utils import translation

from onsite.accounts.models import Role
from onsite.core.navigation import nav_for


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
