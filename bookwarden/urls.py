from django.urls import include, path

urlpatterns = [
    path("", include("bookwarden.core.urls")),
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
    path("reports/", include("bookwarden.reports.urls")),
    path("compliance/", include("bookwarden.compliance.urls")),
    # The patron portal: its own URL space, login and layout (NM-7, CR-6b).
    path("portal/", include("bookwarden.portal.urls")),
]

handler403 = "bookwarden.core.errors.forbidden"
handler404 = "bookwarden.core.errors.not_found"
