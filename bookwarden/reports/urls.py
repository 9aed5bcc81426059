from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("numbers/<slug:chart>.csv", views.chart_csv, name="chart_csv"),
    path("<slug:slug>/", views.library_dashboard, name="library"),
    path("<slug:slug>/numbers/<slug:chart>.csv", views.library_chart_csv, name="library_chart_csv"),
    path("<slug:slug>/board/", views.board_report, name="board"),
    path("<slug:slug>/board/pdf/", views.board_report_pdf, name="board_pdf"),
    path("<slug:slug>/package/", views.auditor_package, name="package"),
]
