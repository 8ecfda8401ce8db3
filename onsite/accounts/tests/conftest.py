import re

import pytest

from onsite.accounts.tests.clock import clock  # noqa: F401 - a fixture

PASSWORD = "pw-Onsite-2026"


@pytest.fixture
def sign_in(client):
    """Signs in through the login page (not force_login): lockout, rotation and the
    session stamps are part of what is tested."""

    def post(username, password=PASSWORD, ip="127.0.0.1", **extra):
        return client.post(
            "/accounts/login/",
            {"username": username, "password": password, **extra},
            REMOTE_ADDR=ip,
        )

    return post


def without_tokens(body: bytes) -> str:
    """A page with its per-render CSRF token removed, for comparing two answers."""
    return re.sub(r"[A-Za-z0-9]{64}", "…", body.decode())
