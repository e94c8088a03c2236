"""The owner's journey through the web app, in both languages."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import access
from assessment.links import token_digest
from assessment.models import Answer, Assessment
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.rules import visible_questions
from assessment.selectors import questionnaire_of
from tests.factories import EXPORTER, start, step_url, url


def worst_post(qn, section, answers):
    """Form data answering every visible question of a section with its weakest option."""
    facts = derive_facts(qn, answers)
    data = {}
    for q in visible_questions(qn, answers, facts):
        if q.section != section or not q.scored:
            continue
        if q.type == "number":
            data[q.key] = str(q.bands[0].min)
        else:
            ranked = sorted((o for o in q.options if not o.na), key=lambda o: o.points)
            data[q.key] = [ranked[0].key] if q.type == "multi" else ranked[0].key
    return data


def answer_everything(client, assessment, lang="en", profile=EXPORTER):
    qn = questionnaire_of(assessment.questionnaire)
    response = client.post(step_url(assessment, "profile", lang), {**profile, "action": "next"})
    assert response.status_code == 302, response.content.decode()[:2000]
    answers = dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    # Every step after the profile: the four areas, then (2026.3 on) the optional stress test, left empty.
    for section in [s.key for s in qn.sections[1:]]:
        response = client.post(
            step_url(assessment, section, lang), {**worst_post(qn, section, answers), "action": "next"}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    return response


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_runs_the_whole_owner_flow(client, version, lang):
    home = client.get(url("home", lang=lang))
    assert home.status_code == 200
    assessment = start(client, lang)
    page = client.get(step_url(assessment, "profile", lang)).content.decode()
    if lang == "zh-hans":
        assert "企业概况" in page and "企业主要从事哪个行业？" in page
    else:
        assert "About your firm" in page and "Which industry is the firm mainly in?" in page
    response = answer_everything(client, assessment, lang)
    assert response["Location"] == url("review", assessment.public_id, lang=lang)
    review = client.get(response["Location"]).content.decode()
    assert "宁波海蓝贸易有限公司" in review
    response = client.post(url("submit", assessment.public_id, lang=lang))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.result["overall"] == 0
    results = client.get(url("results", assessment.public_id, lang=lang)).content.decode()
    qn = questionnaire_of(assessment.questionnaire)
    first = qn.recommendation(assessment.result["actions"][0]["key"])
    assert first.title[lang] in results
    assert "<svg" in results and "radar" in results
    if lang == "zh-hans":
        assert "宁波海蓝贸易有限公司的行动报告" in results and "您的首要任务" in results
    else:
        assert "Action report for 宁波海蓝贸易有限公司" in results and "Your top priorities" in results
    assert "002 §" in results or "000 §" in results


def test_it_saves_every_step_to_the_database(client, version):
    assessment = start(client)
    client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    assert stored["firm_name"] == "宁波海蓝贸易有限公司"
    assert stored["employees"] == 120
    assert stored["export_plan"] == "already"
    assessment.refresh_from_db()
    assert assessment.firm_name == "宁波海蓝贸易有限公司"


def test_it_keeps_answers_when_going_back_and_forth(client, version):
    assessment = start(client)
    client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    qn = questionnaire_of(assessment.questionnaire)
    data = worst_post(
        qn, "resilience", dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    )
    first_key = next(iter(data))
    # "Back" with an incomplete page saves what is there, and does not demand the rest
    response = client.post(step_url(assessment, "resilience"), {first_key: data[first_key], "action": "back"})
    assert response["Location"] == step_url(assessment, "profile")
    page = client.get(step_url(assessment, "profile")).content.decode()
    assert 'value="宁波海蓝贸易有限公司"' in page
    page = client.get(step_url(assessment, "resilience")).content.decode()
    assert str(Answer.objects.get(assessment=assessment, question_key=first_key).value) == str(data[first_key])
    value = data[first_key][0] if isinstance(data[first_key], list) else data[first_key]
    assert re.search(rf'name="{first_key}" value="{value}"[^>]*checked', page) or f'value="{value}"' in page


def test_it_demands_required_answers_on_next_but_keeps_the_valid_ones(client, version):
    assessment = start(client)
    response = client.post(step_url(assessment, "profile"), {"firm_name": "Half Done Ltd", "action": "next"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please answer this question." in page
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").value == "Half Done Ltd"


def test_it_shows_messages_beside_fields_in_the_users_language(client, version):
    assessment = start(client, "zh-hans")
    response = client.post(
        step_url(assessment, "profile", "zh-hans"),
        {**EXPORTER, "employees": "-5", "export_share": "abc", "action": "next"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "确保该值大于或等于0。" in page  # Django's own zh-hans message for min_value
    assert "输入一个数字" in page
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    assert "employees" not in stored and stored["firm_name"] == "宁波海蓝贸易有限公司"


def test_it_rejects_an_unknown_option(client, version):
    assessment = start(client)
    response = client.post(step_url(assessment, "profile"), {**EXPORTER, "industry": "spaceships", "action": "next"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment, question_key="industry").exists()


def test_it_rejects_answers_for_hidden_questions_but_keeps_the_rest(client, version):
    assessment = start(client)
    client.post(
        step_url(assessment, "profile"), {**EXPORTER, "export_share": "0", "export_plan": "no_plan", "action": "next"}
    )
    qn = questionnaire_of(assessment.questionnaire)
    section = qn.section("internationalization")
    hidden = next(q for q in section.questions if q.show_if)
    shown = next(q for q in section.questions if not q.show_if and q.type in ("single", "scale"))
    option = hidden.options[0].key if hidden.options else "1"
    data = {hidden.key: option, shown.key: shown.options[0].key, "action": "next"}
    response = client.post(step_url(assessment, "internationalization"), data)
    assert response.status_code == 400
    assert "no longer apply to your firm" in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment, question_key=hidden.key).exists()
    assert Answer.objects.get(assessment=assessment, question_key=shown.key).value == shown.options[0].key


def test_it_rejects_answers_for_another_page(client, version):
    assessment = start(client)
    response = client.post(step_url(assessment, "resilience"), {"firm_name": "Sneaky", "action": "next"})
    assert response.status_code == 400
    assert not Answer.objects.filter(assessment=assessment, question_key="firm_name").exists()


def test_it_hides_other_peoples_assessments(client, version, django_user_model):
    mine = start(client)
    other = Client_()
    theirs = start(other)
    for name, args in (("step", ("profile",)), ("review", ()), ("results", ())):
        assert client.get(url(name, theirs.public_id, *args)).status_code == 404
    assert client.post(url("submit", theirs.public_id)).status_code == 404
    assert client.post(step_url(theirs, "profile"), {**EXPORTER, "action": "next"}).status_code == 404
    assert not Answer.objects.filter(assessment=theirs).exists()
    assert client.get(url("step", "00000000-0000-4000-8000-000000000000", "profile")).status_code == 404
    assert client.get(step_url(mine, "nonsense")).status_code == 404


def Client_():
    from django.test import Client

    return Client()


def test_it_resumes_from_the_private_link_in_a_new_browser(client, version):
    assessment = start(client)
    client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    page = client.get(step_url(assessment, "resilience")).content.decode()
    resume_url = re.search(r'value="(http://127.0.0.1:8000(/en/resume/[^"/]+/))"', page).group(2)
    token = resume_url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 32  # 192 random bits, url-safe base64
    assert assessment.resume_digest == token_digest(token)
    assert not Assessment.objects.filter(resume_digest=token).exists()  # the table holds the hash only

    fresh = Client_()
    assert fresh.get(step_url(assessment, "resilience")).status_code == 404
    response = fresh.get(resume_url)
    assert response.status_code == 302
    assert response["Location"] == step_url(assessment, "resilience")
    assert "宁波海蓝贸易有限公司" in fresh.get(step_url(assessment, "profile")).content.decode()


def test_it_treats_a_wrong_resume_link_as_not_found(client, version):
    response = client.get(url("resume", "not-a-real-token-at-all-aaaaaaaaaaaaaaaa"))
    assert response.status_code == 404
    assert "This link is not recognised" in response.content.decode()


def test_it_submits_and_scores_exactly_once(client, version):
    assessment = start(client)
    answer_everything(client, assessment)
    assert client.post(url("submit", assessment.public_id)).status_code == 302
    assessment.refresh_from_db()
    first = (assessment.submitted_at, assessment.result)
    # double submit, replay, and the back button followed by a post
    assert client.post(url("submit", assessment.public_id)).status_code == 302
    response = client.post(step_url(assessment, "profile"), {**EXPORTER, "firm_name": "Changed", "action": "next"})
    assert response["Location"] == url("results", assessment.public_id)
    assessment.refresh_from_db()
    assert (assessment.submitted_at, assessment.result) == first
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").value == "宁波海蓝贸易有限公司"


def test_it_refuses_to_submit_with_missing_answers_and_lists_them(client, version):
    assessment = start(client)
    client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    response = client.post(url("submit", assessment.public_id))
    assert response.status_code == 400
    assert "required questions are still unanswered" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == "draft"


def test_it_autosaves_one_change_and_reports_field_errors(client, version):
    assessment = start(client)
    response = client.post(
        step_url(assessment, "profile"), {"firm_name": "Auto Co", "employees": "many", "action": "autosave"}
    )
    assert response.status_code == 200
    body = response.json()
    assert "firm_name" in body["saved"]
    assert "employees" in body["errors"]
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").value == "Auto Co"


def test_it_shows_a_logged_in_owner_their_drafts(client, version, django_user_model):
    user = django_user_model.objects.create_user("owner", password="a-long-password-1")
    client.force_login(user)
    assessment = start(client)
    client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "save"})
    page = client.get(url("my_assessments")).content.decode()
    assert "宁波海蓝贸易有限公司" in page and "Draft" in page


def test_it_does_not_hand_over_an_assessment_opened_from_someone_elses_link(client, version, django_user_model):
    adviser = django_user_model.objects.create_user("adviser", password="a-long-password-1")
    owner = Client_()
    assessment = start(owner)
    resume = reverse("resume", args=[owner.session[access.SESSION_KEY][str(assessment.public_id)]])
    client.get(resume)
    client.post(url("login"), {"username": "adviser", "password": "a-long-password-1"})
    assert client.session["_auth_user_id"] == str(adviser.pk)  # logged in: not handing over was a choice
    assessment.refresh_from_db()
    assert assessment.owner is None


def test_it_attaches_anonymous_drafts_on_login(client, version, django_user_model):
    django_user_model.objects.create_user("owner", password="a-long-password-1")
    assessment = start(client)
    old_session = client.session.session_key
    client.post(url("login"), {"username": "owner", "password": "a-long-password-1"})
    assessment.refresh_from_db()
    assert assessment.owner.username == "owner"
    assert client.session.session_key != old_session


def test_it_keeps_step_queries_low_and_results_queries_flat(client, version):
    assessment = start(client)
    client.get(step_url(assessment, "resilience"))  # the process parses the questionnaire once
    with CaptureQueriesContext(connection) as get_step:
        client.get(step_url(assessment, "resilience"))
    with CaptureQueriesContext(connection) as post_step:
        client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    assert len(get_step) <= 3  # the assessment, the session (its private link), the answers
    # The same three, the assessment's update and the answers' upsert, in a transaction: here a
    # savepoint and its release (the test's own transaction is around it), in production BEGIN.
    assert len(post_step) <= 7
    answer_everything(client, assessment)
    client.post(url("submit", assessment.public_id))
    with CaptureQueriesContext(connection) as results:
        client.get(url("results", assessment.public_id))
    # The session, the assessment, its answers, notes, validation, plan history and the report
    # e-mails sent: one query each, however many answers, actions or e-mails there are.
    assert len(results) <= 7


def open_tab_snapshot(client, step: str) -> str:
    """Open a step page as a new tab would and return what it says it showed (`_loaded`)."""
    page = client.get(step).content.decode()
    return re.search(r'name="_loaded" value="([^"]*)"', page).group(1).replace("&quot;", '"')


def test_it_never_lets_a_stale_tab_blank_or_overwrite_an_answer_saved_in_another(client, version):
    client.post(url("start"))
    assessment = Assessment.objects.get()
    step = url("step", assessment.public_id, "profile")

    def open_tab():
        return open_tab_snapshot(client, step)

    def stored(key):
        return Answer.objects.filter(assessment=assessment, question_key=key).values_list("value", flat=True).first()

    client.post(step, {"firm_name": "First Ltd", "action": "save"})
    tab_a = open_tab()  # opened while the staff number is still empty
    client.post(step, {"firm_name": "First Ltd", "employees": "30", "action": "save"})  # tab B
    # Tab A, still showing the staff number empty, renames the firm: the 30 stays.
    client.post(step, {"firm_name": "Renamed Ltd", "employees": "", "_loaded": tab_a, "action": "autosave"})
    assert stored("firm_name") == "Renamed Ltd" and stored("employees") == 30

    tab_a = open_tab()  # shows 30
    client.post(step, {"firm_name": "Renamed Ltd", "employees": "45", "action": "save"})  # tab B
    # Tab A, still showing 30, saves without JavaScript: 45 is not overwritten with 30.
    client.post(step, {"firm_name": "Renamed Ltd", "employees": "30", "_loaded": tab_a, "action": "save"})
    assert stored("employees") == 45
    # What a tab really changes is saved, blanking included.
    client.post(step, {"firm_name": "Renamed Ltd", "employees": "", "_loaded": tab_a, "action": "save"})
    assert stored("employees") is None


def test_it_takes_an_owner_who_saves_for_later_straight_to_the_private_link(client, version):
    assessment = start(client)
    response = client.post(step_url(assessment, "profile"), {"firm_name": "Later Ltd", "action": "save"})
    assert response["Location"] == step_url(assessment, "profile") + "#resume"
    page = client.get(response["Location"]).content.decode()
    assert 'id="resume"' in page and "Saved. Use your private link to continue at any time." in page
    assert "continue later on any device" in page


def test_it_tells_a_submitted_owner_the_link_shows_locked_results(client, version):
    assessment = start(client)
    answer_everything(client, assessment)
    client.post(url("submit", assessment.public_id))
    page = client.get(url("results", assessment.public_id)).content.decode()
    assert 'id="resume-link"' in page
    assert "Your answers are submitted and locked" in page
    assert "continue later" not in page and "change your answers" not in page


def test_it_keeps_another_tabs_answer_when_a_page_opened_empty_makes_and_undoes_a_typo(client, version):
    import json

    assessment = start(client)
    step = step_url(assessment, "profile")
    tab_a = open_tab_snapshot(client, step)
    assert tab_a == "{}"  # a new assessment's first page shows nothing yet
    client.post(step, {"firm_name": "First Ltd", "employees": "30", "action": "save"})  # tab B
    # Tab A types a wrong staff number; its snapshot must stay what tab A shows, not tab B's 30.
    response = client.post(step, {"firm_name": "", "employees": "3o", "_loaded": tab_a, "action": "autosave"})
    assert "employees" in response.json()["errors"]
    tab_a = json.dumps(response.json()["loaded"])
    client.post(step, {"firm_name": "", "employees": "", "_loaded": tab_a, "action": "autosave"})  # and clears it
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    assert stored["employees"] == 30 and stored["firm_name"] == "First Ltd"


def test_it_shows_a_mistyped_number_again_as_typed_next_to_its_error(client, version):
    assessment = start(client)
    response = client.post(step_url(assessment, "profile"), {"firm_name": "Typo Ltd", "employees": "12 people"})
    page = response.content.decode()
    assert 'value="12 people"' in page and 'inputmode="numeric"' in page
    assert "Enter a whole number." in page
    assert Answer.objects.filter(assessment=assessment, question_key="firm_name").exists()  # the rest is kept


class ElementsById(HTMLParser):
    """Every element of a page that has an id: its tag and attributes, by id."""

    def __init__(self, page: str):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "id" in found:
            self.by_id[found["id"]] = {"tag": tag, **found}


def test_it_marks_each_kind_of_question_up_for_labels_and_screen_readers(client, version):
    assessment = start(client)
    page = client.get(step_url(assessment, "profile")).content.decode()
    by_id = ElementsById(page).by_id
    # A choice is a fieldset named by its legend, its help text announced with it.
    assert re.search(
        r'<div id="div_id_legal_form" class="mb-3">\s*<fieldset aria-describedby="id_legal_form_helptext">\s*'
        r'<legend class="form-label fs-6">How is the business registered\?</legend>',
        page,
    )
    assert by_id["id_legal_form_1"] == {
        "tag": "input",
        "type": "radio",
        "class": "form-check-input",
        "name": "legal_form",
        "value": "company",
        "id": "id_legal_form_1",
    }
    assert '<label for="id_legal_form_1" class="form-check-label">' in page
    assert by_id["id_legal_form_helptext"]["class"] == "form-text"
    # A number: a labelled text box with a numeric keyboard, its unit beside it.
    assert '<label for="id_employees" class="form-label">' in page
    assert by_id["id_employees"] == {
        "tag": "input",
        "type": "text",
        "name": "employees",
        "inputmode": "numeric",
        "autocomplete": "off",
        "class": "textinput form-control",
        "aria-describedby": "id_employees_helptext",
        "id": "id_employees",
    }
    assert re.search(r'id="id_employees">\s*<span class="input-group-text">people</span>', page)
    # A long list: a drop-down, its options grouped by sector, nothing chosen yet.
    assert by_id["id_industry"]["tag"] == "select" and by_id["id_industry"]["class"] == "select form-select"
    assert '<option value="" selected>Choose…</option><optgroup label="Primary sector (agriculture)">' in page
    assert by_id["id_firm_name"]["maxlength"] == "120"


def test_it_marks_errors_for_screen_readers_and_forgets_them_on_the_next_page(client, version):
    assessment = start(client)
    step = step_url(assessment, "profile")
    page = client.post(step, {"employees": "many", "legal_form": "bogus", "action": "next"}).content.decode()
    by_id = ElementsById(page).by_id
    assert by_id["id_employees"]["class"] == "textinput form-control is-invalid"
    assert by_id["id_employees"]["aria-invalid"] == "true"
    assert by_id["id_employees"]["aria-describedby"] == "id_employees_helptext id_employees_error"
    assert re.search(
        r'<div id="id_employees_error" class="invalid-feedback"><span id="error_1_id_employees">'
        r"<strong>Enter a whole number.</strong></span></div>",
        page,
    )
    assert "has-danger" in by_id["div_id_employees"]["class"]
    # Each option of a wrong choice is marked; the message follows the last one.
    assert all(
        by_id[f"id_legal_form_{n}"]["aria-invalid"] == "true" and "is-invalid" in by_id[f"id_legal_form_{n}"]["class"]
        for n in range(4)
    )
    assert '<fieldset aria-describedby="id_legal_form_helptext id_legal_form_error">' in page
    assert re.search(r'id="id_legal_form_3"[^>]*>\s*<label[^>]*>[^<]*</label>\s*<div id="id_legal_form_error"', page)
    # Required questions left empty are flagged on Next: beside a box, or under a choice's options.
    missing = ElementsById(client.post(step, {"action": "next"}).content.decode()).by_id
    assert missing["error_1_id_industry"]["tag"] == "span" and missing["error_1_id_legal_form"]["tag"] == "p"
    # The fields are built once and shared: the next page shows none of these marks.
    again = client.get(step).content.decode()
    assert "is-invalid" not in again and "aria-invalid" not in again and "has-danger" not in again
    assert 'value="many"' not in again


def test_it_shows_the_built_fields_in_each_language_they_were_built_for(client, version):
    assessment = start(client)
    english = client.get(step_url(assessment, "profile", "en")).content.decode()
    chinese = client.get(step_url(assessment, "profile", "zh-hans")).content.decode()
    english_again = client.get(step_url(assessment, "profile", "en")).content.decode()
    assert "Choose…" in english and "Source:" in english and "企业主要从事哪个行业？" not in english
    assert "请选择…" in chinese and "依据：" in chinese and "企业主要从事哪个行业？" in chinese
    assert "Choose…" not in chinese and "Source:" not in chinese
    masked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # a new mask on every page
    assert masked.sub("", english_again) == masked.sub("", english)
    # Django's own messages follow the page's language too.
    page = client.post(step_url(assessment, "profile", "zh-hans"), {"employees": "many"}).content.decode()
    assert "输入整数。" in page


# --- The optional stress-test step (2026.3) ------------------------------------------------------


def test_it_asks_the_stress_test_last_and_lets_the_owner_skip_it(client, version):
    assessment = start(client)
    qn = questionnaire_of(assessment.questionnaire)
    assert [s.key for s in qn.sections][-1] == "stress"
    response = client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    answers = dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    for section in ("resilience", "financing", "innovation"):
        client.post(step_url(assessment, section), {**worst_post(qn, section, answers), "action": "next"})
    response = client.post(
        step_url(assessment, "internationalization"),
        {**worst_post(qn, "internationalization", answers), "action": "next"},
    )
    assert response["Location"] == step_url(assessment, "stress")
    page = client.get(response["Location"]).content.decode()
    assert "Stress test: how long would your firm last? (optional)" in page
    assert "counts towards no score" in page and "Optional." in page
    # Left empty: Next goes to the review, which has nothing missing, and the assessment submits.
    response = client.post(step_url(assessment, "stress"), {"action": "next"})
    assert response["Location"] == url("review", assessment.public_id)
    response = client.post(url("submit", assessment.public_id))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert "stress_runway_months" not in assessment.result["facts"]
    results = client.get(url("results", assessment.public_id)).content.decode()
    assert 'id="stress"' not in results


def test_it_stores_the_stress_figures_and_refuses_negative_or_absurd_ones_with_a_clear_message(client, version):
    assessment = start(client, "zh-hans")
    client.post(step_url(assessment, "profile", "zh-hans"), {**EXPORTER, "action": "next"})
    data = {
        "stress_wages": "6",
        "stress_rent": "-3",
        "stress_cash": "22",
        "stress_variable_share": "250",
        "stress_drop": "80",
        "stress_months": "3",
        "action": "next",
    }
    response = client.post(step_url(assessment, "stress", "zh-hans"), data)
    assert response.status_code == 200  # the page again, with the two errors beside their fields
    page = response.content.decode()
    assert "确保该值大于或等于0" in page and "确保该值小于或等于100" in page
    stored = dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))
    assert stored["stress_wages"] == 6 and stored["stress_cash"] == 22 and stored["stress_drop"] == "80"
    assert "stress_rent" not in stored and "stress_variable_share" not in stored
