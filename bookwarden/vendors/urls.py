from django.urls import path

from . import views

app_name = "vendors"

urlpatterns = [
    path("", views.vendor_list, name="list"),
    path("data-map/", views.data_map, name="data_map"),
    path("data-map.csv", views.data_map_csv, name="data_map_csv"),
    path("new/<slug:slug>/", views.vendor_add, name="add"),
    path("<int:vendor_id>/", views.vendor_detail, name="detail"),
    path("<int:vendor_id>/edit/", views.vendor_edit, name="edit"),
    path("<int:vendor_id>/remove/", views.vendor_remove, name="remove"),
    path("<int:vendor_id>/review/", views.vendor_review, name="review"),
    path("<int:vendor_id>/incidents/", views.vendor_incident, name="incident"),
    path("<int:vendor_id>/terms/", views.terms_document, name="terms"),
]
