from django.urls import path

from payments import webhook_views

urlpatterns = [
    path("webhook/", webhook_views.platform_webhook, name="stripe_webhook"),
    path("webhook/connect/", webhook_views.connect_webhook, name="stripe_connect_webhook"),
]
