"""Excel export and all-or-nothing import, the starter workbook for a new center."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from onsite.core.tests.factories import AreaTypeFactory, CenterFactory
from onsite.org.models import AreaType
from onsite.standards.exchange import (
    ImportFailedError,
    export_version,
    import_standards,
    import_version,
)
from onsite.standards.models import Clause, Item, StandardVersion
from onsite.standards.starter import starter_workbook
from onsite.standards.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

# The source document's seven, and the 好差评 rating device and service-paused sign.
WHITELIST = {"cup", "monitor", "phone", "pen", "ink-pad", "brochure", "doc-camera", "rating-pad",
             "pause-sign"}  # fmt: skip


def _book(content):
    return load_workbook(io.BytesIO(content))


def _bytes(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(content, name="standard.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


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
    clauses, items = book.worksheets[1], book.worksheets[2]
    clauses.append(["counter", "C2", "no-such-pillar", 2, "x", "", 1, 10, "no"])
    items.append(
        ["counter", "new-item", "新物品", "", "allowed", 1, "", 1500, 0, 300, 100, "", "none",
         "", "", 3]
    )  # fmt: skip
    before = (StandardVersion.objects.count(), Clause.objects.count(), Item.objects.count())
    response = client_for(admin_user).post(
        "/standards/import/",
        {"area_type": version.standard.area_type.pk, "file": _upload(_bytes(book))},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert clauses.title in body
    assert items.title in body
    assert (StandardVersion.objects.count(), Clause.objects.count(), Item.objects.count()) == before


def test_a_file_that_is_not_excel_is_refused(published, admin_user):
    area, _version = published
    with pytest.raises(ImportFailedError):
        import_version(area_type=area, content=b"%PDF-1.4 not a workbook", by=admin_user)


def test_a_good_import_through_the_page_opens_the_draft(client_for, admin_user, published):
    area, version = published
    response = client_for(admin_user).post(
        "/standards/import/", {"area_type": area.pk, "file": _upload(export_version(version))}
    )
    draft = StandardVersion.objects.get(standard=version.standard, status="draft")
    assert response["Location"] == f"/standards/versions/{draft.pk}/"
    assert draft.based_on == version


def test_an_export_without_an_area_type_goes_to_the_one_of_the_same_code(
    client_for, admin_user, published
):
    area, version = published
    response = client_for(admin_user).post(
        "/standards/import/", {"file": _upload(export_version(version))}
    )
    draft = StandardVersion.objects.get(standard=version.standard, status="draft")
    assert response["Location"] == f"/standards/versions/{draft.pk}/"
    assert AreaType.objects.filter(center=area.center).count() == 1


def test_formula_like_text_is_exported_as_text(published, admin_user):
    _area, version = published
    clause = version.clauses.get()
    Clause.objects.filter(pk=clause.pk).update(text='=HYPERLINK("http://x")')
    sheet = _book(export_version(version)).worksheets[1]
    cell = sheet.cell(row=2, column=5)
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"


def test_a_workbook_exported_in_the_first_format_still_imports(published, admin_user):
    """Files exported before the Standards sheet (key/value sheet 'Standard', English keys)."""
    area, _version = published
    book = Workbook()
    meta = book.active
    meta.title = "Standard"
    for key, value in [("format", "onsite-standard/1"), ("area_type_code", "counter"),
                       ("area_type_name", "前台"), ("width_mm", 1600), ("depth_mm", 700),
                       ("default_edge_distance_mm", 60), ("note", "旧格式")]:  # fmt: skip
        meta.append([key, value])
    clauses = book.create_sheet("Clauses")
    clauses.append(["code", "pillar", "position", "text", "check_method", "weight",
                    "max_points", "photo_required"])  # fmt: skip
    clauses.append(["C9", "sort", 1, "旧条款", "", 1, 10, "yes"])
    book.create_sheet("Items").append(["item_code", "item_name", "rule"])
    draft = import_version(area_type=area, content=_bytes(book), by=admin_user)
    assert draft.default_edge_distance_mm == 60
    assert list(draft.clauses.values_list("code", "photo_required")) == [("C9", True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_new_center_imports_the_starter_workbook_as_five_drafts(
    client_for, admin_user, center, language
):
    """A center with no area types, nothing in its catalogue: the starter makes all five (the
    source document's three, the hall's public areas and the archive)."""
    client = client_for(admin_user)
    with translation.override(language):
        content = starter_workbook()
    response = client.post("/standards/import/", {"file": _upload(content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/standards/"
    areas = {a.code: a for a in AreaType.objects.filter(center=center)}
    assert set(areas) == {"counter", "back-office", "chief-office", "public", "archive"}
    assert areas["counter"].name == "前台"
    counter = StandardVersion.objects.get(standard__area_type=areas["counter"])
    assert counter.is_draft
    assert {r.item.code for r in counter.item_rules.select_related("item")} == WHITELIST
    assert counter.clauses.filter(pillar="sort", text__contains="报备").exists()
    whitelist = counter.clauses.get(code="QT-SO-1").text
    assert "评价器" in whitelist
    assert "暂停服务牌" in whitelist
    assert counter.default_edge_distance_mm == 50
    for code in ("back-office", "chief-office", "public", "archive"):
        version = StandardVersion.objects.get(standard__area_type=areas[code])
        assert version.is_draft
        assert version.clauses.count() >= 5
    # Public areas and the archive have a check for every pillar the programme's phases rate,
    # the shine (清扫) of public areas first among them.
    for code in ("public", "archive"):
        pillars = set(
            StandardVersion.objects.get(standard__area_type=areas[code]).clauses.values_list(
                "pillar", flat=True
            )
        )
        assert pillars == {"sort", "set_in_order", "shine", "standardize", "sustain", "visual",
                           "safety"}, code  # fmt: skip
    public = StandardVersion.objects.get(standard__area_type=areas["public"])
    assert public.clauses.get(code="GG-SB-1").subject == "equipment"
    archive = StandardVersion.objects.get(standard__area_type=areas["archive"])
    assert {r.item.code for r in archive.item_rules.select_related("item")} >= {
        "cabinet", "hygrometer", "extinguisher"
    }  # fmt: skip
    # The same workbook again: a second draft each, no new area types.
    client.post("/standards/import/", {"file": _upload(content)})
    assert AreaType.objects.filter(center=center).count() == 5
    assert StandardVersion.objects.filter(center=center).count() == 10


def test_the_starter_matches_area_types_and_items_by_name(center, admin_user):
    """A center that named its own codes: 前台 is matched by name, 水杯 reused."""
    own = AreaTypeFactory(center=center, code="qiantai", name="前台")
    cup = ItemFactory(center=center, code="shuibei", name="水杯")
    drafts = import_standards(center=center, content=starter_workbook(), by=admin_user)
    counter = drafts[0]
    assert counter.standard.area_type == own
    assert not AreaType.objects.filter(center=center, code="counter").exists()
    assert counter.item_rules.filter(item=cup).exists()
    assert not Item.objects.filter(center=center, code="cup").exists()


def test_several_standards_into_one_chosen_area_type_are_refused(published, admin_user):
    area, _version = published
    with pytest.raises(ImportFailedError) as failed:
        import_version(area_type=area, content=starter_workbook(), by=admin_user)
    assert "5" in failed.value.errors[0]


def test_rows_naming_an_unknown_area_type_import_nothing(center, admin_user):
    book = _book(starter_workbook())
    book.worksheets[1].append(["no-such-area", "X1", "sort", 1, "x", "", 1, 10, "no"])
    with pytest.raises(ImportFailedError) as failed:
        import_standards(center=center, content=_bytes(book), by=admin_user)
    assert any("counter" in error for error in failed.value.errors)
    assert not AreaType.objects.filter(center=center).exists()


def test_the_starter_download_is_for_standard_editors(client_for, admin_user, staff_user):
    response = client_for(admin_user).get("/standards/import/starter.xlsx")
    assert response.status_code == 200
    book = _book(response.content)
    assert len(book.worksheets) == 4  # standards, clauses, items, instructions
    assert book.worksheets[0].max_row == 6  # the header and five standards
    assert client_for(staff_user).get("/standards/import/starter.xlsx").status_code == 403


def test_the_import_page_links_the_starter(client_for, admin_user):
    body = client_for(admin_user).get("/standards/import/").content.decode()
    assert "/standards/import/starter.xlsx" in body


def test_a_center_of_its_own_never_sees_another_centers_area_types(admin_user, center):
    other = CenterFactory(code="zz")
    AreaTypeFactory(center=other, code="counter", name="前台")
    drafts = import_standards(center=center, content=starter_workbook(), by=admin_user)
    assert all(d.standard.area_type.center == center for d in drafts)
    assert AreaType.objects.filter(center=center, code="counter").exists()


def test_an_empty_standards_list_points_editors_to_the_starter(client_for, admin_user, staff_user):
    assert (
        'data-testid="start-from-starter"'
        in client_for(admin_user).get("/standards/").content.decode()
    )
    assert 'data-testid="start-from-starter"' not in (
        client_for(staff_user).get("/standards/").content.decode()
    )


def test_what_a_clause_checks_goes_out_and_comes_back(published, other_center, other_admin):
    """A person or equipment check keeps its subject through the workbook; a blank cell (a
    workbook from before the column) is a zone check; an unknown one is refused by name."""
    _area, version = published
    Clause.objects.create(
        center=version.center, standard_version=version, code="P1", pillar="sustain",
        text="工作人员规范佩戴工牌。", subject=Clause.Subject.PERSON, position=2,
    )  # fmt: skip
    Clause.objects.create(
        center=version.center, standard_version=version, code="E1", pillar="standardize",
        text="评价器、高拍仪通电可用。", subject=Clause.Subject.EQUIPMENT, position=3,
    )  # fmt: skip
    with translation.override("zh-hans"):
        content = export_version(version)
    book = _book(content)
    sheet = book.worksheets[1]
    header = [cell.value for cell in sheet[1]]
    column = header.index("检查对象") + 1
    assert [sheet.cell(row=r, column=column).value for r in (2, 3, 4)] == [
        "区域本身", "在岗人员", "设备运行"
    ]  # fmt: skip
    target = AreaTypeFactory(center=other_center, code="counter", name="前台")
    draft = import_version(area_type=target, content=content, by=other_admin)
    assert dict(draft.clauses.values_list("code", "subject")) == {
        "C1": "zone", "P1": "person", "E1": "equipment"
    }  # fmt: skip
    sheet.cell(row=2, column=column, value="")
    sheet.cell(row=3, column=column, value="路人")
    with pytest.raises(ImportFailedError) as failed:
        import_version(area_type=target, content=_bytes(book), by=other_admin)
    assert "路人" in " ".join(failed.value.errors)
