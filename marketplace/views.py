from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import terms_current
from marketplace.health import health_report


def home(request):
    return render(request, "marketplace/home.html")


def search(request):
    """The search page; results come with the providers catalogue (issue #4)."""
    context = {"q": request.GET.get("q", "")[:200], "destination": request.GET.get("destination", "")[:200]}
    return render(request, "marketplace/search.html", context)


def terms(request):
    return render(request, "marketplace/legal/terms.html", {"terms": terms_current(now=timezone.now())})


def legal_notice(request):
    return render(request, "marketplace/legal/notice.html", {"operator": settings.OPERATOR})


@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz(request):
    """200 when every part answers, 503 otherwise, with what each part said."""
    healthy, report = health_report()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503)
