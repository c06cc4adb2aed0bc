from django.urls import URLPattern, URLResolver, path

from concierge.views import catalogue, orders, packages, visa

app_name = "concierge"

urlpatterns: list[URLPattern | URLResolver] = [
    # the "Services" page, public; the patient's orders and their card page
    path("", orders.catalogue, name="catalogue"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/pay/", orders.pay, name="order_pay"),
    path("orders/<int:pk>/pay/start/", orders.pay_start, name="order_pay_start"),
    path("orders/<int:pk>/pay/card/", orders.pay_card, name="order_pay_card"),
    path("orders/<int:pk>/pay/confirm/", orders.pay_confirm, name="order_pay_confirm"),
    # the careteam's page for one order
    path("orders/<int:pk>/manage/", orders.order_manage, name="order_manage"),
    path("orders/<int:pk>/manage/refund/", orders.order_manage_refund, name="order_manage_refund"),
    path("orders/<int:pk>/manage/assign/", orders.order_assign, name="order_assign"),
    path("orders/<int:pk>/manage/hours/", orders.order_hours, name="order_hours"),
    path("orders/<int:pk>/manage/fulfil/", orders.order_fulfil, name="order_fulfil"),
    path("orders/<int:pk>/cancel/", orders.order_cancel, name="order_cancel"),
    # ordering from the booking's page, with a review step
    path("bookings/<int:booking_id>/transfer/", orders.transfer_order, name="transfer_order"),
    path("bookings/<int:booking_id>/interpreter/", orders.interpreter_order, name="interpreter_order"),
    # Visa invitation letters
    path("bookings/<int:booking_id>/visa-letters/", visa.visa_order, name="visa_order"),
    path("letters/<int:letter_id>/letter.pdf", visa.visa_letter_download, name="visa_letter_download"),
    path("letters/verify/<str:code>/", visa.visa_verify, name="visa_verify"),
    path("letters/<int:letter_id>/revoke/", visa.visa_letter_revoke_page, name="visa_letter_revoke"),
    path("careteam/letters/", visa.visa_letters_careteam, name="visa_letters_careteam"),
    # the careteam's prices (finance approves) and suppliers
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
