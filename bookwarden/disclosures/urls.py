from django.urls import path

from .views import open_records, patron_letters, policy, requests, transparency

app_name = "disclosures"

urlpatterns = [
    path("", requests.request_list, name="list"),
    path("new/", requests.request_new, name="new"),
    path("<int:request_id>/", requests.request_detail, name="detail"),
    path("<int:request_id>/counsel/", requests.request_counsel, name="counsel"),
    path("<int:request_id>/patrons/", requests.request_identify, name="identify"),
    path("<int:request_id>/identity/", requests.request_identity, name="identity"),
    path("<int:request_id>/instrument/", requests.request_instrument, name="instrument"),
    path("<int:request_id>/override/", requests.request_override, name="override"),
    path("<int:request_id>/decide/", requests.request_decide, name="decide"),
    path("<int:request_id>/fulfil/", requests.request_fulfil, name="fulfil"),
    path("<int:request_id>/notify/", requests.request_notify, name="notify"),
    path("<int:request_id>/close/", requests.request_close, name="close"),
    path("<int:request_id>/documents/", requests.document_add, name="document_add"),
    path(
        "<int:request_id>/documents/<int:document_id>/",
        requests.document_download,
        name="document",
    ),
    path("<int:request_id>/packet/", requests.packet_download, name="packet"),
    path("<int:request_id>/letter/", requests.requester_letter, name="letter"),
    path(
        "<int:request_id>/patron-letters/",
        patron_letters.patron_letters,
        name="patron_letters",
    ),
    path("open-records/", open_records.open_records_list, name="open_records"),
    path("open-records/new/", open_records.open_records_new, name="open_records_new"),
    path(
        "open-records/<int:open_id>/",
        open_records.open_records_detail,
        name="open_records_detail",
    ),
    path(
        "open-records/<int:open_id>/file/", open_records.open_records_file, name="open_records_file"
    ),
    path(
        "transparency/<slug:slug>/",
        transparency.transparency_page,
        name="transparency_current",
    ),
    path(
        "transparency/<slug:slug>/<int:year>/", transparency.transparency_page, name="transparency"
    ),
    path(
        "transparency/<slug:slug>/<int:year>.csv",
        transparency.transparency_csv,
        name="transparency_csv",
    ),
    path("policy/<slug:slug>/", policy.policy_page, name="policy"),
    path(
        "policy/<slug:slug>/rules/<int:rule_id>/remove/",
        policy.policy_rule_remove,
        name="policy_rule_remove",
    ),
]
