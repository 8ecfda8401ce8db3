"""The phone app shell (issue 16) from the server's side: the manifest, the service worker and
the offline page are open to anyone (they hold nothing of a person); the pages a phone keeps
say so with a header only to a signed-in person; sign-out tells the browser to drop
everything it kept."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.urls import reverse

from onsite.core.offline import HEADER
from onsite.core.tests.factories import UserFactory
from onsite.inspections import services
from onsite.inspections.tests.factories import zone_with_standard
from onsite.site.offline import shell

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_the_person_s_language(client):
    response = client.get(reverse("site:manifest"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"].startswith("application/manifest+json")
    data = json.loads(response.content)
    assert data["short_name"] == "现场管理标准化平台"
    assert data["start_url"] == reverse("site:home")
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    assert any(icon.get("purpose") == "maskable" for icon in data["icons"])
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("site:manifest"))
    assert json.loads(english.content)["short_name"] == "Onsite"


def test_the_worker_keeps_the_floor_s_static_files_under_a_version(client):
    response = client.get(reverse("site:service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]  # a deployment is seen at once
    body = response.content.decode()
    version, assets = shell()
    assert f'"{version}"' in body
    assert "/static/js/outbox.js" in assets
    assert "/static/inspections/inspect.js" in assets
    for url in assets:
        assert client.get(url).status_code == 200, url  # an install fails on any 404


def test_the_offline_page_names_nobody(client, center):
    user = UserFactory(center=center, username="zhang", first_name="张三", roles=["staff"])
    client.force_login(user)
    page = client.get(reverse("site:offline"))
    assert page.status_code == 200
    assert "张三" not in page.content.decode()  # kept for everyone on this phone alike
    assert "csrfmiddlewaretoken" not in page.content.decode()


def test_pages_for_the_floor_are_kept_only_for_a_signed_in_person(client, center):
    sup = UserFactory(center=center, roles=["supervisor"])
    zone, _ = zone_with_standard(center)
    inspection = services.start_inspection(zone=zone, kind="supervision", inspector=sup)
    client.force_login(sup)
    for url in (
        reverse("site:home"),
        reverse("zone-page", args=[zone.code]),
        reverse("inspections:inspection-edit", args=[inspection.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response[HEADER] == "keep", url
        assert b'name="onsite-offline"' in response.content
    # A list is not kept (it is big and read online), nor is a refused or missing page.
    assert HEADER not in client.get(reverse("inspections:inspection-list"))
    missing = client.get(reverse("inspections:inspection-edit", args=[inspection.pk + 99]))
    assert missing.status_code == 404
    assert HEADER not in missing
    client.logout()
    assert HEADER not in client.get(reverse("zone-page", args=[zone.code]))


def test_a_page_another_role_may_not_open_is_not_kept(client, center):
    client.force_login(UserFactory(center=center, roles=["auditor"]))
    refused = client.get(reverse("redtags:tag-create"))
    assert refused.status_code in {403, 404}
    assert HEADER not in refused


def test_sign_out_clears_what_the_phone_kept(client, center):
    client.force_login(UserFactory(center=center, roles=["staff"]))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    home = client.get(reverse("site:home"))
    assert home.status_code == 302  # signed out: no page of theirs to keep


def test_a_deployment_that_changes_a_floor_file_has_a_new_worker(settings, tmp_path, monkeypatch):
    """The worker's version is a digest of the files it keeps: change one, and phones install
    the new worker, which drops the old caches."""
    from django.contrib.staticfiles import finders

    from onsite.site import offline

    (tmp_path / "extra.js").write_text("// one\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    monkeypatch.setattr(offline, "FLOOR_ASSETS", (*offline.FLOOR_ASSETS, "extra.js"))
    finders.get_finder.cache_clear()
    offline.shell.cache_clear()
    try:
        before, assets = offline.shell()
        assert "/static/extra.js" in assets
        assert offline.shell()[0] == before  # the same files, the same worker
        (tmp_path / "extra.js").write_text("// two\n")
        offline.shell.cache_clear()
        assert offline.shell()[0] != before
    finally:
        finders.get_finder.cache_clear()
        offline.shell.cache_clear()


def test_the_browser_s_own_icon_request_finds_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 200
