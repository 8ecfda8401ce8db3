"""The authorization matrix: every page × every role (and anonymous) against what the page
declares on its view (read back by onsite/site/policy.py). A page that declares nothing, and
is not among the policy's few exceptions, fails the meta-test."""

import re

import pytest

from onsite.accounts.models import Role
from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.site.policy import OWN, UNDECLARED, declared_access, policy, walk_urls

ROUTES = {name: route for route, name, _view in walk_urls()}
VIEWS = {name: view for _route, name, view in walk_urls()}
# Values for URL parameters: objects that do not exist, so an allowed role reaches the
# view's own lookup (a 404) while a refused role is stopped by the gate before it (a 403).
PLACEHOLDERS = {
    "int": "999999",
    "level": "99",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "zz/none",
}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
LOGIN = "/accounts/login/"


def sample_path(route: str) -> str:
    return "/" + PARAM.sub(lambda m: PLACEHOLDERS.get(m.group(1) or "str", "zz-none"), route)


def test_every_page_declares_who_may_open_it():
    missing = sorted(set(ROUTES) - set(policy()))
    assert not missing, (
        f"pages whose view declares no access (role_required, signed_in or public from "
        f"onsite/core/access.py): {missing}"
    )


def test_the_exceptions_name_only_pages_that_exist_and_declare_nothing():
    assert sorted(set(UNDECLARED) - set(ROUTES)) == []
    assert sorted(set(OWN) - set(ROUTES)) == []
    declared = [name for name in UNDECLARED if declared_access(VIEWS[name]) is not None]
    assert declared == [], "these pages now declare their access: drop them from UNDECLARED"


@pytest.fixture
def people(center):
    unit = UnitFactory(center=center)
    users = {
        role: UserFactory(center=center, unit=unit, roles=[role])
        for role in Role.values
        if role != Role.VIEWER
    }
    viewer = UserFactory(center=None, roles=[Role.VIEWER])
    viewer.viewable_centers.add(center)
    users[Role.VIEWER] = viewer
    return users


def visit(client, path):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_the_page_admits_exactly_the_declared_roles(name, people, client):
    access = policy().get(name)
    if access is None:
        pytest.fail(f"{name} declares no access")
    path = sample_path(ROUTES[name])
    wrong = []

    anonymous = visit(client, path)
    sent_to_login = anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN)
    if access.public == sent_to_login:
        wrong.append(f"anonymous: {anonymous.status_code} {anonymous.get('Location', '')}")

    for role, user in people.items():
        client.force_login(user)
        status = visit(client, path).status_code
        admitted = access.roles is None or role in access.roles
        if admitted and access.write and role == Role.VIEWER:
            admitted = False
        refused = status == 403 and not access.own
        if (admitted and refused) or (not admitted and status != 403) or status >= 500:
            wrong.append(f"{role}: {status} (expected {'access' if admitted else '403'})")
        client.logout()
    assert not wrong, f"{name} ({path}): " + "; ".join(wrong)
