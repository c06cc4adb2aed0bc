from django.urls import URLPattern, URLResolver, path

from concierge.views import catalogue, packages

app_name = "concierge"

urlpatterns: list[URLPattern | URLResolver] = [
    # VIP packages and careteam assistance
    path("vip/", packages.vip_request, name="vip_request"),
    path("assistance/", packages.assistance_request, name="assistance_request"),
    path("packages/<int:pk>/", packages.package_detail, name="package_detail"),
    path("packages/<int:pk>/accept/", packages.package_accept, name="package_accept"),
    path("packages/<int:pk>/decline/", packages.package_decline, name="package_decline"),
    path("packages/<int:pk>/revoke-mandate/", packages.mandate_revoke, name="mandate_revoke"),
    path("packages/<int:pk>/edit/", packages.package_edit, name="package_edit"),
    path("packages/<int:pk>/send/", packages.package_quote_send, name="package_quote_send"),
    path("packages/<int:pk>/price/", packages.assistance_price, name="assistance_price"),
    path("packages/<int:pk>/refuse/", packages.assistance_refuse, name="assistance_refuse"),
    path("packages/<int:pk>/complete/", packages.assistance_complete, name="assistance_complete"),
    path("packages/items/<int:item_id>/remove/", packages.package_item_remove, name="package_item_remove"),
    path("packages/items/<int:item_id>/move/", packages.package_item_move, name="package_item_move"),
    path("prices/", catalogue.price_list, name="price_list"),
    path("prices/propose/", catalogue.price_propose, name="price_propose"),
    path("prices/<int:pk>/decide/", catalogue.price_decide, name="price_decide"),
    path("suppliers/", catalogue.supplier_list, name="supplier_list"),
    path("suppliers/new/", catalogue.supplier_create_page, name="supplier_create"),
    path("suppliers/<int:pk>/", catalogue.supplier_edit, name="supplier_edit"),
]
