"""Pages of inspections through the test client: allowed and denied for each, conflicts,
double submits, photo intake, fixed query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onsite.core.refusals import Refusal
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.inspections import services
from onsite.inspections.models import (
    Answer,
    AnswerPhoto,
    Finding,
    ImprovementProposal,
    Inspection,
    InspectionSettings,
)
from onsite.inspections.tests.conftest import answer, image_upload, inspect
from onsite.standards.models import StandardVersion

pytestmark = pytest.mark.django_db


def start(client, zone, key="k1", kind="supervision"):
    return client.post(
        reverse("zone-inspect", args=[zone.code]), {"kind": kind, "submission_key": key}
    )


def form_data(inspection, *, results, action="save", version=None, key="save-1"):
    data = {"version": version or inspection.version, "action": action, "save_key": key,
            "submit_key": f"submit-{key}"}  # fmt: skip
    for a in inspection.answers.all():
        if a.key in results:
            data[f"a{a.pk}-result"] = results[a.key]
            data[f"a{a.pk}-note"] = f"note {a.key}"
    return data


# --- start -----------------------------------------------------------------------------------


def test_a_supervisor_starts_from_the_zone_qr_and_a_double_tap_makes_one(
    client_for, supervisor, zone
):
    client = client_for(supervisor)
    page = client.get(reverse("zone-inspect", args=[zone.code]))
    assert page.status_code == 200
    assert b'data-testid="start"' in page.content
    first = start(client, zone, key="same")
    second = start(client, zone, key="same")
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Inspection.objects.count() == 1
    assert Inspection.objects.get().standard_version.status == StandardVersion.Status.PUBLISHED


def test_the_zone_owner_may_self_check_but_not_supervise(client_for, owner, zone):
    client = client_for(owner)
    assert b'data-testid="start"' in client.get(reverse("zone-inspect", args=[zone.code])).content
    # Not offered; a posted one is refused as the API refuses it (issue 15: was a form error).
    assert start(client, zone, kind="supervision").status_code == 403
    assert Inspection.objects.count() == 0
    assert start(client, zone, kind="self_check").status_code == 302
    assert Inspection.objects.get().kind == "self_check"


def test_someone_unrelated_reads_but_cannot_start(client_for, center, zone):
    stranger = UserFactory(center=center, roles=["staff"])
    client = client_for(stranger)
    page = client.get(reverse("zone-inspect", args=[zone.code]))
    assert page.status_code == 200
    assert b'data-testid="start"' not in page.content
    assert start(client, zone, kind="self_check").status_code == 403
    assert Inspection.objects.count() == 0


def test_start_denied_across_centers_for_auditors_and_anonymous(
    client, client_for, other_supervisor, auditor, zone
):
    assert client.get(reverse("zone-inspect", args=[zone.code])).status_code == 302
    assert client_for(other_supervisor).get(f"/z/{zone.code}/inspect").status_code == 404
    assert client_for(auditor).get(f"/z/{zone.code}/inspect").status_code == 403


def test_a_zone_without_a_published_standard_says_so(client_for, supervisor, center):
    bare = ZoneFactory(center=center)
    page = client_for(supervisor).get(reverse("zone-inspect", args=[bare.code]))
    assert b'data-testid="no-standard"' in page.content
    assert b'data-testid="start"' not in page.content


# --- answer and submit -----------------------------------------------------------------------


def test_the_checklist_page_saves_and_submits(client_for, supervisor, owner, zone):
    client = client_for(supervisor)
    edit_url = start(client, zone).url
    inspection = Inspection.objects.get()
    page = client.get(edit_url)
    assert page.status_code == 200
    assert page.content.count(b'data-testid="check"') == 7
    results = {"clause:C01": "fail", "clause:C02": "na"}
    assert client.post(edit_url, form_data(inspection, results=results)).status_code == 302
    inspection.refresh_from_db()
    assert inspection.answers.get(key="clause:C02").result == Answer.Result.NOT_APPLICABLE
    incomplete = client.post(edit_url, form_data(inspection, results={}, action="submit", key="2"))
    assert incomplete.status_code == 409  # a clear message, nothing submitted
    assert incomplete["Onsite-Refusal"] == "incomplete"
    assert "尚未作答".encode() in incomplete.content or b"no answer yet" in incomplete.content
    inspection.refresh_from_db()
    assert inspection.is_draft
    done = client.post(edit_url, form_data(inspection, results={}, action="pass_rest", key="3"))
    assert done.status_code == 302
    inspection.refresh_from_db()
    submitted = client.post(edit_url, form_data(inspection, results={}, action="submit", key="4"))
    assert submitted.status_code == 302
    again = client.post(edit_url, form_data(inspection, results={}, action="submit", key="4"))
    assert again.status_code == 302  # a double tap lands on the result, nothing doubles
    inspection.refresh_from_db()
    assert inspection.is_submitted
    # possible 10 + 10 (C03) + 40 (items) = 60 (C02 N/A); C01 loses 5 → 55/60
    assert str(inspection.score) == "91.7"
    assert Finding.objects.count() == 1
    assert owner.rectifications.count() == 1


def test_two_people_saving_the_same_draft_one_wins_one_sees_a_conflict(
    client_for, client, center, supervisor, zone
):
    from django.test import Client

    other = UserFactory(center=center, roles=["supervisor"])
    first, second = Client(), Client()
    first.force_login(supervisor)
    second.force_login(other)
    edit_url = start(first, zone).url
    inspection = Inspection.objects.get()
    seen = inspection.version
    assert second.get(edit_url).status_code == 200  # both opened version `seen`
    ok = first.post(edit_url, form_data(inspection, results={"clause:C01": "pass"}, version=seen))
    assert ok.status_code == 302
    lost = second.post(
        edit_url, form_data(inspection, results={"clause:C01": "fail"}, version=seen, key="b")
    )
    assert lost.status_code == 409
    assert lost["Onsite-Refusal"] == "stale"
    assert "其他人".encode() in lost.content or b"Someone else saved" in lost.content
    assert b'data-testid="unsaved"' in lost.content  # what they typed is shown, not lost
    assert Answer.objects.get(inspection=inspection, key="clause:C01").result == "pass"


def test_others_cannot_open_or_change_a_draft(
    client, client_for, center, supervisor, owner, other_supervisor, zone
):
    edit_url = start(client_for(supervisor), zone).url
    assert client_for(owner).get(edit_url).status_code == 403  # a supervision check
    assert client_for(other_supervisor).get(edit_url).status_code == 404
    client.logout()
    assert client.get(edit_url).status_code == 302


# --- photos ----------------------------------------------------------------------------------


def _draft_answer(client, zone):
    start(client, zone)
    return Inspection.objects.get().answers.get(key="clause:C01")


def test_photos_are_stored_re_encoded_and_served_only_to_those_who_may_see(
    client, client_for, supervisor, other_supervisor, center, zone
):
    client_ = client_for(supervisor)
    target = _draft_answer(client_, zone)
    url = reverse("inspections:photo-upload", args=[target.pk])
    response = client_.post(url, {"photo": [image_upload(), image_upload("b.png")]})
    assert response.status_code == 302
    photos = list(AnswerPhoto.objects.filter(answer=target))
    assert len(photos) == 2
    view = client_.get(reverse("inspections:photo", args=[photos[0].pk]))
    assert view.status_code == 200
    assert view["Content-Type"] == "image/jpeg"
    assert view["X-Content-Type-Options"] == "nosniff"
    assert view["Content-Disposition"].startswith("inline")
    assert bytes(view.content[:3]) == b"\xff\xd8\xff"  # our JPEG, not the uploaded PNG
    stranger = UserFactory(center=center, roles=["staff"])
    assert client_for(stranger).get(reverse("inspections:photo", args=[photos[0].pk])).status_code == 404  # fmt: skip
    assert client_for(other_supervisor).get(reverse("inspections:photo", args=[photos[0].pk])).status_code == 404  # fmt: skip
    client.logout()
    assert client.get(reverse("inspections:photo", args=[photos[0].pk])).status_code == 302


def test_a_non_image_is_refused_with_a_message_and_nothing_saved(client_for, supervisor, zone):
    client = client_for(supervisor)
    target = _draft_answer(client, zone)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script>", "image/jpeg")
    response = client.post(
        reverse("inspections:photo-upload", args=[target.pk]), {"photo": fake}, follow=True
    )
    assert "不是照片".encode() in response.content or b"not a photo" in response.content
    assert AnswerPhoto.objects.count() == 0


def test_an_over_size_image_is_refused_with_a_message_and_nothing_saved(
    client_for, supervisor, zone, settings
):
    client = client_for(supervisor)
    target = _draft_answer(client, zone)
    huge = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (16 * 1024 * 1024), "image/jpeg"
    )
    response = client.post(
        reverse("inspections:photo-upload", args=[target.pk]), {"photo": huge}, follow=True
    )
    assert "过大".encode() in response.content or b"too large" in response.content
    too_many_pixels = image_upload("wide.png", size=(8000, 5100))
    response = client.post(
        reverse("inspections:photo-upload", args=[target.pk]),
        {"photo": too_many_pixels},
        follow=True,
    )
    assert "像素".encode() in response.content or b"too many pixels" in response.content
    assert AnswerPhoto.objects.count() == 0


def test_photo_delete_only_by_an_editor(client_for, supervisor, owner, zone):
    client = client_for(supervisor)
    target = _draft_answer(client, zone)
    client.post(reverse("inspections:photo-upload", args=[target.pk]), {"photo": image_upload()})
    photo = AnswerPhoto.objects.get()
    url = reverse("inspections:photo-delete", args=[photo.pk])
    assert client_for(owner).post(url).status_code in {403, 404}
    assert AnswerPhoto.objects.count() == 1
    assert client_for(supervisor).post(url).status_code == 302
    assert AnswerPhoto.objects.count() == 0


# --- read pages ------------------------------------------------------------------------------


def test_results_findings_and_history(client_for, supervisor, owner, zone):
    inspection = inspect(zone, supervisor, fail=("clause:C01", "items:edge"))
    page = client_for(owner).get(reverse("inspections:inspection-detail", args=[inspection.pk]))
    assert page.status_code == 200
    assert page.content.count(b"list-group-item d-flex justify-content-between") >= 0
    assert b"band-green" in page.content
    finding = Finding.objects.filter(inspection=inspection).first()
    detail = client_for(owner).get(reverse("inspections:finding-detail", args=[finding.pk]))
    assert detail.status_code == 200
    assert b'data-testid="improve-form"' not in detail.content  # staff do not revise standards


def test_read_pages_denied(client, client_for, supervisor, other_supervisor, auditor, center, zone):
    inspection = inspect(zone, supervisor)
    finding = Finding.objects.get()
    urls = [
        reverse("inspections:inspection-detail", args=[inspection.pk]),
        reverse("inspections:finding-detail", args=[finding.pk]),
    ]
    stranger = UserFactory(center=center, roles=["staff"])
    for url in urls:
        assert client_for(other_supervisor).get(url).status_code == 404
        assert client_for(stranger).get(url).status_code == 404
        assert client_for(auditor).get(url).status_code == 403
    for url in [reverse("inspections:inspection-list"), reverse("inspections:finding-list")]:
        assert client_for(auditor).get(url).status_code == 403
        assert client_for(supervisor).get(url).status_code == 200
    client.logout()
    assert client.get(urls[0]).status_code == 302


def test_lists_show_only_what_a_person_may_see(client_for, center, supervisor, owner, zone):
    inspect(zone, supervisor)
    stranger = UserFactory(center=center, roles=["staff"])
    assert b"inspections/" in client_for(owner).get(reverse("inspections:inspection-list")).content
    page = client_for(stranger).get(reverse("inspections:inspection-list"))
    assert zone.code.encode() not in page.content


@pytest.mark.parametrize(
    "name",
    ["inspections:inspection-list", "inspections:finding-list", "rectification:rectification-list"],
)
def test_list_pages_keep_a_fixed_query_count(
    name, client_for, supervisor, owner, center, django_assert_max_num_queries
):
    from onsite.inspections.tests.factories import zone_with_standard

    client = client_for(supervisor)
    zone_one = zone_with_standard(center, owner=owner)[0]
    inspect(zone_one, supervisor)
    client.get(reverse(name))  # warm caches (content types, sessions)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(name)).status_code == 200
    for _n in range(6):
        zone_n = ZoneFactory(center=center, area_type=zone_one.area_type, owner=owner)
        inspect(zone_n, supervisor, fail=("clause:C01", "clause:C02", "items:edge"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


# --- improve ---------------------------------------------------------------------------------


def test_a_finding_becomes_a_revision_proposal_with_a_draft_linked_back(
    client_for, supervisor, owner, zone
):
    inspect(zone, supervisor)
    finding = Finding.objects.get()
    url = reverse("inspections:finding-detail", args=[finding.pk])
    assert client_for(owner).post(url, {"proposal": "改"}).status_code == 403
    response = client_for(supervisor).post(url, {"proposal": "把零食柜移到后台"})
    assert response.status_code == 302
    proposal = ImprovementProposal.objects.get()
    assert proposal.draft.is_draft
    assert proposal.draft.source_url == reverse("inspections:proposal-detail", args=[proposal.pk])
    assert "把零食柜移到后台" in proposal.draft.note
    finding.refresh_from_db()
    assert finding.proposal == proposal
    page = client_for(owner).get(response.url)
    assert page.status_code == 200
    assert b'data-testid="draft-link"' in page.content


def test_a_recurring_failed_check_becomes_one_proposal(client_for, center, supervisor, owner, zone):
    today = datetime.date.today()
    inspect(zone, supervisor, on=today - datetime.timedelta(days=10))
    inspect(zone, supervisor, on=today)
    client = client_for(supervisor)
    page = client.get(reverse("inspections:recurring"))
    assert page.status_code == 200
    assert "× 2".encode() in page.content
    area_type = zone.area_type
    response = client.post(
        reverse("inspections:recurring"),
        {"area_type": area_type.pk, "check_key": "clause:C01", "proposal": "条款写得不清楚"},
    )
    assert response.status_code == 302
    assert ImprovementProposal.objects.get().findings.count() == 2
    assert client_for(owner).get(reverse("inspections:recurring")).status_code == 403


def test_proposal_page_denied_across_centers(client_for, supervisor, other_supervisor, zone):
    inspect(zone, supervisor)
    proposal = services.propose_improvement(
        findings=[Finding.objects.get()], by=supervisor, proposal="改进"
    )
    url = reverse("inspections:proposal-detail", args=[proposal.pk])
    assert client_for(supervisor).get(url).status_code == 200
    assert client_for(other_supervisor).get(url).status_code == 404


# --- settings --------------------------------------------------------------------------------


def test_scoring_settings_per_center(client_for, admin_user, supervisor, center, zone):
    url = reverse("inspections:settings")
    assert client_for(supervisor).get(url).status_code == 403
    client = client_for(admin_user)
    assert client.get(url).status_code == 200
    data = {"pass_mark": 90, "green_from": 95, "yellow_from": 85, "repeat_window_days": 30,
            "repeat_factor": 2, "serious_days": 2, "general_days": 5, "row_version": 1}  # fmt: skip
    assert client.post(url, data).status_code == 302
    settings = InspectionSettings.objects.get(center=center)
    assert (settings.pass_mark, settings.green_from, settings.yellow_from) == (90, 95, 85)
    bad = client.post(url, {**data, "yellow_from": 99, "row_version": settings.version})
    assert bad.status_code == 200
    settings.refresh_from_db()
    assert settings.yellow_from == 85
    inspection = inspect(zone, supervisor, fail=("clause:C01",))  # 75/80 = 93.8 %
    assert inspection.band == "yellow"
    assert inspection.passed is True
    assert inspection.pass_mark == 90
    assert client.post(url, {**data, "row_version": settings.version}).status_code == 302
    stale = client.post(url, {**data, "pass_mark": 70, "row_version": settings.version})
    assert stale.status_code == 409  # someone saved since version 1
    assert stale["Onsite-Refusal"] == "stale"
    settings.refresh_from_db()
    assert settings.pass_mark == 90


def test_answers_only_change_on_drafts(supervisor, zone):
    inspection = inspect(zone, supervisor)
    with pytest.raises(Refusal):
        answer(inspection, supervisor)


def test_the_twin_of_a_double_tapped_submit_lands_on_the_result_not_a_conflict(
    client_for, supervisor, zone, monkeypatch
):
    """Both taps read the draft; the first saves and submits; the second waited on its row
    and finds the version moved. It is answered as the first was: submitted."""
    from onsite.inspections import services as inspection_services
    from onsite.inspections import views as inspection_views

    client = client_for(supervisor)
    edit_url = start(client, zone).url
    inspection = Inspection.objects.get()
    results = {a.key: "pass" for a in inspection.answers.all()}
    as_read = Inspection.objects.get(pk=inspection.pk)  # what the second tap read
    data = form_data(inspection, results=results, action="submit", key="tap")
    assert client.post(edit_url, data).status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).is_submitted
    monkeypatch.setattr(inspection_views.access, "get_inspection", lambda *_a, **_k: as_read)
    monkeypatch.setattr(inspection_services, "existing_submission", lambda **_k: None)
    twin = client.post(edit_url, data)
    assert twin.status_code == 302
    assert twin["Location"] == f"/inspections/{inspection.pk}/"
    assert Inspection.objects.count() == 1
