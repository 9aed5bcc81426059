from django.urls import path

from . import views

app_name = "backups"
urlpatterns = [
    path("", views.backup_list, name="list"),
]
