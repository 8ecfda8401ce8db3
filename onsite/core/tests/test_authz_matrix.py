"""The authorization matrix: every page × every role (and anonymous) against the declared
policy in onsite/core/policy.py. A page without a policy entry fails the meta-test."""

import re

import pytest

from onsite.accounts.models import Role
from onsite.core.policy import POLICY, walk_urls
from onsite.core.tests.factories import UnitFactory, UserFactory

ROUTES = {name: route for route, name, _view in walk_urls()}
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


def test_every_page_has_a_policy_entry():
    missing = sorted(set(ROUTES) - set(POLICY))
    assert not missing, f"pages without an entry in onsite/core/policy.py: {missing}"


def test_the_policy_names_no_page_that_is_gone():
    assert not sorted(set(POLICY) - set(ROUTES))


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
    access = POLICY.get(name)
    if access is None:
        pytest.fail(f"{name} has no policy entry")
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
