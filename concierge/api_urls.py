from django.urls import URLPattern, URLResolver, path

from concierge.api import catalogue, packages

urlpatterns: list[URLPattern | URLResolver] = [
    # VIP packages and careteam assistance
    path("vip/", packages.VipRequestAPI.as_view(), name="api_concierge_vip"),
    path("assistance/", packages.AssistanceRequestAPI.as_view(), name="api_concierge_assistance"),
    path("packages/<int:order_id>/", packages.PackageAPI.as_view(), name="api_concierge_package"),
    path("packages/<int:order_id>/accept/", packages.PackageAcceptAPI.as_view(), name="api_concierge_package_accept"),
    path(
        "packages/<int:order_id>/decline/", packages.PackageDeclineAPI.as_view(), name="api_concierge_package_decline"
    ),
    path(
        "assistance/<int:order_id>/revoke-mandate/",
        packages.MandateRevokeAPI.as_view(),
        name="api_concierge_mandate_revoke",
    ),
    path("packages/<int:order_id>/items/", packages.PackageItemsAPI.as_view(), name="api_concierge_package_items"),
    path("packages/<int:order_id>/send/", packages.PackageSendAPI.as_view(), name="api_concierge_package_send"),
    path("package-items/<int:item_id>/", packages.PackageItemAPI.as_view(), name="api_concierge_package_item"),
    path(
        "package-items/<int:item_id>/move/",
        packages.PackageItemMoveAPI.as_view(),
        name="api_concierge_package_item_move",
    ),
    path(
        "assistance/<int:order_id>/quote/", packages.AssistanceQuoteAPI.as_view(), name="api_concierge_assistance_quote"
    ),
    path("catalogue/", catalogue.CatalogueAPI.as_view(), name="api_concierge_catalogue"),
    path("prices/", catalogue.PriceListsAPI.as_view(), name="api_concierge_prices"),
    path("prices/<int:price_id>/approve/", catalogue.PriceApproveAPI.as_view(), name="api_concierge_price_approve"),
    path("prices/<int:price_id>/reject/", catalogue.PriceRejectAPI.as_view(), name="api_concierge_price_reject"),
    path("suppliers/", catalogue.SuppliersAPI.as_view(), name="api_concierge_suppliers"),
    path("suppliers/<int:supplier_id>/", catalogue.SupplierAPI.as_view(), name="api_concierge_supplier"),
]
