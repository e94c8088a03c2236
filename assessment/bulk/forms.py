"""The association's import form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from assessment import languages


class ImportForm(forms.Form):
    upload = forms.FileField(label=gettext_lazy("Completed template (CSV or XLSX)"))
    report_language = forms.ChoiceField(
        label=gettext_lazy("Language of the members' reports"),
        help_text=gettext_lazy("Members already invited keep the language of their invitation."),
        choices=languages.choices,
        required=False,  # absent (a script posting the file alone): the page's language
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_language"].initial = languages.current_lang()


class ConflictChoiceForm(forms.Form):
    """Per row for a member who has answered already: keep those answers (skip the row) or
    replace them with the file's. "Skip all" / "Replace all" buttons override the rows."""

    SKIP, REPLACE = "skip", "replace"

    def __init__(self, *args, conflicts: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = [conflict["row"] for conflict in conflicts]
        choices = [(self.SKIP, gettext_lazy("Keep their answers")), (self.REPLACE, gettext_lazy("Replace"))]
        for row in self.rows:
            self.fields[f"row-{row}"] = forms.ChoiceField(choices=choices, initial=self.SKIP, required=False)
        self.fields["all"] = forms.ChoiceField(choices=choices, required=False)

    def replace_rows(self) -> list[int]:
        every = self.cleaned_data.get("all")
        if every:
            return self.rows if every == self.REPLACE else []
        return [row for row in self.rows if self.cleaned_data.get(f"row-{row}") == self.REPLACE]
