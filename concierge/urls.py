from django.urls import URLPattern, URLResolver

app_name = "concierge"

urlpatterns: list[URLPattern | URLResolver] = []
