"""The daily photo quota, as photo intake applies it."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from onsite.accounts.uploads import claim_upload_quota, daily_quota
from onsite.core.images import clean_photo
from onsite.core.tests.test_images import picture

# --- daily quota --------------------------------------------------------------------------


def test_the_daily_quota_stops_the_next_photo_and_resets_the_next_day(
    staff_user, settings, monkeypatch
):
    from datetime import date

    from django.utils import timezone

    settings.PHOTO_DAILY_QUOTA = 3
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 6))
    for _ in range(3):
        clean_photo(SimpleUploadedFile("a.jpg", picture()), quota=daily_quota(staff_user))
    with pytest.raises(ValidationError) as caught:
        clean_photo(SimpleUploadedFile("a.jpg", picture()), quota=daily_quota(staff_user))
    assert caught.value.code == "quota"
    assert "3" in caught.value.messages[0]
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 5, 7))
    clean_photo(SimpleUploadedFile("a.jpg", picture()), quota=daily_quota(staff_user))


def test_the_quota_is_per_user(staff_user, member, settings):
    settings.PHOTO_DAILY_QUOTA = 1
    clean_photo(SimpleUploadedFile("a.jpg", picture()), quota=daily_quota(staff_user))
    clean_photo(SimpleUploadedFile("a.jpg", picture()), quota=daily_quota(member))
    with pytest.raises(ValidationError):
        claim_upload_quota(staff_user)


def test_files_refused_before_decoding_do_not_count(staff_user, settings):
    settings.PHOTO_DAILY_QUOTA = 1
    with pytest.raises(ValidationError):
        clean_photo(
            SimpleUploadedFile("a.exe", b"MZ" + b"\x00" * 99), quota=daily_quota(staff_user)
        )
    clean_photo(SimpleUploadedFile("a.jpg", picture()), quota=daily_quota(staff_user))


def test_the_quota_message_is_in_the_users_language(staff_user, settings):
    from django.utils import translation

    settings.PHOTO_DAILY_QUOTA = 1
    claim_upload_quota(staff_user)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        claim_upload_quota(staff_user)
    assert "今天" in caught.value.messages[0]
