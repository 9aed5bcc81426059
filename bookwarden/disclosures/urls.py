from django.urls import path

from . import public_views, views

app_name = "disclosures"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:request_id>/", views.request_detail, name="detail"),
    path("<int:request_id>/counsel/", views.request_counsel, name="counsel"),
    path("<int:request_id>/decide/", views.request_decide, name="decide"),
    path("<int:request_id>/fulfil/", views.request_fulfil, name="fulfil"),
    path("<int:request_id>/notify/", views.request_notify, name="notify"),
    path("<int:request_id>/close/", views.request_close, name="close"),
    path("<int:request_id>/documents/", views.document_add, name="document_add"),
    path(
        "<int:request_id>/documents/<int:document_id>/",
        views.document_download,
        name="document",
    ),
    path("<int:request_id>/packet/", views.packet_download, name="packet"),
    path("<int:request_id>/letter/", views.refusal_letter, name="letter"),
    path("open-records/", public_views.open_records_list, name="open_records"),
    path("open-records/new/", public_views.open_records_new, name="open_records_new"),
    path(
        "open-records/<int:open_id>/",
        public_views.open_records_detail,
        name="open_records_detail",
    ),
    path(
        "open-records/<int:open_id>/file/", public_views.open_records_file, name="open_records_file"
    ),
    path(
        "transparency/<slug:slug>/",
        public_views.transparency_page,
        name="transparency_current",
    ),
    path(
        "transparency/<slug:slug>/<int:year>/", public_views.transparency_page, name="transparency"
    ),
    path(
        "transparency/<slug:slug>/<int:year>.csv",
        public_views.transparency_csv,
        name="transparency_csv",
    ),
    path("policy/<slug:slug>/", views.policy_page, name="policy"),
    path(
        "policy/<slug:slug>/rules/<int:rule_id>/remove/",
        views.policy_rule_remove,
        name="policy_rule_remove",
    ),
]
