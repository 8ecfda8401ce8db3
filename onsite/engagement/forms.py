from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.accounts.models import User
from onsite.core.forms import (
    PersonChoiceField,
    PersonMultipleChoiceField,
    StyledForm,
    StyledFormMixin,
)
from onsite.core.images import CleanPhoto
from onsite.core.models import Center
from onsite.engagement.models import Post, Suggestion, SuggestionCall, Training
from onsite.engagement.services import MAX_PHOTOS, Confirmation, clean_photos
from onsite.org.models import AreaType, Group, Unit
from onsite.standards.models import StandardVersion


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each goes through core.images.clean_photo."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in files]


class PhotoFormMixin:
    """Adds `photos` and turns them into checked, re-encoded photos in `clean_photos`, each
    counted against the uploader's daily photo quota."""

    cleaned_data: dict[str, Any]
    clean_photo_list: list[CleanPhoto]
    uploader: User

    def clean_photos(self) -> list[UploadedFile[bytes]]:
        uploads: list[UploadedFile[bytes]] = self.cleaned_data.get("photos") or []
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos, please.") % {"n": MAX_PHOTOS})
        self.clean_photo_list = clean_photos(uploads, user=self.uploader)
        return uploads


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PostForm(PhotoFormMixin, StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Plain text, or simple formatting: <p>, <strong>, <em>, <ul>/<ol>/<li>, <h3>, links. "
            "Anything else is removed."
        ),
    )
    is_pinned = forms.BooleanField(label=_("Pin to the top of the board"), required=False)
    photos = PhotosField(label=_("Photos"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    # Asked when posting only (an edit keeps what the post asked).
    requires_acknowledgement = forms.BooleanField(
        label=_("Readers must confirm they have read it"), required=False
    )
    acknowledgement_units = forms.ModelMultipleChoiceField(
        label=_("Units that must confirm"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Leave empty to ask everyone in the center."),
    )
    acknowledgement_due = forms.DateField(
        label=_("Confirm by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: User, post: Post | None = None, **kwargs: Any) -> None:
        self.uploader = user
        if post is not None:
            kwargs.setdefault(
                "initial",
                {"title": post.title, "body": post.body, "is_pinned": post.is_pinned,
                 "version": post.version},
            )  # fmt: skip
        super().__init__(*args, **kwargs)
        self.clean_photo_list = []
        if post is not None:
            for name in (
                "requires_acknowledgement",
                "acknowledgement_units",
                "acknowledgement_due",
            ):
                del self.fields[name]
        else:
            units = Unit.objects.filter(center_id=user.center_id or 0)
            self.fields["acknowledgement_units"].queryset = units  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("requires_acknowledgement") and not data.get("acknowledgement_due"):
            self.add_error("acknowledgement_due", _("Give the date to confirm by."))
        return data

    @property
    def confirmation(self) -> Confirmation | None:
        data = self.cleaned_data
        if not data.get("requires_acknowledgement"):
            return None
        return Confirmation(
            due=data["acknowledgement_due"], units=list(data.get("acknowledgement_units") or [])
        )


class TrainingForm(StyledFormMixin, forms.ModelForm[Training]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Training
        fields = [
            "topic",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "trainer",
            "trainer_name",
            "units",
            "groups",
            "standard_versions",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "units": forms.SelectMultiple(attrs={"size": 6}),
            "groups": forms.SelectMultiple(attrs={"size": 6}),
            "standard_versions": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {"units": _("Leave units and groups empty to invite the whole center.")}
        field_classes = {"trainer": PersonChoiceField}

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["trainer"].queryset = User.objects.filter(center=center, is_active=True)  # type: ignore[attr-defined]
        fields["units"].queryset = Unit.objects.filter(center=center)  # type: ignore[attr-defined]
        fields["groups"].queryset = Group.objects.filter(center=center)  # type: ignore[attr-defined]
        fields["standard_versions"].queryset = (  # type: ignore[attr-defined]
            StandardVersion.objects.filter(center=center)
            .exclude(status=StandardVersion.Status.RETIRED)
            .select_related("standard")
        )
        for name in ("starts_at", "ends_at"):
            fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        if self.instance.pk:
            fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        if not data.get("trainer") and not data.get("trainer_name"):
            self.add_error("trainer", _("Choose a trainer or type the name of an external one."))
        return data


class DocumentForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class AttendanceForm(StyledForm):
    """Marks invited people present: the picker lists the session's audience only (its units
    and groups, or the whole center when it names none); anyone else is refused."""

    people = PersonMultipleChoiceField(
        label=_("Present"),
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={
            "invalid_choice": _("Only people invited to this session can be marked present."),
            "invalid_pk_value": _("Only people invited to this session can be marked present."),
        },
    )

    def __init__(self, *args: Any, audience: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = audience.order_by(  # type: ignore[attr-defined]
            "unit__name", "full_name", "username"
        )


class SuggestionForm(PhotoFormMixin, StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Suggestion.Kind.choices)
    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("A slogan: the slogan itself.")
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A proposal: what is wrong now, what you propose, what it would bring."),
    )
    area_type = forms.ModelChoiceField(
        label=_("Area type"),
        queryset=AreaType.objects.none(),
        required=False,
        help_text=_("Which area's standard the proposal would improve, if any."),
    )
    photos = PhotosField(label=_("Photos"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self,
        *args: Any,
        center: Center,
        user: User,
        call: SuggestionCall | None = None,
        **kwargs: Any,
    ) -> None:
        self.uploader = user
        super().__init__(*args, **kwargs)
        self.clean_photo_list = []
        self.fields["area_type"].queryset = AreaType.objects.filter(center=center)  # type: ignore[attr-defined]
        if call is not None:
            # A call asks for one kind; the form does not offer the other.
            self.fields["kind"].choices = [(call.kind, call.get_kind_display())]  # type: ignore[attr-defined]
            self.fields["kind"].initial = call.kind
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex


class CallForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Suggestion.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is asked for and how entries will be judged."),
    )
    deadline = forms.DateTimeField(label=_("Deadline"), widget=DateTimeInput())
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Leave empty to invite everyone in the center."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(center=center)  # type: ignore[attr-defined]
        self.fields["deadline"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex


class ReviewForm(StyledForm):
    DECISIONS = [
        (Suggestion.Status.ACCEPTED, pgettext_lazy("suggestion", "Accept")),
        (Suggestion.Status.ADOPTED, pgettext_lazy("suggestion", "Adopt")),
        (Suggestion.Status.REJECTED, pgettext_lazy("suggestion", "Reject")),
    ]
    decision = forms.ChoiceField(
        label=pgettext_lazy("suggestion", "Decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author reads this."),
    )  # fmt: skip
    area_type = forms.ModelChoiceField(
        label=_("Area type"), queryset=AreaType.objects.none(), required=False
    )
    open_revision = forms.BooleanField(
        label=_("Open a revision draft of that area's standard"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, suggestion: Suggestion, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"version": suggestion.version, "area_type": suggestion.area_type_id}
        )
        super().__init__(*args, **kwargs)
        self.fields["area_type"].queryset = AreaType.objects.filter(center_id=suggestion.center_id)  # type: ignore[attr-defined]
        if suggestion.kind != Suggestion.Kind.PROPOSAL:
            del self.fields["open_revision"]
            del self.fields["area_type"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("open_revision"):
            if data.get("decision") != Suggestion.Status.ADOPTED:
                self.add_error("open_revision", _("Only an adopted proposal opens a revision."))
            elif not data.get("area_type"):
                self.add_error(
                    "area_type", _("Choose the area type whose standard the proposal improves.")
                )
        return data


class RevisionForm(StyledForm):
    area_type = forms.ModelChoiceField(label=_("Area type"), queryset=AreaType.objects.none())

    def __init__(self, *args: Any, suggestion: Suggestion, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"area_type": suggestion.area_type_id})
        super().__init__(*args, **kwargs)
        self.fields["area_type"].queryset = AreaType.objects.filter(center_id=suggestion.center_id)  # type: ignore[attr-defined]
