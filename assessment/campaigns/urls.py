from django.urls import path

from assessment.campaigns import views

urlpatterns = [
    path("campaigns/", views.association_home, name="association_home"),
    path("campaigns/logo/", views.association_logo, name="association_logo"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/invite/", views.campaign_invite, name="campaign_invite"),
    path("campaigns/<int:campaign_id>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:campaign_id>/link/", views.campaign_link, name="campaign_link"),
    path("campaigns/<int:campaign_id>/qr.<str:fmt>", views.campaign_qr, name="campaign_qr"),
    path("campaigns/<int:campaign_id>/poster.pdf", views.campaign_poster, name="campaign_poster"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("c/<str:link_token>/", views.campaign_join, name="campaign_join"),
    path("a/<uuid:public_id>/consent/", views.consent, name="consent"),
    path("campaigns/<int:campaign_id>/dashboard/", views.campaign_dashboard, name="campaign_dashboard"),
    path("campaigns/<int:campaign_id>/dashboard.pdf", views.campaign_dashboard_pdf, name="campaign_dashboard_pdf"),
]
