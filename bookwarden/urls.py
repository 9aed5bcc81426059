from django.urls import include, path

from bookwarden.sso import views as sso_views

urlpatterns = [
    path("", include("bookwarden.core.urls")),
    # Linking outside accounts to one's own is not offered (bookwarden.sso): before allauth's.
    path("accounts/3rdparty/", sso_views.not_offered, name="sso_linking_not_offered"),
    path("accounts/", include("allauth.urls")),
    path("audit/", include("bookwarden.audit.urls")),
    path("patrons/", include("bookwarden.patrons.urls")),
    path("jobs/", include("bookwarden.jobs.urls")),
    path("mail/", include("bookwarden.mail.urls")),
    path("operations/", include("bookwarden.operations.urls")),
    path("enforcement/", include("bookwarden.enforcement.urls")),
    path("breaches/", include("bookwarden.breach.urls")),
    path("disclosures/", include("bookwarden.disclosures.urls")),
    path("policies/", include("bookwarden.policies.urls")),
    path("training/", include("bookwarden.training.urls")),
    path("people/", include("bookwarden.people.urls")),
    path("onboarding/", include("bookwarden.onboarding.urls")),
    path("devices/", include("bookwarden.devices.urls")),
    path("credentials/", include("bookwarden.credentials.urls")),
    path("software/", include("bookwarden.software.urls")),
    path("vendors/", include("bookwarden.vendors.urls")),
    path("backups/", include("bookwarden.backups.urls")),
    # The REST API, its schema and documentation, tokens and alert sources (docs/api.md).
    path("api/", include("bookwarden.api.urls")),
    path("reports/", include("bookwarden.reports.urls")),
    path("compliance/", include("bookwarden.compliance.urls")),
    path("sso/", include("bookwarden.sso.urls")),
    # The patron portal: its own URL space, login and layout (NM-7, CR-6b).
    path("portal/", include("bookwarden.portal.urls")),
]

handler403 = "bookwarden.core.errors.forbidden"
handler404 = "bookwarden.core.errors.not_found"
