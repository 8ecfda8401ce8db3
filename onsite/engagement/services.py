"""Writes of the engagement app, shared by the pages and the API. Each write is atomic and
leaves an audit row in the same transaction; notifications go out after commit."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from onsite.accounts.models import User
from onsite.accounts.uploads import daily_quota
from onsite.audit.services import record_event
from onsite.core.concurrency import (
    ConflictError,
    claim_submission,
    existing_submission,
    save_versioned,
)
from onsite.core.images import CleanPhoto, clean_photo
from onsite.core.models import Center
from onsite.core.refusals import Conflict, Invalid, NotAllowed, NotVisible
from onsite.engagement.models import (
    SUGGESTION_MOVES,
    Acknowledgement,
    Attendance,
    Photo,
    PointEntry,
    Post,
    PostReading,
    PostReminder,
    Suggestion,
    SuggestionCall,
    SuggestionTransition,
    Training,
    TrainingDocument,
    Vote,
    point_source,
)
from onsite.engagement.text import clean_html, similarity
from onsite.notifications.models import Notification
from onsite.notifications.services import notify
from onsite.org.models import AreaType, Zone
from onsite.rectification.calendar import WorkingDays
from onsite.standards.models import StandardVersion
from onsite.standards.services import start_revision
from onsite.surveys.audience import audience_users, is_in_audience

MAX_PHOTOS = 9
DUPLICATE_THRESHOLD = 0.5
SIGN_IN_SLOT_SECONDS = 120


class EngagementError(Conflict):
    """A move the rules do not allow in the object's state (409); the message is for the
    user, the code for a program."""


def clean_photos(uploads: Sequence[UploadedFile[bytes]], *, user: User) -> list[CleanPhoto]:
    """Checks every photo before anything is written, so a bad photo loses nothing else.
    Each photo counts against the uploader's daily quota."""
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos, please.") % {"n": MAX_PHOTOS})
    return [clean_photo(upload, quota=daily_quota(user)) for upload in uploads]


def _store_photos(
    photos: Iterable[CleanPhoto],
    *,
    center_id: int,
    by: User,
    post: Post | None = None,
    suggestion: Suggestion | None = None,
    start: int = 0,
) -> None:
    for position, photo in enumerate(photos, start=start):
        record = Photo(
            center_id=center_id,
            post=post,
            suggestion=suggestion,
            width=photo.width,
            height=photo.height,
            position=position,
            uploaded_by=by,
        )
        record.image.save("photo.jpg", photo.image, save=False)
        record.thumbnail.save("thumb.jpg", photo.thumbnail, save=False)
        record.save()


# --- posts --------------------------------------------------------------------------------


@transaction.atomic
def create_post(
    *,
    center: Center,
    by: User,
    title: str,
    body: str,
    is_pinned: bool = False,
    photos: Sequence[CleanPhoto] = (),
    confirm: Confirmation | None = None,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Post:
    """A post; with `confirm`, the readers it names must confirm they read it by its date
    (they are told now, and reminded by `remind_post_confirmations`)."""
    if submission_key:
        first = existing_submission(user=by, scope="engagement.post", key=submission_key)
        if first is not None:
            return Post.objects.get(pk=first, center=center)
    if confirm is not None:
        check_confirmation(confirm, center_id=center.pk)
    post = Post.objects.create(
        center=center, title=title, body=clean_html(body), is_pinned=is_pinned, author=by,
        requires_acknowledgement=confirm is not None,
        acknowledgement_due=confirm.due if confirm else None,
    )  # fmt: skip
    if confirm is not None:
        post.acknowledgement_units.set(confirm.units)
    _store_photos(photos, center_id=center.pk, by=by, post=post)
    if submission_key:
        claim_submission(center=center, user=by, scope="engagement.post", key=submission_key,
                         object_id=str(post.pk))  # fmt: skip
    record_event(request, action="engagement.post_created", obj=post, actor=by, center=center,
                 detail=confirm.detail() if confirm else None)  # fmt: skip
    if confirm is not None:
        _ask_to_confirm(post, users=post_readers_required(post))
    return post


@dataclass(frozen=True)
class Confirmation:
    """What a post asks of its readers: confirm by `due`, everyone or the `units`' people."""

    due: datetime.date
    units: Sequence[Any] = ()

    def detail(self) -> dict[str, Any]:
        return {"confirm_by": self.due.isoformat(), "units": [unit.pk for unit in self.units]}


def check_confirmation(confirm: Confirmation, *, center_id: int) -> None:
    if confirm.due < timezone.localdate():
        raise ValidationError({"acknowledgement_due": _("The date to confirm by has passed.")})
    if any(unit.center_id != center_id for unit in confirm.units):
        raise ValidationError({"acknowledgement_units": _("Unknown unit.")})


CONFIRM_KIND = "engagement.post_confirm"
CONFIRM_MESSAGES = {
    "ask": gettext_noop("Please read “%(title)s” and confirm by %(due)s."),
    PostReminder.Stage.DUE_SOON: gettext_noop(
        "Reminder: please read “%(title)s” and confirm by %(due)s."
    ),
    PostReminder.Stage.OVERDUE: gettext_noop(
        "Overdue: “%(title)s” was to be read and confirmed by %(due)s. Please confirm now."
    ),
}


def _ask_to_confirm(post: Post, *, users: Iterable[User], stage: str = "ask") -> None:
    assert post.acknowledgement_due is not None  # noqa: S101 - a constraint guarantees it
    notify(
        center=Center.objects.get(pk=post.center_id),
        users=users,
        kind=CONFIRM_KIND,
        message=CONFIRM_MESSAGES[stage],
        params={"title": post.title, "due": post.acknowledgement_due.isoformat()},
        url=reverse("engagement:post-detail", args=[post.pk]),
    )


def post_readers_required(post: Post) -> QuerySet[User]:
    """Who must confirm: the active people of the post's units (or of the whole center) as
    they are now, so someone who joined later is included."""
    if not post.requires_acknowledgement:
        return User.objects.none()
    return audience_users(post.center_id, unit_ids=post.acknowledgement_unit_ids, group_ids=[])


def must_confirm(post: Post, user: User) -> bool:
    return post.requires_acknowledgement and is_in_audience(
        user, center_id=post.center_id, unit_ids=post.acknowledgement_unit_ids, group_ids=[]
    )


def check_confirm_read(post: Post, *, user: User) -> None:
    """The post asks for confirmation (409 `not_asked`) and asks this person (403)."""
    if user.center_id != post.center_id:
        raise NotVisible
    if not post.requires_acknowledgement:
        raise EngagementError(_("This post does not ask its readers to confirm."), code="not_asked")
    if not must_confirm(post, user):
        raise NotAllowed(_("This post asks other units to confirm."))


@transaction.atomic
def confirm_read(post: Post, *, user: User, request: HttpRequest | None = None) -> PostReading:
    """Records the confirmation once; confirming again changes nothing."""
    check_confirm_read(post, user=user)
    first = PostReading.objects.filter(post=post, user=user).first()
    if first is not None:
        return first
    try:
        with transaction.atomic():  # two taps at once: the second meets the constraint
            reading = PostReading.objects.create(center_id=post.center_id, post=post, user=user)
    except IntegrityError:
        return PostReading.objects.get(post=post, user=user)
    record_event(request, action="engagement.post_confirmed", obj=post, actor=user)
    return reading


@dataclass
class ReadStatus:
    """Who has and who has not confirmed a post (people in name order, with their unit)."""

    confirmed: list[tuple[User, datetime.datetime]]
    pending: list[User]

    @property
    def required(self) -> int:
        return len(self.confirmed) + len(self.pending)


def read_status(post: Post) -> ReadStatus:
    """Two queries: the people who must confirm, and the confirmations. A confirmation by
    someone no longer asked (moved unit, left) still counts as a confirmation shown."""
    people = list(
        post_readers_required(post).select_related("unit").order_by("full_name", "username")
    )
    readings = {
        r.user_id: r
        for r in PostReading.objects.filter(post=post).select_related("user__unit").order_by("at")
    }
    confirmed = [(r.user, r.at) for r in readings.values()]
    pending = [person for person in people if person.pk not in readings]
    return ReadStatus(confirmed=confirmed, pending=pending)


def reminder_stage(post: Post, *, day: datetime.date) -> str | None:
    """`due_soon` from the working day before the date to the date itself, `overdue` after
    it, else nothing."""
    due = post.acknowledgement_due
    if due is None:
        return None
    if day > due:
        return PostReminder.Stage.OVERDUE
    window = WorkingDays(due - datetime.timedelta(days=30), due).listed()
    before = [d for d in window if d < due]
    day_before = before[-1] if before else due - datetime.timedelta(days=1)
    if day_before <= day <= due:
        return PostReminder.Stage.DUE_SOON
    return None


@transaction.atomic
def remind_post_confirmations(*, center: Center, day: datetime.date | None = None) -> int:
    """Reminds those who have not confirmed: once on the working day before the date, once
    after it. A `PostReminder` row per person and stage keeps a second run from telling
    anyone twice; a newcomer is reminded at the next run. Returns the people reminded."""
    day = day or timezone.localdate()
    posts = Post.objects.filter(
        center=center, requires_acknowledgement=True, acknowledgement_due__isnull=False
    ).prefetch_related("acknowledgement_units")
    reminded = 0
    for post in posts:
        stage = reminder_stage(post, day=day)
        if stage is None:
            continue
        done = PostReading.objects.filter(post=post).values("user_id")
        told = PostReminder.objects.filter(post=post, stage=stage).values("user_id")
        people = list(post_readers_required(post).exclude(pk__in=done).exclude(pk__in=told))
        if not people:
            continue
        PostReminder.objects.bulk_create(
            [PostReminder(center_id=center.pk, post=post, user=person, stage=stage)
             for person in people],
            ignore_conflicts=True,
        )  # fmt: skip
        _ask_to_confirm(post, users=people, stage=stage)
        reminded += len(people)
    return reminded


def check_editable(post: Post) -> None:
    if post.is_digest:
        raise EngagementError(
            _("A weekly digest is written by the system and cannot be edited."), code="digest"
        )


def check_version(obj: Post | Suggestion | Training, expected_version: int) -> None:
    """The version the person's form was based on is still current (409 `stale` if not)."""
    if obj.version != expected_version:
        raise ConflictError


@transaction.atomic
def update_post(
    post: Post,
    *,
    by: User,
    title: str,
    body: str,
    is_pinned: bool,
    expected_version: int,
    photos: Sequence[CleanPhoto] = (),
    remove_photos: Sequence[int] = (),
    request: HttpRequest | None = None,
) -> Post:
    check_editable(post)
    post.title, post.body, post.is_pinned = title, clean_html(body), is_pinned
    save_versioned(post, expected_version=expected_version, fields=["title", "body", "is_pinned"])
    if remove_photos:
        Photo.objects.filter(post=post, pk__in=remove_photos).delete()
    if photos:
        if post.photos.count() + len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos, please.") % {"n": MAX_PHOTOS})
        last = post.photos.order_by("-position").values_list("position", flat=True).first()
        _store_photos(photos, center_id=post.center_id, by=by, post=post, start=(last or 0) + 1)
    record_event(request, action="engagement.post_updated", obj=post, actor=by)
    return post


@transaction.atomic
def set_pinned(
    post: Post, *, by: User, pinned: bool, expected_version: int, request: HttpRequest | None = None
) -> Post:
    post.is_pinned = pinned
    save_versioned(post, expected_version=expected_version, fields=["is_pinned"])
    record_event(request, action="engagement.post_pinned" if pinned else "engagement.post_unpinned",
                 obj=post, actor=by)  # fmt: skip
    return post


@transaction.atomic
def delete_post(post: Post, *, by: User, request: HttpRequest | None = None) -> None:
    record_event(request, action="engagement.post_deleted", obj=post, actor=by)
    post.delete()


# --- training -----------------------------------------------------------------------------

TRAINING_FIELDS = [
    "topic",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "trainer",
    "trainer_name",
]


def _set_training_relations(training: Training, data: dict[str, Any]) -> None:
    training.units.set(data.get("units") or [])
    training.groups.set(data.get("groups") or [])
    training.standard_versions.set(data.get("standard_versions") or [])


@transaction.atomic
def create_training(
    *, center: Center, by: User, data: dict[str, Any], request: HttpRequest | None = None
) -> Training:
    training = Training(
        center=center, created_by=by, **{k: data[k] for k in TRAINING_FIELDS if k in data}
    )
    training.full_clean(exclude=["units", "groups", "standard_versions"])
    training.save()
    _set_training_relations(training, data)
    record_event(
        request, action="engagement.training_created", obj=training, actor=by, center=center
    )
    _invite(training, users=training_audience(training))
    return training


TRAINING_KIND = "engagement.training"
# What the invited are told again when it changes (the session's "when and where").
TRAINING_WHEN_WHERE = ("starts_at", "ends_at", "place")


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _invite(training: Training, *, users: Iterable[User]) -> None:
    notify(
        center=training.center,
        users=users,
        kind=TRAINING_KIND,
        message=gettext_noop("Training “%(topic)s” on %(day)s. Please attend and sign in there."),
        params={"topic": training.topic, "day": _when(training.starts_at)},
        url=reverse("engagement:training-detail", args=[training.pk]),
    )


def _tell_moved(training: Training, *, users: Iterable[User], was: str) -> None:
    """The new time and place, to everyone invited; their unread notices about the session
    are marked read, so the latest is the only one waiting (what it said stays readable)."""
    url = reverse("engagement:training-detail", args=[training.pk])
    Notification.objects.filter(
        center_id=training.center_id, kind=TRAINING_KIND, url=url, read_at__isnull=True
    ).update(read_at=timezone.now())
    notify(
        center=training.center,
        users=users,
        kind=TRAINING_KIND,
        message=gettext_noop(
            "Training “%(topic)s” has changed: now %(day)s to %(end)s, at %(place)s (was "
            "%(was)s). Please attend and sign in there."
        ),
        params={
            "topic": training.topic,
            "day": _when(training.starts_at),
            "end": timezone.localtime(training.ends_at).strftime("%H:%M"),
            "place": training.place or "—",
            "was": was,
        },
        url=url,
    )


@transaction.atomic
def update_training(
    training: Training,
    *,
    by: User,
    data: dict[str, Any],
    expected_version: int,
    request: HttpRequest | None = None,
) -> Training:
    """Saves an edit. A new time or place is sent to everyone invited (superseding their unread
    notice); people newly invited (units or groups added) get the invitation; a session already
    over tells nobody."""
    # As stored: a page's form has already put the new values on `training`.
    before = Training.objects.filter(pk=training.pk).values(*TRAINING_WHEN_WHERE).get()
    was = _when(before["starts_at"]) + (f", {before['place']}" if before["place"] else "")
    invited_before = set(training_audience(training).values_list("pk", flat=True))
    for name in TRAINING_FIELDS:
        if name in data:
            setattr(training, name, data[name])
    training.full_clean(exclude=["units", "groups", "standard_versions"])
    save_versioned(training, expected_version=expected_version, fields=TRAINING_FIELDS)
    _set_training_relations(training, data)
    record_event(request, action="engagement.training_updated", obj=training, actor=by)
    if training.ends_at < timezone.now():
        return training
    audience = list(training_audience(training))
    if any(getattr(training, name) != before[name] for name in TRAINING_WHEN_WHERE):
        _tell_moved(training, users=audience, was=was)
    else:
        _invite(training, users=[user for user in audience if user.pk not in invited_before])
    return training


def training_audience(training: Training) -> QuerySet[User]:
    return audience_users(
        training.center_id,
        unit_ids=training.audience_unit_ids,
        group_ids=training.audience_group_ids,
    )


DOCUMENT_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}  # fmt: skip
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def check_document(upload: UploadedFile[bytes]) -> tuple[str, str]:
    """(extension, content type) of an allowed document, checked by its first bytes."""
    name = (upload.name or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension == "jpeg":
        extension = "jpg"
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(_("Please upload a PDF, Word, PowerPoint, Excel, JPEG or PNG file."))
    if (upload.size or 0) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The file is too large; the limit is 20 MB."))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type, signatures = DOCUMENT_TYPES[extension]
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(_("The file's content does not match its type."))
    return extension, content_type


@transaction.atomic
def add_document(
    training: Training,
    *,
    by: User,
    title: str,
    upload: UploadedFile[bytes],
    request: HttpRequest | None = None,
) -> TrainingDocument:
    extension, content_type = check_document(upload)
    document = TrainingDocument(
        center_id=training.center_id,
        training=training,
        title=title or (upload.name or "")[:200],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=by,
    )
    upload.seek(0)
    document.file.save(f"document.{extension}", ContentFile(upload.read()), save=False)
    document.save()
    record_event(request, action="engagement.document_added", obj=training, actor=by,
                 detail={"document": document.pk})  # fmt: skip
    return document


def sign_in_token(
    training: Training, *, at: datetime.datetime | None = None, slot: int | None = None
) -> str:
    """The code in the QR shown at the session. It changes every two minutes, so a photo of
    it sent to someone elsewhere soon stops working."""
    if slot is None:
        slot = int((at or timezone.now()).timestamp()) // SIGN_IN_SLOT_SECONDS
    digest = hmac.new(
        training.sign_in_secret.encode(), f"{training.pk}:{slot}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def is_valid_token(training: Training, token: str, *, at: datetime.datetime | None = None) -> bool:
    slot = int((at or timezone.now()).timestamp()) // SIGN_IN_SLOT_SECONDS
    return any(
        hmac.compare_digest(sign_in_token(training, slot=s), token) for s in (slot, slot - 1)
    )


def award(user: User, *, reason: str, source: str, center_id: int) -> None:
    """Books the points of one deed, once."""
    entry = PointEntry.earned(user_id=user.pk, reason=reason, source=source, center_id=center_id)
    PointEntry.objects.get_or_create(
        user=user,
        reason=reason,
        source=source,
        defaults={"center_id": center_id, "points": entry.points},
    )


def check_sign_in(training: Training, *, user: User, token: str) -> None:
    """The session is the person's center's, sign-in is open and the code is fresh (someone
    already signed in passes: signing in twice is harmless)."""
    if user.center_id != training.center_id:
        raise NotVisible(_("This training session is not in your service center."))
    if Attendance.objects.filter(training=training, user=user).exists():
        return
    if not training.sign_in_open():
        raise EngagementError(
            _("Sign-in is open only from an hour before to an hour after the session."),
            code="sign_in_closed",
        )
    if not is_valid_token(training, token):
        raise EngagementError(
            _("This sign-in code has expired. Please scan the code shown at the session again."),
            code="expired_code",
        )


@transaction.atomic
def sign_in(
    training: Training, *, user: User, token: str, request: HttpRequest | None = None
) -> Attendance:
    """Signs `user` in by the session's QR code. Signing in twice is harmless."""
    check_sign_in(training, user=user, token=token)
    existing = Attendance.objects.filter(training=training, user=user).first()
    if existing is not None:
        return existing
    attendance, _created = Attendance.objects.get_or_create(
        training=training, user=user,
        defaults={"center_id": training.center_id, "method": Attendance.Method.QR},
    )  # fmt: skip
    award(
        user,
        reason=PointEntry.Reason.TRAINED,
        source=point_source(training),
        center_id=training.center_id,
    )
    record_event(request, action="engagement.signed_in", obj=training, actor=user)
    return attendance


@transaction.atomic
def record_attendance(
    training: Training, *, by: User, users: Iterable[User], request: HttpRequest | None = None
) -> int:
    """The organiser marks people present (no phone, or a late list): only people the session
    invited (its audience). Returns how many new."""
    users = list(users)
    invited = set(training_audience(training).values_list("pk", flat=True))
    if any(user.pk not in invited for user in users):
        raise Invalid(_("Only people invited to this session can be marked present."))
    added = 0
    for user in users:
        if user.center_id != training.center_id:
            continue
        _attendance, created = Attendance.objects.get_or_create(
            training=training, user=user,
            defaults={"center_id": training.center_id, "method": Attendance.Method.MANUAL, "recorded_by": by},
        )  # fmt: skip
        if created:
            added += 1
            award(user, reason=PointEntry.Reason.TRAINED, source=point_source(training),
                  center_id=training.center_id)  # fmt: skip
    record_event(request, action="engagement.attendance_recorded", obj=training, actor=by,
                 detail={"added": added})  # fmt: skip
    return added


# --- acknowledgement of published standards -----------------------------------------------


def people_of_zones(zones: QuerySet[Zone]) -> QuerySet[User]:
    """Zone owners and the active staff of the zones' units."""
    return User.objects.filter(
        Q(owned_zones__in=zones) | Q(unit__zones__in=zones), is_active=True
    ).distinct()


def required_people(version: StandardVersion) -> QuerySet[User]:
    """Who must acknowledge `version`: the people of active zones of its area type."""
    zones = Zone.objects.filter(
        center_id=version.center_id, area_type_id=version.standard.area_type_id, is_active=True
    )
    return people_of_zones(zones).filter(center_id=version.center_id)


def versions_for(user: User) -> QuerySet[StandardVersion]:
    """Published versions that apply to a zone `user` owns or whose unit they work in."""
    if user.center_id is None:
        return StandardVersion.objects.none()
    zones = Zone.objects.filter(center_id=user.center_id, is_active=True).filter(
        Q(owner=user) | (Q(unit_id=user.unit_id) if user.unit_id else Q(pk__in=[]))
    )
    area_types = zones.values("area_type_id")
    return (
        StandardVersion.objects.published()
        .filter(center_id=user.center_id, standard__area_type_id__in=area_types)
        .select_related("standard")
    )


@transaction.atomic
def ensure_acknowledgements(
    *,
    version: StandardVersion | None = None,
    zone: Zone | None = None,
    user: User | None = None,
    center: Center | None = None,
) -> int:
    """Creates the acknowledgement tasks that are missing and notifies the people who got
    one. Idempotent. Call it when a version is published (`version=`), when a zone gets an
    owner or a unit (`zone=`), when a person joins a unit (`user=`), or for a whole center
    (`center=`, e.g. nightly). Returns the number of tasks created."""
    pairs: list[tuple[StandardVersion, list[User]]] = []
    if version is not None and version.is_published:
        pairs.append((version, list(required_people(version))))
    if zone is not None:
        published = (
            StandardVersion.objects.published()
            .filter(center_id=zone.center_id, standard__area_type_id=zone.area_type_id)
            .first()
        )
        if published is not None and zone.is_active:
            people = list(people_of_zones(Zone.objects.filter(pk=zone.pk)))
            pairs.append((published, people))
    if user is not None and user.center_id is not None:
        pairs.extend((v, [user]) for v in versions_for(user))
    if center is not None:
        for published in (
            StandardVersion.objects.published().filter(center=center).select_related("standard")
        ):
            pairs.append((published, list(required_people(published))))
    created = 0
    for standard_version, people in pairs:
        have = set(
            Acknowledgement.objects.filter(standard_version=standard_version).values_list(
                "user_id", flat=True
            )
        )
        new = [person for person in people if person.pk not in have]
        if not new:
            continue
        Acknowledgement.objects.bulk_create(
            [Acknowledgement(center_id=standard_version.center_id, standard_version=standard_version,
                             user=person) for person in new],
            ignore_conflicts=True,
        )  # fmt: skip
        created += len(new)
        notify(
            center=Center.objects.get(pk=standard_version.center_id),
            users=new,
            kind="engagement.acknowledge",
            message=gettext_noop("Please read and acknowledge the standard “%(standard)s”."),
            params={"standard": str(standard_version)},
            url=reverse("engagement:acknowledgement-mine"),
        )
    return created


def check_acknowledgeable(version: StandardVersion, *, user: User) -> None:
    """A published version of the person's center that applies to a zone of theirs."""
    if not version.is_published:
        raise EngagementError(
            _("Only a published standard can be acknowledged."), code="not_published"
        )
    if version.center_id != user.center_id:
        raise NotVisible(_("This standard is not in your service center."))
    if not versions_for(user).filter(pk=version.pk).exists():
        raise NotVisible


@transaction.atomic
def acknowledge(
    version: StandardVersion, *, user: User, request: HttpRequest | None = None
) -> Acknowledgement:
    check_acknowledgeable(version, user=user)
    record, _created = Acknowledgement.objects.get_or_create(
        standard_version=version, user=user, defaults={"center_id": version.center_id}
    )
    if record.acknowledged_at is None:
        record.acknowledged_at = timezone.now()
        record.save(update_fields=["acknowledged_at"])
        record_event(request, action="engagement.acknowledged", obj=version, actor=user)
    return record


# --- slogans and proposals ----------------------------------------------------------------


@dataclass
class Submitted:
    suggestion: Suggestion
    created: bool


def find_similar(
    *, center_id: int, kind: str, title: str, body: str, exclude: int | None = None
) -> tuple[Suggestion | None, float]:
    """The most similar earlier suggestion of the same kind, and how similar (0 … 1)."""
    candidates = (
        Suggestion.objects.filter(center_id=center_id, kind=kind)
        .exclude(status=Suggestion.Status.REJECTED)
        .only("pk", "title", "body")
        .order_by("-created_at")[:1000]
    )
    best: Suggestion | None = None
    best_score = 0.0
    for candidate in candidates:
        if candidate.pk == exclude:
            continue
        score = max(
            similarity(title, candidate.title),
            similarity(f"{title}{body}", f"{candidate.title}{candidate.body}"),
        )
        if score > best_score:
            best, best_score = candidate, score
    return best, best_score


@transaction.atomic
def submit_suggestion(
    *,
    center: Center,
    author: User,
    kind: str,
    title: str,
    body: str = "",
    area_type: AreaType | None = None,
    photos: Sequence[CleanPhoto] = (),
    call: SuggestionCall | None = None,
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> Submitted:
    """Stores a slogan or proposal, flags a likely duplicate, awards a point. A repeated
    submit with the same key returns the first suggestion. Submitted to a call, it takes the
    call's kind, and only until the call's deadline."""
    if submission_key:
        first = existing_submission(user=author, scope="engagement.suggestion", key=submission_key)
        if first is not None:
            return Submitted(Suggestion.objects.get(pk=first, center=center), created=False)
    if call is not None:
        check_call_open(call, user=author)
        kind = call.kind
    if area_type is not None and area_type.center_id != center.pk:
        raise ValidationError(_("Unknown area type."))
    similar, score = find_similar(center_id=center.pk, kind=kind, title=title, body=body)
    suggestion = Suggestion.objects.create(
        center=center,
        kind=kind,
        title=title,
        body=body,
        author=author,
        unit_id=author.unit_id,
        area_type=area_type,
        call=call,
        similar_to=similar if score >= DUPLICATE_THRESHOLD else None,
        similarity=round(score, 3) if score >= DUPLICATE_THRESHOLD else None,
    )
    _store_photos(photos, center_id=center.pk, by=author, suggestion=suggestion)
    if submission_key:
        claim_submission(center=center, user=author, scope="engagement.suggestion",
                         key=submission_key, object_id=str(suggestion.pk))  # fmt: skip
    award(
        author,
        reason=PointEntry.Reason.SUBMITTED,
        source=point_source(suggestion),
        center_id=center.pk,
    )
    SuggestionTransition.submitted(suggestion, by_id=author.pk).save()
    record_event(request, action="engagement.suggestion_submitted", obj=suggestion, actor=author,
                 center=center, detail={"similar_to": suggestion.similar_to_id,
                                        "call": suggestion.call_id})  # fmt: skip
    return Submitted(suggestion, created=True)


def check_vote(suggestion: Suggestion, *, user: User) -> None:
    """Not one's own suggestion, not a rejected one, not another center's."""
    if user.center_id != suggestion.center_id:
        raise NotVisible(_("This suggestion is not in your service center."))
    if suggestion.is_authored_by(user.pk):
        raise EngagementError(_("You cannot vote for your own suggestion."), code="own_suggestion")
    if suggestion.status == Suggestion.Status.REJECTED:
        raise EngagementError(_("A rejected suggestion takes no votes."))


def may_vote(suggestion: Suggestion, user: User) -> bool:
    """Whether the page offers the vote button (cross-center viewers never vote)."""
    if user.is_cross_center_viewer:
        return False
    try:
        check_vote(suggestion, user=user)
    except (Conflict, NotVisible):
        return False
    return True


@transaction.atomic
def vote(suggestion: Suggestion, *, user: User, request: HttpRequest | None = None) -> bool:
    """One vote per person; voting again changes nothing. Returns whether a vote was added."""
    check_vote(suggestion, user=user)
    try:
        with transaction.atomic():
            Vote.objects.create(center_id=suggestion.center_id, suggestion=suggestion, user=user)
    except IntegrityError:
        return False
    record_event(request, action="engagement.voted", obj=suggestion, actor=user)
    return True


@transaction.atomic
def withdraw_vote(
    suggestion: Suggestion, *, user: User, request: HttpRequest | None = None
) -> bool:
    deleted, _detail = Vote.objects.filter(suggestion=suggestion, user=user).delete()
    if deleted:
        record_event(request, action="engagement.vote_withdrawn", obj=suggestion, actor=user)
    return bool(deleted)


REVIEW_MESSAGES = {
    Suggestion.Status.ACCEPTED: gettext_noop("Your suggestion “%(title)s” was accepted: %(reason)s"),
    Suggestion.Status.REJECTED: gettext_noop("Your suggestion “%(title)s” was not taken up: %(reason)s"),
    Suggestion.Status.ADOPTED: gettext_noop("Your suggestion “%(title)s” was adopted: %(reason)s"),
}  # fmt: skip


def check_review(
    suggestion: Suggestion, *, decision: str, reason: str, area_type: AreaType | None = None
) -> None:
    """The move is one the workflow allows (409 `wrong_state`), with a reason and an area
    type of the suggestion's center (422)."""
    target = Suggestion.Status(decision)
    SUGGESTION_MOVES.check(
        suggestion.status,
        target,
        _("A suggestion that is “%(now)s” cannot become “%(then)s”.")
        % {"now": suggestion.get_status_display(), "then": target.label},
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason; the author will read it.")})
    if area_type is not None and area_type.center_id != suggestion.center_id:
        raise ValidationError({"area_type": _("Unknown area type.")})


@transaction.atomic
def review_suggestion(
    suggestion: Suggestion,
    *,
    by: User,
    decision: str,
    reason: str,
    expected_version: int,
    open_revision: bool = False,
    area_type: AreaType | None = None,
    request: HttpRequest | None = None,
) -> Suggestion:
    """Accept, reject or adopt, always with a reason. Adopting a proposal can open a
    revision draft of the standard of its area type (standards.services.start_revision)."""
    check_review(suggestion, decision=decision, reason=reason, area_type=area_type)
    target = Suggestion.Status(decision)
    previous = suggestion.status
    suggestion.status = target
    suggestion.review_reason = reason.strip()
    suggestion.reviewed_by = by
    suggestion.reviewed_at = timezone.now()
    if area_type is not None:
        suggestion.area_type = area_type
    save_versioned(
        suggestion,
        expected_version=expected_version,
        fields=["status", "review_reason", "reviewed_by", "reviewed_at", "area_type"],
    )
    SuggestionTransition.objects.create(
        center_id=suggestion.center_id, suggestion=suggestion, from_status=previous,
        to_status=target, by=by, note=suggestion.review_reason,
    )  # fmt: skip
    for earned in PointEntry.for_review(target):
        award(
            suggestion.author,
            reason=earned,
            source=point_source(suggestion),
            center_id=suggestion.center_id,
        )
    record_event(request, action=f"engagement.suggestion_{target}", obj=suggestion, actor=by,
                 detail={"from": previous, "reason": suggestion.review_reason[:200]})  # fmt: skip
    if target == Suggestion.Status.ADOPTED and open_revision:
        open_standard_revision(suggestion, by=by, request=request)
    notify(
        center=Center.objects.get(pk=suggestion.center_id),
        users=[suggestion.author],
        kind="engagement.suggestion_reviewed",
        message=REVIEW_MESSAGES[target],
        params={"title": suggestion.title, "reason": suggestion.review_reason[:200]},
        url=reverse("engagement:suggestion-detail", args=[suggestion.pk]),
    )
    return suggestion


def check_revision(suggestion: Suggestion, *, area_type: AreaType | None = None) -> None:
    """An adopted proposal that opened no revision yet, with an area type of its center."""
    if (
        suggestion.kind != Suggestion.Kind.PROPOSAL
        or suggestion.status != Suggestion.Status.ADOPTED
    ):
        raise EngagementError(
            _("Only an adopted improvement proposal can open a standard revision.")
        )
    if suggestion.standard_version_id is not None:
        raise EngagementError(
            _("This proposal already opened a standard revision."), code="revision_opened"
        )
    if area_type is not None and area_type.center_id != suggestion.center_id:
        raise EngagementError(_("Unknown area type."), code="unknown_area_type")
    if area_type is None and suggestion.area_type_id is None:
        raise EngagementError(
            _("Choose the area type whose standard the proposal improves."), code="no_area_type"
        )


def may_open_revision(suggestion: Suggestion) -> bool:
    """Whether the page offers to open a revision (an adopted proposal without one)."""
    return (
        suggestion.kind == Suggestion.Kind.PROPOSAL
        and suggestion.status == Suggestion.Status.ADOPTED
        and suggestion.standard_version_id is None
    )


@transaction.atomic
def open_standard_revision(
    suggestion: Suggestion,
    *,
    by: User,
    area_type: AreaType | None = None,
    request: HttpRequest | None = None,
) -> StandardVersion:
    """Opens (or joins) the revision draft of the standard the adopted proposal improves,
    and links the two: `suggestion.standard_version` here, `version.suggestions` there, and
    the draft's note and source point back to the proposal."""
    check_revision(suggestion, area_type=area_type)
    if area_type is not None:
        suggestion.area_type = area_type
        Suggestion.objects.filter(pk=suggestion.pk).update(area_type=area_type)
    draft = start_revision(
        area_type=suggestion.area_type,
        by=by,
        note=_("Improvement proposal #%(number)d: %(title)s")
        % {"number": suggestion.pk, "title": suggestion.title},
        source_url=reverse("engagement:suggestion-detail", args=[suggestion.pk]),
        request=request,
    )
    updated = Suggestion.objects.filter(pk=suggestion.pk, standard_version__isnull=True).update(
        standard_version=draft, version=F("version") + 1
    )
    if updated != 1:
        raise EngagementError(
            _("This proposal already opened a standard revision."), code="revision_opened"
        )
    suggestion.standard_version = draft
    record_event(request, action="engagement.revision_opened", obj=suggestion, actor=by,
                 detail={"standard_version": draft.pk})  # fmt: skip
    return draft


def is_invited(training: Training, user: User) -> bool:
    return is_in_audience(
        user,
        center_id=training.center_id,
        unit_ids=training.audience_unit_ids,
        group_ids=training.audience_group_ids,
    )


# --- calls for slogans and proposals ---------------------------------------------------------

CALL_KIND = "engagement.call"


def call_audience(call: SuggestionCall) -> QuerySet[User]:
    """The invited: the listed units' active people, or the whole center's."""
    return audience_users(call.center_id, unit_ids=call.audience_unit_ids, group_ids=[])


def is_invited_to_call(call: SuggestionCall, user: User) -> bool:
    return is_in_audience(
        user, center_id=call.center_id, unit_ids=call.audience_unit_ids, group_ids=[]
    )


def check_call_open(call: SuggestionCall, *, user: User) -> None:
    """The call is the person's center's (404), they are invited (403) and the deadline has
    not passed (409 `call_closed`)."""
    if user.center_id != call.center_id:
        raise NotVisible(_("This call is not in your service center."))
    if call.is_closed():
        raise EngagementError(
            _("This call closed on %(deadline)s; it takes no more entries.")
            % {"deadline": _when(call.deadline)},
            code="call_closed",
        )
    if not is_invited_to_call(call, user):
        raise NotAllowed(_("This call is open to other units only."))


def check_new_call(*, deadline: datetime.datetime) -> None:
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("The deadline must be in the future.")})


CALL_MESSAGES = {
    Suggestion.Kind.SLOGAN: gettext_noop(
        "Call for slogans: “%(title)s”. Send yours by %(deadline)s."
    ),
    Suggestion.Kind.PROPOSAL: gettext_noop(
        "Call for improvement proposals: “%(title)s”. Send yours by %(deadline)s."
    ),
}


@transaction.atomic
def open_call(
    *,
    center: Center,
    by: User,
    kind: str,
    title: str,
    body: str,
    deadline: datetime.datetime,
    units: Sequence[Any] = (),
    submission_key: str = "",
    request: HttpRequest | None = None,
) -> SuggestionCall:
    """Opens a call: posts it on the board (pinned until someone unpins it) and notifies
    the invited after commit. A repeated submit with the same key returns the first call."""
    if submission_key:
        first = existing_submission(user=by, scope="engagement.call", key=submission_key)
        if first is not None:
            return SuggestionCall.objects.get(pk=first, center=center)
    check_new_call(deadline=deadline)
    if any(unit.center_id != center.pk for unit in units):
        raise ValidationError({"units": _("Unknown unit.")})
    post = Post.objects.create(
        center=center, title=title, body=clean_html(body), is_pinned=True, author=by
    )
    call = SuggestionCall.objects.create(
        center=center, kind=kind, title=title, body=clean_html(body), deadline=deadline,
        post=post, created_by=by,
    )  # fmt: skip
    call.units.set(units)
    url = reverse("engagement:call-detail", args=[call.pk])
    if submission_key:
        claim_submission(center=center, user=by, scope="engagement.call", key=submission_key,
                         object_id=str(call.pk))  # fmt: skip
    record_event(request, action="engagement.call_opened", obj=call, actor=by, center=center,
                 detail={"kind": kind, "deadline": deadline.isoformat(),
                         "units": [unit.pk for unit in units]})  # fmt: skip
    notify(
        center=center,
        users=call_audience(call),
        kind=CALL_KIND,
        message=CALL_MESSAGES[Suggestion.Kind(kind)],
        params={"title": title, "deadline": _when(deadline)},
        url=url,
    )
    return call
