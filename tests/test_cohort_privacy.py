"""The differencing attack on cohort figures (issue 15 §3), performed as an association would.

The association reads the dashboard, lets the cohort grow by one firm that keeps its results
private, reads again, and works out from the two readings every score the new firm could
have: the bucket of each area's histogram that gained a firm, and the sum of the scores
(average x firms, up to rounding) before and after. If that leaves fewer than 20 possible
points, the firm's area score is given away to within a band. See docs/cohort-privacy.md.
"""

import csv
import io
import re

import pytest
from django.test import Client

from assessment.bulk.samples import sample_table
from assessment.bulk.services import assessments_import
from assessment.models import Assessment
from assessment.questionnaire.definition import tr
from assessment.selectors import questionnaire_of
from tests.test_campaigns import accept, complete, invite, member, open_campaign
from tests.test_workspace import url

BAND = 20


@pytest.fixture
def chamber(version, django_user_model):
    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    _org, campaign = open_campaign(user, "Hubei Chamber", "Autumn round", version)
    client = Client()
    client.force_login(user)
    return {"campaign": campaign, "client": client, "qn": questionnaire_of(version)}


def import_rows(chamber, count, start=0, share="yes"):
    """Rows the association fills in itself, so it knows every value in them."""
    out = io.StringIO()
    csv.writer(out).writerows(sample_table(chamber["qn"], count, share=share, start=start))
    data = out.getvalue().encode()
    assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="x.csv",
        data=data,
        messages_language="en",
        report_language="en",
    )


def read_areas(chamber):
    """What the dashboard page shows per area: {title: (average or None, [firms per bucket])}."""
    page = chamber["client"].get(url("campaign_dashboard", chamber["campaign"].pk)).content.decode()
    section = re.search(r'aria-labelledby="c-areas">(.*?)</section>', page, re.S)
    if section is None:
        return {}
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td>((?:<td>\d+</td>)*)</tr>', section.group(1))
    return {
        title: (None if mean == "–" else int(mean), [int(n) for n in re.findall(r"<td>(\d+)</td>", cells)])
        for title, mean, cells in rows
        if cells
    }


def possible_scores(before, after, title):
    """Every score 0–100 the one new firm could have in this area, given both readings."""
    scores = set(range(101))
    if title not in before or title not in after:
        return scores  # no figure on one side: nothing to subtract
    (mean_b, counts_b), (mean_a, counts_a) = before[title], after[title]
    n_b, n_a = sum(counts_b), sum(counts_a)
    if n_a != n_b + 1:
        return scores  # the new firm is not (alone) in the difference
    gained = [i for i, (a, b) in enumerate(zip(counts_a, counts_b, strict=True)) if a == b + 1]
    if len(gained) == 1:
        low = gained[0] * BAND
        scores &= set(range(low, 101 if low == 80 else low + BAND))
    if mean_a is not None and mean_b is not None:
        # Averages are rounded to whole points: each sum is known to within half a point per firm.
        lowest = (mean_a - 0.5) * n_a - (mean_b + 0.5) * n_b
        highest = (mean_a + 0.5) * n_a - (mean_b - 0.5) * n_b
        scores = {s for s in scores if lowest <= s <= highest}
    return scores


def assert_not_revealed(before, after, assessment, qn):
    assessment.refresh_from_db()
    assert assessment.result and not assessment.share_with_association
    for area in qn.areas:
        score = assessment.result["scores"][area.key]["score"]
        if score is None:
            continue
        possible = possible_scores(before, after, tr(area.title, "en"))
        assert score in possible  # the attacker's reasoning is sound
        assert max(possible) - min(possible) >= BAND, (area.key, score, sorted(possible))


def test_it_does_not_reveal_a_private_firms_scores_when_the_association_imports_one_more(chamber):
    import_rows(chamber, 10)  # shared
    import_rows(chamber, 5, start=100, share="no")  # five private firms: enough to be counted until now
    before = read_areas(chamber)
    assert before and all(mean is not None for mean, _ in before.values())  # the dashboard has figures
    import_rows(chamber, 1, start=200, share="no")
    after = read_areas(chamber)
    new = Assessment.objects.filter(campaign=chamber["campaign"]).order_by("-pk").first()
    assert_not_revealed(before, after, new, chamber["qn"])


def test_it_does_not_reveal_a_private_members_scores_between_two_readings(chamber, django_capture_on_commit_callbacks):
    campaign = chamber["campaign"]
    tokens = invite(campaign, django_capture_on_commit_callbacks, *(member(n) for n in range(1, 14)))
    # Members 1-6 and 13 share their results, 7-12 keep them private.
    members = [accept(tokens[f"m{n}@example.com"], share=n <= 6 or n == 13)[1] for n in range(1, 14)]
    for assessment in members[:11]:
        complete(assessment)
    before = read_areas(chamber)
    assert before and all(mean is not None for mean, _ in before.values())
    complete(members[11])  # one more private member submits, nothing else happens
    after = read_areas(chamber)
    assert_not_revealed(before, after, members[11], chamber["qn"])
    # The figures still move with every member who shares.
    complete(members[12])
    later = read_areas(chamber)
    assert all(sum(later[t][1]) == sum(after[t][1]) + 1 for t in after)
