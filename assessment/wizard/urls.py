from django.urls import path

from assessment.wizard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("a/<uuid:public_id>/step/<slug:section>/", views.step, name="step"),
    path("a/<uuid:public_id>/continue/", views.continue_assessment, name="continue"),
    path("a/<uuid:public_id>/review/", views.review, name="review"),
    path("a/<uuid:public_id>/submit/", views.submit, name="submit"),
    path("a/<uuid:public_id>/reason/", views.answer_reason, name="answer_reason"),
    path("resume/<str:token>/", views.resume, name="resume"),
]
