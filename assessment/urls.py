from django.contrib.auth import views as auth_views
from django.urls import path

from assessment.bulk import views as campaign_bulk
from assessment.campaigns import dashboard
from assessment.campaigns import views as campaigns
from assessment.wizard import views
from assessment.workspace import views as workspace

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("a/<uuid:public_id>/step/<slug:section>/", views.step, name="step"),
    path("a/<uuid:public_id>/continue/", views.continue_assessment, name="continue"),
    path("a/<uuid:public_id>/review/", views.review, name="review"),
    path("a/<uuid:public_id>/submit/", views.submit, name="submit"),
    path("a/<uuid:public_id>/results/", views.results, name="results"),
    path("a/<uuid:public_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("a/<uuid:public_id>/notes/", views.note_save, name="note_save"),
    path("a/<uuid:public_id>/reason/", views.answer_reason, name="answer_reason"),
    path("resume/<str:token>/", views.resume, name="resume"),
    path("me/", views.my_assessments, name="my_assessments"),
    path("me/start/", views.after_login, name="after_login"),
    path("workspace/", workspace.workspace, name="workspace"),
    path("workspace/organisation/", workspace.organisation_new, name="organisation_new"),
    path("workspace/logo/", workspace.organisation_logo, name="organisation_logo"),
    path("workspace/clients/new/", workspace.client_new, name="client_new"),
    path("workspace/clients/<int:firm_id>/", workspace.client, name="client"),
    path("workspace/clients/<int:firm_id>/start/", workspace.client_start, name="client_start"),
    path("workspace/clients/<int:firm_id>/link/<uuid:public_id>/", workspace.client_new_link, name="client_new_link"),
    path(
        "workspace/clients/<int:firm_id>/link/<uuid:public_id>/email/",
        workspace.client_email_link,
        name="client_email_link",
    ),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", views.OwnerLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns += [
    path("campaigns/", campaigns.association_home, name="association_home"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/invite/", campaigns.campaign_invite, name="campaign_invite"),
    path("campaigns/<int:campaign_id>/remind/", campaigns.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:campaign_id>/link/", campaigns.campaign_link, name="campaign_link"),
    path("invite/<str:token>/", campaigns.invitation, name="invitation"),
    path("c/<str:link_token>/", campaigns.campaign_join, name="campaign_join"),
    path("a/<uuid:public_id>/consent/", views.consent, name="consent"),
    path("a/<uuid:public_id>/claim/", views.claim, name="claim"),
    path("a/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
]

urlpatterns += [
    path("campaigns/<int:campaign_id>/import/", campaign_bulk.campaign_import, name="campaign_import"),
    path(
        "campaigns/<int:campaign_id>/template/<slug:kind>/", campaign_bulk.campaign_template, name="campaign_template"
    ),
    path("campaigns/<int:campaign_id>/export/<slug:kind>/", campaign_bulk.campaign_export, name="campaign_export"),
    path("campaigns/<int:campaign_id>/reports/", campaign_bulk.bulk_reports, name="bulk_reports"),
    path("campaigns/<int:campaign_id>/reports/<int:job_id>/", campaign_bulk.bulk_job, name="bulk_job"),
    path(
        "campaigns/<int:campaign_id>/reports/<int:job_id>/retry/", campaign_bulk.bulk_job_retry, name="bulk_job_retry"
    ),
    path("campaigns/<int:campaign_id>/reports/<int:job_id>/zip/", campaign_bulk.bulk_job_zip, name="bulk_job_zip"),
]

urlpatterns += [
    path("campaigns/<int:campaign_id>/dashboard/", dashboard.campaign_dashboard, name="campaign_dashboard"),
    path("campaigns/<int:campaign_id>/dashboard.pdf", dashboard.campaign_dashboard_pdf, name="campaign_dashboard_pdf"),
]
