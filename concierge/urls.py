from django.urls import URLPattern, URLResolver, path

from concierge.views import catalogue

app_name = "concierge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("prices/", catalogue.price_list, name="price_list"),
    path("prices/propose/", catalogue.price_propose, name="price_propose"),
    path("prices/<int:pk>/decide/", catalogue.price_decide, name="price_decide"),
    path("suppliers/", catalogue.supplier_list, name="supplier_list"),
    path("suppliers/new/", catalogue.supplier_create_page, name="supplier_create"),
    path("suppliers/<int:pk>/", catalogue.supplier_edit, name="supplier_edit"),
]
