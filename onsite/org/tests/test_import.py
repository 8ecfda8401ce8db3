import io

from django.utils import translation
from openpyxl import load_workbook

from onsite.accounts.models import RoleGrant, User
from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.org.models import AreaType, Coverage, Floor, Group, Membership, Unit, Zone
from onsite.org.tests.workbooks import GOOD, changed, upload, workbook_bytes

STAFF_COLUMNS = [
    "id",
    "username",
    "full_name",
    "unit_id",
    "title",
    "phone",
    "staff_number",
    "wecom_userid",
    "dingtalk_userid",
    "is_active",
    "password",
]


def snapshot(center):
    """Everything the import may touch, versions included, to prove 'nothing changed'."""
    return {
        "floors": list(Floor.objects.filter(center=center).values()),
        "area_types": list(AreaType.objects.filter(center=center).values()),
        "units": list(Unit.objects.filter(center=center).values()),
        "staff": list(User.objects.filter(center=center).values(*STAFF_COLUMNS).order_by("pk")),
        "roles": list(
            RoleGrant.objects.filter(user__center=center).values("user_id", "role").order_by("pk")
        ),
        "groups": list(Group.objects.filter(center=center).values()),
        "coverage": list(
            Coverage.objects.filter(group__center=center)
            .values("group_id", "unit_id")
            .order_by("unit_id")
        ),
        "members": list(Membership.objects.filter(group__center=center).values().order_by("pk")),
        "zones": list(Zone.objects.filter(center=center).values()),
    }


def post(client, sheets, **extra):
    return client.post("/org/import/", {"file": upload(workbook_bytes(sheets)), **extra})


def test_a_good_workbook_imports_everything(client_for, admin_user, center):
    response = post(client_for(admin_user), GOOD)
    assert response.status_code == 302
    assert Unit.objects.get(center=center, code="w10").floor.level == 1
    person = User.objects.get(username="w10-1")
    assert person.center == center
    assert person.unit.code == "w10"
    assert sorted(person.roles) == ["member", "staff"]
    assert not person.has_usable_password()
    assert sorted(User.objects.get(username="w10-2").roles) == ["staff"], "new staff default"
    group = Group.objects.get(center=center, code="wg10")
    assert group.parent.code == "p9"
    assert group.parent.parent.code == "lead9"
    assert sorted(unit.code for unit in group.units.all()) == ["w10", "w11"]
    assert Membership.objects.get(group=group, user=person).role == "leader"
    zone = Zone.objects.get(center=center, code="w10-c")
    assert (zone.owner.username, zone.floor.level, zone.x, zone.width) == ("w10-2", 1, 20, 56)
    event = AuditEvent.objects.get(action="org.import")
    assert event.actor == admin_user


def test_the_import_writes_through_the_actions(client_for, admin_user, center):
    """One audit row per object written, as a page's or the API's write leaves (issue 15)."""
    before = AuditEvent.objects.count()
    post(client_for(admin_user), GOOD)
    written = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[before:]
    actions = [event.action for event in written]
    assert actions.count("org.staff.create") == User.objects.filter(center=center).count() - 1
    assert "org.unit.create" in actions
    assert "org.zone.create" in actions
    assert "org.group.create" in actions
    assert "org.member.add" in actions
    assert actions[-1] == "org.import"
    again = AuditEvent.objects.count()
    post(client_for(admin_user), GOOD)
    assert AuditEvent.objects.count() == again + 1, "an unchanged file writes only its summary"


def test_importing_the_same_file_twice_changes_nothing(client_for, admin_user, center):
    client = client_for(admin_user)
    post(client, GOOD)
    before = snapshot(center)
    response = post(client, GOOD)
    assert response.status_code == 302
    assert snapshot(center) == before
    page = client.get("/org/import/").content.decode()
    assert 'data-testid="import-summary"' in page


def test_one_bad_row_imports_nothing_and_says_where(client_for, admin_user, center):
    bad = changed(GOOD, "Zones", 2, "Area type", "no-such-type")
    before = snapshot(center)
    response = post(client_for(admin_user), bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "no-such-type" in body
    assert "<td>3</td>" in body, "the spreadsheet row number (header is row 1)"
    assert snapshot(center) == before, "the good rows of every sheet are not imported either"


def test_errors_are_in_the_users_language(client_for, admin_user, center):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    bad = changed(GOOD, "Units", 1, "Kind", "shop")
    body = post(client, bad).content.decode()
    assert "Unknown value “shop”." in body
    client.cookies["django_language"] = "zh-hans"
    body = post(client, bad).content.decode()
    with translation.override("zh-hans"):
        assert translation.gettext("Unknown value “%(value)s”.") % {"value": "shop"} in body


def test_chinese_sheet_names_and_headers_are_read(client_for, admin_user, center):
    sheets = {
        "单位": [["代码", "名称", "类型"], ["w20", "统计窗口", "窗口"]],
    }
    with translation.override("zh-hans"):
        names = [translation.gettext(t) for t in ("Units", "Code", "Name", "Kind")]
    sheets = {names[0]: [names[1:], ["w20", "统计窗口", "窗口"]]}
    response = post(client_for(admin_user), sheets)
    assert response.status_code == 302
    assert Unit.objects.filter(center=center, code="w20", kind="window").exists()


def test_row_checks(client_for, admin_user, org, center):
    cases = [
        (changed(GOOD, "Units", 2, "Code", "w10"), "appears twice"),
        (changed(GOOD, "Staff", 1, "Unit", "w99"), "w99"),
        (changed(GOOD, "Staff", 1, "Username", "y01-1"), "already taken"),
        (changed(GOOD, "Groups", 1, "Parent group", "lead9"), "promotion group"),
        (changed(GOOD, "Groups", 3, "Units covered", "w10"), "Only working groups"),
        (changed(GOOD, "Zones", 1, "x (dm)", 590), "does not fit"),
        (changed(GOOD, "Zones", 1, "Zone owner", "nobody"), "nobody"),
        (changed(GOOD, "Zones", 1, "Code", "bad code!"), "not a valid code"),
        (changed(GOOD, "Floors", 1, "Width (dm)", "wide"), "not a whole number"),
        (changed(GOOD, "Group members", 1, "Username", "w01-1"), "already in the working group"),
    ]
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    before = snapshot(center)
    for sheets, expected in cases:
        response = post(client, sheets)
        assert response.status_code == 400, expected
        assert expected in response.content.decode(), expected
    assert snapshot(center) == before


def test_a_person_in_two_working_groups_of_the_file_is_refused(client_for, admin_user, center):
    sheets = changed(GOOD, "Groups", 1, "Units covered", "w10")
    sheets["Groups"].append(["wg11", "第11工作组", "working", "p9", "w11", 11])
    sheets["Group members"].append(["wg11", "w10-1", "member"])
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    body = post(client, sheets).content.decode()
    assert "at most one working group" in body
    assert not Group.objects.filter(center=center, code="wg11").exists()


def test_an_admin_cannot_import_away_their_own_admin_role(client_for, admin_user, center):
    sheets = {"Staff": [["Username", "Full name", "Roles"], [admin_user.username, "我", "staff"]]}
    response = post(client_for(admin_user), sheets)
    assert response.status_code == 400
    assert RoleGrant.objects.filter(user=admin_user, role="admin").exists()


def test_a_file_that_is_not_a_workbook(client_for, admin_user, center):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    response = client.post("/org/import/", {"file": upload(b"name,code\nx,y\n", "org.csv")})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    broken = client.post("/org/import/", {"file": upload(b"PK\x03\x04broken", "org.xlsx")})
    assert "could not be read" in broken.content.decode()


def test_a_missing_required_column_is_reported_on_the_header_row(client_for, admin_user, center):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    body = post(client, {"Units": [["Code", "Name"], ["w30", "无类型"]]}).content.decode()
    assert "missing from the header row" in body
    assert "Kind" in body


def test_check_only_saves_nothing(client_for, admin_user, center):
    before = snapshot(center)
    response = post(client_for(admin_user), GOOD, check="1")
    assert response.status_code == 200
    assert 'data-testid="import-check"' in response.content.decode()
    assert snapshot(center) == before


def test_the_export_imports_back_unchanged(client_for, admin_user, org, center):
    client = client_for(admin_user)
    exported = client.get("/org/export.xlsx")
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    before = snapshot(center)
    response = client.post("/org/import/", {"file": upload(exported.content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot(center) == before
    assert "别家" not in str(
        load_workbook(io.BytesIO(exported.content))[
            "单位" if "单位" in load_workbook(io.BytesIO(exported.content)).sheetnames else "Units"
        ].values
    )


def test_cells_that_look_like_formulas_are_exported_as_text(client_for, admin_user, org, center):
    UnitFactory(center=center, code="evil", name='=HYPERLINK("http://x","y")')
    exported = client_for(admin_user).get("/org/export.xlsx")
    book = load_workbook(io.BytesIO(exported.content))
    cells = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == '=HYPERLINK("http://x","y")'
    ]
    assert cells
    assert all(cell.data_type == "s" for cell in cells)


def test_the_template_has_every_sheet_and_instructions(client_for, admin_user, center):
    client = client_for(admin_user)
    client.cookies["django_language"] = "en"
    response = client.get("/org/import/template.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Floors",
        "Area types",
        "Units",
        "Staff",
        "Groups",
        "Group members",
        "Zones",
        "Instructions",
        "Examples",
    ]
    assert [c.value for c in book["Units"][1]] == [
        "Code *",
        "Name *",
        "Kind *",
        "Department",
        "Floor",
        "Order",
    ]
    assert book["Units"].max_row == 1
    from onsite.core.tests.excel_checks import assert_table_sheet

    for name in book.sheetnames[:-2]:
        assert_table_sheet(book[name])


def test_import_pages_need_the_admin(client_for, leader, office_user, viewer, center, client):
    for user in (leader, office_user, viewer):
        c = client_for(user)
        assert c.get("/org/import/").status_code == 403
        assert c.get("/org/import/template.xlsx").status_code == 403
        assert c.get("/org/export.xlsx").status_code == 403
        assert c.post("/org/import/", {"file": upload(workbook_bytes(GOOD))}).status_code == 403
    assert not Unit.objects.filter(code="w10").exists()
    client.logout()
    assert client.get("/org/import/").status_code == 302


def test_the_work_chat_user_ids_round_trip_and_stay_when_the_columns_are_missing(
    client_for, admin_user, center
):
    sheets = {key: [list(r) for r in rows] for key, rows in GOOD.items()}
    sheets["Staff"][0] += ["WeCom user id", "钉钉用户ID"]
    sheets["Staff"][1] += ["ZhaoQiang", "ding-0001"]
    sheets["Staff"][2] += ["", ""]
    sheets["Staff"][3] += ["SunLi", ""]
    client = client_for(admin_user)
    assert post(client, sheets).status_code == 302
    zhao = User.objects.get(username="w10-1")
    assert (zhao.wecom_userid, zhao.dingtalk_userid) == ("ZhaoQiang", "ding-0001")
    assert User.objects.get(username="w11-1").wecom_userid == "SunLi"

    exported = client.get("/org/export.xlsx").content
    staff = load_workbook(io.BytesIO(exported)).worksheets[3]
    rows = list(staff.values)
    header = [str(title).rstrip("*").strip() for title in rows[0]]
    row = dict(zip(header, next(r for r in rows if r[0] == "w10-1"), strict=False))
    assert row["企业微信用户ID"] == "ZhaoQiang"
    assert row["钉钉用户ID"] == "ding-0001"
    before = snapshot(center)
    assert client.post("/org/import/", {"file": upload(exported)}).status_code == 302
    assert snapshot(center) == before

    assert post(client, GOOD).status_code == 302  # the file without the columns keeps them
    zhao.refresh_from_db()
    assert zhao.wecom_userid == "ZhaoQiang"
    too_long = changed(sheets, "Staff", 1, "WeCom user id", "x" * 65)
    response = post(client, too_long)
    assert response.status_code == 400
    assert "64" in response.content.decode()
    zhao.refresh_from_db()
    assert zhao.wecom_userid == "ZhaoQiang"


def test_staff_numbers_import_export_and_stay_one_person_each(
    client_for, admin_user, center, other_center
):
    UserFactory(center=other_center, username="yy-1", staff_number="G-0099")
    sheets = {key: [list(r) for r in rows] for key, rows in GOOD.items()}
    sheets["Staff"][0] += ["工号"]
    sheets["Staff"][1] += ["G-0042"]
    sheets["Staff"][2] += [""]
    sheets["Staff"][3] += ["G-0043"]
    client = client_for(admin_user)
    assert post(client, sheets).status_code == 302
    assert User.objects.get(username="w10-1").staff_number == "G-0042"
    exported = client.get("/org/export.xlsx").content
    before = snapshot(center)
    assert client.post("/org/import/", {"file": upload(exported)}).status_code == 302
    assert snapshot(center) == before, "the export imports back unchanged"

    twice = changed(sheets, "Staff", 3, "工号", "G-0042")
    response = post(client, twice)
    assert response.status_code == 400
    assert "G-0042" in response.content.decode()
    taken = changed(sheets, "Staff", 3, "工号", "G-0099")  # another center's person
    response = post(client, taken)
    assert response.status_code == 400
    assert "工号已属于另一个账号" in response.content.decode()
    assert snapshot(center) == before
