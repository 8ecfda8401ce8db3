import pytest

from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.tests.factories import ZoneFactory


def test_the_second_of_two_edits_from_the_same_version_conflicts(center):
    zone = ZoneFactory(center=center, name="旧名")
    first, second = type(zone).objects.get(pk=zone.pk), type(zone).objects.get(pk=zone.pk)
    first.name = "甲的名字"
    save_versioned(first, expected_version=1, fields=["name"])
    second.name = "乙的名字"
    with pytest.raises(ConflictError):
        save_versioned(second, expected_version=1, fields=["name"])
    zone.refresh_from_db()
    assert (zone.name, zone.version) == ("甲的名字", 2)


def test_a_repeated_submission_key_returns_the_first_object(center, staff_user):
    assert existing_submission(user=staff_user, scope="test", key="k1") is None
    assert (
        claim_submission(center=center, user=staff_user, scope="test", key="k1", object_id="7")
        == "7"
    )
    assert (
        claim_submission(center=center, user=staff_user, scope="test", key="k1", object_id="8")
        == "7"
    )
    assert existing_submission(user=staff_user, scope="test", key="k1") == "7"
