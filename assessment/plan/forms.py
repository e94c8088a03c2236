"""The small form under each action of the results page: status, who does it, by when."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from assessment.models import ActionProgress

# What a phone's date picker sends, and what people type without one.
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]


class ActionProgressForm(forms.Form):
    action = forms.CharField(max_length=64)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionProgress.Status.choices)
    owner_name = forms.CharField(
        label=gettext_lazy("Who does it (optional)"), required=False, max_length=ActionProgress.OWNER_MAX_LENGTH
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due date (optional)"),
        required=False,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": gettext_lazy("Write the due date as year-month-day, for example 2026-04-30.")},
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = set(actions)

    def clean_action(self) -> str:
        action = self.cleaned_data["action"]
        if action not in self.actions:
            raise forms.ValidationError(gettext_lazy("This action is not in this assessment's plan."))
        return action
