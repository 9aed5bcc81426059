from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("resend/", views.resend_failed, name="resend"),
]
