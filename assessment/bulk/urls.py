from django.urls import path

from assessment.bulk import views

urlpatterns = [
    path("campaigns/<int:campaign_id>/import/", views.campaign_import, name="campaign_import"),
    path("campaigns/<int:campaign_id>/import/<int:upload_id>/", views.import_upload, name="import_upload"),
    path("campaigns/<int:campaign_id>/template/<slug:kind>/", views.campaign_template, name="campaign_template"),
    path("campaigns/<int:campaign_id>/export/<slug:kind>/", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:campaign_id>/reports/", views.bulk_reports, name="bulk_reports"),
    path("campaigns/<int:campaign_id>/reports/<int:job_id>/", views.bulk_job, name="bulk_job"),
    path("campaigns/<int:campaign_id>/reports/<int:job_id>/retry/", views.bulk_job_retry, name="bulk_job_retry"),
    path("campaigns/<int:campaign_id>/reports/<int:job_id>/zip/", views.bulk_job_zip, name="bulk_job_zip"),
]
