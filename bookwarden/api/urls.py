from django.urls import path

from . import endpoints, views

app_name = "api"

urlpatterns = [
    # The API (token authentication; docs/api.md)
    path("operations/entries/", endpoints.EntryList.as_view(), name="entries"),
    path("operations/entries/<int:entry_id>/", endpoints.EntryDetail.as_view(), name="entry"),
    path("libraries/<slug:slug>/concerns/", endpoints.ConcernCreate.as_view(), name="concerns"),
    path("libraries/<slug:slug>/staff/", endpoints.Roster.as_view(), name="roster"),
    path(
        "libraries/<slug:slug>/compliance/",
        endpoints.ComplianceStatus.as_view(),
        name="compliance",
    ),
    path(
        "libraries/<slug:slug>/training/completions/",
        endpoints.CompletionCreate.as_view(),
        name="completions",
    ),
    path("devices/", endpoints.DeviceList.as_view(), name="devices"),
    path("devices/<int:device_id>/", endpoints.DeviceDetail.as_view(), name="device"),
    path("libraries/<slug:slug>/devices/", endpoints.DeviceCreate.as_view(), name="device_add"),
    path(
        "libraries/<slug:slug>/devices/patches/",
        endpoints.PatchCreate.as_view(),
        name="patches",
    ),
    path(
        "libraries/<slug:slug>/disclosures/requests/",
        endpoints.IntakeCreate.as_view(),
        name="intake",
    ),
    # Alerts into the operations log (the source's secret)
    path("alerts/<str:source_key>/", endpoints.AlertWebhook.as_view(), name="alert"),
    # The schema and its documentation
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    # Pages: a person's tokens, a library's alert sources
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:token_id>/", views.token_detail, name="token"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("alert-sources/", views.alert_sources, name="alert_sources"),
    path(
        "libraries/<slug:slug>/alert-sources/new/",
        views.alert_source_new,
        name="alert_source_new",
    ),
    path("alert-sources/<int:source_id>/", views.alert_source_detail, name="alert_source"),
    path(
        "alert-sources/<int:source_id>/revoke/",
        views.alert_source_revoke,
        name="alert_source_revoke",
    ),
]
