"""The project's URLs, plus a stand-in for `concierge:order_pay` (the card page of any order, built
on the order pages' branch) where this branch does not have it yet: the visa tests check that
ordering sends the patient to it, by its URL's shape."""

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, include, path

import concierge.urls
from config.urls import urlpatterns as project_urlpatterns

_concierge: list[URLPattern | URLResolver] = list(concierge.urls.urlpatterns)
if not any(getattr(pattern, "name", None) == "order_pay" for pattern in _concierge):
    _concierge.append(path("orders/<int:pk>/pay/", lambda request, pk: HttpResponse("card page"), name="order_pay"))

urlpatterns = [
    path("services/", include((_concierge, "concierge"))) if getattr(p, "app_name", None) == "concierge" else p
    for p in project_urlpatterns
]
