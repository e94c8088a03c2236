"""TODO docstring."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.models import Organisation
from assessment.questionnaire.definition import tr


class OrganisationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of your organisation"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (Organisation.Kind.CONSULTANCY, gettext_lazy("Consultancy: I assess client firms")),
            (Organisation.Kind.ASSOCIATION, gettext_lazy("Association: I run assessment campaigns among members")),
        ],
        widget=forms.RadioSelect,
        initial=Organisation.Kind.CONSULTANCY,
    )


class LogoForm(forms.Form):
    logo = forms.FileField(label=gettext_lazy("Logo for report covers (PNG, JPEG, GIF or WebP, at most 2 MB)"))


class FirmForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Firm name"), max_length=200)
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=100, required=False)
    contact_email = forms.EmailField(label=gettext_lazy("Contact e-mail"), required=False, max_length=254)


class ClientFilterForm(forms.Form):
    # Bootstrap's classes on the widgets: the workspace renders these fields by hand, not
    # through crispy's templates, which cost a third of the page's rendering.
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    band = forms.ChoiceField(
        label=gettext_lazy("Overall level"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    weakest = forms.ChoiceField(
        label=gettext_lazy("Weakest area"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, qn, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["band"]).choices = [
            ("", _("Any")),
            *((b.key, tr(b.label, lang)) for b in qn.bands),
        ]
        cast(forms.ChoiceField, self.fields["weakest"]).choices = [
            ("", _("Any")),
            *((s.key, tr(s.title, lang)) for s in qn.areas),
        ]
