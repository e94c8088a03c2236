"""TODO docstring."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import languages, selectors
from assessment.campaigns import memberlist
from assessment.campaigns.selectors import MemberFilters
from assessment.models import QuestionnaireVersion
from assessment.reports.labels import FACT_LABELS

DATE_INPUT = {"type": "date"}


class PosterLogoForm(forms.Form):
    logo = forms.FileField(label=gettext_lazy("Logo for campaign posters (PNG, JPEG, GIF or WebP, at most 2 MB)"))


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Campaign name"), max_length=200)
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.defer("definition").order_by("-loaded_at"),
        empty_label=None,
    )
    # A date input takes only an ISO value: the locale's format (2026/12/02 in Chinese) shows it empty.
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d"))
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = selectors.current_version()
        if current is not None:
            self.fields["questionnaire"].initial = current.pk
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=30)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The closing date must not be before the opening date."))
        return data


class InviteForm(forms.Form):
    members = forms.CharField(
        label=gettext_lazy("Members, one per line"),
        help_text=format_lazy(
            gettext_lazy(
                "Firm name, contact person, e-mail and optionally language ({codes}), separated by commas "
                "or tabs. You can paste the columns straight from Excel."
            ),
            codes=" / ".join(languages.CODES),
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=memberlist.MAX_BYTES,
    )
    upload = forms.FileField(
        label=gettext_lazy("Or upload a CSV file with the same columns (UTF-8 or GBK)"), required=False
    )


class ConsentForm(forms.Form):
    share = forms.BooleanField(required=False)


class JoinForm(forms.Form):
    firm_name = forms.CharField(label=gettext_lazy("Firm name"), max_length=200)
    share = forms.BooleanField(required=False)


class MemberFilterForm(forms.Form):
    """The member table's filters, read from the query string: a GET form, so they work without
    JavaScript and every page link can carry them."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        help_text=gettext_lazy("Part of the firm's name or e-mail address."),
        required=False,
        max_length=100,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("invited", gettext_lazy("Invited")),
            ("started", gettext_lazy("Started")),
            ("submitted", gettext_lazy("Submitted")),
        ],
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        help_text=gettext_lazy("Known only for members who share their results."),
        required=False,
        choices=[("", gettext_lazy("Any")), *FACT_LABELS["sector"].items()],
    )

    def filters(self) -> MemberFilters:
        """The valid values: one that is not (an unknown status, an over-long search) filters
        nothing, and its field says why."""
        self.is_valid()
        data = self.cleaned_data
        return MemberFilters(status=data.get("status", ""), sector=data.get("sector", ""), search=data.get("q", ""))

    def query(self) -> str:
        """The valid filters as a query string, for the page links (empty ones left out)."""
        filters = self.filters()
        pairs = {"q": filters.search, "status": filters.status, "sector": filters.sector}
        return urlencode({key: value for key, value in pairs.items() if value})
