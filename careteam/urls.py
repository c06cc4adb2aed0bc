from django.urls import URLPattern, URLResolver

app_name = "careteam"

urlpatterns: list[URLPattern | URLResolver] = []
