"""The photo check in the flow: a stored photo is analysed by the task (the real analysis, the
real detector) into draft findings; accepting one fails its check the normal way; a broken or
hostile photo fails only its analysis; another center's reference is never used."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from onsite.audit.models import AuditEvent
from onsite.core.tests.factories import UserFactory, ZoneFactory
from onsite.inspections import services as inspections
from onsite.inspections.models import Answer, Finding, Inspection
from onsite.inspections.tests.conftest import answer as answer_all
from onsite.rectification.models import Rectification
from onsite.standards.models import ItemFiling, ItemRule
from onsite.standards.queries import published_version
from onsite.standards.tests.factories import ItemFactory, ItemRuleFactory
from onsite.vision import markers, services
from onsite.vision.models import DraftFinding, PhotoAnalysis, ReferencePhoto
from onsite.vision.rules import reference_for, rules_for
from onsite.vision.tasks import FAILED, UNREADABLE, run_analysis
from onsite.vision.tests.flow import (
    ITEM,
    SIZE,
    bomb_png,
    checked_zone,
    coffee,
    counter_scene,
    first_clause,
    photo_check_on,
    start,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(center):
    return UserFactory(center=center, username="owner1", roles=["staff"])


@pytest.fixture
def zone(center, owner):
    return checked_zone(center, owner=owner)[0]


def take_reference(zone, by, data=None):
    return services.add_reference_photo(zone=zone, by=by, upload=upload(data or counter_scene()))


def add_photo(answer, by, data, capture):
    """Stores a photo as the checklist does; the task runs when the transaction commits."""
    with capture(execute=True):
        return inspections.add_photo(answer=answer, by=by, upload=upload(data))


def only_phones(center, zone):
    """The zone's standard allows a phone (which the detector knows) and nothing else it knows."""
    version = published_version(zone)
    ItemRuleFactory(
        standard_version=version,
        item=ItemFactory(center=center, code="phone", name="电话", vision_kind="phone"),
    )


def test_the_task_turns_a_photo_with_an_added_item_into_one_added_draft(
    zone, supervisor, django_capture_on_commit_callbacks
):
    reference = take_reference(zone, supervisor)
    inspection = start(zone, supervisor)
    check = first_clause(inspection)

    photo = add_photo(
        check, supervisor, counter_scene(item=True), django_capture_on_commit_callbacks
    )

    analysis = PhotoAnalysis.objects.get(photo=photo)
    assert analysis.status == PhotoAnalysis.Status.DONE, analysis.error
    assert analysis.reference == reference
    assert analysis.alignment in {"features", "markers"}
    assert analysis.model_name
    assert analysis.seconds is not None
    assert analysis.finished_at
    drafts = list(analysis.drafts.all())
    assert [d.kind for d in drafts] == ["added"]
    draft = drafts[0]
    assert draft.answer == check
    assert draft.status == DraftFinding.Status.PROPOSED
    # the box covers the parcel drawn on the counter (fractions of the photo)
    x0, y0, x1, y1 = (ITEM[0] / SIZE[0], ITEM[1] / SIZE[1], ITEM[2] / SIZE[0], ITEM[3] / SIZE[1])
    cx, cy = draft.x + draft.w / 2, draft.y + draft.h / 2
    assert x0 < cx < x1, (draft.x, draft.w)
    assert y0 < cy < y1, (draft.y, draft.h)
    # nothing of the inspection changed
    check.refresh_from_db()
    assert check.result == ""
    assert check.note == ""


def test_the_same_photo_as_the_reference_gives_no_draft(
    zone, supervisor, django_capture_on_commit_callbacks
):
    take_reference(zone, supervisor)
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, counter_scene(), django_capture_on_commit_callbacks)
    analysis = PhotoAnalysis.objects.get(photo=photo)
    assert analysis.status == PhotoAnalysis.Status.DONE
    assert list(analysis.drafts.values_list("kind", flat=True)) == []


def test_an_item_the_standard_does_not_allow_becomes_a_not_allowed_draft(
    center, supervisor, django_capture_on_commit_callbacks
):
    zone, version = checked_zone(center, with_items=False)
    ItemRuleFactory(
        standard_version=version,
        item=ItemFactory(center=center, code="phone", name="电话", vision_kind="phone"),
    )
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, coffee(), django_capture_on_commit_callbacks)
    analysis = PhotoAnalysis.objects.get(photo=photo)
    assert analysis.status == PhotoAnalysis.Status.DONE, analysis.error
    assert analysis.alignment == "no-reference"
    assert [(d.kind, d.item) for d in analysis.drafts.all()] == [("not_allowed", "cup")]


def test_a_filed_cup_is_allowed(center, supervisor, django_capture_on_commit_callbacks):
    zone, version = checked_zone(center, with_items=False)
    ItemRuleFactory(
        standard_version=version,
        item=ItemFactory(center=center, code="phone", name="电话", vision_kind="phone"),
    )
    today = timezone.localdate()
    ItemFiling.objects.create(
        center=center, zone=zone, item=ItemFactory(center=center, code="mug", vision_kind="cup"),
        quantity=1, reason="保温杯", valid_from=today, valid_to=today,
        status=ItemFiling.Status.APPROVED,
    )  # fmt: skip
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, coffee(), django_capture_on_commit_callbacks)
    assert PhotoAnalysis.objects.get(photo=photo).drafts.count() == 0


def test_running_the_task_twice_stores_the_drafts_once(
    center, zone, supervisor, django_capture_on_commit_callbacks
):
    only_phones(center, zone)
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, coffee(), django_capture_on_commit_callbacks)
    assert DraftFinding.objects.filter(analysis__photo=photo).count() == 1
    assert run_analysis(photo.pk) == "done"
    assert services.queue_analysis(photo) is not None  # already there: not queued again
    assert PhotoAnalysis.objects.filter(photo=photo).count() == 1
    assert DraftFinding.objects.filter(analysis__photo=photo).count() == 1


def test_rules_come_from_the_version_and_the_filings_on_the_inspection_day(center, supervisor):
    zone, version = checked_zone(center, with_items=False)
    version.default_edge_distance_mm = 50
    version.save()
    ItemRuleFactory(standard_version=version, item=ItemFactory(center=center, code="m1",
                    vision_kind="monitor"), max_quantity=1, min_edge_distance_mm=80)  # fmt: skip
    ItemRuleFactory(standard_version=version, item=ItemFactory(center=center, code="m2",
                    vision_kind="monitor"), max_quantity=1)  # fmt: skip
    ItemRuleFactory(standard_version=version, item=ItemFactory(center=center, code="pen"),
                    max_quantity=None)  # fmt: skip
    ItemRuleFactory(standard_version=version, item=ItemFactory(center=center, code="snack",
                    vision_kind="food"), kind=ItemRule.Kind.BANNED)  # fmt: skip
    ItemRuleFactory(standard_version=version, item=ItemFactory(center=center, code="bag",
                    vision_kind="bag"), kind=ItemRule.Kind.BANNED)  # fmt: skip
    today = timezone.localdate()
    for code, kind, days in (("mug", "cup", 0), ("bag2", "bag", 0), ("old", "book", -3)):
        ItemFiling.objects.create(
            center=center, zone=zone, item=ItemFactory(center=center, code=code, vision_kind=kind),
            quantity=2, reason="报备", valid_from=today + datetime.timedelta(days=days - 1),
            valid_to=today + datetime.timedelta(days=days), status=ItemFiling.Status.APPROVED,
        )  # fmt: skip
    rules = rules_for(start(zone, supervisor))
    assert rules.allowed == {"monitor": 2, "cup": 2, "bag": 2}
    assert rules.banned == frozenset({"food"})  # the filed bag is allowed
    assert rules.edge_mm == 80  # the strictest
    assert rules.counter_mm == (version.width_mm, version.depth_mm)


def test_another_centers_reference_is_never_compared(
    center, other_center, supervisor, other_admin, django_capture_on_commit_callbacks
):
    zone = checked_zone(center)[0]
    # the other center has a zone of the same code with a reference photo
    other_zone = checked_zone(other_center)[0]
    other_zone.code = zone.code
    other_zone.save()
    foreign = take_reference(other_zone, other_admin)
    inspection = start(zone, supervisor)
    assert reference_for(inspection) is None
    photo = add_photo(
        first_clause(inspection), supervisor, counter_scene(item=True),
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    analysis = PhotoAnalysis.objects.get(photo=photo)
    assert analysis.status == PhotoAnalysis.Status.DONE
    assert analysis.reference is None
    assert analysis.alignment == "no-reference"
    assert analysis.reference != foreign
    assert not analysis.drafts.filter(kind__in=["added", "missing", "moved"]).exists()
    # a reference of another zone of the same center is not this zone's either
    take_reference(ZoneFactory(center=center, area_type=zone.area_type), supervisor)
    assert reference_for(inspection) is None


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param(lambda: counter_scene(item=True)[:700], id="truncated-jpeg"),
        pytest.param(bomb_png, id="decompression-bomb"),
        pytest.param(lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="not-an-image"),
    ],
)
def test_a_broken_or_hostile_image_fails_its_analysis_cleanly(zone, supervisor, hostile):
    take_reference(zone, supervisor)
    inspection = start(zone, supervisor)
    check = first_clause(inspection)
    photo = inspections.add_photo(answer=check, by=supervisor, upload=upload(counter_scene()))
    with photo.image.storage.open(photo.image.name, "wb") as handle:
        handle.write(hostile())  # what a broken disk or a tampered store would hold
    version = Inspection.objects.get(pk=inspection.pk).version
    answers = list(Answer.objects.filter(inspection=inspection).values())

    assert run_analysis(photo.pk) == "failed"

    analysis = PhotoAnalysis.objects.get(photo=photo)
    assert analysis.status == PhotoAnalysis.Status.FAILED
    assert analysis.error in {UNREADABLE, FAILED}
    assert "Traceback" not in analysis.error
    assert "\n" not in analysis.error
    assert analysis.drafts.count() == 0
    assert Inspection.objects.get(pk=inspection.pk).version == version
    assert list(Answer.objects.filter(inspection=inspection).values()) == answers


def test_nothing_is_queued_when_the_setting_is_off_or_for_acceptance(
    center, zone, supervisor, django_capture_on_commit_callbacks
):
    take_reference(zone, supervisor)
    photo_check_on(center, False)
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, counter_scene(), django_capture_on_commit_callbacks)
    assert not PhotoAnalysis.objects.filter(photo=photo).exists()
    photo_check_on(center, True)
    acceptance = start(zone, supervisor, kind="acceptance")
    photo = add_photo(
        first_clause(acceptance), supervisor, counter_scene(), django_capture_on_commit_callbacks
    )
    assert not PhotoAnalysis.objects.filter(photo=photo).exists()


def test_nothing_is_queued_without_item_rules_or_reference(
    center, supervisor, django_capture_on_commit_callbacks
):
    zone = checked_zone(center, with_items=False)[0]
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, counter_scene(), django_capture_on_commit_callbacks)
    assert not PhotoAnalysis.objects.filter(photo=photo).exists()


def test_a_setting_turned_off_before_the_task_runs_skips_it(center, zone, supervisor):
    take_reference(zone, supervisor)
    check = first_clause(start(zone, supervisor))
    photo = inspections.add_photo(answer=check, by=supervisor, upload=upload(counter_scene()))
    photo_check_on(center, False)
    assert run_analysis(photo.pk) == "skipped"


def test_removing_the_photo_removes_its_analysis_and_drafts(
    center, zone, supervisor, django_capture_on_commit_callbacks
):
    only_phones(center, zone)
    check = first_clause(start(zone, supervisor))
    photo = add_photo(check, supervisor, coffee(), django_capture_on_commit_callbacks)
    assert DraftFinding.objects.count() == 1
    inspections.remove_photo(photo=photo, by=supervisor)
    assert PhotoAnalysis.objects.count() == 0
    assert DraftFinding.objects.count() == 0
    assert run_analysis(photo.pk) == "gone"


@pytest.fixture
def draft(center, zone, supervisor, django_capture_on_commit_callbacks):
    """A proposed draft of a draft inspection: the real cup of a real photo, not allowed."""
    only_phones(center, zone)
    check = first_clause(start(zone, supervisor))
    add_photo(check, supervisor, coffee(), django_capture_on_commit_callbacks)
    return DraftFinding.objects.select_related("answer__inspection").get()


def test_accepting_while_a_draft_fails_the_check_and_submit_makes_the_finding(draft, supervisor):
    inspection = draft.answer.inspection
    services.accept_draft(draft=draft, by=supervisor, expected_version=draft.version)

    check = Answer.objects.get(pk=draft.answer_id)
    assert check.result == "fail"
    assert check.severity == "general"
    assert "Photo check" in check.note or "照片检查" in check.note
    assert draft.status == "accepted"
    assert draft.decided_by == supervisor
    assert Inspection.objects.get(pk=inspection.pk).version == inspection.version + 1
    assert AuditEvent.objects.filter(action="vision.draft_accepted").count() == 1

    inspection.refresh_from_db()
    inspection = answer_all(inspection, supervisor, fail=(check.key,), note=check.note)
    inspections.submit_inspection(inspection=inspection, by=supervisor)
    finding = Finding.objects.get(answer=check)
    assert finding.deduction == 5  # the default of a manual fail: half of 10 points


def test_accepting_after_the_submit_makes_an_ordinary_finding(draft, supervisor, owner):
    inspection = answer_all(draft.answer.inspection, supervisor, fail=())
    inspection = inspections.submit_inspection(inspection=inspection, by=supervisor)
    assert inspection.score == 100

    services.accept_draft(draft=draft, by=supervisor, expected_version=draft.version)

    finding = Finding.objects.get(answer_id=draft.answer_id)
    assert draft.finding == finding
    assert finding.severity == "general"
    assert finding.deduction == 5
    inspection.refresh_from_db()
    assert inspection.score < 100
    assert inspection.points_earned == inspection.points_possible - 5
    rectification = Rectification.objects.get(finding=finding)
    assert rectification.assignee == owner
    assert AuditEvent.objects.filter(action="inspections.finding_added").count() == 1


def test_dismissing_changes_nothing_but_the_draft(draft, supervisor):
    check = Answer.objects.get(pk=draft.answer_id)
    services.dismiss_draft(
        draft=draft, by=supervisor, expected_version=draft.version, reason="是参照照片里的"
    )
    draft.refresh_from_db()
    assert draft.status == "dismissed"
    assert draft.reason == "是参照照片里的"
    assert Answer.objects.get(pk=check.pk).result == check.result
    assert AuditEvent.objects.filter(action="vision.draft_dismissed").count() == 1


def test_a_second_decision_on_a_stale_version_is_a_conflict(draft, supervisor):
    from onsite.core.concurrency import ConflictError
    from onsite.core.refusals import Conflict

    stale = DraftFinding.objects.get(pk=draft.pk)
    services.dismiss_draft(draft=draft, by=supervisor, expected_version=draft.version)
    with pytest.raises(Conflict):  # decided already (the same version read before)
        services.accept_draft(draft=stale, by=supervisor, expected_version=stale.version)
    fresh = DraftFinding.objects.get(pk=draft.pk)
    fresh.status = "proposed"  # as if read before the other decision, with the old version
    with pytest.raises(ConflictError):
        services.accept_draft(draft=fresh, by=supervisor, expected_version=1)


def with_markers() -> bytes:
    """The counter with the four printed position markers on its corners."""
    scene = Image.open(io.BytesIO(counter_scene())).convert("RGB")
    corners = {0: (40, 740), 1: (1020, 740), 2: (1020, 40), 3: (40, 40)}
    for marker_id, place in corners.items():
        sticker = Image.open(io.BytesIO(markers.marker_png(marker_id, 120))).convert("RGB")
        framed = Image.new("RGB", (140, 140), "white")
        framed.paste(sticker, (10, 10))
        scene.paste(framed, place)
    out = io.BytesIO()
    scene.save(out, format="JPEG", quality=92)
    return out.getvalue()


@pytest.mark.parametrize("markers_on", [False, True])
def test_a_reference_photo_replaces_the_earlier_one(zone, supervisor, markers_on):
    first = take_reference(zone, supervisor)
    second = take_reference(zone, supervisor, with_markers() if markers_on else None)
    first.refresh_from_db()
    assert not first.is_active
    assert second.is_active
    assert ReferencePhoto.objects.current(zone) == second
    assert second.has_markers is markers_on
    assert AuditEvent.objects.filter(action="vision.reference_added").count() == 2


def test_another_inspector_of_the_same_center_is_told_no(draft, center):
    from onsite.vision.access import can_decide

    staff = UserFactory(center=center, roles=["staff"])
    assert not can_decide(staff, draft.answer.inspection)
