"""Association reads: campaigns, member table, participation and the snapshots cohort statistics use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from assessment import selectors
from assessment.campaigns import cohort
from assessment.models import (
    ActionProgress,
    Answer,
    Assessment,
    Campaign,
    Invitation,
    Organisation,
)
from assessment.paging import nearest_page
from assessment.plan import selectors as plan_selectors
from assessment.questionnaire.result import Result


def campaigns_of(organisation: Organisation) -> QuerySet[Campaign]:
    return (
        organisation.campaigns.select_related("questionnaire")
        .defer("questionnaire__definition")
        .order_by("-opens_on", "-pk")
    )


def campaign_by_link(link_token: str) -> Campaign | None:
    return (
        Campaign.objects.select_related("organisation", "questionnaire")
        .defer("questionnaire__definition", "organisation__logo")
        .filter(link_token=link_token, link_active=True)
        .first()
    )


def invitation_assessment(digest: str) -> Assessment | None:
    """The assessment a (possibly used) invitation link led to."""
    invitation = Invitation.objects.select_related("assessment").filter(token_digest=digest).first()
    return invitation.assessment if invitation else None


# --- The member table -----------------------------------------------------------------------
#
# The members (see selectors.campaign_invited / campaign_uninvited) are read as two halves of
# the same columns, invited members first in the order they were invited, then the others as
# they came. A page of the table is a slice of one or both halves, and its count comes from the
# campaign's stored tallies: a page costs one or two short queries whatever the number of
# members. A search or a sector filter has no stored count: each half is counted with its
# filter alone (on the columns, no JSON read), then sliced as an unfiltered page.

MEMBERS_PER_PAGE = 50
MEMBER_STATUSES = ("invited", "started", "submitted")
# The columns of both halves, in this order (m_ names clash with no model field).
_COLUMNS = (
    "m_kind",
    "m_id",
    "m_firm",
    "m_email",
    "m_status",
    "m_sent",
    "m_reminded",
    "m_batch",
    "m_shared",
    "m_public_id",
    "m_overall",
)


@dataclass(frozen=True)
class MemberFilters:
    """What the member table is narrowed to; empty values filter nothing."""

    status: str = ""  # one of MEMBER_STATUSES
    sector: str = ""  # a FACT_VALUES["sector"] value: only members who share submitted results have one
    search: str = ""  # part of the firm's name or of the invited e-mail address


def _shares_submitted(prefix: str = "") -> Q:
    return Q(**{f"{prefix}share_with_association": True, f"{prefix}status": Assessment.Status.SUBMITTED})


def _member_columns(prefix: str) -> dict[str, Any]:
    """The union's columns read from an assessment (prefix "assessment__" from an invitation).
    The overall score leaves the database only for members who share their submitted results."""
    status = Case(
        When(**{f"{prefix}status": Assessment.Status.SUBMITTED}, then=Value("submitted")),
        When(**{f"{prefix}status": Assessment.Status.DRAFT}, then=Value("started")),
        default=Value("invited"),
        output_field=CharField(),
    )
    shared = _shares_submitted(prefix)
    return {
        "m_status": status,
        "m_batch": F(f"{prefix}import_batch_id"),
        "m_shared": Coalesce(F(f"{prefix}share_with_association"), Value(False)),
        "m_public_id": Case(When(shared, then=F(f"{prefix}public_id")), default=Value(None)),
        "m_overall": Case(When(shared, then=F(f"{prefix}overall_score")), default=Value(None)),
    }


def _filtered(
    queryset: QuerySet, filters: MemberFilters, prefix: str, names: tuple[str, ...], campaign_id: int
) -> QuerySet:
    if filters.status:
        # On the status column itself, not on m_status (an expression no index can serve).
        if filters.status == "invited":
            # Only an invitation nobody used is "invited"; an assessment has started at least.
            queryset = queryset.filter(**{"assessment__isnull": True}) if prefix else queryset.none()
        else:
            status = Assessment.Status.DRAFT if filters.status == "started" else Assessment.Status.SUBMITTED
            queryset = queryset.filter(**{f"{prefix}status": status})
    if filters.sector:
        # The sector is an answer: it is known to the association only from the results a member
        # shares, so the filter keeps only those (a private member's answers never narrow a list).
        queryset = queryset.filter(_shares_submitted(prefix), **{f"{prefix}sector": filters.sector})
        if prefix:
            # Always true (an invitation's assessment is made for its campaign, when it is used
            # or its answers are imported), and it lets the database count from the sector index
            # on the few shared results instead of reading every invitation's assessment.
            queryset = queryset.filter(assessment__campaign_id=campaign_id)
    if filters.search:
        matches = Q()
        for name in names:
            matches |= Q(**{f"{name}__icontains": filters.search})
        queryset = queryset.filter(matches)
    return queryset


def _halves(campaign: Campaign, filters: MemberFilters) -> tuple[QuerySet, QuerySet]:
    """The invited members and the others, narrowed by the filters (count them as they are;
    read their rows through _rows())."""
    invited = _filtered(
        selectors.campaign_invited(campaign.pk), filters, "assessment__", ("firm__name", "email"), campaign.pk
    )
    others = _filtered(selectors.campaign_uninvited(campaign.pk), filters, "", ("firm_name",), campaign.pk)
    return invited, others


def _rows(invited: QuerySet, others: QuerySet) -> tuple[QuerySet, QuerySet]:
    """Each half as ordered plain values of _COLUMNS (read with member_row())."""
    invited = invited.annotate(m_kind=Value(0), m_id=F("pk"), m_firm=F("firm__name"), m_email=F("email")).annotate(
        m_sent=F("sent_at"), m_reminded=F("reminded_at"), **_member_columns("assessment__")
    )
    others = others.annotate(m_kind=Value(1), m_id=F("pk"), m_firm=F("firm_name"), m_email=Value("")).annotate(
        m_sent=Value(None, output_field=DateTimeField()),
        m_reminded=Value(None, output_field=DateTimeField()),
        **_member_columns(""),
    )
    return invited.values(*_COLUMNS).order_by("m_id"), others.values(*_COLUMNS).order_by("m_id")


def campaign_member_rows(campaign: Campaign, filters: MemberFilters | None = None) -> QuerySet:
    """The campaign's members as one ordered query of plain values (invited members first, in
    the order they were invited, then the others as they came). Read rows with member_row()."""
    invited, others = _rows(*_halves(campaign, filters or MemberFilters()))
    return invited.order_by().union(others.order_by(), all=True).order_by("m_kind", "m_id")


class _ReadAhead:
    """A half whose first rows were read already: a slice within them is served from them."""

    def __init__(self, rows: QuerySet, first: list[dict[str, Any]]):
        self.rows, self.first = rows, first

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __getitem__(self, part: slice) -> list[dict[str, Any]]:
        if (part.stop or 0) <= len(self.first):
            return self.first[part]
        return list(self.rows[part])


class _CountedMembers:
    """The two halves as one sliceable list of known length, for a Paginator: a slice reads
    only the rows it covers, from the half (or both) they are in."""

    ordered = True  # each half is ordered (Paginator warns about unordered lists)

    def __init__(
        self,
        invited: QuerySet | list[dict[str, Any]] | _ReadAhead,
        invited_count: int,
        others: QuerySet | list[dict[str, Any]] | _ReadAhead,
        others_count: int,
    ):
        self.invited, self.invited_count = invited, invited_count
        self.others, self.others_count = others, others_count

    def count(self) -> int:
        return self.invited_count + self.others_count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        yield from self.invited
        yield from self.others

    def __getitem__(self, part: int | slice) -> Any:
        if isinstance(part, int):
            return self[part : part + 1][0]
        start, stop = part.start or 0, part.stop if part.stop is not None else self.count()
        rows: list[dict[str, Any]] = []
        if start < self.invited_count:
            rows += self.invited[start : min(stop, self.invited_count)]
        if stop > self.invited_count and self.others_count:
            rows += self.others[max(start - self.invited_count, 0) : stop - self.invited_count]
        return rows


def member_row(values: dict[str, Any]) -> dict[str, Any]:
    """One row of the member table from the values of campaign_member_rows()."""
    invited = values["m_kind"] == 0
    imported = values["m_batch"] is not None
    return {
        "firm": values["m_firm"],
        "source": "invited" if invited else "imported" if imported else "joined",
        "imported": imported,
        "email": values["m_email"] or "",
        "status": values["m_status"],
        "sent_at": values["m_sent"],
        "reminded_at": values["m_reminded"],
        "shared": bool(values["m_shared"]),
        # Set only for members who share their submitted results: their link and score.
        "public_id": values["m_public_id"],
        "overall": values["m_overall"],
    }


def campaign_members(campaign: Campaign, filters: MemberFilters | None = None) -> list[dict[str, Any]]:
    """Every member of the campaign: invited ones and those who joined by the shareable link
    or were imported. Scores are included only for members who consented to share them.
    For a page of them, campaign_members_page()."""
    return [member_row(values) for values in campaign_member_rows(campaign, filters)]


def campaign_member_counts(campaign: Campaign) -> dict[str, int]:
    """Members in all and by status, from the campaign's stored tallies (no counting)."""
    tallies = selectors.campaign_tallies(campaign)
    counts = {
        status: tallies["invited"].get(status, 0) + tallies["others"].get(status, 0) for status in MEMBER_STATUSES
    }
    return {**counts, "total": sum(counts.values())}


def _read_or_counted(rows: QuerySet, limit: int) -> tuple[list[dict[str, Any]] | _ReadAhead, int]:
    """A searched half and its length. A search mostly finds a few members: up to `limit` of
    them are read whole, in the query that would have read them for the page anyway, and not
    counted first (the count scanned every name again: half a search page's time). A half with
    more is counted, and its first page is served from what was read."""
    first = list(rows[: limit + 1])
    if len(first) <= limit:
        return first, len(first)
    return _ReadAhead(rows, first[:limit]), rows.count()


def campaign_members_page(
    campaign: Campaign, filters: MemberFilters, page_number: str | int | None, per_page: int = MEMBERS_PER_PAGE
) -> tuple[Page, list[dict[str, Any]]]:
    """One page of the member table and its rows. Unfiltered, by status or by sector: counted
    from the stored tallies, one or two queries for the rows. With a search: each half read
    whole when it has at most a page of matches, else counted. A page number that is not one (or
    past the end) gives the first (or the last) page."""
    invited, others = _halves(campaign, filters)
    invited_rows, others_rows = _rows(invited, others)
    if filters.search:
        members = _CountedMembers(*_read_or_counted(invited_rows, per_page), *_read_or_counted(others_rows, per_page))
    else:
        tallies = selectors.campaign_tallies(campaign)

        def counted(half: str) -> int:
            if filters.sector:
                # Only members who share submitted results have a sector the filter sees.
                if filters.status not in ("", "submitted"):
                    return 0
                return tallies["sectors"][half].get(filters.sector, 0)
            by_status = tallies[half]
            return by_status.get(filters.status, 0) if filters.status else sum(by_status.values())

        members = _CountedMembers(invited_rows, counted("invited"), others_rows, counted("others"))
    page: Page = nearest_page(Paginator(members, per_page), page_number)
    return page, [member_row(values) for values in page.object_list]


def campaign_summary(campaign: Campaign, areas: Sequence[str], counts: dict[str, int] | None = None) -> dict[str, Any]:
    """Participation counts, and mean area scores of the members who share their results,
    where cohort's rule allows them ("submitted" counts those members): from the sums in
    the campaign's stored tallies, so no member is read."""
    counts = counts if counts is not None else campaign_member_counts(campaign)
    tallies = selectors.campaign_tallies(campaign)
    sums = tallies["sums"]
    means = {area: cohort.mean_of_sum(*sums[area]) if area in sums else None for area in areas}
    if all(m is None for m in means.values()):
        means = {}
    return {
        "counts": {status: counts[status] for status in MEMBER_STATUSES},
        "total": counts["total"],
        "submitted": tallies["sharing"],
        "means": means,
        "min_group": cohort.MIN_GROUP,
    }


def campaign_results(campaign: Campaign, *, shared_only: bool = True) -> Iterator[tuple[Assessment, dict[str, Any]]]:
    """(assessment, answers) for each submitted assessment, streamed in two ordered queries.

    Memory stays flat however many rows: both querysets are read with iterator() and merged
    by assessment id, instead of one answers query per assessment.
    """
    chosen = Assessment.objects.filter(campaign=campaign, status=Assessment.Status.SUBMITTED)
    if shared_only:
        chosen = chosen.filter(share_with_association=True)
    rows = chosen.only("pk", "firm_name", "submitted_at", "result").order_by("pk").iterator(chunk_size=2000)
    answers = (
        Answer.objects.filter(assessment__in=chosen)
        .order_by("assessment_id")
        .values_list("assessment_id", "question_key", "value")
        .iterator(chunk_size=5000)
    )
    pending = next(answers, None)
    for assessment in rows:
        mine: dict[str, Any] = {}
        while pending is not None and pending[0] <= assessment.pk:
            if pending[0] == assessment.pk:
                mine[pending[1]] = pending[2]
            pending = next(answers, None)
        yield assessment, mine


def campaign_assessment_ids(campaign: Campaign, public_ids: list[str]) -> list[int]:
    """Primary keys of this campaign's assessments among the given public ids (others ignored)."""
    valid = []
    for value in public_ids[:5000]:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(Assessment.objects.filter(campaign=campaign, public_id__in=valid).values_list("pk", flat=True))


_counted = selectors.campaign_counted


def campaign_members_results(campaign: Campaign) -> list[cohort.CohortMember]:
    """One entry per counted assessment: its result where the member lets the association see
        it, else an empty result marked private. A private member's scores never leave this read
        for a cohort figure (cohort.summarise counts it as left out): any figure including them
        could be differenced before and after it joined. Sharing members come with how many of their
    actions they marked done, in progress or at all. Two queries whatever the cohort size."""
    rows = [row for row in _counted(campaign).values_list("pk", "result", "share_with_association") if row[1]]
    # Where the sharing members have got with their plans (one more query): private ones are read for nothing.
    plans = plan_selectors.statuses_by_assessment(_counted(campaign).filter(share_with_association=True))
    members = []
    for pk, result, shared in rows:
        if not shared:
            members.append(cohort.CohortMember(Result(), False))
            continue
        outcome = Result.from_json(result)
        statuses = [plans.get(pk, {}).get(key) for key in outcome.action_keys()]
        members.append(
            cohort.CohortMember(
                outcome,
                True,
                done=statuses.count(ActionProgress.Status.DONE),
                in_progress=statuses.count(ActionProgress.Status.IN_PROGRESS),
                marked=sum(1 for s in statuses if s),
            )
        )
    return members


def campaign_overall_scores(campaign: Campaign) -> list[int | None]:
    """Overall scores of the counted members who share their results: what a member's
    percentile is read against. Private members are left out for the reason cohort figures
    leave them out: the association can open a sharing member's page, and a percentile read
    before and after a private member's submission would place that member's score."""
    rows = _counted(campaign).filter(share_with_association=True).values_list("result", flat=True)
    return [Result.from_json(r).overall for r in rows if r]


def campaign_participation(campaign: Campaign) -> dict[str, int]:
    """Invited (not started), started and submitted, in two queries."""
    by_status = dict(
        Assessment.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    waiting = Invitation.objects.filter(campaign=campaign, assessment__isnull=True).count()
    started = by_status.get(Assessment.Status.DRAFT, 0)
    submitted = by_status.get(Assessment.Status.SUBMITTED, 0)
    return {"invited": waiting, "started": started, "submitted": submitted, "total": waiting + started + submitted}


def standing_of(assessment: Assessment) -> dict[str, int] | None:
    """Where a submitted campaign member's overall score stands among the members who share
    their results: percentile and how many firms it is read against; None under MIN_GROUP."""
    if assessment.campaign is None or assessment.is_draft:
        return None
    scores = campaign_overall_scores(assessment.campaign)
    rank = cohort.percentile(assessment.outcome.overall, scores)
    if rank is None:
        return None
    return {"percentile": rank, "count": len([s for s in scores if s is not None])}


def campaign_member(campaign: Campaign, *, invited: bool, member_id: int) -> dict[str, Any] | None:
    """One member of the campaign as the member table has it (read with member_row()): an
    invitation's id, or the assessment id of a member nobody invited; None if it is not one
    (another campaign's, or a draft left behind by a later import)."""
    half = _rows(*_halves(campaign, MemberFilters()))[0 if invited else 1]
    return half.filter(pk=member_id).first()
