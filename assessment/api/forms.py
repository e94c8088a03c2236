"""The tokens page's form."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from assessment.models import ApiToken, Organisation


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “CRM sync”."),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text=gettext_lazy(
            "Read: campaigns, members, shared results, questionnaires. "
            "Read and write: also invite members, import files and start bulk reports."
        ),
    )
    organisation = forms.ModelChoiceField(label=gettext_lazy("Organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, organisations: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        only = list(organisations[:2])
        if len(only) == 1:
            field.initial = only[0].pk
            field.widget = forms.HiddenInput()
