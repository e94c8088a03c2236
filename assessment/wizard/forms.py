"""Forms built from the questionnaire definition: one form per section, plus sign-up."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.boundfield import BoundField
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from assessment import languages
from assessment.questionnaire.definition import Question, tr
from assessment.questionnaire.rules import is_answered
from assessment.reports.labels import SECTOR_GROUPS

SELECT_THRESHOLD = 12  # longer option lists (industry, province) become a drop-down


class MultiChoiceField(forms.MultipleChoiceField):
    def __init__(self, *args, exclusive: set[str], **kwargs):
        self.exclusive = exclusive
        super().__init__(*args, **kwargs)

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if len(value) > 1 and self.exclusive & set(value):
            labels = dict(self.choices)  # type: ignore[arg-type]  # flat (key, label) pairs, no groups
            raise forms.ValidationError(
                _("“%(option)s” cannot be combined with other answers."),
                params={"option": labels.get(next(iter(self.exclusive & set(value))), "")},
                code="exclusive",
            )


@dataclass(frozen=True)
class PageChanges:
    values: dict[str, Any]  # answers to store
    cleared: set[str]  # stored answers the owner emptied
    foreign: list[str]  # posted keys of questions not on this page: not saved
    shown_now: dict[str, Any]  # what the page shows after the save (its next `_loaded`)


def flat_attrs(attrs: Mapping[str, Any]) -> SafeString:
    """HTML attributes in their order, as Django's widgets/attrs.html writes them (True: bare name)."""
    # html.escape, not django's escape: the same text, without its checks for lazy strings
    # (this runs for every attribute of every option on the page).
    return mark_safe(  # noqa: S308 - every name is ours, every value escaped
        "".join(
            f" {name}" if value is True else f' {name}="{html.escape(str(value))}"'
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


class QuestionField(BoundField):
    """One question as templates/assessment/_questions.html renders it.

    The page keeps the markup crispy-forms' bootstrap5 pack gave it (ids, labels, fieldsets,
    aria attributes, error and help blocks) but builds it from the widget's own context
    (the value as shown, each option checked or not): crispy's nested templates took two
    thirds of a step page's time.
    """

    @cached_property
    def shown(self) -> dict[str, Any]:
        """Everything the template shows, in one dict: a template finds a name in a dict at
        once, where on a bound field it first tries (and fails) an index."""
        widget = self.field.widget
        errors = self.errors
        if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple too
            control = "choices"  # radio buttons or check boxes in a fieldset
        elif isinstance(widget, forms.Select):
            control = "select"
        else:
            control = "textarea" if isinstance(widget, forms.Textarea) else "input"
        attrs = self.build_widget_attrs({})  # aria-invalid; aria-describedby unless in a fieldset
        if errors and "class" in widget.attrs:
            attrs["class"] = f"{widget.attrs['class']} is-invalid"
        if self.auto_id:
            attrs["id"] = self.auto_id
        context = widget.get_context(self.html_name, self.value(), attrs)["widget"]
        groups = context.get("optgroups", ())  # a drop-down's (the industries by sector)
        # One list: a radio or check box list has no groups (Django makes each option one).
        options = [option for _group, group, _index in groups for option in group]
        css = "form-check-input is-invalid" if errors else "form-check-input"
        for option in options:
            # A radio button or check box is one tag; a drop-down's option only says if it is selected.
            tag = {"type": option["type"], "class": css, "name": option["name"], "value": option["value"]}
            option["flat_attrs"] = flat_attrs((tag if control == "choices" else {}) | option["attrs"])
        return {
            "control": control,
            "id": self.auto_id,
            "for": self.id_for_label,
            "label": self.label,
            "help_text": self.help_text,
            "describedby": self.aria_describedby,
            "errors": errors,
            # Shown beside the input ("人", "万元", "%"), where a phone user looks.
            "unit": cast("SectionForm", self.form).units.get(self.name, ""),
            "name": context["name"],
            "type": context.get("type"),
            "value": context["value"],
            "flat_attrs": flat_attrs(context["attrs"]),
            "options": options,
            "groups": groups,
        }


class SectionForm(forms.Form):
    """The questions of one section that apply to this firm.

    Every field is optional at the form level so that whatever is valid can be saved
    even when the page is incomplete; `missing` reports unanswered required questions.
    """

    bound_field_class = QuestionField

    def __init__(self, *args, questions: list[Question], lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {q.key: q for q in questions}
        # Shared, not copied per form as declared fields are: nothing changes a field once
        # built (the page adds its error classes through the widget's context, never to the
        # widget), and building them was a tenth of a post's time.
        self.fields = {q.key: question_field(q, lang) for q in questions}
        self.units = {q.key: tr(q.unit, lang) for q in questions if q.unit}

    def changes(self, all_keys: Iterable[str], stored: Mapping[str, Any]) -> PageChanges:
        """What this post changes, validated: call instead of is_valid() on a posted page.

        Fields exist for this page's visible questions only, so answers to hidden questions
        or to another page (a stale tab, a tampered post) are never stored; they are named in
        `foreign`. Only what the page changed since it was loaded is kept, so two tabs of one
        assessment do not overwrite each other's answers with stale ones.
        """
        self.is_valid()
        foreign = sorted(k for k in self.data if k in set(all_keys) and k not in self.fields)
        shown, blanked = self.answers()
        loaded = loaded_snapshot(self.data.get("_loaded"))
        values, cleared = changed_only(loaded, shown, blanked)
        cleared &= stored.keys()  # only delete what is stored: saves a query per post
        after = {k: v for k, v in stored.items() if k not in cleared} | values
        # What this page shows now: its next post is compared against that, not the database.
        shown_now = {
            k: v for k, v in (loaded if loaded is not None else after).items() if k in self.fields and k not in blanked
        } | shown
        return PageChanges(values, cleared, foreign, shown_now)

    def answers(self) -> tuple[dict[str, Any], set[str]]:
        """(values to store, keys the owner left empty) among the fields that validated."""
        values, cleared = {}, set()
        for key, value in self.cleaned_data.items():
            if not is_answered(value):
                cleared.add(key)
            else:
                values[key] = to_json(value)
        return values, cleared

    def flag_missing(self, stored: dict[str, Any]) -> bool:
        """Add an error beside each required question that still has no answer."""
        flagged = False
        for key, q in self.questions.items():
            if q.required and key not in self.errors and not is_answered(stored.get(key)):
                self.add_error(key, _("Please answer this question."))
                flagged = True
        return flagged


def loaded_snapshot(raw: str | None) -> dict[str, Any] | None:
    """The answers a page showed when it was loaded (its hidden `_loaded` field), or None."""
    if not raw:
        return None
    try:
        snapshot = json.loads(raw)
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) else None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def changed_only(
    loaded: dict[str, Any] | None, values: dict[str, Any], cleared: set[str]
) -> tuple[dict[str, Any], set[str]]:
    """Keep only what this page changed since it was loaded.

    A second tab (or a phone) may have saved newer answers meanwhile: a field this page
    still shows as it was loaded is left alone, so a stale page never overwrites or blanks
    an answer saved elsewhere. Without a snapshot (an old page), everything counts.
    """
    if loaded is None:
        return values, cleared
    kept = {k: v for k, v in values.items() if k not in loaded or not _same(loaded[k], v)}
    blanked = {k for k in cleared if k in loaded}
    return kept, blanked


def to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# The field of each question in each language, built once per process: a parsed questionnaire
# never changes (selectors.questionnaire_of keeps each one for the process). Keyed by the
# question's id, with the question kept beside its field so that the id stays its own.
_fields: dict[tuple[int, str], tuple[Question, forms.Field]] = {}

# The bootstrap classes of each control, as crispy-forms' bootstrap5 pack set them.
CONTROL_CLASSES: dict[type[forms.Widget], str] = {
    forms.TextInput: "textinput form-control",
    forms.Textarea: "textarea form-control",
    forms.Select: "select form-select",
}


def question_field(q: Question, lang: str) -> forms.Field:
    """The form field of a question in a language, from the process-wide cache."""
    cached = _fields.get((id(q), lang))
    if cached is None or cached[0] is not q:
        with override(lang):  # the texts gettext gives ("Choose…", "Source:") in that language too
            field = field_for(q, lang)
        if classes := CONTROL_CLASSES.get(type(field.widget)):
            field.widget.attrs["class"] = classes
        cached = _fields[(id(q), lang)] = (q, field)
    return cached[1]


def field_for(q: Question, lang: str) -> forms.Field:
    label = tr(q.text, lang)
    help_text = help_for(q, lang)
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": False}
    choices = [(o.key, tr(o.text, lang)) for o in q.options]
    if q.type == "multi":
        return MultiChoiceField(
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            exclusive={o.key for o in q.options if o.exclusive},
            **common,
        )
    if q.type in ("single", "scale", "yesno"):
        if len(choices) > SELECT_THRESHOLD:
            if q.key == "industry":
                choices = grouped_by_sector(q, lang)
            widget: type[forms.Widget] | forms.Widget = forms.Select
            choices = [("", _("Choose…")), *choices]
        else:
            widget = forms.RadioSelect
        return forms.ChoiceField(choices=choices, widget=widget, **common)
    if q.type == "number":
        # A text box with a numeric keyboard on phones, not <input type=number>: a mistyped
        # value ("12 people") comes back as typed next to its error, where a number input
        # would show it blank (and be invalid HTML).
        widget = forms.TextInput({"inputmode": "numeric" if q.integer else "decimal", "autocomplete": "off"})
        if q.integer:
            # An integer question's bounds are whole numbers, typed float in the definition.
            return forms.IntegerField(min_value=q.min, max_value=q.max, widget=widget, **common)  # type: ignore[arg-type]
        return forms.DecimalField(
            min_value=Decimal(str(q.min)),
            max_value=Decimal(str(q.max)),
            max_digits=12,
            decimal_places=2,
            widget=widget,
            **common,
        )
    widget = forms.TextInput if (q.max_length or 0) <= 200 else forms.Textarea({"rows": 3})
    return forms.CharField(max_length=q.max_length, widget=widget, strip=True, **common)


def grouped_by_sector(q: Question, lang: str) -> list:
    groups: dict[str, list] = {}
    for o in q.options:
        groups.setdefault(o.sector or "", []).append((o.key, tr(o.text, lang)))
    return [(str(SECTOR_GROUPS.get(sector, sector)), items) for sector, items in groups.items()]


def help_for(q: Question, lang: str) -> str:
    """Help text plus the papers the question comes from (the page shows help text as HTML: it is escaped here)."""
    parts = []
    if q.help:
        parts.append(conditional_escape(tr(q.help, lang)))
    if q.sources:
        cites = languages.enumeration_separator(lang).join(f"{s.paper} §{s.section}" for s in q.sources)
        parts.append(format_html('<span class="cite">{} {}</span>', _("Source:"), cites))
    return format_html(" ".join(["{}"] * len(parts)), *parts) if parts else ""


class AnswerReasonForm(forms.Form):
    question_key = forms.CharField(max_length=64)
    reason = forms.CharField(label=gettext_lazy("Why the answer was changed"), max_length=300, required=False)
