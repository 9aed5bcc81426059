from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.control_list, name="list"),
]
