from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onsite.core.forms import StyledForm, StyledFormMixin
from onsite.core.models import Center
from onsite.org.models import Group, Unit
from onsite.surveys.models import Question, Survey
from onsite.surveys.services import CleanAnswer, clean_answer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class SurveyForm(StyledFormMixin, forms.ModelForm[Survey]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Survey
        fields = [
            "title",
            "description",
            "is_anonymous",
            "opens_on",
            "closes_on",
            "units",
            "groups",
            "baseline",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "units": forms.SelectMultiple(attrs={"size": 6}),
            "groups": forms.SelectMultiple(attrs={"size": 6}),
        }
        help_texts = {
            "units": _("Leave units and groups empty to ask the whole center."),
        }

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(center=center)  # type: ignore[attr-defined]
        self.fields["groups"].queryset = Group.objects.filter(center=center)  # type: ignore[attr-defined]
        baselines = Survey.objects.filter(center=center)
        if self.instance.pk:
            baselines = baselines.exclude(pk=self.instance.pk)
            self.fields["version"].initial = self.instance.version
        self.fields["baseline"].queryset = baselines  # type: ignore[attr-defined]
        if self.instance.pk and not self.instance.is_draft:
            for name in ("is_anonymous", "units", "groups"):
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date must not be before the opening date."))
        return data


class QuestionForm(StyledForm):
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=pgettext_lazy("question", "Kind"), choices=Question.Kind.choices)
    required = forms.BooleanField(
        label=pgettext_lazy("question", "Required"), required=False, initial=True
    )
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Single and multiple choice: one choice per line."),
    )
    scale_low = forms.CharField(
        label=_("Label of 1"), max_length=30, required=False, help_text=_("e.g. Strongly disagree")
    )
    scale_high = forms.CharField(
        label=_("Label of 5"), max_length=30, required=False, help_text=_("e.g. Strongly agree")
    )
    code = forms.SlugField(
        label=pgettext_lazy("question", "Code"),
        max_length=32,
        required=False,
        help_text=_("Optional. Questions with the same code are compared across surveys."),
    )

    @classmethod
    def for_question(cls, question: Question, data: Any = None) -> QuestionForm:
        initial = {
            "text": question.text,
            "kind": question.kind,
            "required": question.required,
            "choices_text": "\n".join(question.choices),
            "scale_low": question.scale_low,
            "scale_high": question.scale_high,
            "code": question.code,
        }
        return cls(data, initial=initial, prefix=f"q{question.pk}")

    def question_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = [line.strip() for line in data.pop("choices_text", "").splitlines()]
        return data


class FollowUpForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The closing date must not be before the opening date."))
        return data


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AnswerForm(StyledForm):
    """One field per question (`q<pk>`). The fields only collect (plain `forms.Field`s do not
    check choices); every value is checked by services.clean_answer, as in the API."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question)
        self.answers: list[CleanAnswer] = []

    @staticmethod
    def _field(question: Question) -> forms.Field:
        common: dict[str, Any] = {"label": question.text, "required": False}
        if question.kind == Question.Kind.SINGLE:
            return forms.Field(
                widget=forms.RadioSelect(choices=list(enumerate(question.choices))), **common
            )
        if question.kind == Question.Kind.MULTIPLE:
            return forms.Field(
                widget=forms.CheckboxSelectMultiple(choices=list(enumerate(question.choices))),
                **common,
            )
        if question.kind == Question.Kind.SCALE:
            scale = [(value, str(value)) for value in range(1, 6)]
            return forms.Field(widget=forms.RadioSelect(choices=scale), **common)
        if question.kind == Question.Kind.NUMBER:
            return forms.CharField(
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "form-control"}),
                **common,
            )
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), **common
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.answers = []
        for question in self.questions:
            name = f"q{question.pk}"
            try:
                self.answers.append(clean_answer(question, data.get(name)))
            except ValidationError as exc:
                self.add_error(name, exc)
        return data
