"""The association's cohort page: how far members have got with their plans, only over members
who share their results, and only from MIN_GROUP of them."""

from assessment.campaigns import cohort
from assessment.campaigns.dashboard import build_dashboard
from assessment.models import ActionProgress, Assessment
from assessment.plan.services import action_progress_set
from assessment.questionnaire.result import PlannedAction, Result
from assessment.selectors import questionnaire_of
from tests.factories import accept, complete, invite, member, url


def planned(n_actions: int) -> Result:
    return Result(actions=tuple(PlannedAction(f"a{i}") for i in range(n_actions)))


def test_it_counts_only_sharing_members_with_a_plan_and_hides_under_five():
    members = [cohort.CohortMember(planned(4), True, done=1, in_progress=1, marked=2) for _ in range(4)]
    members += [cohort.CohortMember(planned(4), True), cohort.CohortMember(Result(), True)]  # no plan: not counted
    members += [cohort.CohortMember(Result(), False) for _ in range(3)]
    stats = cohort.summarise(members, ["resilience"])
    assert stats.completion == cohort.Completion(n=5, actions=20, done=20, in_progress=20, tracking=80)
    assert cohort.summarise(members[:4] + members[5:], ["resilience"]).completion is None  # four with a plan


def test_it_shows_completion_on_the_cohort_page_whatever_the_private_member_marked(
    chamber, django_capture_on_commit_callbacks
):
    campaign, qn = chamber["campaign"], questionnaire_of(chamber["campaign"].questionnaire)
    tokens = invite(campaign, django_capture_on_commit_callbacks, *(member(n) for n in range(6)))
    assessments = []
    for n in range(6):
        _, assessment = accept(tokens[f"m{n}@example.com"], share=n != 5)
        complete(assessment)
        assessments.append(Assessment.objects.get(pk=assessment.pk))
    total = sum(len(a.outcome.action_keys()) for a in assessments[:5])
    for a in assessments[:5]:
        first, second = a.outcome.action_keys()[:2]
        action_progress_set(assessment=a, action_key=first, status="done")
        action_progress_set(assessment=a, action_key=second, status="in_progress")
    data = build_dashboard(campaign, qn, "en")
    assert data.completion == cohort.Completion(
        n=5, actions=total, done=round(500 / total), in_progress=round(500 / total), tracking=100
    )
    page = chamber["client"].get(url("campaign_dashboard", campaign.pk)).content.decode()
    assert "Action plans: how far members have got" in page and f"<td>Done</td><td>{round(500 / total)}%</td>" in page
    # The private member's plan changes nothing the association can read.
    private = assessments[5]
    for key in private.outcome.action_keys():
        action_progress_set(assessment=private, action_key=key, status="done")
    assert build_dashboard(campaign, qn, "en").completion == data.completion
    # One sharing member stops sharing: four left, the figure goes.
    Assessment.objects.filter(pk=assessments[0].pk).update(share_with_association=False)
    assert build_dashboard(campaign, qn, "en").completion is None
    assert "Action plans" not in chamber["client"].get(url("campaign_dashboard", campaign.pk)).content.decode()
    assert ActionProgress.objects.count() == 10 + len(private.outcome.action_keys())
