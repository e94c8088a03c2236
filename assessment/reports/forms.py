"""Forms of the report pages: which PDF, a consultant's note, another stress-test scenario."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import languages
from assessment.models import Note
from assessment.questionnaire.definition import AREAS, STRESS_DROP, STRESS_MONTHS, Questionnaire, tr
from assessment.questionnaire.result import Result
from assessment.questionnaire.runway import Scenario


class ReportRequestForm(forms.Form):
    lang = forms.ChoiceField(choices=languages.choices())
    variant = forms.ChoiceField(choices=[("full", "full"), ("summary", "summary")])


class ReportEmailForm(forms.Form):
    """Where the owner wants the report; a consultant sends it to the client's stored contact."""

    address = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    include_link = forms.BooleanField(
        label=gettext_lazy("Put my private link in the e-mail"),
        help_text=gettext_lazy("Anyone who can read the e-mail can then open these results."),
        required=False,
        initial=True,
    )

    def __init__(self, *args, contact: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if contact is not None:  # a consultant: the address is the client's, not typed
            del self.fields["address"]
            del self.fields["include_link"]


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


class StressScenarioForm(forms.Form):
    """Another scenario for the stress test on the results page (a GET form: nothing is saved).

    The choices are the questionnaire's own options for the drop and its duration."""

    drop = forms.ChoiceField(label=gettext_lazy("Revenue drop"))
    months = forms.ChoiceField(label=gettext_lazy("For how long"))

    def __init__(self, *args, qn: Questionnaire, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name, key in (("drop", STRESS_DROP), ("months", STRESS_MONTHS)):
            question, field = qn.questions.get(key), self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(o.key, tr(o.text, lang)) for o in question.options] if question else []

    def scenario(self) -> Scenario | None:
        """The scenario asked for, or None when the form was not sent or is not valid."""
        if not self.is_bound or not self.is_valid():
            return None
        return Scenario(int(self.cleaned_data["drop"]), int(self.cleaned_data["months"]))
