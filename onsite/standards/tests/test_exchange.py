"""Excel export and all-or-nothing import."""

import io

import pytest
from openpyxl import load_workbook

from onsite.core.tests.factories import AreaTypeFactory
from onsite.standards.exchange import ImportFailedError, export_version, import_version
from onsite.standards.models import Clause, Item, StandardVersion

pytestmark = pytest.mark.django_db


def _book(content):
    return load_workbook(io.BytesIO(content))


def _bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_export_then_import_into_another_center(published, other_center, other_admin):
    _area, version = published
    content = export_version(version)
    target = AreaTypeFactory(center=other_center, code="counter", name="前台")
    draft = import_version(area_type=target, content=content, by=other_admin)
    assert draft.center == other_center
    assert draft.is_draft
    assert list(draft.clauses.values_list("code", "text")) == [("C1", "台面整洁")]
    rules = {r.item.code: r for r in draft.item_rules.select_related("item")}
    assert set(rules) == {"phone", "cup"}
    assert rules["cup"].min_edge_distance_mm == 80
    assert rules["phone"].slot_x_mm == 100
    assert rules["phone"].item.center == other_center


def test_an_import_with_a_bad_row_imports_nothing(client_for, admin_user, published, center):
    _area, version = published
    book = _book(export_version(version))
    book["Clauses"].append(["C2", "no-such-pillar", 2, "x", "", 1, 10, "no"])
    book["Items"].append(
        ["new-item", "新物品", "", "allowed", 1, "", 1500, 0, 300, 100, "", "none", "", "", 3]
    )
    before = (StandardVersion.objects.count(), Clause.objects.count(), Item.objects.count())
    upload = io.BytesIO(_bytes(book))
    upload.name = "standard.xlsx"
    response = client_for(admin_user).post(
        "/standards/import/", {"area_type": version.standard.area_type.pk, "file": upload}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Clauses" in body
    assert "Items" in body
    assert (StandardVersion.objects.count(), Clause.objects.count(), Item.objects.count()) == before


def test_a_file_that_is_not_excel_is_refused(published, admin_user):
    area, _version = published
    with pytest.raises(ImportFailedError):
        import_version(area_type=area, content=b"%PDF-1.4 not a workbook", by=admin_user)


def test_a_good_import_through_the_page_opens_the_draft(client_for, admin_user, published):
    area, version = published
    upload = io.BytesIO(export_version(version))
    upload.name = "standard.xlsx"
    response = client_for(admin_user).post(
        "/standards/import/", {"area_type": area.pk, "file": upload}
    )
    draft = StandardVersion.objects.get(standard=version.standard, status="draft")
    assert response["Location"] == f"/standards/versions/{draft.pk}/"
    assert draft.based_on == version


def test_formula_like_text_is_exported_as_text(published, admin_user):
    _area, version = published
    clause = version.clauses.get()
    Clause.objects.filter(pk=clause.pk).update(text='=HYPERLINK("http://x")')
    sheet = _book(export_version(version))["Clauses"]
    cell = sheet.cell(row=2, column=4)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"
