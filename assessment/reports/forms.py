"""TODO docstring."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import languages
from assessment.models import Note
from assessment.questionnaire.definition import AREAS
from assessment.questionnaire.result import Result


class ReportRequestForm(forms.Form):
    lang = forms.ChoiceField(choices=languages.choices())
    variant = forms.ChoiceField(choices=[("full", "full"), ("summary", "summary")])


class NoteForm(forms.Form):
    """A note on one area, or on one recommendation this assessment triggered."""

    target = forms.CharField(max_length=80)
    text = forms.CharField(
        label=gettext_lazy("Consultant's note"),
        required=False,
        max_length=Note.MAX_LENGTH,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args, result: Result, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {f"area:{a}" for a in AREAS} | {f"rec:{key}" for key in result.action_keys()}

    def clean_target(self) -> str:
        target = self.cleaned_data["target"]
        if target not in self.targets:
            raise forms.ValidationError(_("This note does not belong to this report."))
        return target
