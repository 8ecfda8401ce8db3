import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(client, django_db_blocker):
    with django_db_blocker.unblock():
        saved = dict(connection.settings_dict)
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent-dir/onsite/missing.sqlite3"
        else:
            connection.settings_dict["NAME"] = "onsite_database_that_does_not_exist"
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_healthz_refuses_a_state_change(client):
    assert client.post("/healthz").status_code == 405
