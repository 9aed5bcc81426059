from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export/", views.export, name="export"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:entry_id>/", views.my_report, name="my_report"),
    path("new/", views.entry_create, name="create"),
    path("settings/<slug:slug>/", views.library_settings, name="settings"),
    path("<int:entry_id>/", views.entry_detail, name="detail"),
    path("<int:entry_id>/edit/", views.entry_edit, name="edit"),
    path("<int:entry_id>/steps/", views.step_add, name="step_add"),
    path("<int:entry_id>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<int:entry_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<int:entry_id>/close/", views.entry_close, name="close"),
    path("<int:entry_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:entry_id>/passwords-changed/", views.outside_resolved, name="outside_resolved"),
]
