"""The organisation template's example rows: on a sheet of their own that the import never
reads, and valid (copied to their sheets, they import)."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from onsite.accounts.models import User
from onsite.org.models import AreaType, Group, Zone
from onsite.org.spreadsheets.shape import SHEETS
from onsite.org.spreadsheets.writing import _examples
from onsite.org.tests.test_import import snapshot
from onsite.org.tests.workbooks import upload

pytestmark = pytest.mark.django_db


def _template(client):
    response = client.get("/org/import/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _bytes(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "示例"), ("en", "Examples")])
def test_the_template_has_an_examples_sheet(client_for, admin_user, language, title):
    client = client_for(admin_user)
    client.cookies["django_language"] = language
    with translation.override(language):
        book = _template(client)
    assert title in book.sheetnames
    values = [cell for row in book[title].iter_rows(values_only=True) for cell in row]
    assert "li-na" in values
    assert "counter" in values


def test_the_template_as_downloaded_imports_nothing(client_for, admin_user, center):
    client = client_for(admin_user)
    before = snapshot(center)
    response = client.post("/org/import/", {"file": upload(_bytes(_template(client)))})
    assert response.status_code == 302
    assert snapshot(center) == before
    assert not User.objects.filter(username="li-na").exists()


def test_only_the_rows_on_the_import_sheets_are_imported(client_for, admin_user, center):
    client = client_for(admin_user)
    book = _template(client)
    staff = next(sheet for sheet in SHEETS if sheet.key == "staff")
    book[str(staff.label)].append(["new-person", "新同事", "", "", "", "", ""])
    response = client.post("/org/import/", {"file": upload(_bytes(book))})
    assert response.status_code == 302
    assert User.objects.filter(center=center, username="new-person").exists()
    assert not User.objects.filter(username__in=["li-na", "zhang-wei"]).exists()


def test_the_examples_copied_to_their_sheets_import_cleanly(client_for, admin_user, center):
    """So the examples stay true to what the import accepts."""
    client = client_for(admin_user)
    book = _template(client)
    examples = _examples()
    for sheet in SHEETS:
        for row in examples[sheet.key]:
            book[str(sheet.label)].append(row)
    response = client.post("/org/import/", {"file": upload(_bytes(book))})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert set(AreaType.objects.filter(center=center).values_list("code", flat=True)) == {
        "counter",
        "back-office",
        "chief-office",
    }
    assert Zone.objects.get(center=center, code="scjg-c").owner.username == "li-na"
    working = Group.objects.get(center=center, code="working-1")
    assert working.memberships.count() == 2
