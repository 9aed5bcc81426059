from django.urls import path

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("session/locked/", views.session_locked, name="session_locked"),
    path("accounts/two-factor-required/", views.mfa_required, name="mfa_required"),
    path("accounts/security/", views.account_security, name="account_security"),
    path("it/", views.it_hub, name="it_hub"),
    path("libraries/<slug:slug>/", views.library_detail, name="library_detail"),
    path("libraries/<slug:slug>/settings/", views.library_settings, name="library_settings"),
    path("libraries/<slug:slug>/staff/", views.staff_list, name="staff_list"),
    path("libraries/<slug:slug>/staff/new/", views.staff_create, name="staff_create"),
    path("libraries/<slug:slug>/staff/<int:user_id>/", views.staff_detail, name="staff_detail"),
    path("libraries/<slug:slug>/staff/<int:user_id>/roles/", views.role_add, name="role_add"),
    path(
        "libraries/<slug:slug>/staff/<int:user_id>/reset-two-factor/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path(
        "libraries/<slug:slug>/staff/<int:user_id>/unlock-sign-in/",
        views.sign_in_unlock,
        name="sign_in_unlock",
    ),
    path("libraries/<slug:slug>/roles/<int:pk>/", views.membership_edit, name="membership_edit"),
    path(
        "libraries/<slug:slug>/roles/<int:pk>/revoke/",
        views.membership_revoke,
        name="membership_revoke",
    ),
]
