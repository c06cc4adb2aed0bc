from django.urls import URLPattern, URLResolver, path

from concierge.api import visa

urlpatterns: list[URLPattern | URLResolver] = [
    path("visa-letters/", visa.VisaLetterListAPI.as_view(), name="api_visa_letters"),
    path("visa-letters/<int:letter_id>/pdf/", visa.VisaLetterPdfAPI.as_view(), name="api_visa_letter_pdf"),
    path("visa-letters/<int:letter_id>/revoke/", visa.VisaLetterRevokeAPI.as_view(), name="api_visa_letter_revoke"),
]
