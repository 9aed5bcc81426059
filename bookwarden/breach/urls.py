"""The breach pages (CR-6e), under /breaches/."""

from django.urls import path

from . import views

app_name = "breach"
urlpatterns = [
    path("", views.breach_list, name="list"),
    # Linked from an incident of the operations log.
    path("new/<int:entry_id>/", views.breach_declare, name="declare"),
    path("<int:breach_id>/", views.breach_detail, name="detail"),
    path("<int:breach_id>/scope/", views.breach_scope, name="scope"),
    path("<int:breach_id>/list-affected/", views.breach_list_affected, name="list_affected"),
    path("<int:breach_id>/add-patron/", views.breach_add_patron, name="add_patron"),
    path("<int:breach_id>/notify/", views.breach_notify, name="notify"),
    path("<int:breach_id>/letters/", views.breach_letters, name="letters"),
    path(
        "<int:breach_id>/affected/<int:affected_id>/mark-sent/",
        views.breach_mark_sent,
        name="mark_sent",
    ),
    path("<int:breach_id>/review/", views.breach_review, name="review"),
]
