"""TODO docstring."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class ImportForm(forms.Form):
    upload = forms.FileField(label=gettext_lazy("Completed template (CSV or XLSX)"))
