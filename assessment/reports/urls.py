from django.urls import path

from assessment.reports import views

urlpatterns = [
    path("a/<uuid:public_id>/results/", views.results, name="results"),
    path("a/<uuid:public_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("a/<uuid:public_id>/report-status", views.report_pdf_status, name="report_pdf_status"),
    path("a/<uuid:public_id>/notes/", views.note_save, name="note_save"),
    path("a/<uuid:public_id>/plan/", views.plan_save, name="plan_save"),
    path("a/<uuid:public_id>/email/", views.report_email, name="report_email"),
    path("a/<uuid:public_id>/plan.ics", views.plan_ics, name="plan_ics"),
]
