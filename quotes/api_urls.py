"""Quote API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from quotes import api

urlpatterns = [
    path("quote-requests/", api.QuoteRequestListAPI.as_view(), name="api_quote_requests"),
    path("quote-requests/<int:request_id>/", api.QuoteRequestAPI.as_view(), name="api_quote_request"),
    path(
        "quote-requests/<int:request_id>/withdraw/",
        api.QuoteRequestWithdrawAPI.as_view(),
        name="api_quote_request_withdraw",
    ),
    path("quotes/<int:quote_id>/accept/", api.QuoteAcceptAPI.as_view(), name="api_quote_accept"),
    path("quotes/<int:quote_id>/decline/", api.QuoteDeclineAPI.as_view(), name="api_quote_decline"),
    path("tenders/", api.TenderListAPI.as_view(), name="api_tenders"),
    path("tenders/<int:tender_id>/", api.TenderAPI.as_view(), name="api_tender"),
    path("tenders/<int:tender_id>/comparison/", api.TenderComparisonAPI.as_view(), name="api_tender_comparison"),
    path("my/providers/<int:provider_id>/quote-requests/", api.InboxAPI.as_view(), name="api_inbox"),
    path(
        "my/providers/<int:provider_id>/quote-requests/<int:request_id>/quotes/",
        api.InboxQuoteAPI.as_view(),
        name="api_inbox_quote",
    ),
    path(
        "my/providers/<int:provider_id>/quotes/<int:quote_id>/withdraw/",
        api.InboxQuoteWithdrawAPI.as_view(),
        name="api_inbox_quote_withdraw",
    ),
]
