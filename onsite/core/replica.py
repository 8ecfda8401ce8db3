"""Reads from a PostgreSQL streaming replica, where that is safe (docs/deployment.md).

Only the heavy read-only pages opt in (`@replica_reads`: dashboards, heat map, scorecards,
rankings, reports, exports), and the background files the task worker makes (reports,
exports, QR cards: `onsite.core.jobs.run_job`), those only when the replica is behind by less
than the time since the file was asked for. Inside them the router sends reads to the
`replica` alias, except:
- every write, and every read of the primary-only apps (the audit chain, accounts and their
  sessions, the task queue): always the primary;
- a person who wrote in the last READ_YOUR_WRITES_SECONDS: the primary, so what they just
  submitted shows at once (remembered in their session, and in the shared cache for API
  tokens);
- a replica that lags more than REPLICA_MAX_LAG_SECONDS, or does not answer: the primary
  (checked at most every REPLICA_CHECK_SECONDS per process; /healthz reports it). A page
  whose replica fails half way is served again from the primary.
Without DATABASE_REPLICA_URL there is no `replica` alias and none of this does anything."""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

logger = logging.getLogger(__name__)
T = TypeVar("T")
REPLICA = "replica"
PRIMARY = "default"
# Never read from the replica: the audit chain (each row hashes the one before), who may sign
# in and their sessions, the task queue's claims, migrations' own bookkeeping.
PRIMARY_ONLY = frozenset({"audit", "accounts", "sessions", "auth", "contenttypes",
                          "django_tasks_db", "migrations"})  # fmt: skip
WROTE_AT = "onsite_wrote_at"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reading: ContextVar[bool] = ContextVar("onsite_replica_reading", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


# --- health ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    state: str  # none, ok, lagging, unavailable
    lag: float | None = None

    @property
    def usable(self) -> bool:
        return self.state == "ok"


LAG_SQL = """
SELECT pg_is_in_recovery(),
       (SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
       END
"""


def measure() -> Health:
    """Asks the replica how far behind it is, now."""
    if not configured():
        return Health("none")
    connection = connections[REPLICA]
    try:
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:  # no replication to measure: it answers or not
                cursor.execute("SELECT 1")
            return Health("ok", 0.0)
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            recovering, streaming, lag = cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("replica unavailable: %s", exc)
        connection.close()
        return Health("unavailable")
    if not recovering:  # the same server under another name: nothing to lag behind
        return Health("ok", 0.0)
    lag = float(lag)
    if not streaming and lag == 0:
        # Replayed all it received, but receives nothing: its age is the last replay's.
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
            lag = float(cursor.fetchone()[0] or 1e9)
    state = "ok" if lag <= settings.REPLICA_MAX_LAG_SECONDS else "lagging"
    return Health(state, round(lag, 3))


class _Checked:
    health = Health("none")
    at = float("-inf")


def health(*, fresh: bool = False) -> Health:
    """The replica's health, measured at most every REPLICA_CHECK_SECONDS in this process."""
    now = time.monotonic()
    if fresh or now - _Checked.at >= settings.REPLICA_CHECK_SECONDS:
        _Checked.health, _Checked.at = measure(), now
    return _Checked.health


def mark_unavailable() -> None:
    _Checked.health, _Checked.at = Health("unavailable"), time.monotonic()


def forget() -> None:
    """Drops the kept measurement: the next read measures the replica again (after its
    settings changed, in tests)."""
    _Checked.health, _Checked.at = Health("none"), float("-inf")


# --- read-your-writes ---------------------------------------------------------------------------


def _user_key(user_id: Any) -> str:
    return f"replica:wrote:{user_id}"


def remember_write(request: HttpRequest) -> None:
    now = time.time()
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session[WROTE_AT] = now
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_user_key(user.pk), now, settings.READ_YOUR_WRITES_SECONDS)


def wrote_recently(request: HttpRequest) -> bool:
    window = settings.READ_YOUR_WRITES_SECONDS
    session = getattr(request, "session", None)
    at = session.get(WROTE_AT) if session is not None else None
    if at is not None and time.time() - float(at) < window:
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return cache.get(_user_key(user.pk)) is not None
    return False


def remember_writes_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Any:
    """After a request that may have written (any unsafe method), this person reads from the
    primary for a while."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.method not in SAFE_METHODS and configured():
            remember_write(request)
        return response

    return middleware


# --- the opt-in and the router --------------------------------------------------------------------


def may_read_replica(request: HttpRequest) -> bool:
    return (
        configured()
        and request.method in SAFE_METHODS
        and not wrote_recently(request)
        and health().usable
    )


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a heavy read-only page whose reads may come from the replica."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_read_replica(request):
            return view(request, *args, **kwargs)
        return on_replica(lambda: view(request, *args, **kwargs), doing=request.path)

    return wrapped


def job_may_read(found: Health, *, waited: float) -> bool:
    """Whether a background job asked for `waited` seconds ago may read a replica in the
    state `found`: only if the replica is behind by less than that, so every write committed
    before the job was asked for is there (read-your-writes for whoever asked, by
    construction: they cannot have written after asking)."""
    return found.usable and found.lag is not None and found.lag < waited


def may_read_replica_for_job(requested_at: datetime.datetime) -> bool:
    """`job_may_read` for a job asked for at `requested_at`, with the replica measured now
    (one query: a job runs once, a kept measurement may be seconds old)."""
    if not configured():
        return False
    waited = (timezone.now() - requested_at).total_seconds()
    return job_may_read(health(fresh=True), waited=waited)


def on_replica(call: Callable[[], T], *, doing: str) -> T:
    """Runs `call` with its reads on the replica; if the replica stops answering half way,
    runs it again on the primary (a page served again, a file made again)."""
    token = _reading.set(True)
    try:
        return call()
    except DatabaseError as exc:
        if not _replica_failed():
            raise
        logger.warning("replica failed during %s, done again on the primary: %s", doing, exc)
    finally:
        _reading.reset(token)
    return call()


def _replica_failed() -> bool:
    """After an error on a page reading the replica: True (and the replica marked down)
    when the replica no longer answers, so the page is worth serving again."""
    if measure().usable:
        return False
    mark_unavailable()
    return True


def reading_replica() -> bool:
    return _reading.get()


class ReplicaRouter:
    """Reads of the opted-in pages go to the replica; everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if _reading.get() and model._meta.app_label not in PRIMARY_ONLY:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
