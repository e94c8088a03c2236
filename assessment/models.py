"""Database tables. Behaviour lives in services.py (writes) and selectors.py (reads)."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assessment.questionnaire.result import Result, headline


class QuestionnaireVersion(models.Model):
    """One loaded version of the questionnaire content, stored whole and never edited."""

    version = models.CharField(max_length=20, unique=True)
    checksum = models.CharField(max_length=64)
    # SHA-256 of the file's text as last loaded: `manage.py prepare` reads again only a file
    # whose text differs (empty: not recorded yet).
    source_sha256 = models.CharField(max_length=64, blank=True)
    definition = models.JSONField()
    is_current = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_version")
        ]

    def __str__(self) -> str:
        return self.version


class Organisation(models.Model):
    """A consultancy (SME service centre, bank advisers) or an association (chamber, industry body)."""

    class Kind(models.TextChoices):
        CONSULTANCY = "consultancy", _("Consultancy")
        ASSOCIATION = "association", _("Association")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A small re-encoded image (services.organisation_logo_set), printed on report covers.
    logo = models.BinaryField(null=True, blank=True)
    logo_type = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STAFF = "staff", _("Staff")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class Firm(models.Model):
    """A client firm: its assessments over time. Belongs to the organisation that serves it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="firms")
    name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(blank=True)
    # The owner's account, once they claimed the firm (by starting an assessment for it while
    # logged in): the firm's assessments are then listed under their account too.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="firms"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Copied from the firm's newest submitted assessment by services.firms_latest_refresh each
    # time one is submitted, reopened or imported (None and "" while none is submitted): the
    # workspace filters, counts and pages its clients on these columns, whatever their number.
    latest_submitted_at = models.DateTimeField(null=True, blank=True)
    latest_score = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_band = models.CharField(max_length=40, blank=True)
    latest_weakest = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "name"]),
            models.Index(fields=["organisation", "latest_band", "name"], name="firm_latest_band"),
            models.Index(fields=["organisation", "latest_weakest", "name"], name="firm_latest_weakest"),
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """An association's assessment round: one questionnaire version, open between two dates."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=200)
    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="campaigns")
    opens_on = models.DateField()
    closes_on = models.DateField()
    # The shareable link (/c/<token>/) anyone may use to take part while the campaign is open;
    # not a secret like invitation tokens, but unguessable so campaigns cannot be enumerated.
    link_token = models.CharField(max_length=40, unique=True)
    link_active = models.BooleanField(default=True)  # the association can close the link
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Its members counted by status and the sums behind the mean area scores, written by
    # services.campaign_tallies_refresh in the transaction of every write that changes them, so
    # the campaign page reads a row instead of counting every member (selectors.campaign_tallies).
    tallies = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One member invited to a campaign. The token is single-use and only its digest is stored."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        "Assessment", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "email"], name="one_invitation_per_email")]

    def __str__(self) -> str:
        return f"{self.email} ({self.campaign})"


class ImportBatch(models.Model):
    """One imported file of answers collected offline; its hash stops a second import."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    content_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()  # new assessments and replaced ones
    replaced = models.PositiveIntegerField(default=0)  # of those, members' earlier answers replaced
    skipped = models.PositiveIntegerField(default=0)  # rows left out: the member had answered already
    created_at = models.DateTimeField(auto_now_add=True)
    # Not a column: set by bulk.services.assessments_import on the batch it returns.
    ignored_columns: list[str]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "content_hash"], name="one_import_per_file")]

    def __str__(self) -> str:
        return self.filename


class ImportUpload(models.Model):
    """An answers file on its way in: checked (in the background when large), then, if some
    rows stand for members who already answered, waiting for the importer's choice per row,
    then imported as one ImportBatch. The file is kept only until then."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        DECIDE = "decide", _("Waiting for your choice")
        IMPORTING = "importing", _("Being imported")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Not imported")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to="imports/", blank=True)
    size = models.PositiveIntegerField(default=0)
    messages_language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    report_language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # checked and scored so far: the progress bar
    # Why nothing was imported: a message for the whole file, and the problems per cell as
    # {"row", "column", "value", "message"}; errors_more when more were found than listed.
    message = models.CharField(max_length=500, blank=True)
    errors = models.JSONField(default=list, blank=True)
    errors_more = models.BooleanField(default=False)
    # Rows for members who already answered: {"row", "firm", "answered_at", "imported_from"}.
    conflicts = models.JSONField(default=list, blank=True)
    # The importer's choice: these rows replace the member's answers, the other conflicts are skipped.
    replace_rows = models.JSONField(null=True, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.filename

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    # The id in URLs: random, so ids cannot be enumerated.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="assessments")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="assessments"
    )
    # Not a column: the workspace's client page sets it on drafts for its template.
    owner_link: str | None
    # Set when a consultancy runs the assessment for a client firm: its members may open it.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="assessments"
    )
    firm = models.ForeignKey(Firm, null=True, blank=True, on_delete=models.CASCADE, related_name="assessments")
    # Set when the assessment answers an association's campaign. Unlike `organisation`, this
    # gives the association no access: it sees the results only with the member's consent.
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments")
    share_with_association = models.BooleanField(default=False)
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # SHA-256 of the private resume token; the token itself is only ever in the link.
    resume_digest = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    firm_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Snapshot taken once at submission: scores, facts, triggered actions, strengths.
    result = models.JSONField(null=True, blank=True)
    # Copied from the snapshot whenever it is written (always through result_columns), so
    # SQL can read them without the snapshot (services.firms_latest_refresh).
    overall_score = models.PositiveSmallIntegerField(null=True, blank=True)
    overall_band = models.CharField(max_length=40, blank=True)
    weakest_area = models.CharField(max_length=64, blank=True)
    # The sector fact (FACT_VALUES["sector"]): the campaign member table filters on it.
    sector = models.CharField(max_length=16, blank=True)

    # Written together: every write of `result` sets the columns copied from it.
    RESULT_COLUMNS = ("result", "overall_score", "overall_band", "weakest_area", "sector")

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-updated_at"]),
            # A firm's assessments in a campaign: the member table's probe for a firm's newer one.
            # The status is in it, so on SQLite (whose indexes carry the row id) the probe never
            # reads a row, which is wide (a stored result each).
            models.Index(fields=["firm", "campaign", "status"], name="assessment_member_probe"),
            # The member table by sector: the members of one sector who share their submitted
            # results, counted on SQLite from the index alone (PostgreSQL may still visit rows).
            models.Index(
                fields=["campaign", "sector", "status", "share_with_association", "firm"],
                name="assessment_member_sector",
            ),
        ]

    def __str__(self) -> str:
        return self.firm_name or str(self.public_id)

    @staticmethod
    def result_columns(snapshot: dict[str, Any] | None) -> dict[str, Any]:
        """The values of RESULT_COLUMNS for a snapshot (None: no result), for update() or a
        constructor; set_result() sets them on an instance."""
        overall, band, weakest, sector = headline(snapshot)
        return {
            "result": snapshot,
            "overall_score": overall,
            "overall_band": band or "",
            "weakest_area": weakest or "",
            "sector": sector or "",
        }

    def set_result(self, snapshot: dict[str, Any] | None) -> None:
        for name, value in self.result_columns(snapshot).items():
            setattr(self, name, value)

    @property
    def outcome(self) -> Result:
        """The stored result, typed (empty for a draft): read this, not the `result` JSON."""
        return Result.from_json(self.result)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=64)
    value = models.JSONField()
    updated_at = models.DateTimeField()
    # Set when a consultant of the running organisation saved (and so validated) the answer;
    # None means self-assessed by the owner.
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The owner's own answer, kept when a consultant changed it, and why it was changed.
    owner_value = models.JSONField(null=True, blank=True)
    change_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "question_key"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question_key}={self.value!r}"


class ReportFile(models.Model):
    """A rendered PDF, kept and reused until the inputs it was rendered from change."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_files")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    variant = models.CharField(max_length=10)
    inputs_digest = models.CharField(max_length=64)
    file = models.FileField(upload_to="reports/")
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "language", "variant"], name="one_report_per_kind")
        ]

    def __str__(self) -> str:
        return self.file.name or ""


class ReportEmail(models.Model):
    """A report sent by e-mail at someone's request: the summary attached, links to the rest.

    Kept (without the private link) so the page can say when it was sent, and so the limits per
    assessment and per address can be counted."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_emails")
    address = models.EmailField()  # stored in lower case: the limit per address counts it once
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    by_consultant = models.BooleanField(default=False)  # to the client's stored contact
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The owner's private link, when they asked for it in the e-mail: only until it is sent
    # (the worker needs it), then blanked; the assessment itself stores only its digest.
    private_token = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["assessment", "created_at"], name="report_email_assessment"),
            models.Index(fields=["address", "created_at"], name="report_email_address"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.status})"


class Note(models.Model):
    """A consultant's note on one area or one recommendation of a submitted assessment."""

    MAX_LENGTH = 1000

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="notes")
    # "area:<area key>" or "rec:<recommendation key>"
    target = models.CharField(max_length=80)
    text = models.TextField(max_length=MAX_LENGTH)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "target"], name="one_note_per_target")]

    def __str__(self) -> str:
        return f"{self.target}: {self.text[:40]}"


class BulkJob(models.Model):
    """PDF reports for many assessments of a campaign, rendered by background tasks."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="bulk_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    variant = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.campaign} {self.language} {self.variant}"


class BulkItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    report = models.ForeignKey(ReportFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    # When a worker took the item; a pending item claimed longer ago than its renders can take
    # belongs to a worker that died, and is marked failed so the job still ends.
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "assessment"], name="one_item_per_assessment")]
        indexes = [models.Index(fields=["job", "status"])]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.assessment_id}: {self.status}"


class ActionProgress(models.Model):
    """How far the firm has got with one action of a submitted assessment's plan.

    Written only by plan.services.action_progress_set, which keeps an ActionProgressChange
    for every change. A row exists once someone marked the action; an action without one is
    simply not planned yet."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    OWNER_MAX_LENGTH = 100

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="action_progress")
    action_key = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices)
    owner_name = models.CharField(max_length=OWNER_MAX_LENGTH, blank=True)  # who in the firm does it
    due_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField()
    # None: the owner, through the private link (no account).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The due date a reminder e-mail was sent for: sent once per due date, again after it moves.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "action_key"], name="one_progress_per_action")]
        indexes = [models.Index(fields=["due_on", "status"], name="progress_due")]

    def __str__(self) -> str:
        return f"{self.action_key}: {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE


class ActionProgressChange(models.Model):
    """One change of an ActionProgress: who, when, and what it became (the history)."""

    progress = models.ForeignKey(ActionProgress, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField()
    # None with by_link: the owner through the private link; None without: a deleted account.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_link = models.BooleanField(default=False)
    old_status = models.CharField(max_length=12, blank=True, choices=ActionProgress.Status.choices)  # "": first
    new_status = models.CharField(max_length=12, choices=ActionProgress.Status.choices)
    owner_name = models.CharField(max_length=ActionProgress.OWNER_MAX_LENGTH, blank=True)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.progress_id}: {self.old_status or '-'} -> {self.new_status}"


class ApiToken(models.Model):
    """A key an organisation's own system (a CRM, a bank's client system) calls the JSON API
    with (assessment/api). Only the SHA-256 of the token is stored; its first characters are
    kept to tell tokens apart on the page. Revoked tokens stay, so the page says when."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) @ {self.organisation}"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE
