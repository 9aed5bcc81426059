from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.choose_library, name="choose"),
    path("language/", views.choose_language, name="language"),
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/login/", views.login, name="login"),
    path("<slug:slug>/logout/", views.logout, name="logout"),
    path("<slug:slug>/privacy/", views.privacy, name="privacy"),
    path("<slug:slug>/privacy/read/", views.privacy_read, name="privacy_read"),
    path("<slug:slug>/records/", views.records, name="records"),
    path("<slug:slug>/records/download.<str:fmt>", views.download, name="download"),
    path("<slug:slug>/reading-history/", views.reading_history, name="reading_history"),
    path("<slug:slug>/who-opened/", views.who_opened, name="who_opened"),
    path("<slug:slug>/pin/", views.change_pin, name="pin"),
]
