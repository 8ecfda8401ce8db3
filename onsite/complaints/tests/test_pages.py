"""The pages of 差评 cases: who opens and moves what (allowed and denied), another center's
case is a 404, the list's filters and its fixed number of queries, the to-do on the home."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from onsite.complaints.models import Complaint, ComplaintSettings
from onsite.complaints.tests.conftest import open_case, review, submit, verify
from onsite.core.tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def detail(case):
    return reverse("complaints:complaint-detail", args=[case.pk])


def step(case, name):
    return reverse(f"complaints:complaint-{name}", args=[case.pk])


def post(client, case, name, **data):
    case.refresh_from_db()
    return client.post(step(case, name), {"row_version": case.version, **data})


def test_the_window_answers_and_the_office_closes(client_for, case, staff_user, office_user):
    client = client_for(staff_user)
    page = client.get(detail(case))
    assert page.status_code == 200
    assert 'data-testid="verify"' in page.text
    assert post(client, case, "verify", findings="属实").status_code == 302
    assert post(client, case, "submit", outcome="fix", action="已整改").status_code == 302
    client = client_for(office_user)
    page = client.get(detail(case))
    assert 'data-testid="review"' in page.text
    assert "data-confirm" in page.text
    assert post(client, case, "review", decision="approve", note="").status_code == 302
    assert post(client, case, "revisit", satisfied="yes", note="满意").status_code == 302
    assert post(client, case, "close", note="").status_code == 302
    case.refresh_from_db()
    assert case.status == Complaint.Status.CLOSED


def test_another_window_neither_sees_nor_answers(client_for, case, other_window_staff):
    client = client_for(other_window_staff)
    assert client.get(detail(case)).status_code == 404
    assert post(client, case, "verify", findings="x").status_code == 404
    assert case.pk not in [
        c.pk for c in client.get(reverse("complaints:complaint-list")).context["page"]
    ]


def test_the_office_does_not_answer_for_the_window(client_for, case, office_user):
    response = post(client_for(office_user), case, "verify", findings="x")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_the_window_does_not_review(client_for, case, staff_user):
    verify(case, staff_user)
    submit(case, staff_user)
    response = post(client_for(staff_user), case, "review", decision="approve")
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["leader", "supervisor", "viewer"])
def test_readers_read_and_do_not_move(request, client_for, case, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    page = client.get(detail(case))
    assert page.status_code == 200
    assert 'data-testid="verify"' not in page.text
    assert post(client, case, "verify", findings="x").status_code == 403


def test_the_auditor_is_refused(client_for, case, auditor):
    client = client_for(auditor)
    assert client.get(reverse("complaints:complaint-list")).status_code == 403
    assert client.get(detail(case)).status_code == 403


def test_another_centers_case_is_a_404(client_for, case, other_admin):
    client = client_for(other_admin)
    assert client.get(detail(case)).status_code == 404
    assert post(client, case, "verify", findings="x").status_code == 404


def test_a_stale_form_is_a_409_and_says_so(client_for, case, staff_user):
    client = client_for(staff_user)
    stale = case.version
    verify(case, staff_user)
    Complaint.objects.filter(pk=case.pk).update(status="open")  # the page still shows it open
    response = client.post(step(case, "verify"), {"row_version": stale, "findings": "再核实"})
    assert response.status_code == 409
    assert response["Onsite-Refusal"] == "stale"


def test_bad_input_is_a_422_with_the_form(client_for, case, staff_user):
    response = post(client_for(staff_user), case, "verify", findings="")
    assert response.status_code == 422
    assert 'data-testid="verify"' in response.text


def test_returning_needs_a_reason(client_for, case, staff_user, office_user):
    verify(case, staff_user)
    submit(case, staff_user)
    response = post(client_for(office_user), case, "review", decision="return", note="")
    assert response.status_code == 422
    assert post(client_for(office_user), case, "review", decision="return",
                note="再说明").status_code == 302  # fmt: skip
    case.refresh_from_db()
    assert case.status == "verified"


def test_the_list_filters_and_keeps_its_queries(
    client_for, window, office_user, staff_user, django_assert_max_num_queries
):
    today = timezone.localdate()
    late = open_case(window, day=today - datetime.timedelta(days=30))
    other = UnitFactory(center=window.center)
    open_case(other)
    client = client_for(office_user)
    url = reverse("complaints:complaint-list")
    assert len(client.get(url).context["page"]) == 2
    assert [c.pk for c in client.get(url + "?overdue=1").context["page"]] == [late.pk]
    assert len(client.get(url + f"?unit={other.pk}").context["page"]) == 1
    assert len(client.get(url + "?status=closed").context["page"]) == 0
    client.get(url)  # warm the session and menus
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(10):
        open_case(other, rating_id=5000 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    # The window's person sees their own window's cases only.
    own = client_for(staff_user).get(url).context["page"]
    assert {c.unit_id for c in own} == {window.pk}


def test_the_settings_page(client_for, admin_user, staff_user, center):
    url = reverse("complaints:settings")
    assert client_for(staff_user).get(url).status_code == 403
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    row = ComplaintSettings.for_center(center)
    response = client.post(url, {"due_days": 3, "row_version": row.version})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.due_days == 3
    stale = client.post(url, {"due_days": 4, "row_version": 1})
    assert stale.status_code == 409


def test_the_home_lists_what_waits(client_for, case, staff_user, office_user):
    page = client_for(staff_user).get(reverse("site:home"))
    assert 'data-kind="complaints-answer"' in page.text
    verify(case, staff_user)
    submit(case, staff_user)
    page = client_for(office_user).get(reverse("site:home"))
    assert 'data-kind="complaints-review"' in page.text
    review(case, office_user)
    assert (
        'data-kind="complaints-answer"' not in client_for(staff_user).get(reverse("site:home")).text
    )


def test_the_menu_links_the_list(client_for, staff_user, auditor):
    url = reverse("complaints:complaint-list")
    assert f'href="{url}"' in client_for(staff_user).get(reverse("site:home")).text
    other = UserFactory(center=staff_user.center, roles=["sysadmin"])
    assert f'href="{url}"' not in client_for(other).get(reverse("site:home")).text
