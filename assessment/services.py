"""Writes: every change to the database goes through one of these functions."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from assessment import selectors
from assessment.bulk import importing, tables
from assessment.campaigns import mail, memberlist
from assessment.models import (
    Answer,
    Assessment,
    BulkItem,
    BulkJob,
    Campaign,
    Firm,
    ImportBatch,
    Invitation,
    Membership,
    Note,
    Organisation,
    QuestionnaireVersion,
    ReportFile,
)
from assessment.product import PRODUCT_NAME
from assessment.questionnaire.definition import ContentError, content_checksum, load_yaml, parse_questionnaire
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.plan import strengths, support_items, triggered_actions
from assessment.questionnaire.rules import missing_questions
from assessment.questionnaire.scoring import score

logger = logging.getLogger(__name__)
JOIN_WINDOW_SECONDS = 3600


class AssessmentLocked(Exception):
    """The assessment was submitted; its answers can no longer change."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(", ".join(missing))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def questionnaire_load(text: str) -> tuple[QuestionnaireVersion, bool]:
    """Validate a content file and store it as a new current version.

    Returns (version, created). Loading the same content again is a no-op; loading
    different content under a version that exists raises ContentError.
    """
    raw = load_yaml(text)
    qn = parse_questionnaire(raw)
    checksum = content_checksum(raw)
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
            return existing, False
        QuestionnaireVersion.objects.filter(is_current=True).update(is_current=False)
        version = QuestionnaireVersion.objects.create(
            version=qn.version, checksum=checksum, definition=raw, is_current=True
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
    return assessment, token


def assessment_new_link(*, assessment: Assessment) -> str:
    """A new private resume link for a draft; the old one stops working. Returns the token."""
    token = secrets.token_urlsafe(24)
    Assessment.objects.filter(pk=assessment.pk).update(resume_digest=token_digest(token))
    return token


def owner_link_email(*, assessment: Assessment, language: str) -> None:
    """E-mail the owner of a consultant's client a new private link, from the task queue.

    The task makes the link when it sends it (owner_link_send), so no raw link sits in the queue.
    """
    from assessment.tasks import send_owner_link  # tasks imports services

    transaction.on_commit(lambda: send_owner_link.enqueue(assessment.pk, language))


def owner_link_send(*, assessment_id: int, language: str) -> str:
    """The task behind owner_link_email: a fresh link for the draft, e-mailed to the firm's address."""
    assessment = Assessment.objects.select_related("firm__organisation").filter(pk=assessment_id).first()
    if assessment is None or not assessment.is_draft or assessment.firm is None or not assessment.firm.contact_email:
        return "skipped"
    token = assessment_new_link(assessment=assessment)
    with translation.override(language):
        link = selectors.absolute_url(reverse("resume", args=[token]))
    mail.owner_link_send(assessment, link, language)
    return "sent"


def organisation_create(*, user, name: str, kind: str) -> Organisation:
    """A new consultancy or association, with its creator as administrator."""
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, kind=kind)
        Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.ADMIN)
    return organisation


def firm_create(*, organisation: Organisation, name: str, contact_name: str = "", contact_email: str = "") -> Firm:
    return Firm.objects.create(
        organisation=organisation, name=name, contact_name=contact_name, contact_email=contact_email
    )


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


def result_snapshot(qn, answers: dict[str, Any]) -> dict[str, Any]:
    """What submission stores: scores, facts, triggered actions and strengths (pure)."""
    result = score(qn, answers)
    actions = triggered_actions(qn, answers, result)
    return {
        "scores": {key: {"score": a.score, "band": a.band, "counted": a.counted} for key, a in result.areas.items()},
        "overall": result.overall,
        "overall_band": result.overall_band,
        "facts": result.facts,
        "actions": [
            {
                "key": a.recommendation.key,
                "tailoring": list(a.tailoring),
                "level": a.level,
                "why": a.why,
                "after": list(a.after),
                "core": a.core,
            }
            for a in actions
        ],
        "strengths": strengths(qn, result),
        "support": support_items(qn, answers, result),
        # Areas shown as readiness and left out of the overall score (no export ambition).
        "readiness": [key for key, a in result.areas.items() if a.readiness],
    }


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
        snapshot = result_snapshot(qn, answers)
        now = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(
            status=Assessment.Status.SUBMITTED, submitted_at=now, updated_at=now, result=snapshot
        )
    assessment.refresh_from_db()
    return True


def assessment_reopen(*, assessment: Assessment) -> bool:
    """Back to draft so the consultancy running it can validate an owner's submitted answers.

    The answers, notes and reasons stay; the score snapshot goes and is taken again at the
    next submission. Returns False when it was not submitted.
    """
    reopened = Assessment.objects.filter(
        pk=assessment.pk, status=Assessment.Status.SUBMITTED, organisation__isnull=False
    ).update(status=Assessment.Status.DRAFT, submitted_at=None, result=None, updated_at=timezone.now())
    assessment.refresh_from_db()
    return bool(reopened)


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


def report_inputs_digest(assessment: Assessment, inputs: dict[str, Any], lang: str, variant: str) -> str:
    """Everything a rendered report depends on; a stored PDF is reused while this is unchanged."""
    from assessment.reports import pdf

    payload = [
        assessment.result,
        inputs,
        assessment.firm_name,
        assessment.organisation.name if assessment.organisation_id else None,
        hashlib.sha256(assessment.organisation.logo or b"").hexdigest() if assessment.organisation_id else None,
        assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        assessment.questionnaire.checksum,
        lang,
        variant,
        pdf.template_fingerprint(),
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def report_pdf(*, assessment: Assessment, lang: str, variant: str) -> ReportFile:
    """The stored PDF of a submitted assessment, rendered now if missing or out of date."""
    from assessment.reports import pdf
    from assessment.reports.builder import build_report

    inputs = selectors.report_inputs(assessment)
    previous = inputs["previous"]
    digest = report_inputs_digest(
        assessment, {**inputs, "previous": [previous.pk, previous.result] if previous else None}, lang, variant
    )
    existing = ReportFile.objects.filter(assessment=assessment, language=lang, variant=variant).first()
    if existing and existing.inputs_digest == digest and existing.file.storage.exists(existing.file.name):
        return existing
    qn = selectors.questionnaire_of(assessment.questionnaire)
    data = pdf.render_pdf_bounded(build_report(assessment, qn, lang=lang, **inputs), variant)
    name = f"{assessment.public_id}-{variant}-{lang}-{digest[:12]}.pdf"
    try:
        with transaction.atomic():
            # Lock the row (or take the slot with the insert) so that two first downloads
            # at once (a double click) do not both write it.
            report = (
                ReportFile.objects.select_for_update()
                .filter(assessment=assessment, language=lang, variant=variant)
                .first()
            ) or ReportFile(assessment=assessment, language=lang, variant=variant)
            if report.pk and report.inputs_digest == digest and report.file.storage.exists(report.file.name):
                return report  # the other request stored the same PDF meanwhile
            old_name = report.file.name or None
            report.inputs_digest = digest
            report.size = len(data)
            report.file.save(name, ContentFile(data), save=False)
            report.save()
    except IntegrityError:
        # The concurrent request inserted the row first; its PDF is the same.
        return ReportFile.objects.get(assessment=assessment, language=lang, variant=variant)
    if old_name and old_name != report.file.name:
        # Kept a little longer would be kinder to a download already streaming it; a
        # missing file is re-rendered on the next request, so deleting now is safe.
        report.file.storage.delete(old_name)
    return report


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


class LogoRejected(Exception):
    """The upload is not an image we accept; the message says why, for the user."""


LOGO_MAX_UPLOAD = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000  # refuse decompression bombs before decoding
LOGO_BOX = (480, 160)
LOGO_MAX_STORED = 60 * 1024  # the PDF renderer takes inline images up to 64 KB


def organisation_logo_set(*, organisation: Organisation, upload) -> None:
    """Check an uploaded logo, re-encode it small (PNG, or JPEG if that is smaller) and store it.

    Re-encoding drops anything but pixels (metadata, scripts in SVG are not accepted at all).
    """
    if upload.size > LOGO_MAX_UPLOAD:
        raise LogoRejected(_("The logo file is larger than 2 MB."))
    try:
        with Image.open(upload) as probe:
            if probe.format not in ("PNG", "JPEG", "GIF", "WEBP"):
                raise LogoRejected(_("Upload a PNG, JPEG, GIF or WebP image."))
            if probe.width * probe.height > LOGO_MAX_PIXELS:
                raise LogoRejected(_("The image has too many pixels."))
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise LogoRejected(_("This file is not an image we can read.")) from None
    image.thumbnail(LOGO_BOX)
    png = BytesIO()
    image.save(png, "PNG", optimize=True)
    data, kind = png.getvalue(), "image/png"
    if len(data) > LOGO_MAX_STORED:
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        jpeg = BytesIO()
        flat.save(jpeg, "JPEG", quality=85, optimize=True)
        data, kind = jpeg.getvalue(), "image/jpeg"
    if len(data) > LOGO_MAX_STORED:
        raise LogoRejected(_("The logo is too detailed to print; use a simpler image."))
    Organisation.objects.filter(pk=organisation.pk).update(logo=data, logo_type=kind)


# --- Associations: campaigns, invitations, consent -------------------------------------


class InvitationInvalid(Exception):
    """Unknown, used or expired invitation, or a closed campaign: all look the same to the visitor."""


class CampaignClosed(Exception):
    pass


def campaign_create(*, organisation: Organisation, user, name: str, questionnaire, opens_on, closes_on) -> Campaign:
    return Campaign.objects.create(
        organisation=organisation,
        name=name,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=closes_on,
        link_token=secrets.token_urlsafe(16),
        created_by=user,
    )


def campaign_link_set(*, campaign: Campaign, action: str) -> None:
    """Close the campaign's public link, open it again, or replace it (the old one stops working)."""
    if action == "rotate":
        campaign.link_token = secrets.token_urlsafe(16)
        campaign.link_active = True
    else:
        campaign.link_active = action == "open"
    campaign.save(update_fields=["link_token", "link_active"])


def campaign_join_allowed(*, campaign: Campaign, address: str | None) -> bool:
    """Count a join from this address; False once it has started too many this hour.

    The link is public and a fresh cookie resets the per-session count, so the address is
    counted too (hashed; in the shared cache, so every web process sees the same count).
    """
    digest = hashlib.sha256(f"{campaign.pk}:{address}".encode()).hexdigest()[:32]
    key = f"campaign-join:{digest}"
    cache.add(key, 0, timeout=JOIN_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=JOIN_WINDOW_SECONDS)
        count = 1
    return count <= settings.CAMPAIGN_JOINS_PER_ADDRESS


def campaign_is_open(campaign: Campaign, now=None) -> bool:
    today = timezone.localdate(now or timezone.now())
    return campaign.opens_on <= today <= campaign.closes_on


def invitations_add(
    *, campaign: Campaign, members: Iterable[memberlist.Member], notify: bool = True
) -> tuple[dict[str, str], int]:
    """Invite members: a firm of the association and a single-use link each.

    With `notify`, one background task per member makes the link and e-mails it (see
    invitation_send), enqueued after commit: a long list does not hold up the request, and a
    raw link never sits in the task queue. Without it (the demo), the links are made here and
    returned by e-mail address. Addresses already invited are skipped. Returns (links, skipped).
    """
    members = list(members)
    tokens: list[tuple[int, str]] = []
    with transaction.atomic():
        # Lock the campaign, so the same list sent twice at once cannot pass this check twice.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        emails = [m.email for m in members]
        existing = set(campaign.invitations.filter(email__in=emails).values_list("email", flat=True))
        fresh = [m for m in members if m.email not in existing]
        for member in fresh:
            firm = Firm.objects.create(
                organisation=campaign.organisation,
                name=member.firm_name,
                contact_name=member.contact_name,
                contact_email=member.email,
            )
            token = secrets.token_urlsafe(32)  # 256 bits
            invitation = Invitation.objects.create(
                campaign=campaign,
                firm=firm,
                email=member.email,
                language=member.language,
                token_digest=token_digest(token),
                expires_at=selectors.campaign_end(campaign),
            )
            tokens.append((invitation.pk, invitation_url(token, member.language)))
        # E-mails go out only once the invitations exist; a rolled-back import sends nothing.
        if notify:
            ids = [pk for pk, _link in tokens]
            transaction.on_commit(lambda: _enqueue_invitations(ids, reminder=False))
            tokens = []
    links = {m.email: link for m, (_pk, link) in zip(fresh, tokens, strict=False)}
    return links, len(members) - len(fresh)


def invitation_url(token: str, language: str) -> str:
    """The absolute link for an e-mail, with the member's language in its path."""
    with translation.override(language):
        return selectors.absolute_url(reverse("invitation", args=[token]))


def password_reset_request(*, email: str, language: str) -> None:
    """Queue the reset e-mail (sent by password_reset_send in the worker), after commit."""
    from assessment.tasks import send_password_reset  # tasks imports services

    transaction.on_commit(lambda: send_password_reset.enqueue(email, language))


def password_reset_send(*, email: str, language: str) -> int:
    """Mail a reset link, in `language`, to every active account with this address.

    Links are built on SITE_URL, never on a request's Host header. Returns how many were sent.
    """
    from django.contrib.auth.forms import PasswordResetForm

    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return 0
    site = urlsplit(settings.SITE_URL)
    with translation.override(language):
        users = list(form.get_users(form.cleaned_data["email"]))
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
            extra_email_context={"site_url": settings.SITE_URL, "site_name": str(PRODUCT_NAME)},
        )
    return len(users)


def _enqueue_invitations(ids: list[int], *, reminder: bool) -> None:
    from assessment.tasks import send_invitation  # tasks imports services

    for pk in ids:
        send_invitation.enqueue(pk, reminder)


def invitation_send(*, invitation_id: int, reminder: bool) -> str:
    """Make a fresh link for one invitation and e-mail it (the task behind invitations and reminders).

    The link exists only in the e-mail: its digest replaces the earlier one, which stops
    working. A reminder's link to a started draft continues the draft (invitation_accept).
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("campaign__organisation", "firm", "assessment")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or (invitation.assessment is not None and not invitation.assessment.is_draft):
            return "skipped"  # gone, or submitted since the reminder was asked for
        if reminder and invitation.used_at is None and invitation.assessment is None and not invitation.sent_at:
            reminder = False  # never sent yet: this is its first invitation
        token = secrets.token_urlsafe(32)  # 256 bits
        Invitation.objects.filter(pk=invitation.pk).update(token_digest=token_digest(token), used_at=None)
    try:
        mail.invitation_send(invitation, invitation_url(token, invitation.language), reminder=reminder)
    except Exception:
        # One bad address must not stop the rest; the member list shows it as not sent.
        logger.exception("Invitation e-mail %s could not be sent", invitation_id)
        return "failed"
    now = timezone.now()
    fields = {"reminded_at": now, "reminders": invitation.reminders + 1} if reminder else {"sent_at": now}
    Invitation.objects.filter(pk=invitation.pk).update(**fields)
    return "sent"


def reminders_send(*, campaign: Campaign) -> int:
    """Remind every invited member who has not submitted yet. Returns how many were reminded.

    Only digests of invitation links are stored, so each reminder carries a new link (the
    earlier one stops working). For a started draft the new link leads back to the draft:
    the member's current private link keeps working until they actually use the new one,
    so a reminder never locks out someone who is filling in right now.
    """
    if not campaign_is_open(campaign):
        raise CampaignClosed(_("The campaign is closed: reminders can only be sent while it is open."))
    pending = campaign.invitations.exclude(assessment__status=Assessment.Status.SUBMITTED)
    ids = list(pending.values_list("pk", flat=True))
    # Each task makes the new link when it sends it (invitation_send).
    transaction.on_commit(lambda: _enqueue_invitations(ids, reminder=True))
    return len(ids)


def invitation_find(token: str) -> Invitation | None:
    """The invitation a link stands for while it can be used; looking does not use it up.

    An unused invitation starts an assessment; one whose draft is not submitted yet (the
    link came in a reminder) continues that draft.
    """
    invitation = (
        Invitation.objects.select_related("campaign__organisation", "firm", "assessment")
        .filter(token_digest=token_digest(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or not campaign_is_open(invitation.campaign):
        return None
    if invitation.assessment is not None and not invitation.assessment.is_draft:
        return None
    return invitation


def invitation_accept(*, token: str, user, share: bool, language: str) -> tuple[Assessment, str]:
    """Use an invitation (once): start the member's assessment, or continue its draft.

    Only a POST gets here, so a mail scanner fetching the link does not use it up. Returns
    the assessment and a private resume token for this browser.
    """
    with transaction.atomic():
        invitation = invitation_find(token)
        if invitation is None:
            raise InvitationInvalid
        # Two clicks at once: only the first one to lock the row while it is unused gets through.
        locked = Invitation.objects.select_for_update(of=("self",)).filter(pk=invitation.pk, used_at__isnull=True)
        if not locked.exists():
            raise InvitationInvalid
        if invitation.assessment is not None:
            # A reminder's link to a started draft: this browser gets a new private link.
            Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now())
            return invitation.assessment, assessment_new_link(assessment=invitation.assessment)
        campaign = invitation.campaign
        assessment, resume = assessment_create(
            version=campaign.questionnaire,
            owner=user,
            language=language,
            firm=invitation.firm,
            campaign=campaign,
            share_with_association=share,
        )
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now(), assessment=assessment)
    return assessment, resume


def campaign_join(*, campaign: Campaign, firm_name: str, user, share: bool, language: str) -> tuple[Assessment, str]:
    """Take part through the campaign's shareable link: the firm joins the association's list."""
    if not campaign_is_open(campaign):
        raise CampaignClosed(_("This campaign is not open."))
    with transaction.atomic():
        firm = Firm.objects.create(organisation=campaign.organisation, name=firm_name)
        return assessment_create(
            version=campaign.questionnaire,
            owner=user,
            language=language,
            firm=firm,
            campaign=campaign,
            share_with_association=share,
        )


def consent_set(*, assessment: Assessment, share: bool) -> None:
    """The member decides whether the association may see its individual results."""
    Assessment.objects.filter(pk=assessment.pk, campaign__isnull=False).update(share_with_association=share)
    assessment.share_with_association = share


# --- Associations: offline answers and bulk reports --------------------------------------


class ImportRejected(Exception):
    """Nothing was written. `errors` lists every problem (row, column, value, what is allowed)."""

    def __init__(self, message: str, errors: list[importing.RowError] = ()):
        super().__init__(message)
        self.errors = list(errors)[: importing.MAX_SHOWN_ERRORS]
        self.more = len(errors) > importing.MAX_SHOWN_ERRORS  # more problems than are listed


def assessments_import(*, campaign: Campaign, user, filename: str, data: bytes, language: str) -> ImportBatch:
    """Check every row of an uploaded table, then write and score all of them in one transaction.

    Raises ImportRejected (nothing written) for an unreadable file, any bad row, or a file
    already imported into this campaign.
    """

    def refuse_if_imported(digest: str) -> None:
        earlier = ImportBatch.objects.filter(campaign=campaign, content_hash=digest).first()
        if earlier is not None:
            raise ImportRejected(
                _("This file was already imported on %(date)s (%(rows)d rows). Nothing was written again.")
                % {"date": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"), "rows": earlier.rows}
            )

    refuse_if_imported(hashlib.sha256(data).hexdigest())  # batches stored before content hashes
    try:
        table = tables.read_table(
            data,
            filename,
            max_bytes=settings.IMPORT_MAX_MB * 1024 * 1024,
            max_rows=settings.IMPORT_MAX_ROWS,
        )
    except tables.TableError as exc:
        raise ImportRejected(str(exc)) from None
    qn = selectors.questionnaire_of(campaign.questionnaire)
    rows, errors = importing.check_rows(qn, table, language)
    if errors:
        raise ImportRejected(_("Nothing was imported: correct these cells and upload the file again."), errors)
    # The same rows saved again (a BOM added, other line ends, CSV re-saved as XLSX) are the
    # same file: compare what the rows say, not the bytes.
    digest = hashlib.sha256(
        json.dumps([[row.answers, row.share] for row in rows], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    refuse_if_imported(digest)
    ignored = importing.unknown_columns(qn, table[0]) if table else []
    now = timezone.now()
    # Scoring is pure and happens before the transaction, which then only writes.
    snapshots = [result_snapshot(qn, row.answers) for row in rows]
    try:
        with transaction.atomic():
            members, errors = _import_members(campaign, rows)
            if errors:
                raise ImportRejected(_("Nothing was imported: correct these cells and upload the file again."), errors)
            batch = ImportBatch.objects.create(
                campaign=campaign, uploaded_by=user, filename=filename[:200], content_hash=digest, rows=len(rows)
            )
            new_firms = Firm.objects.bulk_create(
                [
                    Firm(organisation=campaign.organisation, name=str(row.answers.get("firm_name", ""))[:200])
                    for row, (firm, _invitation) in zip(rows, members, strict=True)
                    if firm is None
                ],
                batch_size=1000,
            )
            fresh = iter(new_firms)
            firms = [firm if firm is not None else next(fresh) for firm, _invitation in members]
            assessments = Assessment.objects.bulk_create(
                [
                    Assessment(
                        questionnaire=campaign.questionnaire,
                        # Nobody holds a resume link for an imported assessment: a random digest.
                        resume_digest=token_digest(secrets.token_urlsafe(24)),
                        language=language,
                        status=Assessment.Status.SUBMITTED,
                        firm=firm,
                        firm_name=firm.name,
                        campaign=campaign,
                        share_with_association=row.share,
                        import_batch=batch,
                        created_by=user,
                        submitted_at=now,
                        result=snapshot,
                    )
                    for row, firm, snapshot in zip(rows, firms, snapshots, strict=True)
                ],
                batch_size=1000,
            )
            _answers_insert(
                (assessment.pk, key, value)
                for row, assessment in zip(rows, assessments, strict=True)
                for key, value in row.answers.items()
            )
            # An invited member answered on paper: the invitation is used up by the imported
            # assessment, so the member shows once, as submitted, and gets no more reminders.
            for (_firm, invitation), assessment in zip(members, assessments, strict=True):
                if invitation is not None:
                    Invitation.objects.filter(pk=invitation.pk).update(assessment=assessment, used_at=now)
    except IntegrityError:
        # The same file uploaded twice at once: the unique hash lets only one through.
        raise ImportRejected(_("This file is being imported already. Nothing was written again.")) from None
    batch.ignored_columns = ignored  # not stored: the page says once which columns it left out
    return batch


def _import_members(
    campaign: Campaign, rows: list[importing.ImportRow]
) -> tuple[list[tuple[Firm | None, Invitation | None]], list[importing.RowError]]:
    """The existing member each row stands for: (firm, invitation), or (None, None) for a new firm.

    A row is matched by its e-mail to an invitation, else by its firm name to an invited firm
    or one that joined by the link, so importing a member's answers does not list it twice.
    A member that already submitted, or two rows for one member, is an error.
    """

    def name_key(name: str) -> str:
        return " ".join(name.split()).casefold()

    invitations = list(campaign.invitations.select_related("firm", "assessment"))
    by_email = {i.email.lower(): i for i in invitations}
    invited_by_name = {name_key(i.firm.name): i for i in invitations}
    joined = Assessment.objects.filter(campaign=campaign, invitation__isnull=True, firm__isnull=False).select_related(
        "firm"
    )
    joined_by_name: dict[str, Firm] = {}
    submitted_firms = set()
    for assessment in joined:
        joined_by_name.setdefault(name_key(assessment.firm.name), assessment.firm)
        if assessment.status == Assessment.Status.SUBMITTED:
            submitted_firms.add(assessment.firm_id)
    members: list[tuple[Firm | None, Invitation | None]] = []
    errors: list[importing.RowError] = []
    taken: dict[int, int] = {}
    for row in rows:
        name = str(row.answers.get("firm_name", ""))
        invitation = by_email.get(row.email) if row.email else None
        column, value = (importing.EMAIL_COLUMN, row.email) if invitation else ("firm_name", name)
        invitation = invitation or invited_by_name.get(name_key(name))
        firm = invitation.firm if invitation else joined_by_name.get(name_key(name))
        if firm is None:
            members.append((None, None))
            continue
        done = (invitation and invitation.assessment and not invitation.assessment.is_draft) or (
            not invitation and firm.pk in submitted_firms
        )
        if done:
            errors.append(
                importing.RowError(row.row, column, value[:100], _("this member has already submitted its answers"))
            )
        elif firm.pk in taken:
            errors.append(
                importing.RowError(
                    row.row, column, value[:100], _("the same member as row %(row)d") % {"row": taken[firm.pk]}
                )
            )
        taken.setdefault(firm.pk, row.row)
        members.append((firm, invitation))
    return members, errors


def _answers_insert(rows: Iterable[tuple[int, str, Any]], chunk: int = 5000) -> None:
    """Insert new answers with executemany, without building a model instance for each.

    An import writes ~45 answers per firm; at 10,000 firms bulk_create's per-object work
    dominated the import time. The columns are those of a self-assessed answer.
    """
    table = connection.ops.quote_name(Answer._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # The table name comes from the model, never from input; values are parameters.
    sql = (
        f"INSERT INTO {table} (assessment_id, question_key, value, updated_at, change_reason) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, '')"
    )
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := [(pk, key, json.dumps(value), now) for pk, key, value in itertools.islice(rows, chunk)]:
            cursor.executemany(sql, batch)


def bulk_job_start(
    *, campaign: Campaign, user, language: str, variant: str, assessment_ids: Iterable[int] | None = None
) -> BulkJob:
    """Render the reports of every shared, submitted assessment of the campaign (or a selection).

    One task per report, enqueued once the job is committed.
    """
    shared = Assessment.objects.filter(
        campaign=campaign, status=Assessment.Status.SUBMITTED, share_with_association=True
    )
    if assessment_ids is not None:
        shared = shared.filter(pk__in=list(assessment_ids))
    with transaction.atomic():
        job = BulkJob.objects.create(campaign=campaign, created_by=user, language=language, variant=variant)
        BulkItem.objects.bulk_create(
            [BulkItem(job=job, assessment_id=pk) for pk in shared.values_list("pk", flat=True)], batch_size=1000
        )
        ids = list(job.items.values_list("pk", flat=True))
        transaction.on_commit(lambda: _enqueue_items(ids))
    return job


def bulk_job_retry(*, job: BulkJob) -> int:
    """Render again only what failed. Returns how many items were queued."""
    with transaction.atomic():
        # Only members who share now: "try again" must not render a withdrawn member's report.
        failed = list(
            job.items.filter(status=BulkItem.Status.FAILED, assessment__share_with_association=True).values_list(
                "pk", flat=True
            )
        )
        BulkItem.objects.filter(pk__in=failed).update(
            status=BulkItem.Status.PENDING, attempts=0, error="", claimed_at=None
        )
        transaction.on_commit(lambda: _enqueue_items(failed))
    return len(failed)


def bulk_claim_lease() -> timedelta:
    """How long a claimed item may take: every try at its full time limit, plus a minute."""
    return timedelta(seconds=settings.PDF_RENDER_TIMEOUT * settings.BULK_MAX_ATTEMPTS + 60)


def bulk_job_recover(*, job: BulkJob) -> int:
    """Mark failed the items whose worker died after claiming them, so "try again" can pick
    them up and every job ends done or failed. Returns how many were recovered."""
    cutoff = timezone.now() - bulk_claim_lease()
    return job.items.filter(status=BulkItem.Status.PENDING, claimed_at__lt=cutoff).update(
        status=BulkItem.Status.FAILED, error="the worker stopped while rendering this report"
    )


def _enqueue_items(ids: list[int]) -> None:
    from assessment.tasks import render_bulk_item  # tasks imports services

    for pk in ids:
        render_bulk_item.enqueue(pk)


def bulk_item_render(*, item_id: int) -> str:
    """Render one report of a bulk job, trying up to BULK_MAX_ATTEMPTS times; never raises.

    A report that keeps failing is marked failed with its last error, so the rest of the
    job goes on; the job page offers to retry just those.
    """
    item = BulkItem.objects.select_related("job").filter(pk=item_id).first()
    if item is None or item.status != BulkItem.Status.PENDING:
        return "skipped"
    BulkItem.objects.filter(pk=item.pk).update(claimed_at=timezone.now())
    assessment = selectors.assessments().get(pk=item.assessment_id)
    if not assessment.share_with_association:
        BulkItem.objects.filter(pk=item.pk).update(
            status=BulkItem.Status.FAILED, error="withheld: the member no longer shares its results"
        )
        return "withheld"
    error = ""
    for attempt in range(item.attempts + 1, settings.BULK_MAX_ATTEMPTS + 1):
        try:
            stored = report_pdf(assessment=assessment, lang=item.job.language, variant=item.job.variant)
        except Exception as exc:  # the render runs in a bounded child; any failure counts as one try
            logger.warning("Bulk report %s, try %d failed: %s", item_id, attempt, exc)
            error = (str(exc) or type(exc).__name__)[:300]
            BulkItem.objects.filter(pk=item_id).update(attempts=attempt, error=error)
            continue
        BulkItem.objects.filter(pk=item_id).update(
            status=BulkItem.Status.DONE, attempts=attempt, error="", report=stored
        )
        return "done"
    BulkItem.objects.filter(pk=item_id).update(status=BulkItem.Status.FAILED, error=error)
    return "failed"
