"""Bulk writes of an association: importing answer files (staged: every row checked, then one
transaction) and bulk report jobs."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
import secrets
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
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
    ImportUpload,
    Invitation,
)
from assessment.questionnaire.result import build_result
from assessment.services import campaign_tallies_refresh, firms_latest_refresh

logger = logging.getLogger(__name__)


class ImportRejected(Exception):
    """Nothing was written. `errors` lists every problem (row, column, value, what is allowed)."""

    def __init__(self, message: str, errors: Sequence[importing.RowError] = ()):
        super().__init__(message)
        self.errors = list(errors)[: importing.MAX_SHOWN_ERRORS]
        self.more = len(errors) > importing.MAX_SHOWN_ERRORS  # more problems than are listed


@dataclasses.dataclass(frozen=True)
class Conflict:
    """A row for a member of the campaign who has answered already."""

    row: int
    firm: str
    answered_at: datetime | None
    imported_from: str  # the file its answers came from; "" when the member answered online


class ImportNeedsChoice(Exception):
    """Nothing was written: some rows stand for members who have answered already. Import
    again with `replace_rows` (those rows replace the member's answers; the others are skipped)."""

    def __init__(self, conflicts: Sequence[Conflict]):
        super().__init__(f"{len(conflicts)} rows are members who have answered already")
        self.conflicts = list(conflicts)


@dataclasses.dataclass
class _Member:
    """The campaign member a row stands for; all None for a new firm."""

    firm: Firm | None = None
    invitation: Invitation | None = None
    answered: Assessment | None = None  # the member's submitted assessment, if any


# Rows scored between two progress reports (and two UPDATEs of the upload's counter).
PROGRESS_EVERY = 250


def assessments_import(
    *,
    campaign: Campaign,
    user,
    filename: str,
    data: bytes,
    messages_language: str,
    report_language: str,
    replace_rows: Collection[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportBatch:
    """Check every row of an uploaded table, then write and score all of them in one transaction.

    `messages_language` is the language of the person importing: every message (an unreadable
    file, row errors, a repeated file) and the option texts it accepts first. `report_language`
    is stored on each new firm's assessment, the language of its report. A row matched to an
    invited member keeps the language of the invitation.

    A row for a member who has answered already (online, or in an earlier file) is a choice:
    with `replace_rows` None, ImportNeedsChoice lists them and nothing is written; otherwise
    the rows in `replace_rows` replace that member's answers and the others are skipped.
    `progress(done, total)` is called as rows are scored (outside the transaction).

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
            replace_rows=None if replace_rows is None else set(replace_rows),
            progress=progress or (lambda done, total: None),
        )


def _assessments_import(
    *,
    campaign: Campaign,
    user,
    filename: str,
    data: bytes,
    messages_language: str,
    report_language: str,
    replace_rows: set[int] | None,
    progress: Callable[[int, int], None],
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
    del data  # the table holds what is needed
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
    del table

    # Who each row is, checked before the costly scoring; again inside the transaction below,
    # where it decides (a member may have submitted online in between).
    members, errors, conflicts = _import_members(campaign, rows)
    if errors:
        raise ImportRejected(_("Nothing was imported: correct these cells and upload the file again."), errors)
    if conflicts and replace_rows is None:
        raise ImportNeedsChoice(conflicts)
    chosen = replace_rows or set()
    wanted = [row for row, member in zip(rows, members, strict=True) if not member.answered or row.row in chosen]
    if not wanted:
        raise ImportRejected(
            _("Nothing was imported: every row is a member who has answered already, and all of them were skipped.")
        )

    # Scoring is pure and happens before the transaction, which then only writes (a long
    # write transaction would hold SQLite's lock against every owner saving an answer). The
    # results wait as compact JSON, spilled to disk past a few MB, not as 20,000 dicts.
    snapshots = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed below
    progress(0, len(wanted))
    for done, row in enumerate(wanted, start=1):
        snapshots.write(json.dumps(build_result(qn, row.answers).to_json(), separators=(",", ":")).encode())
        snapshots.write(b"\n")
        if done % PROGRESS_EVERY == 0 or done == len(wanted):
            progress(done, len(wanted))
    snapshots.seek(0)
    try:
        with snapshots, transaction.atomic():
            members, errors, _conflicts = _import_members(campaign, rows)
            if errors:
                raise ImportRejected(_("Nothing was imported: correct these cells and upload the file again."), errors)
            by_row = dict(zip((row.row for row in rows), members, strict=True))
            # Decided now: a member who submitted online since the check is skipped unless chosen.
            writes = [not by_row[row.row].answered or row.row in chosen for row in wanted]
            replaced = sum(1 for row, write in zip(wanted, writes, strict=True) if write and by_row[row.row].answered)
            batch = ImportBatch.objects.create(
                campaign=campaign,
                uploaded_by=user,
                filename=filename[:200],
                content_hash=digest,
                rows=sum(writes),
                skipped=len(rows) - sum(writes),
                replaced=replaced,
            )
            for start in range(0, len(wanted), IMPORT_CHUNK):
                chunk, results = [], []
                part = slice(start, start + IMPORT_CHUNK)
                for row, write in zip(wanted[part], writes[part], strict=True):
                    line = snapshots.readline()
                    if write:
                        chunk.append(row)
                        results.append(json.loads(line))
                _import_chunk(campaign, batch, user, report_language, chunk, [by_row[r.row] for r in chunk], results)
            campaign_tallies_refresh(campaign.pk)  # once for the whole file
    except IntegrityError:
        # The same file uploaded twice at once: the unique hash lets only one through.
        raise ImportRejected(_("This file is being imported already. Nothing was written again.")) from None
    batch.ignored_columns = ignored  # not stored: the page says once which columns it left out
    return batch


# --- Uploads: the import as people run it from the page ----------------------------------


def import_upload_start(
    *, campaign: Campaign, user, file: File, messages_language: str, report_language: str
) -> ImportUpload:
    """Keep an uploaded file and import it: within the request when it is small, else as a
    background task whose progress the upload's page shows. Returns the upload as it stands.

    The file is copied to storage in chunks, never read whole in the web process."""
    upload = ImportUpload.objects.create(
        campaign=campaign,
        uploaded_by=user,
        filename=PurePath(file.name or "").name[:200],
        size=file.size,
        messages_language=messages_language,
        report_language=report_language,
    )
    # The stored name is random: the user's file name is kept only as text.
    upload.file.save(f"{secrets.token_hex(12)}.upload", file, save=True)
    return _import_upload_go(upload)


def import_upload_choose(*, upload: ImportUpload, replace_rows: Collection[int]) -> ImportUpload:
    """The importer's choice for the members who have answered already: these rows replace
    their answers, the other such rows are skipped. Then the import goes on."""
    if upload.status != ImportUpload.Status.DECIDE:
        return upload  # chosen already (a second click): the import is on its way
    known = {conflict["row"] for conflict in upload.conflicts}
    upload.replace_rows = sorted(known & set(replace_rows))
    upload.status = ImportUpload.Status.IMPORTING
    upload.rows_done = 0
    upload.save(update_fields=["replace_rows", "status", "rows_done", "updated_at"])
    return _import_upload_go(upload)


def _import_upload_go(upload: ImportUpload) -> ImportUpload:
    if upload.size <= settings.IMPORT_BACKGROUND_KB * 1024:
        import_upload_run(upload_id=upload.pk)
        upload.refresh_from_db()
    else:
        transaction.on_commit(lambda: tasks.run_import_upload.enqueue(upload.pk))
    return upload


def import_upload_run(*, upload_id: int) -> str:
    """Check and import a kept upload; never raises. The outcome is stored on the upload
    (done, rejected with every problem, or waiting for the importer's choice)."""
    upload = (
        ImportUpload.objects.select_related("campaign__questionnaire", "campaign__organisation")
        .filter(pk=upload_id)
        .first()
    )
    if upload is None or not upload.is_running or not upload.file:
        return "skipped"

    def progress(done: int, total: int) -> None:
        ImportUpload.objects.filter(pk=upload_id).update(rows_done=done, rows_total=total, updated_at=timezone.now())

    with upload.file.open("rb") as handle:
        data = handle.read()
    outcome: dict[str, Any] = {}
    try:
        batch = assessments_import(
            campaign=upload.campaign,
            user=upload.uploaded_by,
            filename=upload.filename,
            data=data,
            messages_language=upload.messages_language,
            report_language=upload.report_language,
            replace_rows=upload.replace_rows,
            progress=progress,
        )
    except ImportNeedsChoice as exc:
        conflicts = [
            {
                "row": c.row,
                "firm": c.firm,
                "answered_at": c.answered_at.isoformat() if c.answered_at else None,
                "imported_from": c.imported_from,
            }
            for c in exc.conflicts
        ]
        ImportUpload.objects.filter(pk=upload_id).update(
            status=ImportUpload.Status.DECIDE, conflicts=conflicts, updated_at=timezone.now()
        )
        return "decide"
    except ImportRejected as exc:
        outcome = {
            "status": ImportUpload.Status.REJECTED,
            "message": str(exc)[:500],
            "errors": [dataclasses.asdict(e) for e in exc.errors],
            "errors_more": exc.more,
        }
    except Exception:
        # All or nothing: the transaction rolled back, so the file may simply be uploaded again.
        logger.exception("Import upload %s failed", upload_id)
        with translation.override(upload.messages_language):
            message = _("The import stopped on an unexpected error. Nothing was imported; upload the file again.")
        outcome = {"status": ImportUpload.Status.REJECTED, "message": message}
    else:
        outcome = {"status": ImportUpload.Status.DONE, "batch": batch, "ignored_columns": batch.ignored_columns}
    # The answers are in the database now (or refused): the uploaded file is not kept.
    upload.file.delete(save=False)
    ImportUpload.objects.filter(pk=upload_id).update(file="", updated_at=timezone.now(), **outcome)
    return str(outcome["status"])


def import_upload_recover(*, upload: ImportUpload) -> ImportUpload:
    """An upload whose worker stopped mid-way (nothing was written: one transaction) ends as
    rejected, so its page stops waiting. Returns the upload as it stands."""
    stale = timezone.now() - timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    if upload.is_running and upload.updated_at < stale:
        with translation.override(upload.messages_language):
            message = _("The import stopped before it finished. Nothing was imported; upload the file again.")
        if upload.file:
            upload.file.delete(save=False)
        ImportUpload.objects.filter(pk=upload.pk, status=upload.status).update(
            status=ImportUpload.Status.REJECTED, message=message, file=""
        )
        upload.refresh_from_db()
    return upload


# Rows written per round inside the import's transaction: bounded memory for model instances.
IMPORT_CHUNK = 1000


def _import_chunk(
    campaign: Campaign,
    batch: ImportBatch,
    user,
    report_language: str,
    rows: list[importing.ImportRow],
    members: list[_Member],
    results: list[dict],
) -> None:
    """Write one chunk of checked rows: new firms and assessments, or a member's answers replaced."""
    now = timezone.now()
    new_firms = iter(
        Firm.objects.bulk_create(
            [
                Firm(organisation=campaign.organisation, name=str(row.answers.get("firm_name", ""))[:200])
                for row, member in zip(rows, members, strict=True)
                if member.firm is None
            ]
        )
    )
    fresh: list[Assessment] = []
    replaced: list[Assessment] = []
    for row, member, result in zip(rows, members, results, strict=True):
        if member.answered is not None:
            # The member's assessment keeps its identity (links, notes); its answers are the file's.
            assessment = member.answered
            assessment.share_with_association = row.share
            assessment.import_batch = batch
            assessment.submitted_at = assessment.updated_at = now
            assessment.set_result(result)
            replaced.append(assessment)
            continue
        firm = member.firm if member.firm is not None else next(new_firms)
        fresh.append(
            Assessment(
                questionnaire=campaign.questionnaire,
                # Nobody holds a resume link for an imported assessment: a random digest.
                resume_digest=token_digest(secrets.token_urlsafe(24)),
                language=member.invitation.language if member.invitation is not None else report_language,
                status=Assessment.Status.SUBMITTED,
                firm=firm,
                firm_name=firm.name,
                campaign=campaign,
                share_with_association=row.share,
                import_batch=batch,
                created_by=user,
                submitted_at=now,
                **Assessment.result_columns(result),
            )
        )
    created = iter(Assessment.objects.bulk_create(fresh))
    if replaced:
        Assessment.objects.bulk_update(
            replaced,
            ["share_with_association", "import_batch", "submitted_at", *Assessment.RESULT_COLUMNS, "updated_at"],
        )
        Answer.objects.filter(assessment__in=replaced).delete()
    written = [member.answered or next(created) for member in members]
    _answers_insert(
        (assessment.pk, key, value)
        for row, assessment in zip(rows, written, strict=True)
        for key, value in row.answers.items()
    )
    # An invited member answered on paper: the invitation is used up by the imported
    # assessment, so the member shows once, as submitted, and gets no more reminders.
    for member, assessment in zip(members, written, strict=True):
        if member.invitation is not None and member.answered is None:
            Invitation.objects.filter(pk=member.invitation.pk).update(assessment=assessment, used_at=now)
    firms_latest_refresh(assessment.firm_id for assessment in written if assessment.firm_id is not None)


def _import_members(
    campaign: Campaign, rows: list[importing.ImportRow]
) -> tuple[list[_Member], list[importing.RowError], list[Conflict]]:
    """The existing member each row stands for, the rows in error, and the rows for members
    who have answered already.

    A row is matched by its e-mail to an invitation, else by its firm name to an invited firm
    or one that joined by the link or came in an earlier file, so importing a member's answers
    does not list it twice. Two rows for one firm (an existing member or a new firm) are an
    error on both rows.
    """

    def name_key(name: str) -> str:
        return " ".join(name.split()).casefold()

    invitations = list(campaign.invitations.select_related("firm", "assessment__import_batch"))
    by_email = {i.email.lower(): i for i in invitations}
    invited_by_name = {name_key(i.firm.name): i for i in invitations}
    others = (
        Assessment.objects.filter(campaign=campaign, invitation__isnull=True, firm__isnull=False)
        .select_related("firm", "import_batch")
        .order_by("pk")
    )
    joined_by_name: dict[str, Firm] = {}
    answered_by_firm: dict[int, Assessment] = {}
    for assessment in others:
        assert assessment.firm is not None  # the query keeps only assessments with a firm
        joined_by_name.setdefault(name_key(assessment.firm.name), assessment.firm)
        if assessment.status == Assessment.Status.SUBMITTED:
            answered_by_firm[assessment.firm.pk] = assessment  # the latest, by pk
    members: list[_Member] = []
    errors: list[importing.RowError] = []
    conflicts: list[Conflict] = []
    first_row: dict[object, tuple[int, str, str]] = {}  # a firm (pk or new name) -> its first row
    for row in rows:
        name = str(row.answers.get("firm_name", ""))
        invitation = by_email.get(row.email) if row.email else None
        column, value = (importing.EMAIL_COLUMN, row.email) if invitation else ("firm_name", name)
        invitation = invitation or invited_by_name.get(name_key(name))
        firm = invitation.firm if invitation else joined_by_name.get(name_key(name))
        answered = None
        if invitation is not None:
            if invitation.assessment is not None and not invitation.assessment.is_draft:
                answered = invitation.assessment
        elif firm is not None:
            answered = answered_by_firm.get(firm.pk)
        key: object = firm.pk if firm is not None else ("new", name_key(name))
        if key in first_row:
            earlier, earlier_column, earlier_value = first_row[key]
            errors.append(
                importing.RowError(
                    earlier, earlier_column, earlier_value[:100], _("the same firm as row %(row)d") % {"row": row.row}
                )
            )
            errors.append(
                importing.RowError(row.row, column, value[:100], _("the same firm as row %(row)d") % {"row": earlier})
            )
        first_row.setdefault(key, (row.row, column, value))
        members.append(_Member(firm=firm, invitation=invitation, answered=answered))
        if answered is not None:
            conflicts.append(
                Conflict(
                    row=row.row,
                    firm=firm.name if firm is not None else name,
                    answered_at=answered.submitted_at,
                    imported_from=answered.import_batch.filename if answered.import_batch else "",
                )
            )
    errors.sort(key=lambda e: e.row)
    return members, errors, conflicts


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
