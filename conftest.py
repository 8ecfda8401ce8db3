"""Suite-wide fixtures: personas of one center and of another, and a real Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable there (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    """The process's cache (rendered dashboards) starts empty for every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _working_day_calendar(request):
    """The working-day calendar is data a migration loads. A transactional test (the live
    server's) flushes every table when it ends, that calendar included, so a later test on
    the same worker would count holidays as working days; put the package's years back."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    from onsite.rectification.calendar import load_from_package
    from onsite.rectification.models import CalendarYear

    if not CalendarYear.objects.exists():
        load_from_package()


# --- personas --------------------------------------------------------------------------


@pytest.fixture
def center(db):
    from onsite.core.tests.factories import CenterFactory

    return CenterFactory(code="xx", name="XX市行政服务中心")


@pytest.fixture
def other_center(db):
    from onsite.core.tests.factories import CenterFactory

    return CenterFactory(code="yy", name="YY市行政服务中心")


def _persona(center, role, username, **kwargs):
    from onsite.core.tests.factories import UserFactory

    return UserFactory(center=center, username=username, roles=[role], **kwargs)


@pytest.fixture
def admin_user(center):
    return _persona(center, "admin", "admin1")


@pytest.fixture
def leader(center):
    return _persona(center, "leader", "leader1")


@pytest.fixture
def office_user(center):
    return _persona(center, "office", "office1")


@pytest.fixture
def supervisor(center):
    return _persona(center, "supervisor", "supervisor1")


@pytest.fixture
def group_leader(center):
    return _persona(center, "group_leader", "groupleader1")


@pytest.fixture
def member(center):
    return _persona(center, "member", "member1")


@pytest.fixture
def staff_user(center):
    from onsite.core.tests.factories import UnitFactory

    return _persona(center, "staff", "staff1", unit=UnitFactory(center=center))


@pytest.fixture
def auditor(center):
    return _persona(center, "auditor", "auditor1")


@pytest.fixture
def viewer(center, other_center):
    from onsite.core.tests.factories import UserFactory

    user = UserFactory(center=None, username="viewer1", roles=["viewer"])
    user.viewable_centers.add(center)
    return user


@pytest.fixture
def other_admin(other_center):
    return _persona(other_center, "admin", "otheradmin")


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(30_000)  # a loaded CI machine, not a slow page
    page = context.new_page()
    errors = watch_for_errors(page)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


def watch_for_errors(page) -> list[str]:
    """Script errors, CSP violations and missing assets fail the test. A 404 or 403 *page*
    may be what the test wants to see, so documents and API calls are left to the test."""
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type not in {
            "document",
            "fetch",
            "xhr",
        }:
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", on_response)
    return errors


@pytest.fixture
def phone_page(chromium, live_server):
    from onsite.core.tests.browser import phone_context  # project code: after Django is set up

    context = phone_context(chromium, live_server, timeout=30_000)
    page = context.new_page()
    errors = watch_for_errors(page)
    yield page
    context.close()
    assert not errors, f"browser errors: {errors}"


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failed run: a missing service or browser must not hide."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and session.exitstatus == 0:
        reporter.write_line(
            f"CI: {skipped} test(s) skipped; nothing may be skipped in CI.", red=True
        )
        session.exitstatus = 1
