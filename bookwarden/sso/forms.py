from __future__ import annotations

from django import forms


class SecondFactorTrustForm(forms.Form):
    trust_provider_second_factor = forms.BooleanField(
        required=False,
        label="Trust the second factor the library's sign-in service checks",
        help_text="When on, people of this library who sign in with the library's accounts, "
        "and whose sign-in service says it asked for a second factor, are not asked for "
        "Bookwarden's 6-digit code as well.",
    )
