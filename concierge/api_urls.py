"""Concierge's API routes, mounted at /api/v1/concierge/."""

from django.urls import URLPattern, URLResolver, path

from concierge.api import catalogue, orders, packages, visa

urlpatterns: list[URLPattern | URLResolver] = [
    path("orders/", orders.OrdersAPI.as_view(), name="api_concierge_orders"),
    path("orders/preview/", orders.OrderPreviewAPI.as_view(), name="api_concierge_order_preview"),
    path("orders/<int:order_id>/", orders.OrderAPI.as_view(), name="api_concierge_order"),
    path("orders/<int:order_id>/pay/start/", orders.OrderPayStartAPI.as_view(), name="api_concierge_order_pay_start"),
    path("orders/<int:order_id>/pay/", orders.OrderPayAPI.as_view(), name="api_concierge_order_pay"),
    path(
        "orders/<int:order_id>/pay/confirm/",
        orders.OrderPayConfirmAPI.as_view(),
        name="api_concierge_order_pay_confirm",
    ),
    path("orders/<int:order_id>/payment/", orders.OrderPaymentAPI.as_view(), name="api_concierge_order_payment"),
    path(
        "orders/<int:order_id>/payment/confirm/",
        orders.OrderPaymentConfirmAPI.as_view(),
        name="api_concierge_order_payment_confirm",
    ),
    path("orders/<int:order_id>/cancel/", orders.OrderCancelAPI.as_view(), name="api_concierge_order_cancel"),
    path("orders/<int:order_id>/assign/", orders.OrderAssignAPI.as_view(), name="api_concierge_order_assign"),
    path("orders/<int:order_id>/fulfil/", orders.OrderFulfilAPI.as_view(), name="api_concierge_order_fulfil"),
    path("orders/<int:order_id>/hours/", orders.OrderHoursAPI.as_view(), name="api_concierge_order_hours"),
    path("visa-letters/", visa.VisaLetterListAPI.as_view(), name="api_visa_letters"),
    path("visa-letters/<int:letter_id>/pdf/", visa.VisaLetterPdfAPI.as_view(), name="api_visa_letter_pdf"),
    path("visa-letters/<int:letter_id>/revoke/", visa.VisaLetterRevokeAPI.as_view(), name="api_visa_letter_revoke"),
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
    path(
        "assistance/<int:order_id>/refuse/",
        packages.AssistanceRefuseAPI.as_view(),
        name="api_concierge_assistance_refuse",
    ),
    path(
        "assistance/<int:order_id>/complete/",
        packages.AssistanceCompleteAPI.as_view(),
        name="api_concierge_assistance_complete",
    ),
    path("orders/<int:order_id>/refund/", orders.OrderRefundAPI.as_view(), name="api_concierge_order_refund"),
    path("catalogue/", catalogue.CatalogueAPI.as_view(), name="api_concierge_catalogue"),
    path("prices/", catalogue.PriceListsAPI.as_view(), name="api_concierge_prices"),
    path("prices/<int:price_id>/approve/", catalogue.PriceApproveAPI.as_view(), name="api_concierge_price_approve"),
    path("prices/<int:price_id>/reject/", catalogue.PriceRejectAPI.as_view(), name="api_concierge_price_reject"),
    path("suppliers/", catalogue.SuppliersAPI.as_view(), name="api_concierge_suppliers"),
    path("suppliers/<int:supplier_id>/", catalogue.SupplierAPI.as_view(), name="api_concierge_supplier"),
]
