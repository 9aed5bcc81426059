from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("libraries/<slug:slug>/second-factor/", views.second_factor_trust, name="trust"),
]
