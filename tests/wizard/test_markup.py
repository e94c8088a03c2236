"""The step page writes its questions itself (templates/assessment/_questions.html), in the
markup crispy-forms' bootstrap5 pack gave them: labels, fieldsets and legends, ids, aria
attributes, error and help blocks. Compared here with crispy's own output for every question
of every shipped version, in both languages, answered, wrong and left empty."""

from html.parser import HTMLParser

import pytest
from crispy_forms.bootstrap import AppendedText
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django.template import engines
from django.utils import translation

from assessment.content import content_files
from assessment.questionnaire.definition import tr
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.questionnaire.samples import sample_answers
from assessment.wizard.forms import SectionForm, field_for
from tests.factories import EXPORTER

OURS = engines["django"].from_string('{% include "assessment/_questions.html" %}')
CRISPY = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")


class Tree(HTMLParser):
    """A page as its elements, attributes and texts, whitespace between and around texts aside."""

    def __init__(self, page: str):
        super().__init__()
        self.items: list[tuple] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.items.append((f"/{tag}",))

    def handle_data(self, data):
        if " ".join(data.split()):
            self.items.append((" ".join(data.split()),))


def crispy_form(*args, questions, lang: str, **kwargs) -> SectionForm:
    """The same form as crispy-forms rendered it, with a layout like the one the wizard had."""
    form = SectionForm(*args, questions=questions, lang=lang, **kwargs)
    form.fields = {q.key: field_for(q, lang) for q in questions}  # its own fields: crispy writes classes into them
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True
    form.helper.layout = Layout(*(AppendedText(q.key, tr(q.unit, lang)) if q.unit else Field(q.key) for q in questions))
    return form


def wrong(q):
    """A wrong answer of the question's kind."""
    if q.type == "number":
        return "many"
    if q.type == "multi":
        return [next(o.key for o in q.options if o.exclusive), next(o.key for o in q.options if not o.exclusive)]
    if q.options:
        return "not-an-option"
    return "x" * ((q.max_length or 200) + 1)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("path", content_files(), ids=lambda path: path.stem)
def test_it_writes_every_question_as_crispy_forms_bootstrap5_pack_did(path, lang):
    qn = parse_questionnaire(load_yaml(path.read_text(encoding="utf-8")))
    profile = {key: int(value) if value.isdigit() else value for key, value in EXPORTER.items()}  # as stored
    answers = sample_answers(qn, profile, 0.5, seed=1)
    with translation.override(lang):
        for section in qn.sections:
            questions = list(section.questions)  # hidden ones too: every question is written somewhere
            shown = {q.key: answers.get(q.key) for q in questions}
            cases = {
                "answered": ((), {"initial": shown}),
                "wrong": (({q.key: wrong(q) for q in questions},), {}),
                "missing": (({},), {}),
            }
            for case, (args, kwargs) in cases.items():
                ours, theirs = (
                    make(*args, questions=questions, lang=lang, **kwargs) for make in (SectionForm, crispy_form)
                )
                if args:
                    for form in (ours, theirs):
                        form.is_valid()
                        form.flag_missing({})
                expected = Tree(CRISPY.render({"form": theirs})).items
                assert Tree(OURS.render({"form": ours})).items == expected, (section.key, case)
