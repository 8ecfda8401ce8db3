"""A page's declaration of who may open it, when it names no roles: `signed_in` lets anyone
signed in through (the auditor too) and sends the rest to sign in; `public` only marks the
page. Both leave the mark the site's policy reads back."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from onsite.core import access


def page(request):
    return HttpResponse("ok")


def test_a_signed_in_page_sends_a_stranger_to_sign_in_and_lets_anyone_signed_in_through(
    auditor,
):
    view = access.signed_in(page)
    assert view.audience == access.SIGNED_IN
    request = RequestFactory().get("/mine/")
    request.user = auditor
    assert view(request).status_code == 200
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_public_page_is_only_marked():
    view = access.public(page)
    assert view is page
    assert view.audience == access.PUBLIC
