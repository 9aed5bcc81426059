from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("courses/<int:course_id>/", views.course_detail, name="course"),
    path("courses/<int:course_id>/quiz/", views.quiz, name="quiz"),
    path("courses/<int:course_id>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:course_id>/questions/new/", views.question_edit, name="question_new"),
    path(
        "courses/<int:course_id>/questions/<int:question_id>/",
        views.question_edit,
        name="question_edit",
    ),
    path("courses/<int:course_id>/sessions/new/", views.session_new, name="session_new"),
    path("courses/<int:course_id>/completions/", views.completion_record, name="completion_record"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("library/<slug:slug>/", views.overview, name="overview"),
    path("library/<slug:slug>/export/", views.export, name="export"),
    path("library/<slug:slug>/courses/", views.manage, name="manage"),
    path("library/<slug:slug>/courses/new/", views.course_new, name="course_new"),
    path("library/<slug:slug>/import/", views.import_page, name="import"),
]
