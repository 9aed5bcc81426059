from django.urls import include, path

urlpatterns = [
    path("", include("bookwarden.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("audit/", include("bookwarden.audit.urls")),
    path("patrons/", include("bookwarden.patrons.urls")),
    path("jobs/", include("bookwarden.jobs.urls")),
    # The patron portal: its own URL space, login and layout (NM-7, CR-6b).
    path("portal/", include("bookwarden.portal.urls")),
]

handler403 = "bookwarden.core.errors.forbidden"
handler404 = "bookwarden.core.errors.not_found"
