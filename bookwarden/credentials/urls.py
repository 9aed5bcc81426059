from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    path("", views.credential_list, name="list"),
    path("new/<slug:slug>/", views.credential_create, name="create"),
    path("settings/<slug:slug>/", views.library_settings, name="settings"),
    path("export/<slug:slug>/", views.export, name="export"),
    path("<int:credential_id>/", views.credential_detail, name="detail"),
    path("<int:credential_id>/edit/", views.credential_edit, name="edit"),
    path("<int:credential_id>/change/", views.rotation_add, name="rotation_add"),
    path("<int:credential_id>/compromised/", views.mark_compromised, name="compromised"),
]
