"""/api/v1/reviews/… endpoints (reviews/api.py owns its patterns)."""

from __future__ import annotations

from reviews.api import urlpatterns as api_patterns

app_name = "reviews-api"

urlpatterns = [*api_patterns]
