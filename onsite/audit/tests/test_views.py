import csv
import io

import pytest
from openpyxl import load_workbook

from onsite.audit.models import AuditEvent
from onsite.audit.services import record_event
from onsite.core.tests.factories import UserFactory


def rows_of_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_auditor_reads_the_trail_of_their_center_only(client_for, auditor, other_center):
    record_event(None, action="mine.event", center=auditor.center)
    record_event(None, action="theirs.event", center=other_center)
    record_event(None, action="auth.login_failed", detail={"username": "nobody"})
    body = client_for(auditor).get("/audit/").content.decode()
    assert "mine.event" in body
    assert "theirs.event" not in body
    assert "auth.login_failed" in body, "events of no center concern every auditor"


@pytest.mark.parametrize(
    "persona", ["admin_user", "leader", "supervisor", "staff_user", "viewer", "other_admin"]
)
@pytest.mark.parametrize(
    ("method", "url"), [("get", "/audit/"), ("post", "/audit/export/"), ("post", "/audit/verify/")]
)
def test_nobody_else_reads_exports_or_verifies(client_for, request, persona, method, url):
    user = request.getfixturevalue(persona)
    response = getattr(client_for(user), method)(url, {"format": "csv"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=user).exists()


@pytest.mark.parametrize(
    ("method", "url"), [("get", "/audit/"), ("post", "/audit/export/"), ("post", "/audit/verify/")]
)
def test_anonymous_is_sent_to_sign_in(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_export_and_verify_need_post(client_for, auditor):
    client = client_for(auditor)
    assert client.get("/audit/export/?format=csv").status_code == 405
    assert client.get("/audit/verify/").status_code == 405


def test_filters_narrow_the_list(client_for, auditor, center):
    amy = UserFactory(center=center, username="amy", full_name="艾米")
    record_event(None, action="auth.login", actor=amy, center=center)
    record_event(None, action="inspection.submit", center=center)
    record_event(None, action="auth.login_failed", outcome="failure", center=center)
    client = client_for(auditor)
    body = client.get("/audit/", {"action": "auth."}).content.decode()
    assert "auth.login" in body
    assert "inspection.submit" not in body
    body = client.get("/audit/", {"outcome": "failure"}).content.decode()
    assert "auth.login_failed" in body
    assert ">auth.login</code>" not in body
    body = client.get("/audit/", {"actor": "amy"}).content.decode()
    assert "艾米" in body
    assert "inspection.submit" not in body


def test_a_backwards_date_range_is_explained(client_for, auditor):
    client = client_for(auditor)
    client.post("/i18n/setlang/", {"language": "en"})
    body = client.get("/audit/", {"date_from": "2026-05-02", "date_to": "2026-05-01"}).content
    assert "The start date is after the end date." in body.decode()


def test_pages_keep_the_filters(client_for, auditor, center):
    for n in range(60):
        record_event(None, action=f"auth.x{n}", center=center)
    body = client_for(auditor).get("/audit/", {"action": "auth."}).content.decode()
    assert "?action=auth.&amp;page=2" in body


def test_the_list_costs_the_same_number_of_queries_for_more_events(
    client_for, auditor, center, django_assert_max_num_queries
):
    client = client_for(auditor)
    for n in range(3):
        record_event(None, action=f"a.{n}", center=center)
    with django_assert_max_num_queries(12) as small:
        client.get("/audit/")
    for n in range(120):
        record_event(None, action=f"b.{n}", center=center, actor=auditor)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/audit/")


def test_csv_export_is_formula_safe_scoped_and_audited(client_for, auditor, center, other_center):
    record_event(None, action="org.unit_update", center=center, detail={"name": "=HYPERLINK(1)"})
    evil = UserFactory(center=center, username="evil", full_name="=cmd|' /C calc'!A0")
    record_event(None, action="auth.login", actor=evil, center=center)
    record_event(None, action="theirs", center=other_center)
    client = client_for(auditor)
    client.cookies["django_language"] = "en"
    response = client.post("/audit/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith("\ufeff".encode()), "Excel reads it as UTF-8"
    header, *rows = rows_of_csv(response)
    assert header[:3] == ["Sequence", "Time", "Service center"]
    names = [row[header.index("Actor")] for row in rows]
    assert "'=cmd|' /C calc'!A0" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "theirs" not in {row[header.index("Action code")] for row in rows}
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == auditor
    assert export.detail["rows"] == len(rows)


def test_xlsx_export_never_stores_a_formula(client_for, auditor, center):
    evil = UserFactory(center=center, username="evil", full_name="=1+1")
    record_event(None, action="auth.login", actor=evil, center=center)
    response = client_for(auditor).post("/audit/export/", {"format": "xlsx", "action": "auth."})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in values)
    (risky,) = [cell for cell in values if cell.value == "=1+1"]
    assert risky.data_type == "s"
    assert risky.quotePrefix


def test_export_with_a_bad_filter_explains_and_exports_nothing(client_for, auditor):
    response = client_for(auditor).post(
        "/audit/export/", {"format": "pdf", "date_from": "yesterday"}, follow=True
    )
    assert "无法导出" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_too_large_an_export_asks_for_a_narrower_range(client_for, auditor, center, settings):
    settings.AUDIT_EXPORT_MAX_ROWS = 3
    for n in range(4):
        record_event(None, action=f"x.{n}", center=center)
    response = client_for(auditor).post("/audit/export/", {"format": "csv"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_auditor_verifies_the_chain_from_the_page(client_for, auditor, center):
    record_event(None, action="x", center=center)
    response = client_for(auditor).post("/audit/verify/", follow=True)
    assert "审计链完整" in response.content.decode()
    assert AuditEvent.objects.filter(action="audit.verify", outcome="success").exists()
