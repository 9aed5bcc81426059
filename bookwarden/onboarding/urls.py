from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<slug:slug>/", views.library_progress, name="library"),
    path("<slug:slug>/people/<int:user_id>/", views.person_progress, name="person"),
    path("<slug:slug>/settings/", views.library_settings, name="settings"),
]
