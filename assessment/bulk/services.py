"""Bulk writes of an association: importing answer files (staged: every row checked, then one
transaction) and bulk report jobs."""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.bulk import importing, tables, tasks
from assessment.links import token_digest
from assessment.models import (
    Answer,
    Assessment,
    BulkItem,
    BulkJob,
    Campaign,
    Firm,
    ImportBatch,
    Invitation,
)
from assessment.questionnaire.result import build_result


class ImportRejected(Exception):
    """Nothing was written. `errors` lists every problem (row, column, value, what is allowed)."""

    def __init__(self, message: str, errors: Sequence[importing.RowError] = ()):
        super().__init__(message)
        self.errors = list(errors)[: importing.MAX_SHOWN_ERRORS]
        self.more = len(errors) > importing.MAX_SHOWN_ERRORS  # more problems than are listed


def assessments_import(
    *, campaign: Campaign, user, filename: str, data: bytes, messages_language: str, report_language: str
) -> ImportBatch:
    """Check every row of an uploaded table, then write and score all of them in one transaction.

    `messages_language` is the language of the person importing: every message (an unreadable
    file, row errors, a repeated file) and the option texts it accepts first. `report_language`
    is stored on each new firm's assessment, the language of its report. A row matched to an
    invited member keeps the language of the invitation.

    Raises ImportRejected (nothing written) for an unreadable file, any bad row, or a file
    already imported into this campaign.
    """
    # Whatever language the calling thread has active (a command, a task, a test): the
    # messages are in the importer's.
    with translation.override(messages_language):
        return _assessments_import(
            campaign=campaign,
            user=user,
            filename=filename,
            data=data,
            messages_language=messages_language,
            report_language=report_language,
        )


def _assessments_import(
    *, campaign: Campaign, user, filename: str, data: bytes, messages_language: str, report_language: str
) -> ImportBatch:

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
    rows, errors = importing.check_rows(qn, table, messages_language)
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
    snapshots = [build_result(qn, row.answers).to_json() for row in rows]
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
                        language=invitation.language if invitation is not None else report_language,
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
                    for row, firm, (_firm, invitation), snapshot in zip(rows, firms, members, snapshots, strict=True)
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
        assert assessment.firm is not None  # the query keeps only assessments with a firm
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
    for pk in ids:
        tasks.render_bulk_item.enqueue(pk)
