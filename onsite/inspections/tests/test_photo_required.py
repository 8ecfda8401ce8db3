"""Issue 21, point 7: a submit names every failed check that still needs a photo, at once and
with its full text, on the page and in the API; a passed check needs no photo."""

import pytest
from django.urls import reverse

from onsite.inspections.models import Answer, Inspection
from onsite.inspections.tests.conftest import image_upload
from onsite.inspections.tests.test_api import API, all_pass, auth, started
from onsite.inspections.tests.test_pages import form_data

pytestmark = pytest.mark.django_db
LONG = (
    "工作台面只摆放当日办理业务所需的物品，其余物品一律收纳入柜并贴标识，条款{n}的完整文字到此为止"
)


def with_photo_required(inspection_id):
    """The first four checks require a photo, each with a requirement far beyond 40 characters."""
    answers = list(Answer.objects.filter(inspection_id=inspection_id).order_by("position", "pk"))
    for n, answer in enumerate(answers[:4], start=1):
        answer.photo_required = True
        answer.text = LONG.format(n=n)
        answer.save(update_fields=["photo_required", "text"])
    return [a.key for a in answers[:4]]


def test_the_api_names_every_failed_check_without_a_photo_at_once(client, supervisor, zone):
    body = started(client, supervisor, zone)
    keys = with_photo_required(body["id"])
    # Three of the four fail, the fourth passes: it needs no photo.
    results = all_pass(body, **dict.fromkeys(keys[:3], "fail"))
    saved = client.post(
        f"{API}/{body['id']}/answers",
        {"version": body["row_version"], "answers": results},
        content_type="application/json",
        **auth(supervisor, "save-1"),
    )
    assert saved.status_code == 200, saved.content
    refused = client.post(
        f"{API}/{body['id']}/submit", {}, content_type="application/json",
        **auth(supervisor, "submit-1"),
    )  # fmt: skip
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["code"] == "incomplete"
    assert [check["key"] for check in answer["checks"]] == keys[:3]
    for n in (1, 2, 3):
        assert LONG.format(n=n) in answer["detail"]  # every one, in full
        assert LONG.format(n=n) in [check["text"] for check in answer["checks"]]
    assert LONG.format(n=4) not in answer["detail"]
    # With a photo on each failed check the submit goes through (the passed one has none).
    for key in keys[:3]:
        failed = Answer.objects.get(inspection_id=body["id"], key=key)
        uploaded = client.post(
            f"{API}/answers/{failed.pk}/photos", {"photo": image_upload()},
            **auth(supervisor, f"photo-{key}"),
        )  # fmt: skip
        assert uploaded.status_code == 200, uploaded.content
    done = client.post(
        f"{API}/{body['id']}/submit", {}, content_type="application/json",
        **auth(supervisor, "submit-2"),
    )  # fmt: skip
    assert done.status_code == 200, done.content
    assert Inspection.objects.get(pk=body["id"]).is_submitted


def test_the_page_names_every_failed_check_without_a_photo_and_marks_each(
    client, client_for, supervisor, zone
):
    body = started(client, supervisor, zone)
    keys = with_photo_required(body["id"])
    inspection = Inspection.objects.get(pk=body["id"])
    page = client_for(supervisor)
    edit_url = reverse("inspections:inspection-edit", args=[inspection.pk])
    results = {a.key: "pass" for a in inspection.answers.all()}
    results.update(dict.fromkeys(keys, "fail"))
    refused = page.post(edit_url, form_data(inspection, results=results, action="submit"))
    assert refused.status_code == 409
    html = refused.content.decode()
    alert = html.split('role="alert"')[1].split("</div>")[0]
    for n in (1, 2, 3, 4):
        assert LONG.format(n=n) in alert, n
    assert html.count('data-testid="needs-photo"') == 4
    assert not Inspection.objects.get(pk=inspection.pk).is_submitted


def test_a_passed_check_needs_no_photo_even_where_the_standard_asks_for_one(
    client, client_for, supervisor, zone
):
    body = started(client, supervisor, zone)
    with_photo_required(body["id"])
    inspection = Inspection.objects.get(pk=body["id"])
    results = {a.key: "pass" for a in inspection.answers.all()}
    response = client_for(supervisor).post(
        reverse("inspections:inspection-edit", args=[inspection.pk]),
        form_data(inspection, results=results, action="submit"),
    )
    assert response.status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).is_submitted
