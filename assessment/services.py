"""Writes: every change to the database goes through one of these functions."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.links import token_digest
from assessment.models import (
    Answer,
    Assessment,
    Campaign,
    Firm,
    Note,
    QuestionnaireVersion,
)
from assessment.questionnaire.definition import ContentError, content_checksum
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.questionnaire.result import build_result
from assessment.questionnaire.rules import missing_questions

logger = logging.getLogger(__name__)


class AssessmentLocked(Exception):
    """The assessment was submitted; its answers can no longer change."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(", ".join(missing))


def source_sha256(text: str) -> str:
    """The digest of a content file's text, as questionnaire_load() records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def questionnaire_load(text: str) -> tuple[QuestionnaireVersion, bool]:
    """Validate a content file and store it as a new current version.

    Returns (version, created). Loading the same content again is a no-op; loading
    different content under a version that exists raises ContentError.
    """
    raw = load_yaml(text)
    qn = parse_questionnaire(raw)
    checksum = content_checksum(raw)
    source = source_sha256(text)
    with transaction.atomic():
        existing = QuestionnaireVersion.objects.filter(version=qn.version).first()
        if existing is not None:
            if existing.checksum != checksum:
                raise ContentError(
                    [
                        f"version {qn.version}: already loaded with different content; "
                        "assessments depend on it, so give the edited file a new version"
                    ]
                )
            if existing.source_sha256 != source:  # the same content, written differently (or not recorded)
                existing.source_sha256 = source
                existing.save(update_fields=["source_sha256"])
            return existing, False
        QuestionnaireVersion.objects.filter(is_current=True).update(is_current=False)
        version = QuestionnaireVersion.objects.create(
            version=qn.version, checksum=checksum, source_sha256=source, definition=raw, is_current=True
        )
    return version, True


def assessment_create(
    *,
    version: QuestionnaireVersion,
    owner,
    language: str,
    firm: Firm | None = None,
    created_by=None,
    campaign: Campaign | None = None,
    share_with_association: bool = False,
) -> tuple[Assessment, str]:
    """Start a draft. Returns it with its private resume token (192 random bits).

    With a firm, the draft starts with the firm's name filled in. A consultancy's firm's
    draft belongs to the consultancy (its consultants may open it); a campaign's draft
    does not: the association sees it only with the member's consent.
    """
    token = secrets.token_urlsafe(24)
    owner = owner if owner is not None and owner.is_authenticated else None
    with transaction.atomic():
        assessment = Assessment.objects.create(
            questionnaire=version,
            owner=owner,
            resume_digest=token_digest(token),
            language=language,
            firm=firm,
            organisation=firm.organisation if firm and campaign is None else None,
            campaign=campaign,
            share_with_association=share_with_association,
            created_by=created_by,
            firm_name=firm.name[:200] if firm else "",
        )
        if firm is not None and owner is not None and firm.owner_id is None:
            Firm.objects.filter(pk=firm.pk, owner__isnull=True).update(owner=owner)
        if firm is not None:
            Answer.objects.create(
                assessment=assessment, question_key="firm_name", value=firm.name, updated_at=timezone.now()
            )
        campaign_tallies_refresh(assessment.campaign_id)
    return assessment, token


def assessment_new_link(*, assessment: Assessment) -> str:
    """A new private resume link for a draft; the old one stops working. Returns the token."""
    token = secrets.token_urlsafe(24)
    Assessment.objects.filter(pk=assessment.pk).update(resume_digest=token_digest(token))
    return token


def answers_save(
    *, assessment: Assessment, values: dict[str, Any], cleared: Iterable[str] = (), consultant=None
) -> None:
    """Store validated answers (and remove cleared ones) of a draft, in one transaction.

    With `consultant` (a member of the organisation running the assessment) the saved
    answers count as validated by them; where they change the owner's answer, the owner's
    is kept. An owner's save makes an answer self-assessed again.
    """
    now = timezone.now()
    cleared = [key for key in cleared if key not in values]
    changes: dict[str, Any] = {"updated_at": now}
    if "firm_name" in values:
        changes["firm_name"] = str(values["firm_name"])[:200]
    elif "firm_name" in cleared:
        changes["firm_name"] = ""
    with transaction.atomic():
        # The conditional update both locks the row and proves it is still a draft,
        # so a save racing a submission cannot change a submitted assessment.
        if not Assessment.objects.filter(pk=assessment.pk, status=Assessment.Status.DRAFT).update(**changes):
            raise AssessmentLocked(_("This assessment has been submitted and can no longer be changed."))
        if values:
            previous = {}
            if consultant is not None:
                rows = Answer.objects.filter(assessment=assessment, question_key__in=list(values))
                previous = {a.question_key: a for a in rows}
            Answer.objects.bulk_create(
                [
                    Answer(
                        assessment=assessment,
                        question_key=key,
                        value=value,
                        updated_at=now,
                        validated_by=consultant,
                        owner_value=_owner_value(previous.get(key), value) if consultant else None,
                        change_reason=previous[key].change_reason if key in previous else "",
                    )
                    for key, value in values.items()
                ],
                update_conflicts=True,
                unique_fields=["assessment", "question_key"],
                update_fields=["value", "updated_at", "validated_by", "owner_value", "change_reason"],
            )
        if cleared:
            Answer.objects.filter(assessment=assessment, question_key__in=cleared).delete()


def _owner_value(before: Answer | None, value: Any) -> Any:
    """The owner's answer to keep when a consultant saves `value` over `before`."""
    if before is None:
        return None
    if before.validated_by_id is not None:
        return before.owner_value  # already the consultant's: keep what the owner first said
    return before.value if before.value != value else None


def answer_reason_set(*, assessment: Assessment, question_key: str, reason: str) -> bool:
    """Record why the consultant changed the owner's answer. False if it was not changed."""
    changed = Answer.objects.filter(
        assessment=assessment, question_key=question_key, validated_by__isnull=False, owner_value__isnull=False
    )
    return bool(changed.update(change_reason=reason.strip()[:300]))


def assessment_submit(*, assessment: Assessment) -> bool:
    """Lock the answers and score them, exactly once.

    Returns True when this call submitted it, False when it was already submitted
    (a double click, the back button or a replayed post). Raises IncompleteAssessment
    while a required question is unanswered.
    """
    qn = selectors.questionnaire_of(assessment.questionnaire)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if locked is None or locked.status != Assessment.Status.DRAFT:
            return False
        answers = selectors.answers_of(assessment)
        missing = missing_questions(qn, answers, derive_facts(qn, answers))
        if missing:
            raise IncompleteAssessment([q.key for q in missing])
        snapshot = build_result(qn, answers).to_json()
        now = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(
            status=Assessment.Status.SUBMITTED, submitted_at=now, updated_at=now, **Assessment.result_columns(snapshot)
        )
        if assessment.firm_id is not None:
            firms_latest_refresh([assessment.firm_id])
        campaign_tallies_refresh(assessment.campaign_id)
    assessment.refresh_from_db()
    return True


def assessment_reopen(*, assessment: Assessment) -> bool:
    """Back to draft so the consultancy running it can validate an owner's submitted answers.

    The answers, notes and reasons stay; the score snapshot goes and is taken again at the
    next submission. Returns False when it was not submitted.
    """
    with transaction.atomic():
        reopened = Assessment.objects.filter(
            pk=assessment.pk, status=Assessment.Status.SUBMITTED, organisation__isnull=False
        ).update(
            status=Assessment.Status.DRAFT,
            submitted_at=None,
            updated_at=timezone.now(),
            **Assessment.result_columns(None),
        )
        # The firm's newest submitted assessment is now an earlier one, or none.
        if reopened and assessment.firm_id is not None:
            firms_latest_refresh([assessment.firm_id])
        if reopened:
            campaign_tallies_refresh(assessment.campaign_id)
    assessment.refresh_from_db()
    return bool(reopened)


def firms_latest_refresh(firm_ids: Iterable[int]) -> None:
    """Copy each firm's newest submitted assessment (its date and the columns copied from its
    result) onto the firm, or clear them when it has none: one query for all the firms.

    Call it in the transaction of every write that submits, reopens or imports an assessment
    of a firm: the workspace lists clients by these columns, never by reading results."""
    ids = sorted(set(firm_ids))
    if not ids:
        return
    newest = Assessment.objects.filter(firm=OuterRef("pk"), status=Assessment.Status.SUBMITTED).order_by(
        "-submitted_at", "-pk"
    )
    Firm.objects.filter(pk__in=ids).update(
        latest_submitted_at=Subquery(newest.values("submitted_at")[:1]),
        latest_score=Subquery(newest.values("overall_score")[:1]),
        latest_band=Coalesce(Subquery(newest.values("overall_band")[:1]), Value("")),
        latest_weakest=Coalesce(Subquery(newest.values("weakest_area")[:1]), Value("")),
    )


def campaign_tallies_refresh(campaign_id: int | None) -> None:
    """Count a campaign's members again and store the tallies on the campaign row.

    Call it in the transaction of every write that adds a member or changes a member's status
    or consent: an invitation, a start, a submission, a reopening, an import, a consent
    change. The row is locked first, so concurrent writers count one after the other and the
    last to commit counts everything committed before it."""
    if campaign_id is None:
        return
    with transaction.atomic():
        # Only the campaign's row is locked (campaigns share questionnaire versions).
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("questionnaire")
            .defer("questionnaire__definition")
            .filter(pk=campaign_id)
            .first()
        )
        if campaign is None:
            return
        Campaign.objects.filter(pk=campaign_id).update(tallies=selectors.campaign_tallies_count(campaign))


def assessments_claim(*, user, assessments: Iterable[Assessment]) -> int:
    """Give anonymous assessments this browser started to the account that just logged in."""
    ids = [a.pk for a in assessments if a.owner_id is None]
    return Assessment.objects.filter(pk__in=ids, owner__isnull=True).update(owner=user)


def assessment_claim(*, user, assessment: Assessment) -> None:
    """The owner takes an assessment they hold the link of, and its firm if nobody has claimed it."""
    with transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk, owner__isnull=True).update(owner=user)
        if assessment.firm_id is not None:
            Firm.objects.filter(pk=assessment.firm_id, owner__isnull=True).update(owner=user)


def note_save(*, assessment: Assessment, target: str, text: str, author) -> Note | None:
    """Set (or, with empty text, remove) the consultant's note on an area or a recommendation."""
    text = text.strip()
    if not text:
        Note.objects.filter(assessment=assessment, target=target).delete()
        return None
    note, _ = Note.objects.update_or_create(
        assessment=assessment, target=target, defaults={"text": text, "author": author}
    )
    return note


# --- Associations: campaigns, invitations, consent -------------------------------------


# --- Associations: offline answers and bulk reports --------------------------------------
