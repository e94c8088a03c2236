"""The API under /api/v1/ (namespace "api"), and the tokens page among the site's pages."""

from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessment.api import pages, views


class MemberIdConverter:
    """i<invitation id> or a<assessment id>: see api.selectors.member_key."""

    regex = "[ia][0-9]{1,18}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MemberIdConverter, "member")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the site's CSP allows no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("campaigns/", views.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.CampaignDetail.as_view(), name="campaign"),
    path("campaigns/<int:campaign_id>/members/", views.MemberList.as_view(), name="members"),
    path("campaigns/<int:campaign_id>/members/<member:member_id>/", views.MemberDetail.as_view(), name="member"),
    path("campaigns/<int:campaign_id>/invitations/", views.Invitations.as_view(), name="invitations"),
    path("campaigns/<int:campaign_id>/imports/", views.Imports.as_view(), name="imports"),
    path("campaigns/<int:campaign_id>/imports/<int:upload_id>/", views.ImportDetail.as_view(), name="import"),
    path(
        "campaigns/<int:campaign_id>/imports/<int:upload_id>/choice/",
        views.ImportChoice.as_view(),
        name="import_choice",
    ),
    path("campaigns/<int:campaign_id>/bulk-jobs/", views.BulkJobs.as_view(), name="bulk_jobs"),
    path("campaigns/<int:campaign_id>/bulk-jobs/<int:job_id>/", views.BulkJobDetail.as_view(), name="bulk_job"),
    path("campaigns/<int:campaign_id>/bulk-jobs/<int:job_id>/zip/", views.BulkJobZip.as_view(), name="bulk_job_zip"),
    path("questionnaires/", views.QuestionnaireList.as_view(), name="questionnaires"),
    path("questionnaires/<str:version>/", views.QuestionnaireDetail.as_view(), name="questionnaire"),
    re_path(r"^.*$", views.not_found),
]

# The tokens page, with the site's pages (language prefix, login).
page_urlpatterns = [
    path("organisation/api-tokens/", pages.api_tokens, name="api_tokens"),
    path("organisation/api-tokens/<int:token_id>/revoke/", pages.api_token_revoke, name="api_token_revoke"),
]
