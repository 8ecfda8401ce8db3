"""The red-tag register's rules, through the actions the pages and the API share."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onsite.audit.models import AuditEvent
from onsite.core.concurrency import ConflictError
from onsite.core.refusals import Refusal
from onsite.notifications.models import Notification
from onsite.redtags import actions
from onsite.redtags.models import Disposition, RedTag, RedTagPolicy
from onsite.redtags.queries import has_overdue_tags
from onsite.standards.models import Item
from onsite.supplies.models import Movement, SupplyReturn

pytestmark = pytest.mark.usefixtures("english")


def hang(center, zone, by, **data):
    values = {"item_name": "旧文件夹", "quantity": 1, "reason": "not_used", "proposal": "discard"}
    values.update(data)
    return actions.do_tag(center=center, zone=zone, by=by, data=values)


def test_a_tag_waits_in_the_holding_list_for_the_centers_holding_time(
    center, zone, staff_user, photo, tag_data
):
    tag = actions.do_tag(center=center, zone=zone, by=staff_user, data=tag_data, photo=photo)
    assert tag.status == RedTag.Status.HELD
    assert tag.unit == zone.unit
    assert tag.hold_until == timezone.localdate() + timedelta(days=30)
    assert tag.photo.name.endswith(".jpg")
    assert tag.thumbnail.name.endswith(".jpg")
    assert tag.transitions.get().to_status == "held"
    assert AuditEvent.objects.filter(action="redtags.tag", object_id=str(tag.pk)).exists()

    actions.do_set_policy(center=center, by=staff_user, holding_days=14, expected_version=None)
    later = hang(center, zone, staff_user)
    assert later.hold_until == timezone.localdate() + timedelta(days=14)
    tag.refresh_from_db()
    assert tag.hold_until == timezone.localdate() + timedelta(days=30), "hung tags keep their date"
    assert RedTagPolicy.for_center(center).holding_days == 14


def test_an_item_from_the_catalogue_or_free_text(center, zone, staff_user):
    item = Item.objects.create(center=center, code="calendar", name="台历")
    tag = hang(center, zone, staff_user, item=item, item_name="")
    assert (tag.item, tag.item_name) == (item, "台历")
    with pytest.raises(Refusal, match="Say what the item is"):
        hang(center, zone, staff_user, item_name="  ")


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2"])
def test_a_tag_quantity_must_be_a_positive_whole_number(center, zone, staff_user, quantity):
    with pytest.raises(Refusal, match="whole number"):
        hang(center, zone, staff_user, quantity=quantity)
    assert not RedTag.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(center, zone, staff_user):
    fake = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>")
    with pytest.raises(Refusal):
        actions.do_tag(
            center=center, zone=zone, by=staff_user, photo=fake,
            data={"item_name": "x", "quantity": 1, "reason": "other", "proposal": "discard"},
        )  # fmt: skip
    assert not RedTag.objects.exists()


def test_another_centers_zone_cannot_be_tagged(center, other_center, staff_user):
    from onsite.core.tests.factories import ZoneFactory

    with pytest.raises(Refusal):
        hang(center, ZoneFactory(center=other_center), staff_user)


def test_return_to_store_adds_the_tags_quantity_to_the_stock(
    center, zone, staff_user, office_user, pens, django_capture_on_commit_callbacks
):
    tag = hang(center, zone, staff_user, item_name="多余签字笔", quantity=12, supply=pens,
               proposal="return_to_store")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_decide(
            tag=tag, by=office_user, decision=Disposition.RETURN_TO_STORE, note="入库",
            expected_version=tag.version,
        )  # fmt: skip
    tag.refresh_from_db()
    pens.refresh_from_db()
    assert (tag.status, tag.decision, tag.decided_by) == ("decided", "return_to_store", office_user)
    assert pens.on_hand == 112
    returned = SupplyReturn.objects.get()
    assert (returned.source, returned.quantity, returned.unit) == ("red_tag", 12, zone.unit)
    assert tag.store_return == returned
    assert Movement.objects.get(kind="return").balance == 112
    assert Notification.objects.filter(user=staff_user, kind="redtags.decided").exists()
    assert [t.to_status for t in tag.transitions.all()] == ["held", "decided"]


def test_a_supply_chosen_at_decision_time_gets_the_return(
    center, zone, staff_user, office_user, pens
):
    tag = hang(center, zone, staff_user, quantity=3, proposal="return_to_store")
    actions.do_decide(tag=tag, by=office_user, decision="return_to_store", supply=pens)
    pens.refresh_from_db()
    assert pens.on_hand == 103


def test_a_return_of_an_item_the_store_does_not_stock_changes_no_stock(
    center, zone, staff_user, office_user, pens
):
    tag = hang(center, zone, staff_user, item_name="旧椅子", quantity=2)
    actions.do_decide(tag=tag, by=office_user, decision="return_to_store")
    tag.refresh_from_db()
    assert tag.decision == "return_to_store"
    assert tag.store_return is None
    assert not Movement.objects.exists()


def test_a_tag_is_decided_once(center, zone, staff_user, office_user, pens):
    tag = hang(center, zone, staff_user, supply=pens, quantity=5)
    actions.do_decide(tag=tag, by=office_user, decision="return_to_store")
    with pytest.raises(Refusal, match="already"):
        actions.do_decide(tag=tag, by=office_user, decision="return_to_store")
    pens.refresh_from_db()
    assert pens.on_hand == 105, "a second decision does not return the items twice"


def test_a_decision_from_a_stale_page_conflicts(center, zone, staff_user, office_user):
    tag = hang(center, zone, staff_user)
    RedTag.objects.filter(pk=tag.pk).update(note="edited", version=2)
    with pytest.raises(ConflictError):
        actions.do_decide(tag=tag, by=office_user, decision="discard", expected_version=1)
    tag.refresh_from_db()
    assert tag.status == "held"


def test_bulk_decisions_skip_tags_no_longer_held(center, zone, staff_user, office_user, pens):
    tags = [hang(center, zone, staff_user, supply=pens, quantity=2) for _n in range(3)]
    actions.do_withdraw(tag=tags[2], by=staff_user)
    decided, skipped = actions.do_decide_many(
        tags=list(RedTag.objects.filter(pk__in=[t.pk for t in tags])),
        by=office_user,
        decision="return_to_store",
    )
    assert sorted(t.pk for t in decided) == sorted(t.pk for t in tags[:2])
    assert [t.pk for t in skipped] == [tags[2].pk]
    pens.refresh_from_db()
    assert pens.on_hand == 104


def test_only_a_held_tag_is_withdrawn(center, zone, staff_user, office_user):
    tag = hang(center, zone, staff_user)
    actions.do_decide(tag=tag, by=office_user, decision="discard")
    with pytest.raises(Refusal, match="no longer in the holding list"):
        actions.do_withdraw(tag=tag, by=staff_user)


def test_the_sort_gate_sees_tags_older_than_the_holding_time(center, zone, staff_user, office_user):
    unit = zone.unit
    assert has_overdue_tags(unit) is False
    tag = hang(center, zone, staff_user)
    assert has_overdue_tags(unit) is False
    RedTag.objects.filter(pk=tag.pk).update(hold_until=timezone.localdate() - timedelta(days=1))
    assert has_overdue_tags(unit) is True
    actions.do_decide(tag=RedTag.objects.get(pk=tag.pk), by=office_user, decision="discard")
    assert has_overdue_tags(unit) is False


def test_the_holding_time_is_checked(center, office_user):
    with pytest.raises(Refusal):
        actions.do_set_policy(center=center, by=office_user, holding_days=0, expected_version=None)
