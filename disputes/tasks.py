"""Thin Celery wrappers over the disputes' services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from disputes.services import disputes_close_answer_windows


@shared_task
def close_answer_windows() -> int:
    return disputes_close_answer_windows(now=timezone.now())
