"""A signed-in person's request body is read before the view (and its transaction) runs: a
photo arriving slowly must not hold the database for the time of its upload."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory

from onsite.core.middleware import body_first_middleware
from onsite.core.tests.factories import UserFactory


def _seen(request):
    """What the view finds already read when it starts."""
    response = HttpResponse()
    response.read_before = "_files" in request.__dict__ or "_body" in request.__dict__
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["multipart", "json"])
def test_a_signed_in_write_arrives_before_the_view(center, kind):
    factory = RequestFactory()
    if kind == "multipart":
        request = factory.post("/x", {"photo": SimpleUploadedFile("a.jpg", b"x" * 1000)})
    else:
        request = factory.post("/x", data='{"a": 1}', content_type="application/json")
    request.user = UserFactory(center=center)
    assert body_first_middleware(_seen)(request).read_before
    if kind == "multipart":
        assert request.FILES["photo"].size == 1000


def test_nobody_s_body_is_read_for_them_and_a_read_is_left_alone():
    request = RequestFactory().post("/x", data='{"a": 1}', content_type="application/json")
    request.user = AnonymousUser()
    assert not body_first_middleware(_seen)(request).read_before
    get = RequestFactory().get("/x")
    get.user = AnonymousUser()
    assert not body_first_middleware(_seen)(get).read_before


@pytest.mark.django_db
def test_a_probed_page_keeps_its_messages_for_the_real_visit(client, center):
    """The phone's script follows a post's redirect itself, then opens the page for real: the
    post's message shows on that real visit, once."""
    from django.contrib import messages as flash
    from django.test import override_settings
    from django.urls import path

    from onsite.core.access import public

    @public
    def leave(request):
        flash.success(request, "已挂签")
        return HttpResponse(status=302, headers={"Location": "/show/"})

    @public
    def show(request):
        return HttpResponse(" ".join(m.message for m in flash.get_messages(request)))

    urls = type("urls", (), {"urlpatterns": [path("leave/", leave), path("show/", show)]})
    with override_settings(ROOT_URLCONF=urls):
        client.post("/leave/")
        assert client.get("/show/", headers={"X-Onsite-Probe": "1"}).content.decode() == "已挂签"
        assert client.get("/show/").content.decode() == "已挂签"  # the real visit
        assert client.get("/show/").content.decode() == ""  # once
