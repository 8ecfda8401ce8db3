"""The dashboards' rendered fragments in the shared cache of several app servers: a real
Redis on 127.0.0.1:6379 (CACHE_URL), each test under its own key prefix."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.core.cache import caches

from onsite.core.cache import ForgivingRedisCache
from onsite.dashboards.tests.factories import hall

pytestmark = pytest.mark.django_db
REDIS = "redis://127.0.0.1:6379/0"


def redis_config(prefix: str, location: str = REDIS) -> dict:
    return {
        "default": {
            "BACKEND": "onsite.core.cache.ForgivingRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def shared(settings):
    """Redis as the cache, under a prefix of this test; its keys are removed afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = redis_config(prefix)  # Django's test signal rebuilds the cache handler
    server = redis.Redis.from_url(REDIS)
    yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def keys(server, prefix):
    return sorted(key.decode().split(":", 2)[2] for key in server.scan_iter(f"{prefix}:*"))


def server_pair(prefix):
    """Two app servers' caches: separate clients, separate processes' worth of state."""
    params = {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 1}}
    return ForgivingRedisCache(REDIS, params), ForgivingRedisCache(REDIS, params)


def test_what_one_app_server_caches_the_other_reads(shared):
    _server, prefix = shared
    first, second = server_pair(prefix)
    first.set("dash:1:zh-hans:board", "<p>42</p>", 60)
    assert second.get("dash:1:zh-hans:board") == "<p>42</p>"
    second.delete("dash:1:zh-hans:board")
    assert first.get("dash:1:zh-hans:board") is None


def test_dashboard_fragments_are_keyed_by_center_and_language(
    shared, client_for, leader, supervisor, other_admin, center, other_center
):
    server, prefix = shared
    hall(center)
    hall(other_center, units=1, zones_per_unit=1, prefix="y")
    page = client_for(leader).get("/dashboards/")
    assert page.status_code == 200
    stored = keys(server, prefix)
    assert len(stored) == 1
    assert stored[0].startswith(f"dash:{center.pk}:zh-hans:board:")
    # Another reader of the same center is served from the shared rendering; another center
    # and another language get their own.
    again = client_for(supervisor).get("/dashboards/")
    assert again.context.get("board") is None, "rendered by nobody: read from the cache"
    client_for(other_admin).get("/dashboards/")
    client_for(leader).post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client_for(leader).get("/dashboards/")
    assert "Dashboard" in english.content.decode()
    centers_and_languages = sorted(":".join(key.split(":")[1:3]) for key in keys(server, prefix))
    assert centers_and_languages == sorted(
        [f"{center.pk}:zh-hans", f"{center.pk}:en", f"{other_center.pk}:zh-hans"]
    )
    for key in keys(server, prefix):
        html = caches["default"].get(key)
        assert "csrfmiddlewaretoken" not in html, "nothing of one reader's session is shared"
        assert leader.username not in html


def test_a_cache_that_is_down_costs_time_not_the_page(settings, client_for, leader, center):
    settings.CACHES = redis_config("down", location="redis://127.0.0.1:1/0")
    hall(center)
    page = client_for(leader).get("/dashboards/")
    assert page.status_code == 200
    assert page.context["board"] is not None
    assert caches["default"].get("anything") is None
    caches["default"].set("anything", 1)  # dropped, not raised
