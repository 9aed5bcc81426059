from django.urls import path

from . import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.case_open, name="open"),
    path("<int:case_id>/", views.case_detail, name="case"),
    path("<int:case_id>/details/", views.step_details, name="details"),
    path("<int:case_id>/inform/", views.step_inform, name="inform"),
    path("<int:case_id>/isolate/", views.step_isolate, name="isolate"),
    path("<int:case_id>/hr-decision/", views.step_hr_decision, name="hr_decision"),
    path("<int:case_id>/contact/", views.step_contact, name="contact"),
    path("<int:case_id>/lock/", views.step_lock, name="lock"),
    path("<int:case_id>/refer/", views.step_refer, name="refer"),
    path("<int:case_id>/close/", views.step_close, name="close"),
    path("locks/<int:lock_id>/unlock/", views.unlock, name="unlock"),
    path("suspensions/", views.suspension_list, name="suspensions"),
    path("suspensions/<int:suspension_id>/end/", views.suspension_end, name="suspension_end"),
    path("patrons/<int:patron_id>/restrict/", views.restrict, name="restrict"),
    path(
        "restrictions/<int:restriction_id>/lift/", views.restriction_lift, name="restriction_lift"
    ),
    path("settings/<slug:slug>/", views.enforcement_settings, name="settings"),
]
