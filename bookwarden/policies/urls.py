from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_create, name="create"),
    path("notice/", views.notice, name="notice"),
    path("people/<slug:slug>/", views.overview, name="overview"),
    path("people/<slug:slug>/export/", views.overview_export, name="overview_export"),
    path("signatures/<int:signature_id>/", views.acknowledgement, name="acknowledgement"),
    path(
        "signatures/<int:signature_id>/pdf/",
        views.acknowledgement_download,
        name="acknowledgement_pdf",
    ),
    path("<int:policy_id>/", views.policy_detail, name="detail"),
    path("<int:policy_id>/sign/", views.sign, name="sign"),
    path("<int:policy_id>/review/", views.review, name="review"),
    path("<int:policy_id>/versions/new/", views.version_create, name="version_create"),
    path("<int:policy_id>/versions/<int:version_id>/", views.version_detail, name="version"),
    path(
        "<int:policy_id>/versions/<int:version_id>/document/",
        views.version_document,
        name="document",
    ),
]
