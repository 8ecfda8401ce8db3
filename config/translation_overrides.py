"""Messages that Django's own apps (admin, auth) also translate, differently from Onsite.

Django merges catalogues with the earlier INSTALLED_APPS winning, and django.contrib.admin
comes before the onsite apps: its "Filter" (过滤器) would replace ours (筛选) on every page.
config/locale (LOCALE_PATHS) wins over every app, so these msgids are listed here to live in
its catalogue with Onsite's wording. onsite/core/tests/test_language.py finds new ones."""

from django.utils.translation import gettext_noop

OVERRIDES = [
    gettext_noop("Action"),
    gettext_noop("Add"),
    gettext_noop("Change"),
    gettext_noop("Filter"),
    gettext_noop("History"),
    gettext_noop("Summary"),
    gettext_noop("Your password was changed."),
    gettext_noop("active"),
    gettext_noop("group"),
    gettext_noop("groups"),
    gettext_noop("object id"),
]
