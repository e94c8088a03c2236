"""Writes: every change to the database goes through one of these functions."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from . import selectors
from .facts import derive_facts
from .models import Answer, Assessment, Firm, Membership, Note, Organisation, QuestionnaireVersion, ReportFile
from .plan import strengths, triggered_actions
from .questionnaire import ContentError, content_checksum, load_yaml, parse_questionnaire
from .rules import missing_questions
from .scoring import score

logger = logging.getLogger(__name__)


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
    *, version: QuestionnaireVersion, owner, language: str, firm: Firm | None = None, created_by=None
) -> tuple[Assessment, str]:
    """Start a draft. Returns it with its private resume token (192 random bits).

    With a firm, the draft belongs to the firm's organisation (a consultant runs it) and
    starts with the firm's name filled in.
    """
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            questionnaire=version,
            owner=owner if owner is not None and owner.is_authenticated else None,
            resume_digest=token_digest(token),
            language=language,
            firm=firm,
            organisation=firm.organisation if firm else None,
            created_by=created_by,
            firm_name=firm.name[:200] if firm else "",
        )
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
        result = score(qn, answers)
        actions = triggered_actions(qn, answers, result)
        snapshot = {
            "scores": {
                key: {"score": a.score, "band": a.band, "counted": a.counted} for key, a in result.areas.items()
            },
            "overall": result.overall,
            "overall_band": result.overall_band,
            "facts": result.facts,
            "actions": [{"key": a.recommendation.key, "tailoring": list(a.tailoring)} for a in actions],
            "strengths": strengths(qn, result),
        }
        now = timezone.now()
        Assessment.objects.filter(pk=assessment.pk).update(
            status=Assessment.Status.SUBMITTED, submitted_at=now, updated_at=now, result=snapshot
        )
    assessment.refresh_from_db()
    return True


def assessments_claim(*, user, assessments: Iterable[Assessment]) -> int:
    """Give anonymous assessments this browser started to the account that just logged in."""
    ids = [a.pk for a in assessments if a.owner_id is None]
    return Assessment.objects.filter(pk__in=ids, owner__isnull=True).update(owner=user)


def report_inputs_digest(assessment: Assessment, inputs: dict[str, Any], lang: str, variant: str) -> str:
    """Everything a rendered report depends on; a stored PDF is reused while this is unchanged."""
    from . import pdf  # here, not at the top: only code that renders should load WeasyPrint

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
    from . import pdf  # here, not at the top: only code that renders should load WeasyPrint
    from .report import build_report

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
