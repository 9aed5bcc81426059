from django.urls import path

from .views import cases, holds, restrictions

app_name = "enforcement"
urlpatterns = [
    path("", cases.case_list, name="list"),
    path("open/", cases.case_open, name="open"),
    path("<int:case_id>/", cases.case_detail, name="case"),
    path("<int:case_id>/details/", cases.step_details, name="details"),
    path("<int:case_id>/inform/", cases.step_inform, name="inform"),
    path("<int:case_id>/isolate/", cases.step_isolate, name="isolate"),
    path("<int:case_id>/hr-decision/", cases.step_hr_decision, name="hr_decision"),
    path("<int:case_id>/contact/", cases.step_contact, name="contact"),
    path("<int:case_id>/lock/", holds.step_lock, name="lock"),
    path("<int:case_id>/refer/", cases.step_refer, name="refer"),
    path("<int:case_id>/close/", cases.step_close, name="close"),
    path("locks/<int:lock_id>/unlock/", holds.unlock, name="unlock"),
    path("suspensions/", holds.suspension_list, name="suspensions"),
    path("suspensions/<int:suspension_id>/end/", holds.suspension_end, name="suspension_end"),
    path("patrons/<int:patron_id>/restrict/", restrictions.restrict, name="restrict"),
    path(
        "restrictions/<int:restriction_id>/lift/",
        restrictions.restriction_lift,
        name="restriction_lift",
    ),
    path("settings/<slug:slug>/", cases.enforcement_settings, name="settings"),
]
