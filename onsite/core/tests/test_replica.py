"""The read replica's router (onsite/core/replica.py), with a real second connection: in
these tests the `replica` alias is another connection to the test database, as a replica
is another server with the same data. (Real streaming replication, lag and a replica stopped
mid-run: `make scale-check`.)"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onsite.audit.models import AuditEvent
from onsite.core import replica
from onsite.dashboards.tests.factories import hall
from onsite.org.models import Zone

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """The `replica` alias for this module's tests, there before each test's database set-up
    (which allows the aliases it names); a mirror, so nothing is flushed twice."""
    config = {
        **connections["default"].settings_dict,
        "ATOMIC_REQUESTS": False,  # as settings.py configures a replica: it is only read
        "TEST": {"MIRROR": "default"},
    }
    django_settings.DATABASES["replica"] = config
    connections.settings["replica"] = config
    yield
    connections["replica"].close()
    connections.settings.pop("replica", None)
    django_settings.DATABASES.pop("replica", None)


@pytest.fixture
def with_replica():
    replica.forget()
    yield connections["replica"]
    connections["replica"].close()


@pytest.fixture
def dead_replica(tmp_path):
    settings_dict = connections["replica"].settings_dict
    kept = dict(settings_dict)
    connections["replica"].close()
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "replica.sqlite3")
    else:
        settings_dict["PORT"] = "1"  # nothing listens there
    replica.forget()
    yield
    connections["replica"].close()
    settings_dict.update(kept)
    replica.forget()


def tables(queries):
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_the_dashboard_reads_the_replica_and_never_the_audit_chain_there(
    client_for, leader, center, with_replica
):
    hall(center)
    client = client_for(leader)
    with CaptureQueriesContext(with_replica) as on_replica:
        assert client.get("/dashboards/").status_code == 200
    assert "org_zone" in tables(on_replica), "the figures came from the replica"
    sql = tables(on_replica)
    assert not re.search(r'(FROM|JOIN) "audit_', sql), "the audit chain: the primary only"
    # Who is signed in, their session and the task queue are read from the primary (a
    # figure may still join a person's name in).
    for primary_only in ("accounts_", "django_session", "django_tasks"):
        assert not re.search(rf'FROM "{primary_only}', sql)


def test_someone_who_just_wrote_reads_the_primary(client_for, leader, center, with_replica):
    hall(center)
    client = client_for(leader)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})  # any write
    with CaptureQueriesContext(with_replica) as on_replica:
        assert client.get("/dashboards/").status_code == 200
        assert client.get("/dashboards/scorecards/").status_code == 200
    assert on_replica.captured_queries == [], "read-your-writes: all from the primary"


def test_another_reader_is_not_held_to_the_primary_by_someone_elses_write(
    client_for, leader, supervisor, center, with_replica, client
):
    hall(center)
    client_for(leader).post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    other = Client()  # a second browser: its own session
    other.force_login(supervisor)
    with CaptureQueriesContext(with_replica) as on_replica:
        assert other.get("/dashboards/scorecards/").status_code == 200
    assert on_replica.captured_queries


def test_pages_that_did_not_opt_in_and_writes_stay_on_the_primary(
    client_for, leader, admin_user, center, with_replica
):
    hall(center)
    with CaptureQueriesContext(with_replica) as on_replica:
        assert client_for(admin_user).get("/org/zones/").status_code == 200
    assert on_replica.captured_queries == []
    router = replica.ReplicaRouter()
    token = replica._reading.set(True)
    try:
        assert router.db_for_read(Zone) == "replica"
        assert router.db_for_read(AuditEvent) == "default"
        assert router.db_for_write(Zone) == "default"
        assert router.allow_migrate("replica", "org") is False
    finally:
        replica._reading.reset(token)


def test_a_replica_that_is_down_leaves_the_pages_on_the_primary(
    client_for, leader, center, dead_replica, client
):
    hall(center)
    assert client_for(leader).get("/dashboards/").status_code == 200
    assert client_for(leader).get("/dashboards/heatmap/").status_code == 200
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["replica"] == "unavailable"


def test_health_reports_a_replica_that_answers(client, db, with_replica):
    health = client.get("/healthz").json()
    assert health["replica"] == "ok"
    assert health["replica_lag_seconds"] == 0.0


def export_job(center, leader):
    from onsite.dashboards.models import ReportJob  # a job of the app above core

    month = datetime.date.today().replace(day=1)
    return ReportJob.objects.create(center=center, kind="findings", month_from=month,
                                    month_to=month, requested_by=leader)  # fmt: skip


def test_an_export_in_the_worker_reads_the_replica(center, leader, with_replica):
    from onsite.dashboards.jobs import run_job

    hall(center)
    job = export_job(center, leader)
    with CaptureQueriesContext(with_replica) as on_replica:
        assert run_job(job.pk) == "done"
    assert "inspections_" in tables(on_replica), "the rows came from the replica"
    assert not re.search(r'(FROM|JOIN) "audit_', tables(on_replica))
    job.refresh_from_db()
    assert job.file


def test_an_export_whose_replica_is_down_is_made_from_the_primary(center, leader, dead_replica):
    from onsite.dashboards.jobs import run_job

    hall(center)
    job = export_job(center, leader)
    assert run_job(job.pk) == "done"


def test_a_job_reads_the_replica_only_if_it_lags_less_than_the_job_waited():
    # Everything committed before the job was asked for must be on the replica: what the
    # person who asked wrote just before is in their file.
    assert replica.job_may_read(replica.Health("ok", 0.4), waited=2.0)
    assert not replica.job_may_read(replica.Health("ok", 3.0), waited=2.0)
    assert not replica.job_may_read(replica.Health("lagging", 0.1), waited=60.0)
    assert not replica.job_may_read(replica.Health("unavailable"), waited=60.0)
