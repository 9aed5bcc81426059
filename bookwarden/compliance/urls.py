from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.control_list, name="list"),
    path("<slug:slug>/own/", views.own_controls, name="own"),
    path("<slug:slug>/checklists/", views.checklists, name="checklists"),
    path("<slug:slug>/controls/<slug:control_id>/", views.control_detail, name="detail"),
    path(
        "<slug:slug>/controls/<slug:control_id>/not-applicable/",
        views.not_applicable,
        name="not_applicable",
    ),
    path(
        "<slug:slug>/controls/<slug:control_id>/applicable/",
        views.applicable,
        name="applicable",
    ),
    path("<slug:slug>/controls/<slug:control_id>/answer/", views.answer, name="answer"),
]
