"""Every form that discards, deletes, publishes, deactivates or closes asks first
(static/js/confirm.js shows the question of its `data-confirm`). A new such form without the
question fails here, so none can forget it."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted([*ROOT.glob("onsite/*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")])

FORM = re.compile(r"<form\b(?P<tag>[^>]*)>(?P<body>.*?)</form>", re.DOTALL)
# URL names whose last word says the post cannot be taken back.
DESTRUCTIVE_URL = re.compile(
    r"\{% url '[\w-]+:[\w-]*-(?:delete|discard|publish|active|close|remove|revoke|withdraw|end"
    r"|password-reset|two-factor-reset|decide|override|finding-cards)'"
)
# Forms posting to their own page with the verb in a hidden field or a button.
DESTRUCTIVE_ACTION = re.compile(
    r'name="action" value="(?:delete|discard|publish|deactivate|close|remove|revoke)"'
)
ASKS = re.compile(r'\bdata-confirm="')


def destructive_forms():
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for match in FORM.finditer(text):
            tag, body = match["tag"], match["body"]
            if DESTRUCTIVE_URL.search(tag) or DESTRUCTIVE_ACTION.search(body):
                line = text.count("\n", 0, match.start()) + 1
                yield f"{path.relative_to(ROOT)}:{line}", tag, body


def test_the_scan_finds_the_forms_it_guards():
    found = {where.split(":")[0] for where, _tag, _body in destructive_forms()}
    # A few known ones, so a broken pattern cannot pass by finding nothing.
    for known in (
        "onsite/standards/templates/standards/version_detail.html",
        "onsite/standards/templates/standards/_clauses.html",
        "onsite/accounts/templates/accounts/user_detail.html",
        "onsite/programme/templates/programme/round_detail.html",
        "onsite/surveys/templates/surveys/survey_detail.html",
        "onsite/rectification/templates/rectification/calendar.html",
    ):
        assert known in found
    assert len(found) >= 15


def test_every_destructive_form_asks_first():
    missing = [
        where
        for where, tag, body in destructive_forms()
        if not ASKS.search(tag) and not re.search(r"<button\b[^>]*\bdata-confirm=\"", body)
    ]
    assert not missing, "add data-confirm (see static/js/confirm.js) to: " + ", ".join(missing)


@pytest.mark.parametrize(
    "name", ["org/templates/org/zone_form.html", "org/templates/org/staff_form.html"]
)
def test_unticking_active_asks_first(name):
    """Deactivating is a checkbox of the edit form: it asks only when the box is cleared."""
    text = (ROOT / "onsite" / name).read_text(encoding="utf-8")
    assert 'data-confirm-if="[name=is_active]:not(:checked)"' in text


def test_every_question_is_translated():
    for path in TEMPLATES:
        for value in re.findall(r'\bdata-confirm(?:-button)?="([^"]*)"', path.read_text("utf-8")):
            assert "{% translate" in value or "{% blocktranslate" in value, f"{path}: {value}"


@pytest.mark.django_db
def test_the_dialog_is_on_every_page_in_the_readers_language(client_for, admin_user):
    client = client_for(admin_user)
    chinese = client.get("/", headers={"accept-language": "zh-hans"}).content.decode()
    assert 'id="confirm-dialog"' in chinese
    assert 'role="alertdialog"' in chinese
    assert "请确认" in chinese
    assert "js/confirm.js" in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/").content.decode()
    assert "Please confirm" in english
