"""The API's endpoints: thin, like the pages. Each finds its objects within the token's
organisation (api.selectors), checks input with a serializer, calls the pages' services,
and answers JSON; errors too (exception_handler)."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from assessment import selectors
from assessment.api import selectors as api_selectors
from assessment.api import serializers as s
from assessment.api.permissions import CanWrite, HasApiToken
from assessment.bulk import exports
from assessment.bulk import selectors as bulk_selectors
from assessment.bulk import services as bulk_services
from assessment.campaigns import memberlist
from assessment.campaigns import selectors as campaigns_selectors
from assessment.campaigns import services as campaigns_services
from assessment.languages import current_lang
from assessment.models import ApiToken, BulkJob, Campaign, ImportUpload
from assessment.reports import filenames
from assessment.reports.builder import build_report

logger = logging.getLogger(__name__)

ERRORS = {
    400: OpenApiResponse(
        s.ErrorSerializer, description="The input is not valid: `detail`, and `errors` where there are several."
    ),
    401: OpenApiResponse(s.ErrorSerializer, description="No token, or one that is not valid or was revoked."),
    403: OpenApiResponse(s.ErrorSerializer, description="A read-only token on a write endpoint."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found (also another organisation's object)."),
    429: OpenApiResponse(s.ErrorSerializer, description="Too many requests for this token (API_RATE)."),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in (401, 404, 429, *codes)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's answer for its own errors (JSON, in the request's language); any other error a JSON
    500 instead of Django's HTML page, logged with its traceback."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    logger.exception("API error in %s", context.get("view").__class__.__name__, exc_info=exc)
    return Response({"detail": _("Something went wrong on our side. Nothing was changed; try again.")}, status=500)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under /api/: a JSON 404, not the site's page."""
    return JsonResponse(
        {"detail": _("There is no such API address. The schema lists them: /api/v1/schema/")}, status=404
    )


def _organisation(request: Request):
    token = request.auth
    assert isinstance(token, ApiToken)  # HasApiToken let the request through
    return token.organisation


def _campaign(request: Request, campaign_id: int) -> Campaign:
    return api_selectors.campaign_of(_organisation(request), campaign_id)


def _absolute(request: Request, path: str) -> str:
    return request.build_absolute_uri(path)


def _check(serializer_class: type[s.serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ApiView(APIView):
    permission_classes = [HasApiToken]


class WriteView(ApiView):
    permission_classes = [HasApiToken, CanWrite]


# --- Campaigns and members -------------------------------------------------------------------


def _campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "questionnaire_version": campaign.questionnaire.version,
        "opens_on": campaign.opens_on,
        "closes_on": campaign.closes_on,
        "is_open": campaigns_services.campaign_is_open(campaign),
        "link_active": campaign.link_active,
        "members": campaigns_selectors.campaign_member_counts(campaign),
    }


class CampaignList(ApiView):
    @extend_schema(operation_id="campaigns_list", responses={200: s.CampaignSerializer(many=True), **_errors()})
    def get(self, request: Request) -> Response:
        """The organisation's campaigns, newest first, with their members counted by status."""
        return Response([_campaign_json(c) for c in api_selectors.campaigns_of(_organisation(request))])


class CampaignDetail(ApiView):
    @extend_schema(responses={200: s.CampaignSerializer, **_errors()})
    def get(self, request: Request, campaign_id: int) -> Response:
        return Response(_campaign_json(_campaign(request, campaign_id)))


def _member_json(values: dict[str, Any]) -> dict[str, Any]:
    row = campaigns_selectors.member_row(values)
    return {
        "id": api_selectors.member_key(values),
        "firm": row["firm"],
        "email": row["email"],
        "source": row["source"],
        "status": row["status"],
        "shared": row["shared"],
        "invited_at": row["sent_at"],
        "reminded_at": row["reminded_at"],
        # Only for members who share submitted results, as on the campaign page.
        "result_id": row["public_id"],
        "overall": row["overall"],
    }


class MemberList(ApiView):
    @extend_schema(
        operation_id="campaigns_members_list",
        parameters=[s.MemberFiltersSerializer],
        responses={200: s.MemberPageSerializer, **_errors(400)},
    )
    def get(self, request: Request, campaign_id: int) -> Response:
        """The campaign's members and their statuses, a page at a time (invited members first,
        in the order invited, then those who joined or were imported)."""
        campaign = _campaign(request, campaign_id)
        query = _check(s.MemberFiltersSerializer, request.query_params)
        per_page = min(query.get("per_page") or settings.API_PAGE_SIZE, settings.API_PAGE_SIZE_MAX)
        filters = campaigns_selectors.MemberFilters(status=query["status"], search=query["search"])
        page: Page
        page, _rows = campaigns_selectors.campaign_members_page(campaign, filters, query["page"], per_page)
        if query["page"] > page.paginator.num_pages and page.paginator.count:
            raise Http404  # get_page() gives the last page; an API says there is none
        here = reverse("api:members", args=[campaign.pk])

        def link(number: int) -> str:
            params = {**request.query_params.dict(), "page": str(number)}
            return _absolute(request, f"{here}?{urlencode(params)}")

        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "per_page": per_page,
                "next": link(page.next_page_number()) if page.has_next() else None,
                "previous": link(page.previous_page_number()) if page.has_previous() else None,
                "results": [_member_json(values) for values in page.object_list],
            }
        )


def _result_json(public_id, lang: str) -> dict[str, Any]:
    """A sharing member's submitted results as the association's results page shows them:
    scores, bands, every planned action with its citations (never the member's own plan)."""
    assessment = selectors.assessments().get(public_id=public_id)
    qn = selectors.questionnaire_of(assessment.questionnaire)
    # As the association's results page builds it: no plan state (a member's plan is its own).
    report = build_report(assessment, qn, selectors.answers_of(assessment), lang)
    return {
        "language": lang,
        "questionnaire_version": qn.version,
        "submitted_at": assessment.submitted_at,
        "overall": report.overall,
        "overall_band": report.overall_band,
        "overall_band_label": report.overall_band_label,
        "areas": [
            {"key": a.key, "title": a.title, "score": a.score, "band": a.band, "band_label": a.band_label}
            for a in report.areas
        ],
        "actions": [
            {
                "key": x.key,
                "area": x.area,
                "title": x.title,
                "body": x.body,
                "rationale": x.rationale,
                "why_first": x.why_first,
                "priority": x.priority,
                "horizon": x.horizon,
                "core": x.core,
                "citations": [{"paper": c.paper, "section": c.section, "title": c.title} for c in x.citations],
            }
            for area in report.areas
            for x in area.actions
        ],
    }


class MemberDetail(ApiView):
    @extend_schema(
        parameters=[s.ResultLanguageSerializer],
        responses={200: s.MemberResultSerializer, **_errors(400)},
    )
    def get(self, request: Request, campaign_id: int, member_id: str) -> Response:
        """One member: its status, and its results only if it shares them (as on the pages:
        without consent the association sees the status alone)."""
        campaign = _campaign(request, campaign_id)
        lang = _check(s.ResultLanguageSerializer, request.query_params).get("lang") or current_lang()
        values = campaigns_selectors.campaign_member(
            campaign, invited=member_id[0] == "i", member_id=int(member_id[1:])
        )
        if values is None:
            raise Http404
        member = _member_json(values)
        member["result"] = _result_json(member["result_id"], lang) if member["result_id"] else None
        return Response(member)


# --- Invitations -------------------------------------------------------------------------------


def _member_lines(members: list[dict[str, str]]) -> str:
    """Members as the page's lines, tab-separated (so commas in names stay in their cell)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for m in members:
        writer.writerow([m["firm_name"], m["contact_name"], m["email"], m["language"]])
    return out.getvalue()


class Invitations(WriteView):
    @extend_schema(
        request=s.InvitationsSerializer,
        responses={201: s.InvitationsResultSerializer, **_errors(400, 403)},
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        """Invite members by e-mail, checked as on the campaign page: every member is checked
        first, and if any is wrong nobody is invited (`errors`, one per line/member)."""
        campaign = _campaign(request, campaign_id)
        data = _check(s.InvitationsSerializer, request.data)
        text = data["text"] if "text" in data else _member_lines(data["members"])
        members, errors = memberlist.parse_members(text, default_language=current_lang())
        if errors:
            return Response(
                {"detail": _("Nobody was invited: correct these members and send them again."), "errors": errors},
                status=400,
            )
        if not campaigns_services.campaign_is_open(campaign):
            message = _("Invitations can be sent only while the campaign is open (%(opens)s to %(closes)s).") % {
                "opens": campaign.opens_on.isoformat(),
                "closes": campaign.closes_on.isoformat(),
            }
            return Response({"detail": message}, status=400)
        _links, skipped = campaigns_services.invitations_add(campaign=campaign, members=members)
        return Response({"invited": len(members) - skipped, "skipped": skipped}, status=201)


# --- Imports -----------------------------------------------------------------------------------


def _upload_json(request: Request, campaign: Campaign, upload: ImportUpload) -> dict[str, Any]:
    batch = upload.batch if upload.status == ImportUpload.Status.DONE else None
    return {
        "id": upload.pk,
        "filename": upload.filename,
        "status": upload.status,
        "rows_done": upload.rows_done,
        "rows_total": upload.rows_total,
        "message": upload.message,
        "errors": upload.errors,
        "errors_more": upload.errors_more,
        "conflicts": upload.conflicts if upload.status == ImportUpload.Status.DECIDE else [],
        "imported": batch.rows if batch else None,
        "replaced": batch.replaced if batch else None,
        "skipped": batch.skipped if batch else None,
        "ignored_columns": upload.ignored_columns,
        "url": _absolute(request, reverse("api:import", args=[campaign.pk, upload.pk])),
    }


UPLOAD_STATUS: dict[str, int] = {ImportUpload.Status.REJECTED: 400, ImportUpload.Status.DONE: 201}


class Imports(WriteView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={
            201: OpenApiResponse(s.UploadSerializer, description="Imported."),
            202: OpenApiResponse(
                s.UploadSerializer,
                description="Being checked or imported (poll `url`), or "
                "`decide`: members who have answered already (POST `url`choice/).",
            ),
            400: OpenApiResponse(
                s.UploadSerializer, description="Rejected, nothing written: `message` and the row `errors`."
            ),
            **_errors(403),
        },
    )
    def post(self, request: Request, campaign_id: int) -> Response:
        """Import answers collected offline (the campaign's template, CSV or XLSX), exactly as the
        import page does: every row is checked first and nothing is written on any error."""
        campaign = _campaign(request, campaign_id)
        data = _check(s.ImportUploadSerializer, request.data)
        file = data["file"]
        if file.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise ValidationError(
                {"file": [_("The file is larger than %(size)d MB.") % {"size": settings.IMPORT_MAX_MB}]}
            )
        upload = bulk_services.import_upload_start(
            campaign=campaign,
            user=request.user,
            file=file,
            messages_language=current_lang(),
            report_language=data.get("report_language") or current_lang(),
        )
        return Response(_upload_json(request, campaign, upload), status=UPLOAD_STATUS.get(upload.status, 202))


class ImportDetail(ApiView):
    @extend_schema(responses={200: s.UploadSerializer, **_errors()})
    def get(self, request: Request, campaign_id: int, upload_id: int) -> Response:
        """An upload as it stands: checking, importing, waiting for a choice, done or rejected."""
        campaign = _campaign(request, campaign_id)
        upload = bulk_services.import_upload_recover(upload=api_selectors.upload_of(campaign, upload_id))
        return Response(_upload_json(request, campaign, upload))


class ImportChoice(WriteView):
    @extend_schema(request=s.ImportChoiceSerializer, responses={200: s.UploadSerializer, **_errors(400, 403)})
    def post(self, request: Request, campaign_id: int, upload_id: int) -> Response:
        """For an upload waiting with `decide`: the rows that replace members' earlier answers."""
        campaign = _campaign(request, campaign_id)
        upload = api_selectors.upload_of(campaign, upload_id)
        data = _check(s.ImportChoiceSerializer, request.data)
        if upload.status != ImportUpload.Status.DECIDE:
            raise ValidationError({"detail": _("This upload is not waiting for a choice.")})
        upload = bulk_services.import_upload_choose(upload=upload, replace_rows=data["replace_rows"])
        return Response(_upload_json(request, campaign, upload))


# --- Bulk reports ------------------------------------------------------------------------------


def _job_json(request: Request, campaign: Campaign, job: BulkJob) -> dict[str, Any]:
    progress = bulk_selectors.bulk_progress(job)
    finished = progress["pending"] == 0
    return {
        "id": job.pk,
        "language": job.language,
        "variant": job.variant,
        "created_at": job.created_at,
        **progress,
        "finished": finished,
        "url": _absolute(request, reverse("api:bulk_job", args=[campaign.pk, job.pk])),
        "zip_url": _absolute(request, reverse("api:bulk_job_zip", args=[campaign.pk, job.pk])) if finished else None,
    }


class BulkJobs(WriteView):
    @extend_schema(request=s.BulkJobSerializer, responses={202: s.JobSerializer, **_errors(400, 403)})
    def post(self, request: Request, campaign_id: int) -> Response:
        """Render the PDF report of every member who shares its submitted results (or of the
        members chosen by result id), in the background. Poll `url`; download `zip_url`."""
        campaign = _campaign(request, campaign_id)
        data = _check(s.BulkJobSerializer, request.data)
        chosen = None
        if data.get("assessments"):
            ids = [str(value) for value in data["assessments"]]
            chosen = api_selectors.sharing_assessment_ids(campaign, ids)
            if not chosen:
                raise ValidationError({"assessments": [_("None of the chosen members shares its results.")]})
        job = bulk_services.bulk_job_start(
            campaign=campaign,
            user=request.user,
            language=data["language"],
            variant=data["variant"],
            assessment_ids=chosen,
        )
        return Response(_job_json(request, campaign, job), status=202)


class BulkJobDetail(ApiView):
    @extend_schema(responses={200: s.JobSerializer, **_errors()})
    def get(self, request: Request, campaign_id: int, job_id: int) -> Response:
        campaign = _campaign(request, campaign_id)
        job = api_selectors.job_of(campaign, job_id)
        bulk_services.bulk_job_recover(job=job)  # a dead worker shows up here, as on the page
        return Response(_job_json(request, campaign, job))


class JobPending(APIException):
    status_code = 409
    default_code = "pending"


class BulkJobZip(ApiView):
    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(description="The reports and a manifest of every member."),
            409: OpenApiResponse(s.ErrorSerializer, description="Reports are still being made."),
            **_errors(),
        }
    )
    def get(self, request: Request, campaign_id: int, job_id: int) -> FileResponse:
        campaign = _campaign(request, campaign_id)
        job = api_selectors.job_of(campaign, job_id)
        if bulk_selectors.bulk_progress(job)["pending"]:
            raise JobPending(_("The reports are still being made: poll the job until it is finished."))
        qn = selectors.questionnaire_of(campaign.questionnaire)
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        exports.write_bundle(handle, bulk_selectors.bundle_items(job), [a.key for a in qn.areas])
        handle.seek(0)
        kind = "summaries" if job.variant == "summary" else "reports"
        name = filenames.download_name(campaign.name, timezone.localdate(), kind, lang=job.language, ext="zip")
        return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


# --- Questionnaires ----------------------------------------------------------------------------


def _version_json(request: Request, version) -> dict[str, Any]:
    return {
        "version": version.version,
        "is_current": version.is_current,
        "checksum": version.checksum,
        "url": _absolute(request, reverse("api:questionnaire", args=[version.version])),
    }


class QuestionnaireList(ApiView):
    @extend_schema(operation_id="questionnaires_list", responses={200: s.VersionSerializer(many=True), **_errors()})
    def get(self, request: Request) -> Response:
        """The questionnaire versions loaded, oldest first (the current one is marked)."""
        return Response([_version_json(request, v) for v in api_selectors.versions()])


class QuestionnaireDetail(ApiView):
    @extend_schema(responses={200: s.QuestionnaireSerializer, **_errors()})
    def get(self, request: Request, version: str) -> Response:
        """A questionnaire version's content: its questions, options, scoring, recommendations
        and the papers they cite, in both languages, as the import template's codes use them."""
        found = api_selectors.version_by_name(version)
        return Response({**_version_json(request, found), "content": found.definition})


# --- Errors raised outside the API's views (a refused Host header, a middleware's failure) ---


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBase:
    if _is_api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponseBase:
    if _is_api(request):
        message = _("Something went wrong on our side. Nothing was changed; try again.")
        return JsonResponse({"detail": message}, status=500)
    return defaults.server_error(request)
