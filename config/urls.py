import posixpath

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from accounts.views import admin_login, set_language_view
from core.health import healthz
from documents.models import STORAGE_DIR
from providers import urls as providers_urls
from storefront import urls as storefront_urls

# The admin signs in through allauth (rate limits, e-mail verification, MFA), never on its own form:
# its login view only redirects (accounts.views.admin_login). (Replacing the one site's bound method
# is the point; mypy refuses assignments to methods.)
admin.site.login = admin_login  # type: ignore[method-assign]


def debug_media(request: HttpRequest, path: str) -> HttpResponseBase:
    """The media files for the development server (DEBUG): provider photos. Medical documents live
    in the same storage, encrypted, and are served only by the download views, which check who
    asks: never here, however their path is spelled (`x/../documents/…`, `Documents/…`)."""
    if posixpath.normpath("/" + path).lstrip("/").lower().split("/")[0] == STORAGE_DIR:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


api_v1: list[URLPattern | URLResolver] = [
    path("auth/signup/", accounts_api.SignupAPI.as_view(), name="api_signup"),
    path("auth/token/", accounts_api.TokenAPI.as_view(), name="api_token"),
    path("auth/tokens/", accounts_api.ApiTokenListAPI.as_view(), name="api_tokens"),
    path("auth/tokens/<int:pk>/", accounts_api.ApiTokenDetailAPI.as_view(), name="api_token_detail"),
    path("auth/logout/", accounts_api.LogoutAPI.as_view(), name="api_logout"),
    path("me", accounts_api.MeAPI.as_view(), name="api_me"),
    path("me/terms", accounts_api.MeTermsAPI.as_view(), name="api_me_terms"),
    path("account/profile/", accounts_api.AccountProfileAPI.as_view(), name="api_account_profile"),
    path("", include("storefront.api_urls")),
]

urlpatterns = [
    path("", include(storefront_urls.urlpatterns)),
    path("healthz", healthz, name="healthz"),
    # The language switch keeps a signed-in person's choice on their account (accounts/views.py).
    path("i18n/setlang/", set_language_view, name="set_language"),
    # One "providers" namespace: the providers' own pages, then their public page, which the storefront serves.
    path("providers/", include((providers_urls.urlpatterns + storefront_urls.provider_urlpatterns, "providers"))),
    path("documents/", include("documents.urls")),
    path("bookings/", include("bookings.urls")),
    path("quotes/", include("quotes.urls")),
    path("payments/", include("payments.urls")),
    path("services/", include("concierge.urls")),
    path("careteam/", include("careteam.urls")),
    path("second-opinion/", include("secondopinion.urls")),
    path("privacy/", include("privacy.urls")),
    path("messages/", include("messaging.urls")),
    path("reviews/", include("reviews.urls")),
    path("disputes/", include("disputes.urls")),
    path("payments/stripe/", include("payments.webhook_urls")),
    path("finance/", include("payments.finance_urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/v1/", include("providers.api_urls")),
    path("api/v1/", include("documents.api_urls")),
    path("api/v1/", include("quotes.api_urls")),
    path("api/v1/", include("bookings.api_urls")),
    path("api/v1/", include("payments.booking_api_urls")),
    path("api/v1/concierge/board/", include("careteam.api_urls")),
    path("api/v1/concierge/", include("concierge.api_urls")),
    path("api/v1/second-opinions/", include("secondopinion.api_urls")),
    path("api/v1/privacy/", include("privacy.api_urls")),
    path("api/v1/messages/", include("messaging.api_urls")),
    path("api/v1/reviews/", include("reviews.api_urls")),
    path("api/v1/disputes/", include("disputes.api_urls")),
    path("api/v1/finance/", include("payments.finance_api_urls")),
    path("api/v1/notifications/", include("notifications.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script from a URL rather than inline, so script-src stays
    # 'self'; Swagger UI's own page still has a <style> block and draws icons from data: URLs.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api_schema")
        ),
        name="api_docs",
    ),
]

if settings.DEBUG:
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", debug_media, name="media"))

# The error pages in the site's layout (core/error_pages.py; 403 and 500 are Django's own handlers
# rendering templates/403.html and templates/500.html).
handler404 = "core.error_pages.page_not_found"
