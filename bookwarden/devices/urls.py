from django.urls import path

from . import views

app_name = "devices"

urlpatterns = [
    path("", views.device_list, name="list"),
    path("public-computers/", views.checks, name="checks"),
    path("library/<slug:slug>/new/", views.device_create, name="create"),
    path("library/<slug:slug>/import/", views.import_page, name="import"),
    path("library/<slug:slug>/patches/", views.patches, name="patches"),
    path("library/<slug:slug>/settings/", views.library_settings, name="settings"),
    path("<int:device_id>/", views.device_detail, name="detail"),
    path("<int:device_id>/edit/", views.device_edit, name="edit"),
    path("<int:device_id>/retire/", views.device_retire, name="retire"),
    path("<int:device_id>/isolate/", views.device_isolate, name="isolate"),
    path("<int:device_id>/return/", views.device_return, name="return"),
    path("<int:device_id>/patched/", views.device_patched, name="patched"),
]
