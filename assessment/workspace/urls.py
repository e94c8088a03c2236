from django.urls import path

from assessment.workspace import views

urlpatterns = [
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/organisation/", views.organisation_new, name="organisation_new"),
    path("workspace/logo/", views.organisation_logo, name="organisation_logo"),
    path("workspace/clients/new/", views.client_new, name="client_new"),
    path("workspace/clients/<int:firm_id>/", views.client, name="client"),
    path("workspace/clients/<int:firm_id>/start/", views.client_start, name="client_start"),
    path("workspace/clients/<int:firm_id>/link/<uuid:public_id>/", views.client_new_link, name="client_new_link"),
    path(
        "workspace/clients/<int:firm_id>/link/<uuid:public_id>/email/",
        views.client_email_link,
        name="client_email_link",
    ),
    path("a/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
]
