"""An association's bulk work on a campaign: import answers collected offline, render every
report in the background, download them as one zip, export the results.

Thin views, like campaigns.py: fetch through access helpers, validate a form, call a service.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access, languages, selectors
from assessment.bulk import exports, importing, tables
from assessment.bulk import selectors as bulk_selectors
from assessment.bulk import services as bulk_services
from assessment.bulk.forms import ConflictChoiceForm, ImportForm
from assessment.campaigns import selectors as campaigns_selectors
from assessment.languages import current_lang
from assessment.models import BulkJob, Campaign, ImportUpload
from assessment.reports import filenames
from assessment.reports.forms import ReportRequestForm


def _campaign_file(campaign: Campaign, kind: str, ext: str, lang: str | None = None) -> str:
    return filenames.download_name(campaign.name, timezone.localdate(), kind, lang=lang, ext=ext)


# --- Import -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def campaign_import(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.campaign_for_request(request, campaign_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {
        "campaign": campaign,
        "form": form,
        "imports": campaign.imports.order_by("-created_at")[:20],
        "unfinished": bulk_selectors.unfinished_uploads(campaign),
        "max_mb": settings.IMPORT_MAX_MB,
        "max_rows": settings.IMPORT_MAX_ROWS,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "campaigns/import.html", context, status=400)
        file = form.cleaned_data["upload"]
        if file.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            context["rejected"] = _("The file is larger than %(size)d MB.") % {"size": settings.IMPORT_MAX_MB}
            return render(request, "campaigns/import.html", context, status=400)
        upload = bulk_services.import_upload_start(
            campaign=campaign,
            user=request.user,
            filename=file.name,
            data=file.read(),
            messages_language=current_lang(),
            report_language=form.cleaned_data["report_language"] or current_lang(),
        )
        if upload.status == ImportUpload.Status.REJECTED:
            # A small file checked at once: its problems on the page it came from.
            context.update(_rejection(upload))
            return render(request, "campaigns/import.html", context, status=400)
        return _after_upload(request, campaign, upload)
    return render(request, "campaigns/import.html", context)


def _rejection(upload: ImportUpload) -> dict:
    return {"rejected": upload.message, "errors": upload.errors, "errors_more": upload.errors_more}


def _after_upload(request: HttpRequest, campaign: Campaign, upload: ImportUpload) -> HttpResponse:
    """Done: back to the campaign with what was imported. Otherwise: the upload's own page."""
    if upload.status != ImportUpload.Status.DONE or upload.batch is None:
        return redirect("import_upload", campaign.pk, upload.pk)
    batch = upload.batch
    messages.success(
        request,
        _("%(rows)d assessments imported and scored from %(file)s.") % {"rows": batch.rows, "file": batch.filename},
    )
    if batch.replaced or batch.skipped:
        messages.info(
            request,
            _("Members who had answered already: %(replaced)d replaced, %(skipped)d skipped.")
            % {"replaced": batch.replaced, "skipped": batch.skipped},
        )
    if upload.ignored_columns:
        messages.info(
            request,
            _("Columns the template does not have were ignored: %(columns)s.")
            % {"columns": languages.enumeration_separator().join(upload.ignored_columns)},
        )
    return redirect("campaign", campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, campaign_id: int, upload_id: int) -> HttpResponse:
    """One upload: its progress (JSON for the bar's polling), its problems, or the choice for
    members who have answered already (POST)."""
    campaign = access.campaign_for_request(request, campaign_id)
    upload = bulk_selectors.upload_of(campaign, upload_id)
    upload = bulk_services.import_upload_recover(upload=upload)  # the page polls: a dead worker shows here
    if request.GET.get("format") == "json":
        return JsonResponse(bulk_selectors.upload_progress(upload))
    if request.method == "POST":
        if upload.status == ImportUpload.Status.DECIDE:
            form = ConflictChoiceForm(request.POST, conflicts=upload.conflicts)
            if form.is_valid():
                upload = bulk_services.import_upload_choose(upload=upload, replace_rows=form.replace_rows())
        return redirect("import_upload", campaign.pk, upload.pk)
    if upload.status == ImportUpload.Status.DONE and not request.GET.get("stay"):
        return _after_upload(request, campaign, upload)
    context = {
        "campaign": campaign,
        "upload": upload,
        "progress": bulk_selectors.upload_progress(upload),
        "conflicts": bulk_selectors.upload_conflicts(upload),
        **(_rejection(upload) if upload.status == ImportUpload.Status.REJECTED else {}),
    }
    return render(request, "campaigns/import_upload.html", context)


@login_required
@require_GET
def campaign_template(request: HttpRequest, campaign_id: int, kind: str) -> HttpResponseBase:
    """The import template for the campaign's questionnaire version: CSV, its legend, or XLSX with both."""
    campaign = access.campaign_for_request(request, campaign_id)
    qn = selectors.questionnaire_of(campaign.questionnaire)
    lang = current_lang()
    stem = f"template-{campaign.questionnaire.version}"
    if kind == "csv":
        rows = [importing.columns(qn)]
        return _csv_response(rows, f"{stem}.csv")
    if kind == "legend":
        return _csv_response(importing.legend_rows(qn, lang), f"{stem}-legend.csv")
    if kind == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        tables.xlsx_write(
            handle, [(_("Answers"), [importing.columns(qn)]), (_("Legend"), importing.legend_rows(qn, lang))]
        )
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=f"{stem}.xlsx")
    raise Http404


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(tables.csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)  # RFC 5987 for non-ASCII
    return response


# --- Exports ------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_export(request: HttpRequest, campaign_id: int, kind: str) -> HttpResponseBase:
    """Every shared, submitted assessment: profile, answers, scores, bands, recommendations.

    Streamed: the rows come from two ordered database cursors, never all in memory.
    """
    campaign = access.campaign_for_request(request, campaign_id)
    qn = selectors.questionnaire_of(campaign.questionnaire)
    # People read labels in the page's language; machines get codes (?codes=1 for the CSV,
    # a second sheet in the workbook).
    lang = None if request.GET.get("codes") else current_lang()
    rows = exports.campaign_rows(qn, campaigns_selectors.campaign_results(campaign), lang)
    if kind == "csv":
        return _csv_response(rows, _campaign_file(campaign, "results" if lang else "results-codes", "csv", lang))
    if kind == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        codes = exports.campaign_rows(qn, campaigns_selectors.campaign_results(campaign))
        sheets = [(_("Results"), rows), (_("Codes"), codes)] if lang else [(_("Codes"), codes)]
        tables.xlsx_write(handle, sheets)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=_campaign_file(campaign, "results", "xlsx", lang))
    raise Http404


# --- Bulk reports -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bulk_reports(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.campaign_for_request(request, campaign_id)
    if request.method == "POST":
        form = ReportRequestForm(request.POST)
        # Ticked rows of the member table; none means every member who shares its results.
        chosen = campaigns_selectors.campaign_assessment_ids(campaign, request.POST.getlist("assessment"))
        if request.POST.getlist("assessment") and not chosen:
            messages.error(request, _("None of the chosen members shares its results."))
        elif form.is_valid():
            job = bulk_services.bulk_job_start(
                campaign=campaign,
                user=request.user,
                language=form.cleaned_data["lang"],
                variant=form.cleaned_data["variant"],
                assessment_ids=chosen or None,
            )
            return redirect("bulk_job", campaign.pk, job.pk)
        else:
            messages.error(request, _("Choose a language and a kind of report."))
    context = {"campaign": campaign, "jobs": bulk_selectors.bulk_jobs_of(campaign)}
    return render(request, "campaigns/bulk_reports.html", context)


def _job_for_request(request: HttpRequest, campaign_id: int, job_id: int) -> tuple[Campaign, BulkJob]:
    campaign = access.campaign_for_request(request, campaign_id)
    job = BulkJob.objects.filter(pk=job_id, campaign=campaign).first()
    if job is None:
        raise Http404
    return campaign, job


@login_required
@require_GET
def bulk_job(request: HttpRequest, campaign_id: int, job_id: int) -> HttpResponse:
    """The job's progress: a page, or JSON for the progress bar's polling."""
    campaign, job = _job_for_request(request, campaign_id, job_id)
    bulk_services.bulk_job_recover(job=job)  # the page polls while a job runs: a dead worker shows up here
    progress = bulk_selectors.bulk_progress(job)
    if request.GET.get("format") == "json":
        return JsonResponse(progress)
    context = {"campaign": campaign, "job": job, "progress": progress, "items": bulk_selectors.bulk_items(job)[:500]}
    return render(request, "campaigns/bulk_job.html", context)


@login_required
@require_POST
def bulk_job_retry(request: HttpRequest, campaign_id: int, job_id: int) -> HttpResponse:
    campaign, job = _job_for_request(request, campaign_id, job_id)
    bulk_services.bulk_job_recover(job=job)
    count = bulk_services.bulk_job_retry(job=job)
    messages.success(request, _("%(count)d reports queued again.") % {"count": count})
    return redirect("bulk_job", campaign.pk, job.pk)


@login_required
@require_GET
def bulk_job_zip(request: HttpRequest, campaign_id: int, job_id: int) -> HttpResponseBase:
    """The finished reports as one zip, with a manifest of every item (failed ones too)."""
    campaign, job = _job_for_request(request, campaign_id, job_id)
    qn = selectors.questionnaire_of(campaign.questionnaire)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    exports.write_bundle(handle, bulk_selectors.bundle_items(job), [a.key for a in qn.areas])
    handle.seek(0)
    filename = _campaign_file(campaign, "summaries" if job.variant == "summary" else "reports", "zip", job.language)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/zip")
