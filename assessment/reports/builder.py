"""Report data: one structure built from a submitted assessment, rendered as the results
page now and as the PDF later. Building is separate from rendering so both show the
same numbers and the same plan.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment import languages
from assessment.languages import list_separator
from assessment.models import Assessment
from assessment.questionnaire import runway
from assessment.questionnaire.definition import (
    HORIZONS,
    SHOWN_FACTS,
    STRESS_AMOUNTS,
    STRESS_DROP,
    STRESS_MONTHS,
    STRESS_SHARE,
    Question,
    Questionnaire,
    Recommendation,
    Source,
    tr,
)
from assessment.questionnaire.result import AreaResult, PlannedAction
from assessment.questionnaire.rules import effective_answers, is_answered
from assessment.questionnaire.scoring import question_ratio
from assessment.reports.charts import radar_svg, runway_svg
from assessment.reports.labels import FACT_LABELS, FACT_NAMES, HORIZON_LABELS, PRIORITY_LABELS, STATUS_LABELS
from assessment.reports.progress import compare, done_since
from assessment.selectors import questionnaire_of

TOP_ACTIONS = 5
GAP_RATIO = 0.5  # answers earning less than half of the question's best points
PDF_FONT = "ReportSans"


@dataclass(frozen=True)
class Citation:
    paper: str
    section: str
    title: str

    def __str__(self) -> str:
        return f"{self.paper} §{self.section} {self.title}"


@dataclass(frozen=True)
class ActionItem:
    key: str
    area: str
    area_title: str
    title: str
    body: str
    rationale: str
    tailoring: list[str]
    priority: str
    priority_label: str
    horizon: str
    horizon_label: str
    citations: list[Citation]
    related_areas: list[str]  # titles; non-empty means a cross-area flag
    note: str = ""  # the consultant's note, if any
    why_first: str = ""  # one sentence: which answer makes this urgent for this firm
    after: list[str] = field(default_factory=list)  # titles of the prerequisites in this plan
    core: bool = True  # in the core plan; False: "later / more ideas"
    # Where the firm has got with it (plan.services.action_progress_set); "" / None: not marked.
    status: str = ""
    status_label: str = ""
    owner_name: str = ""
    due_on: date | None = None


@dataclass(frozen=True)
class AreaReport:
    key: str
    title: str
    score: int | None
    band: str | None
    band_label: str
    band_description: str
    strengths: list[tuple[str, str]]  # (question label, answer)
    gaps: list[tuple[str, str]]  # weakest answers: (question label, answer)
    actions: list[ActionItem]
    note: str = ""  # the consultant's note, if any
    readiness_note: str = ""  # set when the area is shown as readiness, outside the overall score


@dataclass(frozen=True)
class SupportItem:
    key: str
    kind: str  # domestic, or benchmark (a foreign example, not an entitlement in China)
    title: str
    body: str
    citations: list[Citation]


@dataclass(frozen=True)
class DoneRow:
    """An action marked done on the earlier assessment, and whether its area's score moved."""

    title: str
    area_title: str
    before: int | None
    after: int | None
    delta: int | None
    moved: str  # "up 12 points", "unchanged"…, in the report's language
    still_advised: bool


@dataclass(frozen=True)
class ProgressSection:
    since: datetime | None
    until: datetime | None
    rows: list[tuple[str, int | None, int | None, int | None]]  # (area, before, after, change)
    overall: tuple[int | None, int | None, int | None]
    resolved: list[str]
    open: list[str]
    new: list[str]
    done: list[DoneRow] = field(default_factory=list)  # marked done on the earlier assessment


@dataclass(frozen=True)
class StressLeverItem:
    key: str
    title: str
    note: str
    gain: str  # "+5 weeks", in the report's language
    citations: list[Citation]
    total: bool = False  # the line for every lever together


@dataclass(frozen=True)
class StressMonthRow:
    month: int
    shock: bool
    revenue: str
    costs: str  # variable and fixed together
    net: str
    cash: str
    cash_and_credit: str


@dataclass(frozen=True)
class StressSection:
    """The stress test as the page and the PDF show it, in one language."""

    scenario: str  # "Revenue down 80% for 3 months"
    scenario_note: str  # the default scenario, or one tried on the page and not saved
    drop: int  # the scenario shown, for the page's form
    months: int
    tried: bool  # a scenario tried on the results page, not the saved one
    runway: str  # the runway sentence, then the credit one
    credit: str  # the runway with the unused credit drawn, or ""
    warning: str  # under this tool's 3-month line: the plan's cash actions are raised, or ""
    chart_svg: SafeString
    chart_svg_pdf: SafeString
    chart_caption: str
    rows: list[StressMonthRow]
    start_cash: str  # now, before month 1
    start_with_credit: str
    levers: list[StressLeverItem]
    levers_note: str  # why there are no levers, or what they mean
    zero_note: str  # which figures were left empty and count as 0
    note: str  # the method and the paper's point (content)
    citations: list[Citation]
    problem: str = ""  # a stored figure the arithmetic cannot use: the section says only this
    drop_choices: list[tuple[str, str]] = field(default_factory=list)
    month_choices: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReportData:
    lang: str
    title: str
    firm_name: str
    version: str
    submitted_at: datetime | None
    facts: list[tuple[str, str]]  # (label, value) for the profile summary
    size_standard: str
    overall: int | None
    overall_band: str | None
    overall_band_label: str
    areas: list[AreaReport]
    radar_svg: SafeString
    top_actions: list[ActionItem]
    plan: list[tuple[str, str, list[ActionItem]]]  # (horizon, label, actions)
    plan_summary: list[tuple[str, str, list[ActionItem]]]  # the same, high and medium priority only
    plan_omitted: int  # low-priority actions left out of plan_summary
    references: list[tuple[str, str, str]]  # (paper id, title, citation)
    answers: list[tuple[str, list[tuple[str, str, str]]]]  # (section title, [(question, answer, check)])
    radar_svg_pdf: SafeString  # the same chart with the PDF font named on every label
    language_name: str
    prepared_by: str  # "self-assessment" or the consultancy that ran it
    logo_data_uri: str  # the consultancy's logo as a small data: URI, or ""
    progress: ProgressSection | None = None  # change since the firm's previous assessment
    later: list[ActionItem] = field(default_factory=list)  # "later / more ideas", full report only
    support: list[SupportItem] = field(default_factory=list)  # domestic kinds first, then benchmarks
    overall_note: str = ""  # what the overall score leaves out (a readiness area)
    stress: StressSection | None = None  # only when the owner gave the stress-test figures
    logo_alt: str = ""  # the logo's text alternative, the PDF's /Alt for it


def answer_text(q: Question, value: Any, lang: str) -> str:
    """An answer as a person reads it, in the given language."""
    if not is_answered(value):
        return ""
    if q.type == "multi":
        return list_separator(lang).join(tr(o.text, lang) for o in q.options if o.key in value)
    if q.options:
        option = q.option(str(value))
        return tr(option.text, lang) if option else str(value)
    if q.type == "number":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        # English groups thousands ("4,800 × CNY 10,000", as the unit is written); Chinese
        # counts in 万 and writes "4800 万元".
        with translation.override(lang):
            text = number_format(value, use_l10n=True, force_grouping=lang == "en")
        return f"{text} {tr(q.unit, lang)}".strip()
    return str(value)


def _moved(delta: int | None) -> str:
    if delta is None:
        return _("not scored both times")
    if delta > 0:
        return ngettext("up %(points)s point", "up %(points)s points", delta) % {"points": delta}
    if delta < 0:
        return ngettext("down %(points)s point", "down %(points)s points", -delta) % {"points": -delta}
    return _("unchanged")


def progress_section(
    earlier: Assessment, later: Assessment, lang: str, earlier_plan: Mapping[str, str] | None = None
) -> ProgressSection:
    """Change between two submitted assessments of a firm, in one language (page and PDF).

    `earlier_plan` is the state of the earlier assessment's actions (key -> status,
    selectors.action_statuses_of): the ones marked done are listed with their area's move."""
    change = compare(earlier.outcome, later.outcome)
    qn = questionnaire_of(later.questionnaire)
    earlier_qn = questionnaire_of(earlier.questionnaire)
    # Titles from both versions: a recommendation may exist in only one of them.
    titles = {
        r.key: tr(r.title, lang)
        for version in (earlier.questionnaire, later.questionnaire)
        for r in questionnaire_of(version).recommendations
    }
    area_titles = {s.key: tr(s.title, lang) for s in qn.areas}
    done = done_since(
        earlier.outcome, later.outcome, earlier_plan or {}, {r.key: r.area for r in earlier_qn.recommendations}
    )
    with translation.override(lang):
        done_rows = [
            DoneRow(
                title=titles.get(d.key, d.key),
                area_title=area_titles.get(d.area, d.area),
                before=d.before,
                after=d.after,
                delta=d.delta,
                moved=_moved(d.delta),
                still_advised=d.still_advised,
            )
            for d in done
        ]
    return ProgressSection(
        since=earlier.submitted_at,
        until=later.submitted_at,
        rows=[(tr(qn.section(c.area).title, lang), c.before, c.after, c.delta) for c in change.areas],
        overall=(change.overall.before, change.overall.after, change.overall.delta),
        resolved=[titles.get(k, k) for k in change.resolved],
        open=[titles.get(k, k) for k in change.open],
        new=[titles.get(k, k) for k in change.new],
        done=done_rows,
    )


def _logo_uri(assessment: Assessment) -> str:
    organisation = assessment.organisation if assessment.organisation_id else None
    if organisation is None or not organisation.logo:
        return ""
    return f"data:{organisation.logo_type};base64,{base64.b64encode(bytes(organisation.logo)).decode()}"


def answer_check(q: Question, validation: Mapping[str, Any] | None, lang: str) -> str:
    """How an answer of a consultant-run assessment came about, for the report."""
    if validation is None:
        return _("self-assessed")
    if validation.get("owner_value") is None:
        return _("validated by the consultant")
    owner = answer_text(q, validation["owner_value"], lang)
    reason = validation.get("reason") or ""
    text = _("changed by the consultant (owner answered: %(owner)s)") % {"owner": owner}
    return f"{text} {reason}".strip()


@dataclass(frozen=True)
class AnswerRow:
    """One answer as the review page and the report's appendix show it."""

    key: str
    question: str  # the question as asked (the review page)
    label: str  # its short label (the report)
    answer: str
    check: str  # how a consultant-run assessment's answer came about; "" otherwise
    changed: bool  # a consultant changed the owner's answer
    reason: str  # and said why


def answer_rows(
    questions: Iterable[Question],
    answers: Mapping[str, Any],
    validation: Mapping[str, Mapping[str, Any]],
    lang: str,
    *,
    checked: bool,
) -> list[AnswerRow]:
    """The rows of these questions, in order; `checked`: say how each answer came about."""
    rows = []
    for q in questions:
        validated = validation.get(q.key) or {}
        rows.append(
            AnswerRow(
                key=q.key,
                question=tr(q.text, lang),
                label=tr(q.label, lang),
                answer=answer_text(q, answers.get(q.key), lang),
                check=answer_check(q, validation.get(q.key), lang) if checked and q.key in answers else "",
                changed=validated.get("owner_value") is not None,
                reason=validated.get("reason", ""),
            )
        )
    return rows


def citations(qn: Questionnaire, sources: tuple[Source, ...], lang: str) -> list[Citation]:
    return [Citation(s.paper, s.section, tr(qn.papers[s.paper]["sections"][s.section], lang)) for s in sources]


def _condition_questions(cond: Mapping[str, Any]) -> list[str]:
    """Question keys a trigger names, in the order written."""
    if "question" in cond:
        return [cond["question"]]
    subs = cond.get("all") or cond.get("any") or ([cond["not"]] if "not" in cond else [])
    return [key for sub in subs for key in _condition_questions(sub)]


def why_first(qn: Questionnaire, rec: Recommendation, stored: PlannedAction, counted: Mapping[str, Any]) -> str:
    """Why this action is in this firm's plan, in one sentence (current language).

    The severity rule that raised it says it best; else the recommendation's own sentence;
    else the answer that triggered it. Snapshots from before severity rules (no "level")
    get none, so their reports print as they always did.
    """
    if stored.level is None:
        return ""
    lang = translation.get_language()
    rule = stored.why
    if isinstance(rule, int) and 0 <= rule < len(rec.severity):
        return tr(rec.severity[rule].why, lang)
    if rec.why:
        return tr(rec.why, lang)
    for key in _condition_questions(rec.when):
        if key in counted and key in qn.questions:
            q = qn.questions[key]
            return _("Your answer: “%(question)s: %(answer)s”.") % {
                "question": tr(q.label, lang),
                "answer": answer_text(q, counted[key], lang),
            }
    return ""


def _action(
    qn: Questionnaire,
    rec: Recommendation,
    lang: str,
    note: str,
    stored: PlannedAction,
    counted: Mapping[str, Any],
    state: Mapping[str, Any] | None = None,
) -> ActionItem:
    level = stored.level or rec.priority
    state = state or {}
    status = state.get("status", "")
    return ActionItem(
        key=rec.key,
        area=rec.area,
        area_title=tr(qn.section(rec.area).title, lang),
        title=tr(rec.title, lang),
        body=tr(rec.body, lang),
        rationale=tr(rec.rationale, lang),
        tailoring=[tr(rec.tailoring[i].text, lang) for i in stored.tailoring if i < len(rec.tailoring)],
        priority=level,
        priority_label=str(PRIORITY_LABELS[level]),
        horizon=rec.horizon,
        horizon_label=str(HORIZON_LABELS[rec.horizon]),
        citations=citations(qn, rec.sources, lang),
        related_areas=[tr(qn.section(a).title, lang) for a in rec.related_areas],
        note=note,
        why_first=why_first(qn, rec, stored, counted),
        # Prerequisites were stored from this same version, so each key names one of its actions.
        after=[tr(qn.recommendation(k).title, lang) for k in stored.after],
        core=stored.core,
        status=status,
        status_label=str(STATUS_LABELS.get(status, "")),
        owner_name=state.get("owner_name", ""),
        due_on=date.fromisoformat(state["due_on"]) if state.get("due_on") else None,
    )


def _support(qn: Questionnaire, keys: tuple[str, ...], lang: str) -> list[SupportItem]:
    items = [i for i in qn.support if i.key in set(keys)]
    items.sort(key=lambda i: i.kind != "domestic")  # stable: domestic kinds first, then benchmarks
    return [
        SupportItem(i.key, i.kind, tr(i.title, lang), tr(i.body, lang), citations(qn, i.sources, lang)) for i in items
    ]


def _figure(value: float, lang: str) -> str:
    """An amount (CNY 10,000) or a number of months: whole when it is, else one decimal."""
    value = round(value, 1)
    whole = value == int(value)
    with translation.override(lang):
        return number_format(
            int(value) if whole else value, 0 if whole else 1, use_l10n=True, force_grouping=lang == "en"
        )


def _scenario_text(drop: float, months: int) -> str:
    return ngettext(
        "Revenue down %(drop)s%% for %(months)s month",
        "Revenue down %(drop)s%% for %(months)s months",
        months,
    ) % {"drop": int(drop), "months": months}


def scores_in_words(areas: Iterable[AreaReport], lang: str) -> str:
    """The radar chart in words, the PDF's text alternative for it (its /Alt): "Scores by area
    (0-100): Resilience 62 (Developing), …"; an area without a score says so."""
    items = [
        _("%(area)s %(score)s (%(band)s)") % {"area": area.title, "score": area.score, "band": area.band_label}
        if area.score is not None
        else _("%(area)s (%(band)s)") % {"area": area.title, "band": area.band_label}
        for area in areas
    ]
    figures = languages.enumeration_separator(lang).join(items)
    return _("%(chart)s: %(figures)s") % {"chart": _("Scores by area (0-100)"), "figures": figures}


def _runway_text(projection: runway.Projection, lang: str) -> str:
    months = projection.runway
    if months is None:
        return _("Under this scenario your cash lasts beyond the %(horizon)s months this tool looks ahead.") % {
            "horizon": runway.HORIZON
        }
    if months < 0.05:
        return _("Under this scenario your cash does not cover even the first month's costs.")
    values = {"months": _figure(months, lang), "weeks": round(months * runway.WEEKS_PER_MONTH)}
    if projection.runs_out_during_shock:
        return (
            _(
                "Under this scenario your cash runs out after about %(months)s months (about %(weeks)s weeks), "
                "before the shock is over."
            )
            % values
        )
    return (
        _(
            "Under this scenario your cash runs out after about %(months)s months (about %(weeks)s weeks), after the "
            "shock: normal months do not cover your costs either."
        )
        % values
    )


def _gain_text(gain: runway.LeverGain) -> str:
    if gain.beyond:
        return ngettext(
            "+%(weeks)s week or more (beyond %(horizon)s months)",
            "+%(weeks)s weeks or more (beyond %(horizon)s months)",
            gain.weeks,
        ) % {"weeks": gain.weeks, "horizon": runway.HORIZON}
    if gain.weeks < 1:
        return _("+ less than a week")
    return ngettext("+%(weeks)s week", "+%(weeks)s weeks", gain.weeks) % {"weeks": gain.weeks}


def stress_section(
    qn: Questionnaire, answers: Mapping[str, Any], lang: str, scenario: runway.Scenario | None = None
) -> StressSection | None:
    """The stress test from the owner's figures, under their scenario or `scenario` (tried on
    the results page, not saved); None when the version has no stress test or the figures
    were not given. Call inside translation.override(lang)."""
    if qn.stress is None or STRESS_DROP not in qn.questions:
        return None
    try:
        figures = runway.figures_from_answers(answers)
    except runway.InvalidFigures as exc:
        question = qn.questions.get(f"stress_{exc.field}")
        label = tr(question.label, lang) if question else exc.field
        return _stress_problem(qn, lang, label)
    if figures is None:
        return None
    saved, chosen = runway.scenario_from_answers(answers)
    shown = scenario or saved
    tried = scenario is not None and scenario != saved
    projection = runway.project(figures, shown)
    if tried:
        scenario_note = _("You are trying another scenario: it is not saved, and your plan follows the one you chose.")
    elif not chosen:
        default = runway.Scenario(*runway.DEFAULT_SCENARIO)
        scenario_note = _("You chose no scenario, so this shows this tool's default: %(scenario)s.") % {
            "scenario": _scenario_text(default.drop, default.months)
        }
    else:
        scenario_note = ""
    credit = ""
    if figures.credit > 0:
        with_credit = projection.runway_with_credit
        credit = (
            _("With your unused credit line drawn, it lasts beyond %(horizon)s months.") % {"horizon": runway.HORIZON}
            if with_credit is None
            else _("With your unused credit line drawn, it lasts about %(months)s months.")
            % {"months": _figure(with_credit, lang)}
        )
    warning = ""
    if not tried and projection.runway is not None and projection.runway < runway.RISK_MONTHS:
        warning = _(
            "That is under %(months)s months, this tool's own warning line, so the cash actions in your plan "
            "are raised."
        ) % {"months": runway.RISK_MONTHS}
    gains = runway.levers(figures, shown)
    items = []
    for gain in gains:
        lever = qn.stress.lever(gain.key) if gain.key != "all" else None
        if gain.key != "all" and lever is None:
            continue
        items.append(
            StressLeverItem(
                key=gain.key,
                title=tr(lever.title, lang) if lever else _("All of these together"),
                note=tr(lever.note, lang) if lever else "",
                gain=_gain_text(gain),
                citations=citations(qn, lever.sources, lang) if lever else [],
                total=lever is None,
            )
        )
    if projection.runway is None:
        levers_note = _("Your cash lasts beyond the horizon in this scenario, so no lever is needed.")
    elif not items:
        levers_note = _("None of the levers applies to the figures you gave.")
    else:
        levers_note = _(
            "What each step adds to the runway, computed from your own figures only; a deferral still has to "
            "be paid later."
        )
    empty = [
        tr(qn.questions[key].label, lang)
        for key in (*STRESS_AMOUNTS, STRESS_SHARE)
        if key in qn.questions and runway.as_number(answers.get(key)) is None
    ]
    months = projection.months
    balances = [figures.cash, *(m.cash for m in months)]
    with_credit_line = [figures.cash + figures.credit, *(m.cash_and_credit for m in months)] if figures.credit else None
    unit = _("CNY 10,000")
    chart_labels = {
        "title": _("Cash month by month: %(scenario)s") % {"scenario": _scenario_text(shown.drop, shown.months)},
        "desc": _runway_text(projection, lang),
        "x_axis": _("Months from now"),
        "unit": unit,
        "cash": _("Cash at the end of the month"),
        "credit": _("With the unused credit drawn"),
        "shock": _("Shock months"),
    }

    def tick(value: float) -> str:
        return _figure(value, lang)

    return StressSection(
        scenario=_scenario_text(shown.drop, shown.months),
        scenario_note=scenario_note,
        drop=int(shown.drop),
        months=shown.months,
        tried=tried,
        runway=languages.get(lang).sentence_separator.join(filter(None, (_runway_text(projection, lang), credit))),
        credit=credit,
        warning=warning,
        chart_svg=runway_svg(balances, with_credit_line, shown.months, chart_labels, tick),
        # In the PDF the chart's <title> is its text alternative (/Alt), so it says what the chart shows.
        chart_svg_pdf=runway_svg(
            balances,
            with_credit_line,
            shown.months,
            {
                **chart_labels,
                "title": _("%(title)s. %(description)s")
                % {"title": chart_labels["title"], "description": chart_labels["desc"]},
            },
            tick,
            PDF_FONT,
        ),
        chart_caption=_("Amounts in %(unit)s; below zero is a shortfall.") % {"unit": unit},
        rows=[
            StressMonthRow(
                month=m.month,
                shock=m.shock,
                revenue=_figure(m.revenue, lang),
                costs=_figure(m.variable_costs + m.fixed_costs, lang),
                net=_figure(m.net, lang),
                cash=_figure(m.cash, lang),
                cash_and_credit=_figure(m.cash_and_credit, lang),
            )
            for m in months
        ],
        start_cash=_figure(figures.cash, lang),
        start_with_credit=_figure(figures.cash + figures.credit, lang),
        levers=items,
        levers_note=levers_note,
        zero_note=(
            _("Left empty, so counted as 0: %(figures)s.") % {"figures": list_separator(lang).join(empty)}
            if empty
            else ""
        ),
        note=tr(qn.stress.note, lang),
        citations=citations(qn, qn.stress.sources, lang),
        drop_choices=[(o.key, tr(o.text, lang)) for o in qn.questions[STRESS_DROP].options],
        month_choices=[(o.key, tr(o.text, lang)) for o in qn.questions[STRESS_MONTHS].options],
    )


def _stress_problem(qn: Questionnaire, lang: str, label: str) -> StressSection:
    assert qn.stress is not None
    return StressSection(
        scenario="",
        scenario_note="",
        drop=0,
        months=0,
        tried=False,
        runway="",
        credit="",
        warning="",
        chart_svg=SafeString(""),
        chart_svg_pdf=SafeString(""),
        chart_caption="",
        rows=[],
        start_cash="",
        start_with_credit="",
        levers=[],
        levers_note="",
        zero_note="",
        note=tr(qn.stress.note, lang),
        citations=citations(qn, qn.stress.sources, lang),
        problem=_(
            "The stress test cannot use the figure “%(figure)s”: it must be a number of 0 or more "
            "(a share at most 100)."
        )
        % {"figure": label},
    )


def build_report(
    assessment: Assessment,
    qn: Questionnaire,
    answers: dict[str, Any],
    lang: str,
    notes: Mapping[str, str] | None = None,
    validation: Mapping[str, Mapping[str, Any]] | None = None,
    previous: Assessment | None = None,
    stress_scenario: runway.Scenario | None = None,
    plan: Mapping[str, Mapping[str, Any]] | None = None,
    previous_plan: Mapping[str, str] | None = None,
) -> ReportData:
    """Everything the results page and the PDF show, in one language.

    `notes` are consultant notes keyed "area:<key>" / "rec:<key>" (selectors.notes_of);
    `validation` says which answers a consultant validated (selectors.validation_of);
    `previous` is the firm's earlier assessment, for a progress section;
    `stress_scenario` is a scenario the owner tries on the results page (never stored);
    `plan` is where the firm has got with each action (selectors.action_plan_of) and
    `previous_plan` the statuses of the earlier assessment's actions, for the progress section.
    """
    plan = plan or {}
    result = assessment.outcome
    notes = notes or {}
    validation = validation or {}
    with translation.override(lang):
        counted = effective_answers(qn, answers, result.facts)
        every = [
            _action(qn, qn.recommendation(a.key), lang, notes.get(f"rec:{a.key}", ""), a, counted, plan.get(a.key))
            for a in result.actions
        ]
        actions = [a for a in every if a.core]
        later = [a for a in every if not a.core]
        strengths = set(result.strengths)
        readiness = set(result.readiness)
        areas = []
        for section in qn.areas:
            area = result.scores.get(section.key) or AreaResult(None, None)
            band = next((b for b in qn.bands if b.key == area.band), None)
            framing = section.readiness if section.key in readiness else None  # None: shown as a score
            areas.append(
                AreaReport(
                    key=section.key,
                    title=tr(framing.title if framing else section.title, lang),
                    score=area.score,
                    band=area.band,
                    band_label=tr(band.label, lang) if band else _("Not scored"),
                    band_description=tr(band.description, lang) if band else "",
                    strengths=[
                        (tr(q.label, lang), answer_text(q, answers.get(q.key), lang))
                        for q in section.questions
                        if q.key in strengths
                    ],
                    gaps=[
                        (tr(q.label, lang), answer_text(q, counted[q.key], lang))
                        for q in section.questions
                        if q.scored and q.key in counted and question_ratio(q, counted[q.key]) < GAP_RATIO
                    ],
                    actions=[a for a in every if a.area == section.key],
                    note=notes.get(f"area:{section.key}", ""),
                    readiness_note=tr(framing.note, lang) if framing else "",
                )
            )
        overall_band = next((b for b in qn.bands if b.key == result.overall_band), None)
        facts = result.facts
        fact_rows = [
            (
                tr(qn.questions["industry"].label, lang),
                answer_text(qn.questions["industry"], answers.get("industry"), lang),
            )
        ]
        for fact in SHOWN_FACTS:
            if facts.get(fact):
                fact_rows.append((str(FACT_NAMES[fact]), str(FACT_LABELS[fact][facts[fact]])))
        return ReportData(
            lang=lang,
            title=tr(qn.title, lang),
            firm_name=assessment.firm_name or str(answers.get("firm_name", "")),
            version=qn.version,
            submitted_at=assessment.submitted_at,
            facts=fact_rows,
            size_standard=tr(qn.size_standard["name"], lang),
            overall=result.overall,
            overall_band=result.overall_band,
            overall_band_label=tr(overall_band.label, lang) if overall_band else "",
            areas=areas,
            radar_svg=radar_svg([(a.title, a.score) for a in areas], _("Scores by area (0-100)")),
            radar_svg_pdf=radar_svg([(a.title, a.score) for a in areas], scores_in_words(areas, lang), PDF_FONT),
            language_name=languages.get(lang).name,
            logo_data_uri=_logo_uri(assessment),
            logo_alt=_("Logo of %(organisation)s") % {"organisation": assessment.organisation.name}
            if assessment.organisation
            else "",
            progress=progress_section(previous, assessment, lang, previous_plan) if previous is not None else None,
            prepared_by=(
                _("With %(organisation)s") % {"organisation": assessment.organisation.name}
                if assessment.organisation
                else _("Self-assessment by the firm")
            ),
            top_actions=actions[:TOP_ACTIONS],
            plan=[(h, str(HORIZON_LABELS[h]), [a for a in actions if a.horizon == h]) for h in HORIZONS],
            plan_summary=[
                (h, str(HORIZON_LABELS[h]), [a for a in actions if a.horizon == h and a.priority != "low"])
                for h in HORIZONS
            ],
            plan_omitted=sum(1 for a in every if not a.core or a.priority == "low"),
            later=later,
            support=_support(qn, result.support, lang),
            overall_note=next((a.readiness_note for a in areas if a.readiness_note), ""),
            stress=stress_section(qn, answers, lang, stress_scenario),
            references=[
                (paper, tr(data["title"], lang), tr(data["citation"], lang))
                for paper, data in sorted(qn.papers.items())
            ],
            answers=[
                (
                    tr(section.title, lang),
                    [
                        (row.label, row.answer, row.check)
                        for row in answer_rows(
                            [q for q in section.questions if q.key in answers],
                            answers,
                            validation,
                            lang,
                            checked=assessment.organisation_id is not None,
                        )
                    ],
                )
                for section in qn.sections
                # An optional section the owner skipped (the stress test) has no heading of its own.
                if any(q.key in answers for q in section.questions)
            ],
        )
