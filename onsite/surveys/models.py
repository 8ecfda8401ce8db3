"""Surveys (问卷): a builder of questions, an audience, open and close dates, one response per
person, and an anonymous mode in which who took part and what was answered cannot be joined.

Anonymity, concretely (see docs/engagement.md):
- `Participation` (who took part, with a date but no time) and `Response`/`Answer` (what was
  answered) share no column: an anonymous response has no respondent, no unit, no timestamp.
- Responses and answers get random primary keys, so their ids and their storage order say
  nothing about the order in which people answered (sequential ids could be zipped with the
  participation rows).
- Nothing else records the link either: no submission key, no audit detail with a response id.
- Results of an anonymous survey are shown only for groups of at least MIN_GROUP_SIZE
  responses; a named survey shows them at any count (it shows who answered what anyway)."""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.models import CenterQuerySet, CenterScoped

if TYPE_CHECKING:
    from onsite.accounts.models import User

# Fewer responses than this in a group (the whole survey, a unit) of an anonymous survey and
# its results are hidden. Named surveys have no threshold (see Survey.min_group_size).
MIN_GROUP_SIZE = 5
# A 1–5 scale answer of this value or more counts as agreement.
AGREE_FROM = 4


def random_key() -> int:
    """A random positive 62-bit key: unique in practice, and it carries no order."""
    return secrets.randbits(62) or 1


class SurveyQuerySet(CenterQuerySet["Survey"]):
    def open_on(self, day: date) -> SurveyQuerySet:
        return self.filter(status=Survey.Status.OPEN, opens_on__lte=day, closes_on__gte=day)

    def addressed_to(self, user: User) -> SurveyQuerySet:
        """Surveys whose audience includes `user`: the whole center, their unit or a group
        they belong to."""
        whole_center = Q(units__isnull=True, groups__isnull=True)
        condition = whole_center | Q(groups__memberships__user=user)
        if user.unit_id is not None:
            condition |= Q(units=user.unit_id)
        if user.center_id is None:
            return self.none()
        return self.filter(center_id=user.center_id).filter(condition).distinct()


class Survey(CenterScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Published")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction"), blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Who took part and what they answered are stored apart and cannot be joined. "
            "Results are shown only once at least 5 people have answered."
        ),
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("units")
    )
    groups = models.ManyToManyField(
        "org.Group", blank=True, related_name="+", verbose_name=_("groups")
    )
    baseline = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("baseline survey"),
        help_text=_("A follow-up survey is compared with its baseline question by question."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def min_group_size(self) -> int:
        """Responses a group needs before its results are shown: the anonymity threshold for an
        anonymous survey, none (one response) for a named one (issue 21, point 4)."""
        return MIN_GROUP_SIZE if self.is_anonymous else 1

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def is_open(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == self.Status.OPEN and self.opens_on <= day <= self.closes_on

    @property
    def audience_unit_ids(self) -> list[int]:
        return [unit.pk for unit in self.units.all()]

    @property
    def audience_group_ids(self) -> list[int]:
        return [group.pk for group in self.groups.all()]


class Question(CenterScoped):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale 1–5")
        NUMBER = "number", _("Number")
        TEXT = "text", pgettext_lazy("question kind", "Text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(pgettext_lazy("question", "order"), default=0)
    # Matches the "same" question across a baseline and its follow-up.
    code = models.SlugField(pgettext_lazy("question", "code"), max_length=32)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(pgettext_lazy("question", "required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    scale_low = models.CharField(_("label of 1"), max_length=30, blank=True)
    scale_high = models.CharField(_("label of 5"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in {self.Kind.SINGLE, self.Kind.MULTIPLE}


class Participation(CenterScoped):
    """That a person took part (for one response each and for the participation rate).
    A date and no time: with times, rows could be matched to responses by their order."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_participations"
    )
    on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="one_response_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.survey}"


class Response(CenterScoped):
    """What one person answered. In an anonymous survey, respondent and unit stay empty and
    nothing on the row (no time, no sequential id) leads back to the person."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondent"),
    )
    # The respondent's unit when they answered (named surveys only), for results by unit.
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="one_named_response_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.pk}"


class Answer(CenterScoped):
    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # single choice: index of the choice; scale: 1–5
    value_int = models.SmallIntegerField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    value_text = models.TextField(blank=True)
    # multiple choice: indexes of the chosen choices
    value_choices = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("survey", "answer")
        verbose_name_plural = pgettext_lazy("survey", "answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.display}"

    @property
    def display(self) -> str:
        kind = self.question.kind
        if kind == Question.Kind.SINGLE and self.value_int is not None:
            choices = self.question.choices
            return str(choices[self.value_int]) if 0 <= self.value_int < len(choices) else ""
        if kind == Question.Kind.MULTIPLE:
            choices = self.question.choices
            return "; ".join(str(choices[i]) for i in self.value_choices if 0 <= i < len(choices))
        if kind == Question.Kind.SCALE:
            return "" if self.value_int is None else str(self.value_int)
        if kind == Question.Kind.NUMBER:
            return "" if self.value_number is None else f"{self.value_number.normalize():f}"
        return self.value_text
