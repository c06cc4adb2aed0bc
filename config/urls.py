import posixpath

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import api as accounts_api
from core.health import healthz
from documents.models import STORAGE_DIR
from providers import urls as providers_urls
from storefront import urls as storefront_urls

# The admin signs in through allauth (rate limits, e-mail verification, MFA), never on its own form.
# (Wrapping the one site's bound method is the point; mypy refuses assignments to methods.)
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]


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
    path("me", accounts_api.MeAPI.as_view(), name="api_me"),
    path("me/terms", accounts_api.MeTermsAPI.as_view(), name="api_me_terms"),
    path("", include("storefront.api_urls")),
]

urlpatterns = [
    path("", include(storefront_urls.urlpatterns)),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One "providers" namespace: the providers' own pages, then their public page, which the storefront serves.
    path("providers/", include((providers_urls.urlpatterns + storefront_urls.provider_urlpatterns, "providers"))),
    path("documents/", include("documents.urls")),
    path("bookings/", include("bookings.urls")),
    path("quotes/", include("quotes.urls")),
    path("payments/", include("payments.urls")),
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
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]

if settings.DEBUG:
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", debug_media, name="media"))
