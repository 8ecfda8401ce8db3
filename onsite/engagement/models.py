"""Engagement: the publicity board (宣传专栏) and its weekly digest, training sessions with
QR sign-in, acknowledgement of published standards, slogans and improvement proposals with
votes, review and adoption, and contribution points."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import CenterQuerySet, CenterScoped
from onsite.core.transitions import Moves, TransitionRecord


def new_secret() -> str:
    return secrets.token_urlsafe(24)


# --- publicity board ----------------------------------------------------------------------


class PostQuerySet(CenterQuerySet["Post"]):
    def for_board(self) -> PostQuerySet:
        return self.order_by("-is_pinned", "-published_at", "-pk")


class Post(CenterScoped):
    """A post on the publicity board. `body` holds HTML that went through nh3 (see
    engagement.text.clean_html); a digest post keeps its content as data in `digest`, rendered
    in the reader's language."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        DIGEST = "digest", _("Weekly digest")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.POST)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    week = models.DateField(_("week"), null=True, blank=True)
    digest = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)
    requires_acknowledgement = models.BooleanField(_("readers must confirm"), default=False)
    acknowledgement_units = models.ManyToManyField(
        "org.Unit",
        blank=True,
        related_name="+",
        verbose_name=_("units that must confirm"),
        help_text=_("Leave empty to ask everyone in the center."),
    )
    acknowledgement_due = models.DateField(_("confirm by"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-is_pinned", "-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "week"],
                condition=Q(kind="digest"),
                name="one_digest_per_week",
            ),
            models.CheckConstraint(
                condition=Q(kind="post") | Q(week__isnull=False), name="digest_has_week"
            ),
            models.CheckConstraint(
                condition=Q(requires_acknowledgement=False) | Q(acknowledgement_due__isnull=False),
                name="acknowledgement_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_digest(self) -> bool:
        return self.kind == self.Kind.DIGEST

    @property
    def acknowledgement_unit_ids(self) -> list[int]:
        return [unit.pk for unit in self.acknowledgement_units.all()]


class PostReading(CenterScoped):
    """A person's confirmation (已阅确认) that they read a post that asks for it. Who must
    confirm is computed from the post's units and the people in them now, so a newcomer is
    included at once; a row exists only once the person confirmed."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_readings"
    )
    at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("read confirmation")
        verbose_name_plural = _("read confirmations")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="read_confirm_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.post_id}"


class PostReminder(CenterScoped):
    """A reminder sent to one person about one post at one stage; the row makes the task
    idempotent (nobody is reminded twice at the same stage)."""

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("read reminder")
        verbose_name_plural = _("read reminders")
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "stage"], name="remind_once_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.post_id} · {self.stage}"


class Photo(CenterScoped):
    """A photo of a post or of a proposal, stored as our own re-encoding (core.images) and
    served only through an access-checked view."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    suggestion = models.ForeignKey(
        "Suggestion", on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    image = models.FileField(upload_to="engagement/%Y/%m/")
    thumbnail = models.FileField(upload_to="engagement/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, suggestion__isnull=True)
                | Q(post__isnull=True, suggestion__isnull=False),
                name="photo_belongs_to_one",
            ),
        ]

    def __str__(self) -> str:
        return f"photo {self.pk}"


# --- training and acknowledgement ----------------------------------------------------------


class Training(CenterScoped):
    """A training session (培训). People sign in by scanning the QR code shown at the
    session; the code is valid only around the session's time."""

    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("content"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainer"),
    )
    trainer_name = models.CharField(
        _("external trainer"),
        max_length=100,
        blank=True,
        help_text=_("When the trainer is not a user of this system."),
    )
    units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("units")
    )
    groups = models.ManyToManyField(
        "org.Group", blank=True, related_name="+", verbose_name=_("groups")
    )
    standard_versions = models.ManyToManyField(
        "standards.StandardVersion",
        blank=True,
        related_name="trainings",
        verbose_name=_("standard versions covered"),
    )
    sign_in_secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.topic

    # Sign-in opens a little before the session and stays open a little after it.
    SIGN_IN_MARGIN = datetime.timedelta(hours=1)

    def sign_in_open(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.starts_at - self.SIGN_IN_MARGIN <= at <= self.ends_at + self.SIGN_IN_MARGIN

    @property
    def trainer_display(self) -> str:
        return str(self.trainer) if self.trainer else self.trainer_name

    @property
    def audience_unit_ids(self) -> list[int]:
        return [unit.pk for unit in self.units.all()]

    @property
    def audience_group_ids(self) -> list[int]:
        return [group.pk for group in self.groups.all()]


class TrainingDocument(CenterScoped):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="engagement/training/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training document")
        verbose_name_plural = _("training documents")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(CenterScoped):
    class Method(models.TextChoices):
        QR = "qr", _("QR sign-in")
        MANUAL = "manual", _("Recorded by the organiser")

    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attendances"
    )
    signed_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, default=Method.QR)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["training", "user"], name="attend_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.training}"


class Acknowledgement(CenterScoped):
    """A person's task to read and confirm a published standard version that applies to a
    zone they own or work in. Who must acknowledge is computed from the zones (so a
    newcomer is included at once); a row is the assignment (with a notification) and, once
    `acknowledged_at` is set, the confirmation."""

    standard_version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("standard version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["standard_version", "user"], name="acknowledge_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.standard_version_id}"


# --- slogans and improvement proposals ------------------------------------------------------


class SuggestionQuerySet(CenterQuerySet["Suggestion"]):
    def open(self) -> SuggestionQuerySet:
        return self.filter(status__in=[Suggestion.Status.SUBMITTED, Suggestion.Status.ACCEPTED])


class Suggestion(CenterScoped):
    """A slogan or an improvement proposal (标语、改善方案). Reviewed into accepted, rejected
    or adopted; an adopted proposal can open a revision draft of a standard, kept in
    `standard_version` (the standard side reaches back through `suggestions`)."""

    class Kind(models.TextChoices):
        SLOGAN = "slogan", _("Slogan")
        PROPOSAL = "proposal", _("Improvement proposal")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("suggestion", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("suggestion", "Accepted")
        REJECTED = "rejected", pgettext_lazy("suggestion", "Rejected")
        ADOPTED = "adopted", pgettext_lazy("suggestion", "Adopted")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("author"),
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    area_type = models.ForeignKey(
        "org.AreaType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area type"),
        help_text=_("The area whose standard the proposal would improve."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    similar_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("likely duplicate of"),
    )
    similarity = models.FloatField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(_("reason"), blank=True)
    standard_version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("standard revision"),
    )
    call = models.ForeignKey(
        "SuggestionCall",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("call"),
    )
    version = models.PositiveIntegerField(default=1)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(standard_version__isnull=True) | Q(status="adopted"),
                name="only_adopted_opens_revision",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.SUBMITTED, self.Status.ACCEPTED}

    def is_authored_by(self, user_id: int | None) -> bool:
        """The author's own suggestion (nobody votes for their own)."""
        return self.author_id == user_id


class SuggestionCall(CenterScoped):
    """A call for slogans or proposals (征集活动) with a deadline, opened by the programme
    office: it is posted on the board and the invited people (all, or the listed units) are
    notified. Suggestions submitted to it keep it in `Suggestion.call`; after the deadline it
    takes no more."""

    kind = models.CharField(_("kind"), max_length=10, choices=Suggestion.Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    deadline = models.DateTimeField(_("deadline"))
    units = models.ManyToManyField(
        "org.Unit",
        blank=True,
        related_name="+",
        verbose_name=_("units"),
        help_text=_("Leave empty to invite everyone in the center."),
    )
    post = models.OneToOneField(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="call"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for suggestions")
        verbose_name_plural = _("calls for suggestions")
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.title

    def is_closed(self, at: datetime.datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.deadline

    @property
    def audience_unit_ids(self) -> list[int]:
        return [unit.pk for unit in self.units.all()]


class Vote(CenterScoped):
    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestion_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "user"], name="one_vote_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.suggestion_id}"


class SuggestionTransition(CenterScoped, TransitionRecord):
    """The history of a suggestion: who moved it from what to what, when, and why. A new
    suggestion's first row goes from "submitted" to "submitted"."""

    STATUS = Suggestion.Status

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="transitions")
    # The statuses keep their own length and choices (the table predates the shared base).
    from_status = models.CharField(max_length=10, choices=Suggestion.Status.choices)
    to_status = models.CharField(max_length=10, choices=Suggestion.Status.choices)

    class Meta:
        verbose_name = _("suggestion transition")
        verbose_name_plural = _("suggestion transitions")
        ordering = ["at", "pk"]

    @classmethod
    def submitted(
        cls, suggestion: Suggestion, *, by_id: int | None, at: datetime.datetime | None = None
    ) -> SuggestionTransition:
        """The first row of a suggestion's history (unsaved)."""
        return cls(
            center_id=suggestion.center_id,
            suggestion=suggestion,
            from_status=Suggestion.Status.SUBMITTED,
            to_status=Suggestion.Status.SUBMITTED,
            by_id=by_id,
            at=at or timezone.now(),
        )


SUGGESTION_MOVES = Moves(
    {
        Suggestion.Status.SUBMITTED: (
            Suggestion.Status.ACCEPTED,
            Suggestion.Status.REJECTED,
            Suggestion.Status.ADOPTED,
        ),
        Suggestion.Status.ACCEPTED: (Suggestion.Status.ADOPTED, Suggestion.Status.REJECTED),
    }
)
"""How a review moves a suggestion; rejected and adopted are final."""


class PointEntry(CenterScoped):
    """One line of the contribution-points ledger. `source` names what earned it (e.g.
    "suggestion:12"), so the same deed never earns twice."""

    class Reason(models.TextChoices):
        SUBMITTED = "submitted", _("Suggestion submitted")
        ACCEPTED = "accepted", _("Suggestion accepted")
        ADOPTED = "adopted", _("Suggestion adopted")
        TRAINED = "trained", _("Training attended")

    POINTS = {Reason.SUBMITTED: 1, Reason.ACCEPTED: 3, Reason.ADOPTED: 10, Reason.TRAINED: 1}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_entries"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    points = models.SmallIntegerField(_("points"))
    source = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("contribution points")
        verbose_name_plural = _("contribution points")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reason", "source"], name="points_once_per_deed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} +{self.points}"

    @classmethod
    def earned(
        cls,
        *,
        user_id: int,
        reason: str,
        source: str,
        center_id: int,
        at: datetime.datetime | None = None,
    ) -> PointEntry:
        """The ledger line of one deed (unsaved), worth what the reason is worth."""
        return cls(
            center_id=center_id,
            user_id=user_id,
            reason=reason,
            points=cls.POINTS[cls.Reason(reason)],
            source=source,
            at=at or timezone.now(),
        )

    @classmethod
    def for_review(cls, status: str) -> list[PointEntry.Reason]:
        """What a review into `status` earns the author: accepting earns the accepted points,
        adopting those and the adopted points; rejecting earns nothing."""
        if status == Suggestion.Status.ADOPTED:
            return [cls.Reason.ACCEPTED, cls.Reason.ADOPTED]
        if status == Suggestion.Status.ACCEPTED:
            return [cls.Reason.ACCEPTED]
        return []


def point_source(obj: Training | Suggestion) -> str:
    """The deed a ledger line is for, so the same deed never earns twice."""
    return f"training:{obj.pk}" if isinstance(obj, Training) else f"suggestion:{obj.pk}"
