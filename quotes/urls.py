from django.urls import path

from quotes import views

app_name = "quotes"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_new, name="request_new"),
    path("<int:request_id>/", views.request_detail, name="request_detail"),
    path("<int:request_id>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("quote/<int:quote_id>/accept/", views.quote_accept, name="quote_accept"),
    path("quote/<int:quote_id>/decline/", views.quote_decline, name="quote_decline"),
    path("quote/<int:quote_id>/withdraw/", views.quote_withdraw, name="quote_withdraw"),
    path("tenders/new/<int:order_id>/", views.tender_start, name="tender_start"),
    path("tenders/<int:tender_id>/", views.tender_detail, name="tender_detail"),
    path("tenders/<int:tender_id>/comparison/", views.tender_comparison, name="tender_comparison"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:recipient_id>/", views.inbox_detail, name="inbox_detail"),
]
