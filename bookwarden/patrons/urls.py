from django.urls import path

from . import views

urlpatterns = [
    path("", views.patron_search, name="patron_search"),
    path("new/", views.patron_register, name="patron_register"),
    path("last-borrower/", views.last_borrower_view, name="last_borrower"),
    path("<int:patron_id>/", views.patron_detail, name="patron_detail"),
    path("<int:patron_id>/edit/", views.patron_edit, name="patron_edit"),
    path("<int:patron_id>/cards/new/", views.issue_card, name="patron_issue_card"),
    path("<int:patron_id>/records/", views.patron_records, name="patron_records"),
    path(
        "<int:patron_id>/records/<int:opening_id>/",
        views.patron_record_opening,
        name="patron_record_opening",
    ),
    path("<int:patron_id>/report-card/", views.report_card, name="patron_report_card"),
    path("<int:patron_id>/cards/renew/", views.renew_card, name="patron_renew_card"),
    path("<int:patron_id>/pin/", views.set_pin, name="patron_set_pin"),
    path("<int:patron_id>/openings/", views.patron_openings, name="patron_openings"),
]
