from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("retry/", views.retry_failed, name="retry"),
]
