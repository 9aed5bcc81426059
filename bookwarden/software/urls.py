from django.urls import path

from . import views

app_name = "software"

urlpatterns = [
    path("", views.software_list, name="list"),
    path("<int:software_id>/", views.software_detail, name="detail"),
    path("<int:software_id>/edit/", views.software_edit, name="edit"),
    path("library/<slug:slug>/new/", views.software_new, name="new"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/mine/", views.my_requests, name="my_requests"),
    path("requests/", views.queue, name="queue"),
    path("requests/<int:software_request_id>/", views.request_detail, name="request"),
    path("requests/<int:software_request_id>/decide/", views.decide, name="decide"),
]
