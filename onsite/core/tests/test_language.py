"""The interface's language: each language named in itself, lists joined the reader's way,
and one translation per message."""

import glob
from collections import defaultdict

import polib
import pytest
from django.template import Context, Template
from django.utils import translation

from onsite.core.templatetags.lists import join_list


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switch_names_each_language_in_itself(db, client, language):
    client.cookies["django_language"] = language
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in page
    assert ">English</button>" in page
    assert ">简体中文</button>" in page
    assert "英语" not in page


def test_lists_are_joined_the_readers_way():
    with translation.override("zh-hans"):
        assert join_list(["甲", "乙", "丙"]) == "甲、乙、丙"
        assert join_list(["甲", "乙", "丙"], "and") == "甲、乙和丙"
        assert join_list(["甲", "乙"], "or") == "甲或乙"
    with translation.override("en"):
        assert join_list(["a", "b", "c"]) == "a, b, c"
        assert join_list(["a", "b", "c"], "and") == "a, b and c"
        assert join_list(["a"], "and") == "a"
        rendered = Template(
            "{% load lists %}{{ names|join_list }}|"
            "{% for n in names %}{{ n }}{% if not forloop.last %}{% list_separator %}{% endif %}{% endfor %}"
        ).render(Context({"names": ["<b>", "c"]}))
        assert rendered == "&lt;b&gt;, c|&lt;b&gt;, c"


def test_a_message_has_one_translation_in_every_catalogue():
    """Django merges the apps' catalogues: a msgid translated two ways gets one of them
    everywhere ("Name" was 姓名 for zones). One English word with two Chinese meanings
    takes a context (pgettext / {% translate "Name" context "person" %})."""
    seen: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for path in [
        *sorted(glob.glob("onsite/*/locale/zh_Hans/LC_MESSAGES/django.po")),
        "config/locale/zh_Hans/LC_MESSAGES/django.po",
    ]:
        for entry in polib.pofile(path):
            text = entry.msgstr or " | ".join(entry.msgstr_plural.values())
            if text and not entry.obsolete and "fuzzy" not in entry.flags:
                seen[(entry.msgctxt, entry.msgid)][path.split("/locale/")[0]] = text
    clashes = {
        f"{context + ' / ' if context else ''}{msgid}": apps
        for (context, msgid), apps in seen.items()
        if len(set(apps.values())) > 1
    }
    assert not clashes, "\n".join(f"{key}: {apps}" for key, apps in sorted(clashes.items()))


def test_every_message_reads_as_its_catalogue_says():
    """What a page shows is the merged catalogue: Django's admin comes before the onsite apps
    and would say 过滤器 for our 筛选. Such a message goes in config/translation_overrides.py
    (config/locale wins over every app)."""
    from django.utils.translation import gettext, pgettext

    wrong = []
    with translation.override("zh-hans"):
        for path in [*sorted(glob.glob("onsite/*/locale/zh_Hans/LC_MESSAGES/django.po"))]:
            for entry in polib.pofile(path):
                if entry.obsolete or entry.msgid_plural or not entry.msgstr:
                    continue
                if "fuzzy" in entry.flags:
                    continue
                shown = (
                    pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else gettext(entry.msgid)
                )
                if shown != entry.msgstr:
                    wrong.append(f"{path}: {entry.msgid!r} shows {shown!r}, not {entry.msgstr!r}")
    assert not wrong, "\n".join(wrong)


def test_english_counts_things_in_the_singular_and_the_plural():
    """No "finding(s)": a count in a message goes through ngettext (or the sentence is turned
    so that the number stands alone, as in a stored notification)."""
    bracketed = [
        f"{path}: {entry.msgid}"
        for path in sorted(glob.glob("onsite/*/locale/zh_Hans/LC_MESSAGES/django.po"))
        for entry in polib.pofile(path)
        if not entry.obsolete and "(s)" in entry.msgid.replace("%(", "")
    ]
    assert not bracketed, "\n".join(bracketed)
    with translation.override("en"):
        from django.utils.translation import ngettext

        one = ngettext(
            "%(n)d unit started the sort phase.", "%(n)d units started the sort phase.", 1
        )
        assert one % {"n": 1} == "1 unit started the sort phase."
    with translation.override("zh-hans"):
        many = ngettext(
            "%(n)d unit started the sort phase.", "%(n)d units started the sort phase.", 3
        )
        assert many % {"n": 3} == "3 个单位开始整理阶段。"
