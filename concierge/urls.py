from django.urls import URLPattern, URLResolver, path

from concierge.views import visa

app_name = "concierge"

urlpatterns: list[URLPattern | URLResolver] = [
    # Visa invitation letters
    path("bookings/<int:booking_id>/visa-letters/", visa.visa_order, name="visa_order"),
    path("letters/<int:letter_id>/letter.pdf", visa.visa_letter_download, name="visa_letter_download"),
    path("letters/verify/<str:code>/", visa.visa_verify, name="visa_verify"),
    path("letters/<int:letter_id>/revoke/", visa.visa_letter_revoke_page, name="visa_letter_revoke"),
    path("careteam/letters/", visa.visa_letters_careteam, name="visa_letters_careteam"),
]
