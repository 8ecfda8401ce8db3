import re

import pytest
from django.utils import timezone

from onsite.core.tests.factories import UserFactory

HOME_HEADINGS = {
    "admin_user": ("Center administration", "中心管理"),
    "leader": ("Programme overview", "推行总览"),
    "office_user": ("Programme overview", "推行总览"),
    "supervisor": ("Supervision checks", "督查检查"),
    "group_leader": ("My group's work", "本组工作"),
    "member": ("My group's work", "本组工作"),
    "staff_user": ("My work", "我的工作"),
    "auditor": ("Audit", "审计"),
    "viewer": ("Centers overview", "各中心总览"),
}


@pytest.mark.parametrize("persona", HOME_HEADINGS)
def test_each_role_lands_on_its_own_home_page(persona, request, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    english, chinese = HOME_HEADINGS[persona]
    page = client.get("/").content.decode()
    assert f'<h1 class="h3 mb-0">{chinese}</h1>' in page
    client.cookies["django_language"] = "en"
    page = client.get("/").content.decode()
    assert f'<h1 class="h3 mb-0">{english}</h1>' in page


def test_home_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_without_a_role_is_told_so(client_for, center):
    user = UserFactory(center=center, roles=[])
    assert "还没有角色" in client_for(user).get("/").content.decode()


def test_viewer_switches_between_granted_centers_only(client_for, viewer, center, other_center):
    client = client_for(viewer)
    assert center.name in client.get("/").content.decode()
    client.post("/center/switch/", {"center": other_center.pk, "next": "/"})
    assert "YY市" not in client.get("/").content.decode(), "not granted: stays on XX"
    viewer.viewable_centers.add(other_center)
    client.post("/center/switch/", {"center": other_center.pk, "next": "/"})
    body = client.get("/").content.decode()
    assert re.search(r'data-testid="active-center"[^>]*><i [^>]*></i> <span [^>]*>YY市', body)


def test_center_switch_refuses_get_and_anonymous(client, db):
    assert client.get("/center/switch/").status_code in {302, 405}
    assert client.post("/center/switch/", {"center": 1}).status_code == 302


def test_the_shell_sets_strict_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


@pytest.mark.parametrize("persona", ["staff_user", "member"])
def test_staff_home_lists_an_open_survey_and_a_standard_to_acknowledge(
    request, client_for, persona, center, django_assert_max_num_queries
):
    staff_user = request.getfixturevalue(persona)
    from onsite.core.tests.factories import ZoneFactory
    from onsite.engagement.models import Acknowledgement
    from onsite.inspections.tests.factories import published_standard
    from onsite.surveys.tests.factories import answer, standard_survey

    version = published_standard(center)
    ZoneFactory(center=center, owner=staff_user, area_type=version.standard.area_type)
    survey = standard_survey(center, title="现场管理认同度调查")
    client = client_for(staff_user)
    client.get("/")
    with django_assert_max_num_queries(20):
        page = client.get("/").content.decode()
    assert 'data-testid="to-do"' in page
    assert "现场管理认同度调查" in page
    assert version.standard.title in page
    answer(survey, staff_user, scale=4, single=0)
    Acknowledgement.objects.update_or_create(
        standard_version=version,
        user=staff_user,
        defaults={"center": center, "acknowledged_at": timezone.now()},
    )
    assert 'data-testid="to-do"' not in client.get("/").content.decode()


def to_do_links(page: str) -> list[str]:
    """The hrefs of the home page's to-do entries."""
    import re

    tags = re.findall(r"<a\b[^>]*>", page)
    return [
        re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
        for tag in tags
        if 'data-testid="to-do-item"' in tag
    ]


def test_every_to_do_link_opens_for_the_staff_member(client_for, staff_user, center):
    from onsite.core.tests.factories import ZoneFactory
    from onsite.inspections.tests.factories import published_standard
    from onsite.surveys.tests.factories import standard_survey

    version = published_standard(center)
    ZoneFactory(center=center, owner=staff_user, area_type=version.standard.area_type)
    survey = standard_survey(center, title="现场管理认同度调查")
    client = client_for(staff_user)
    links = to_do_links(client.get("/").content.decode())
    assert f"/surveys/{survey.pk}/answer/" in links
    for link in links:
        assert client.get(link).status_code == 200, link
