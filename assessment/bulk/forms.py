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
