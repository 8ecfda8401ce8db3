"""Ratings in the national system's shape (GB/T 39735, 国办发〔2019〕51号): the case and its
service item, channel, staff member, reason and comment; a case imported once whichever file
brings it; default and invalid ratings kept but counted in no figure; the center's dimension
list in versions."""

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from onsite.accounts.models import ApiToken
from onsite.core.tests.factories import UserFactory
from onsite.dashboards import exports, queries, rollups
from onsite.dashboards.models import Channel, CitizenRating, RatingDimensions, RatingImport

pytestmark = pytest.mark.django_db
URL = "/dashboards/ratings/import/"
HEADER = ("评价时间", "窗口", "评价", "评价维度", "办件编号", "事项编码", "事项名称", "部门",
          "评价渠道", "工作人员", "差评原因编码", "差评原因", "评价意见", "默认评价", "是否有效")  # fmt: skip


def xlsx(rows, header=HEADER, name="好差评.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def day(offset=1):
    return timezone.localdate() - datetime.timedelta(days=offset)


def row(case, rating, *, unit="w01", dimension="", default="否", valid="是", staff="", when=None):
    moment = f"{(when or day()).isoformat()} 10:15"
    return (moment, unit, rating, dimension, case, "310115001000", "营业执照办理", "市场监管局",
            "移动端", staff, "202" if rating in (1, 2) else "", "等候过长" if rating < 3 else "",
            "排队太久" if rating < 3 else "", default, valid)  # fmt: skip


def test_every_national_field_is_kept(client_for, office_user, center, the_hall):
    named = the_hall.units[0].staff.first()
    UserFactory(center=center, full_name="同名", unit=the_hall.units[1])
    UserFactory(center=center, full_name="同名", unit=the_hall.units[2])
    upload = xlsx(
        [
            row("A-1", 1, staff=named.username),
            row("A-2", 5, staff=named.full_name),
            row("A-3", 4, staff="同名"),
            row("A-4", 2, staff="不在册的人"),
        ]
    )
    assert client_for(office_user).post(URL, {"file": upload}).status_code == 302
    first = CitizenRating.objects.get(case_number="A-1")
    assert (first.item_code, first.item_name, first.department) == (
        "310115001000", "营业执照办理", "市场监管局"
    )  # fmt: skip
    assert (first.channel, first.reason_code, first.reason, first.comment) == (
        "mobile", "202", "等候过长", "排队太久"
    )  # fmt: skip
    assert timezone.localtime(first.rated_at).strftime("%H:%M") == "10:15"
    assert (first.is_default, first.is_valid, first.is_bad) == (False, True, True)
    staff = dict(CitizenRating.objects.values_list("case_number", "staff"))
    assert staff == {"A-1": named.pk, "A-2": named.pk, "A-3": None, "A-4": None}
    assert CitizenRating.objects.get(case_number="A-4").staff_name == "不在册的人"


def test_the_same_cases_in_another_file_add_nothing(client_for, office_user, center, the_hall):
    client = client_for(office_user)
    client.post(URL, {"file": xlsx([row("C-1", 5), row("C-2", 1)], name="11月上半月.xlsx")})
    overlapping = xlsx([row("C-1", 5), row("C-2", 1), row("C-3", 4)], name="11月全月.xlsx")
    response = client.post(URL, {"file": overlapping}, follow=True)
    assert sorted(CitizenRating.objects.values_list("case_number", flat=True)) == [
        "C-1", "C-2", "C-3"
    ]  # fmt: skip
    assert RatingImport.objects.get(filename="11月全月.xlsx").rows == 1
    assert "已跳过 2 条" in response.content.decode()
    again = client.post(URL, {"file": xlsx([row("C-2", 1)], name="重发.xlsx")}, follow=True)
    assert CitizenRating.objects.count() == 3
    assert not RatingImport.objects.filter(filename="重发.xlsx").exists()
    assert "未新增任何内容" in again.content.decode()


def test_a_case_rated_on_two_dimensions_is_two_ratings_once(client_for, office_user, the_hall):
    rows = [row("D-1", 5, dimension="服务态度"), row("D-1", 2, dimension="办事效率")]
    client = client_for(office_user)
    client.post(URL, {"file": xlsx(rows, name="a.xlsx")})
    client.post(URL, {"file": xlsx([*rows, row("D-1", 2, dimension="办事效率")], name="b.xlsx")})
    assert CitizenRating.objects.filter(case_number="D-1").count() == 2


def test_the_api_skips_cases_it_has(client, office_user, center, the_hall):
    token = ApiToken.issue(user=office_user, name="t")[1]

    def send(cases):
        body = {"ratings": [{"date": day().isoformat(), "window": "w01", "rating": 2,
                             "case": case, "channel": "hall", "default": False} for case in cases]}  # fmt: skip
        return client.post(
            "/api/v1/dashboards/ratings", data=json.dumps(body),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
        ).json()  # fmt: skip

    assert (send(["E-1", "E-2"])["rows"], send(["E-2", "E-3"])["skipped"]) == (2, 1)
    assert CitizenRating.objects.filter(center=center).count() == 3
    assert set(CitizenRating.objects.values_list("channel", flat=True)) == {"hall"}


def test_default_and_invalid_ratings_count_in_no_figure(client_for, office_user, center, the_hall):
    rows = [row("F-1", 3, default="是"), row("F-2", 1, valid="否"), row("F-3", 5),
            row("F-4", 2, dimension="服务态度")]  # fmt: skip
    client_for(office_user).post(URL, {"file": xlsx(rows)})
    rollups.refresh(center)
    month = day().replace(day=1)
    totals = queries.month_totals_by_unit(center, month)[the_hall.units[0].pk]
    assert (totals.ratings, totals.good_ratings, totals.r3, totals.r1) == (2, 1, 0, 0)
    assert sorted(CitizenRating.objects.bad().values_list("case_number", flat=True)) == ["F-4"]
    assert queries.not_counted(center, month) == 2
    card = queries.unit_card(center, the_hall.units[0], month)
    assert sum(d.ratings for d in card.dimensions) == 2
    page = client_for(office_user).get(f"/dashboards/ratings/?month={month:%Y-%m}")
    assert page.context["not_counted"] == 2
    assert 'data-testid="not-counted"' in page.content.decode()
    export = exports.ratings(center, month, day())
    header = export.headers
    listed = {r[header.index("办件编号")]: r for r in export.rows}
    assert listed["F-1"][header.index("默认评价")] == "是"
    assert listed["F-2"][header.index("是否有效")] == "否"
    assert listed["F-4"][header.index("计为差评")] == "是"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [(14, "也许", "是"), (8, "信鸽", "评价渠道"), (13, "不知道", "是")],
)
def test_bad_flags_and_channels_are_refused(
    client_for, office_user, the_hall, column, value, message
):
    bad = list(row("G-1", 4))
    bad[column] = value
    response = client_for(office_user).post(URL, {"file": xlsx([bad])})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CitizenRating.objects.exists()


def test_the_dimension_list_is_versioned(client_for, office_user, center, the_hall):
    client = client_for(office_user)
    old_day, new_day = day(20), day(5)
    form = {"valid_from": old_day.isoformat(), "names": "服务态度\n办事效率"}
    assert client.post("/dashboards/ratings/dimensions/", form).status_code == 302
    client.post("/dashboards/ratings/dimensions/", form)  # a double click: one version
    assert RatingDimensions.objects.filter(center=center).count() == 1
    refused = client.post(URL, {"file": xlsx([row("H-1", 4, dimension="服务环境", when=day(10))])})
    assert refused.status_code == 400
    assert "不是当天有效的评价维度" in refused.content.decode()
    client.post(URL, {"file": xlsx([row("H-1", 4, dimension="办事效率", when=day(10))])})
    client.post(
        "/dashboards/ratings/dimensions/",
        {"valid_from": new_day.isoformat(), "names": "服务态度\n服务环境"},
    )
    assert list(RatingDimensions.objects.values_list("version", flat=True)) == [2, 1]
    late = [row("H-2", 5, dimension="服务环境", when=day(2)), row("H-3", 5, when=day(2))]
    assert client.post(URL, {"file": xlsx(late, name="late.xlsx")}).status_code == 302
    old = [row("H-4", 5, dimension="服务环境", when=day(10))]
    assert client.post(URL, {"file": xlsx(old, name="old.xlsx")}).status_code == 400
    assert CitizenRating.objects.get(case_number="H-1").dimension == "办事效率"
    page = client.get("/dashboards/ratings/dimensions/").content.decode()
    assert ">服务环境</span>" in page


def test_dimension_list_pages_allowed_and_denied(
    client_for, office_user, admin_user, leader, other_admin, center
):
    RatingDimensions.objects.create(center=center, version=1, valid_from=day(), names=["甲"])
    assert client_for(admin_user).get("/dashboards/ratings/dimensions/").status_code == 200
    assert client_for(leader).get("/dashboards/ratings/dimensions/").status_code == 403
    refused = client_for(leader).post(
        "/dashboards/ratings/dimensions/", {"valid_from": day().isoformat(), "names": "乙"}
    )
    assert refused.status_code == 403
    theirs = client_for(other_admin).get("/dashboards/ratings/dimensions/")
    assert theirs.context["versions"] == []
    assert Client().get("/dashboards/ratings/dimensions/").status_code == 302
    ratings_page = client_for(office_user).get("/dashboards/ratings/").content.decode()
    assert "/dashboards/ratings/dimensions/" in ratings_page
    assert (
        "/dashboards/ratings/dimensions/"
        not in client_for(leader).get("/dashboards/ratings/").content.decode()
    )


def test_bad_dimension_lists_are_explained(client_for, office_user, center):
    client = client_for(office_user)
    for names, message in [("甲\n甲", "重复"), ("\n\n", "必填"), ("x" * 51, "50")]:
        response = client.post(
            "/dashboards/ratings/dimensions/", {"valid_from": day().isoformat(), "names": names}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not RatingDimensions.objects.exists()


def test_the_template_lists_levels_and_channels(client_for, office_user, the_hall):
    template = client_for(office_user).get("/dashboards/ratings/template.xlsx").content
    book = load_workbook(io.BytesIO(template))
    levels = [r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    channels = [r[0] for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert levels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert "大厅评价器" in channels
    assert len(channels) == len(Channel.labels)


def test_each_bad_rating_opens_one_case_for_its_window(client_for, office_user, center, the_hall):
    from onsite.complaints.models import Complaint

    named = the_hall.units[0].staff.first()
    rows = [row("K-1", 1, staff=named.username), row("K-2", 2, valid="否"), row("K-3", 5),
            row("K-4", 2, unit="w02")]  # fmt: skip
    client = client_for(office_user)
    response = client.post(URL, {"file": xlsx(rows, name="a.xlsx")}, follow=True)
    assert "2 条差评已为窗口立案" in response.content.decode()
    cases = {c.case_number: c for c in Complaint.objects.filter(center=center)}
    assert sorted(cases) == ["K-1", "K-4"]
    assert (cases["K-1"].unit, cases["K-1"].staff, cases["K-1"].reason) == (
        the_hall.units[0], named, "等候过长"
    )  # fmt: skip
    rating = CitizenRating.objects.get(case_number="K-1")
    assert cases["K-1"].rating_id == rating.pk
    client.post(URL, {"file": xlsx([*rows, row("K-5", 4)], name="b.xlsx")})
    assert Complaint.objects.filter(center=center).count() == 2


def test_a_date_before_2000_is_a_slip(client_for, office_user, the_hall):
    slip = list(row("L-1", 4))
    slip[0] = "0001-01-01 00:00"  # once a 500: the time zone pushed it out of range
    response = client_for(office_user).post(URL, {"file": xlsx([slip])})
    assert response.status_code == 400
    assert "2000" in response.content.decode()
