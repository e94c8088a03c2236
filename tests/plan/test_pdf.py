"""The PDF carries the plan: what the firm entered in the fill-in table, and on the next
assessment which earlier actions were done; a stored PDF is never served after either changes."""

from datetime import date

from assessment.models import ReportFile
from assessment.plan.services import action_progress_set
from assessment.questionnaire.definition import tr
from assessment.reports.services import report_pdf
from assessment.selectors import questionnaire_of
from tests.factories import accept, complete, invite, member, pdf_url, squash, submitted_for, text_of, url


def test_it_prints_the_done_digest_and_renders_again_when_progress_changes(version, consultancy):
    a = consultancy["a"]
    earlier = submitted_for(a["firm"], version, 0.1, days_ago=120)
    later = submitted_for(a["firm"], version, 0.9, days_ago=1)
    stored = report_pdf(assessment=later, lang="en", variant="full")
    first_digest = stored.inputs_digest
    assert "No action of the earlier plan was marked done" in text_of(stored.file.read())
    assert report_pdf(assessment=later, lang="en", variant="full").inputs_digest == first_digest  # reused
    key = earlier.outcome.action_keys()[0]
    action_progress_set(assessment=earlier, action_key=key, status="done")
    rec = questionnaire_of(version).recommendation(key)
    stored = report_pdf(assessment=later, lang="en", variant="full")
    assert stored.inputs_digest != first_digest
    text = squash(text_of(stored.file.read()))
    before, after = earlier.outcome.score_of(rec.area), later.outcome.score_of(rec.area)
    assert (
        squash(f"{tr(rec.title, 'en')} (") in text and squash(f"{before} → {after}, up {after - before} points") in text
    )
    # The later assessment's own plan, as entered on its results page, fills the plan table.
    second_digest = stored.inputs_digest
    own = later.outcome.action_keys()[0]
    action_progress_set(
        assessment=later, action_key=own, status="planned", owner_name="Zhang Wei", due_on=date(2026, 6, 30)
    )
    stored = report_pdf(assessment=later, lang="en", variant="full")
    assert stored.inputs_digest not in (first_digest, second_digest)
    text = squash(text_of(stored.file.read()))
    assert "ZhangWei" in text and "2026-06-30" in text
    assert ReportFile.objects.filter(assessment=later).count() == 1


def test_it_leaves_a_campaign_members_plan_out_of_the_report_the_association_downloads(
    associations, django_capture_on_commit_callbacks
):
    x = associations["x"]
    token = invite(x["campaign"], django_capture_on_commit_callbacks, member(1))["m1@example.com"]
    owner, assessment = accept(token, share=True)
    complete(assessment)
    assessment.refresh_from_db()
    key = assessment.outcome.action_keys()[0]
    action_progress_set(
        assessment=assessment, action_key=key, status="planned", owner_name="Zhao Min", due_on=date(2026, 6, 30)
    )
    response = x["client"].get(pdf_url(assessment, "en", "full"))
    assert response.status_code == 200
    text = squash(text_of(b"".join(response.streaming_content)))
    assert "ZhaoMin" not in text and "2026-06-30" not in text
    # The member still has it on its own results page.
    assert "Zhao Min" in owner.get(url("results", assessment.public_id)).content.decode()
