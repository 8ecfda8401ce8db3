"""Citizen ratings (好差评) from Excel or CSV: all rows or none, every bad row reported."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from onsite.audit.models import AuditEvent
from onsite.dashboards.models import CitizenRating, RatingImport
from onsite.dashboards.ratings import parse_date, parse_rating

pytestmark = pytest.mark.django_db
URL = "/dashboards/ratings/import/"


def xlsx(rows, header=("日期", "窗口", "评价", "评价维度")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("好差评.xlsx", out.getvalue())


def day(offset=1):
    return timezone.localdate() - datetime.timedelta(days=offset)


def test_a_good_workbook_is_imported(client_for, office_user, center, the_hall):
    upload = xlsx(
        [
            (day(), "w01", 5, "服务态度"),
            (day(2), "窗口2", "满意", "办事效率"),  # by name, and a level name
            (day(2).isoformat(), "W03", "非常不满意", ""),  # code in any case, a date as text
        ]
    )
    response = client_for(office_user).post(URL, {"file": upload})
    assert response.status_code == 302
    batch = RatingImport.objects.get(center=center)
    assert (batch.rows, batch.first_day, batch.last_day) == (3, day(2), day())
    ratings = sorted(CitizenRating.objects.values_list("unit__code", "rating", "dimension"))
    assert ratings == [("w01", 5, "服务态度"), ("w02", 4, "办事效率"), ("w03", 1, "")]
    event = AuditEvent.objects.get(action="dashboards.ratings_imported")
    assert event.detail["rows"] == 3


def test_a_file_with_bad_rows_imports_nothing_and_lists_the_rows(client_for, office_user, the_hall):
    upload = xlsx(
        [
            (day(), "w01", 5, "服务态度"),  # row 2: fine
            ("yesterday", "w01", 4, ""),  # row 3: not a date
            (day(), "w99", 4, ""),  # row 4: no such window
            (day(), "w02", 6, ""),  # row 5: rating out of range
            (timezone.localdate() + datetime.timedelta(days=3), "w02", "很好", ""),  # row 6: two
            (day(), "w03", 3, "x" * 51),  # row 7: dimension too long
        ]
    )
    response = client_for(office_user).post(URL, {"file": upload})
    assert response.status_code == 400
    assert not CitizenRating.objects.exists()
    assert not RatingImport.objects.exists()
    errors = response.context["errors"]
    assert [(e["row"], e["value"]) for e in errors] == [
        (3, "yesterday"),
        (4, "w99"),
        (5, "6"),
        (6, (timezone.localdate() + datetime.timedelta(days=3)).isoformat()),
        (6, "很好"),
        (7, "x" * 51),
    ]
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert "未导入任何内容" in html  # nothing was imported, in the user's language
    assert "w99" in html


def test_the_same_file_twice_adds_nothing(client_for, office_user, center, the_hall):
    content = xlsx([(day(), "w01", 5, "")]).read()
    client = client_for(office_user)
    client.post(URL, {"file": SimpleUploadedFile("a.xlsx", content)})
    response = client.post(URL, {"file": SimpleUploadedFile("a.xlsx", content)}, follow=True)
    assert CitizenRating.objects.count() == 1
    assert RatingImport.objects.count() == 1
    assert "已导入" in response.content.decode() or "already imported" in response.content.decode()


def test_a_gbk_csv_with_english_headers_and_levels(client_for, office_user, center, the_hall):
    text = (
        "Date,Window,Rating,Dimension\n"
        f"{day():%Y/%m/%d},w01,Very satisfied,办事效率\n"
        f"{day():%Y年%m月%d日},窗口2,基本满意,服务环境\n"
    )
    upload = SimpleUploadedFile("ratings.csv", text.encode("gb18030"), content_type="text/csv")
    response = client_for(office_user).post(URL, {"file": upload})
    assert response.status_code == 302
    assert sorted(CitizenRating.objects.values_list("unit__code", "rating", "dimension")) == [
        ("w01", 5, "办事效率"),
        ("w02", 3, "服务环境"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
        ("x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Excel"),
        ("x.csv", "窗口,评价\nw01,5\n".encode(), "日期"),  # the date column is missing
        ("x.csv", b"", ""),
        ("x.csv", "日期,窗口,评价\n".encode(), ""),
    ],
)
def test_unreadable_or_incomplete_files_are_explained(
    client_for, office_user, the_hall, name, content, message
):
    response = client_for(office_user).post(URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 400)
    assert not CitizenRating.objects.exists()
    html = response.content.decode()
    assert "alert-danger" in html or "invalid-feedback" in html
    assert message in html


@pytest.mark.parametrize("persona", ["leader", "supervisor", "viewer", "staff_user"])
def test_only_the_admin_and_office_import(request, client_for, persona, the_hall):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(URL, {"file": xlsx([(day(), "w01", 5, "")])}).status_code == 403
    assert not CitizenRating.objects.exists()


def test_importing_needs_a_sign_in_and_a_post(client, client_for, office_user, the_hall):
    assert client.post(URL, {"file": xlsx([(day(), "w01", 5, "")])}).status_code == 302
    assert client_for(office_user).get(URL).status_code == 405


def test_another_centers_windows_are_unknown(client_for, other_admin, the_hall, other_hall):
    response = client_for(other_admin).post(URL, {"file": xlsx([(day(), "w01", 5, "")])})
    assert response.status_code == 400
    assert not CitizenRating.objects.exists()


def test_the_template_can_be_imported_as_it_is(client_for, office_user, center, the_hall):
    client = client_for(office_user)
    template = client.get("/dashboards/ratings/template.xlsx").content
    from onsite.core.tests.excel_checks import assert_table_sheet

    book = load_workbook(io.BytesIO(template))
    assert assert_table_sheet(book.worksheets[0]) == [
        "日期", "窗口", "评价", "评价维度", "办件编号", "事项编码", "事项名称", "部门",
        "评价渠道", "工作人员", "差评原因编码", "差评原因", "评价意见", "默认评价", "是否有效",
    ]  # fmt: skip
    assert_table_sheet(book.worksheets[1])
    response = client.post(URL, {"file": SimpleUploadedFile("t.xlsx", template)})
    assert response.status_code == 302
    ratings = CitizenRating.objects.filter(center=center)
    assert ratings.count() == 3
    assert ratings.counted().count() == 2, "the template's default rating counts in no figure"
    assert ratings.bad().get().reason == "等候时间过长"


def test_the_ratings_page_shows_the_month_by_window(client_for, leader, center, the_hall):
    from onsite.dashboards import rollups
    from onsite.dashboards.tests.factories import record_ratings

    record_ratings(center, the_hall.units[0], on=timezone.localdate(), ratings=[5, 4, 2])
    rollups.refresh(center)
    response = client_for(leader).get("/dashboards/ratings/")
    ((unit, totals),) = response.context["rows"]
    assert unit == the_hall.units[0]
    assert (totals.ratings, totals.good_ratings) == (3, 2)
    assert response.context["form"] is None  # a leader reads, the office imports


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2025-11-03", datetime.date(2025, 11, 3)), ("2025/1/5 10:22:01", datetime.date(2025, 1, 5)),
     ("20251103", datetime.date(2025, 11, 3)), ("2025年11月3日", datetime.date(2025, 11, 3)),
     (datetime.datetime(2025, 11, 3, 9, 0), datetime.date(2025, 11, 3)), ("3/11/2025", None), ("", None)],
)  # fmt: skip
def test_dates_in_the_usual_forms(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), (1.0, 1), ("4", 4), ("4.0", 4), ("基本满意", 3), ("Very dissatisfied", 1),
     (0, None), (6, None), (4.5, None), ("", None), (True, None), ("满", None)],
)  # fmt: skip
def test_ratings_in_numbers_or_level_names(value, expected):
    assert parse_rating(value) == expected
