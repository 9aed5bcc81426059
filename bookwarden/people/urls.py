from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("departures/", views.departures, name="departures"),
    path("<slug:slug>/departures/new/", views.departure_new, name="departure_new"),
    path("<slug:slug>/departures/<int:departure_id>/", views.departure_edit, name="departure"),
    path(
        "<slug:slug>/departures/<int:departure_id>/cancel/",
        views.departure_cancel,
        name="departure_cancel",
    ),
    path("account-reviews/", views.reviews, name="reviews"),
    path("<slug:slug>/account-reviews/start/", views.review_start, name="review_start"),
    path("<slug:slug>/account-reviews/settings/", views.review_settings, name="review_settings"),
    path("<slug:slug>/account-reviews/<int:review_id>/", views.review_detail, name="review"),
    path(
        "<slug:slug>/account-reviews/<int:review_id>/accounts/<int:item_id>/",
        views.review_item,
        name="review_item",
    ),
    path(
        "<slug:slug>/account-reviews/<int:review_id>/confirm-unflagged/",
        views.review_confirm_unflagged,
        name="review_confirm_unflagged",
    ),
    path(
        "<slug:slug>/account-reviews/<int:review_id>/finish/",
        views.review_finish,
        name="review_finish",
    ),
]
