from django.urls import URLPattern, URLResolver, path

from concierge.api import catalogue

urlpatterns: list[URLPattern | URLResolver] = [
    path("catalogue/", catalogue.CatalogueAPI.as_view(), name="api_concierge_catalogue"),
    path("prices/", catalogue.PriceListsAPI.as_view(), name="api_concierge_prices"),
    path("prices/<int:price_id>/approve/", catalogue.PriceApproveAPI.as_view(), name="api_concierge_price_approve"),
    path("prices/<int:price_id>/reject/", catalogue.PriceRejectAPI.as_view(), name="api_concierge_price_reject"),
    path("suppliers/", catalogue.SuppliersAPI.as_view(), name="api_concierge_suppliers"),
    path("suppliers/<int:supplier_id>/", catalogue.SupplierAPI.as_view(), name="api_concierge_supplier"),
]
