"""Background work for data-rights requests: thin wrappers over the services."""

from celery import shared_task
from django.utils import timezone

from privacy.services.export import export_build, exports_expired_delete


@shared_task(acks_late=True)
def build_export(request_id: int) -> str:
    """Build a person's export (a ZIP, encrypted, in storage); safe to run twice."""
    request = export_build(request_id=request_id, now=timezone.now())
    return request.status


@shared_task(acks_late=True)
def delete_expired_exports() -> int:
    """Daily (beat): the blobs of export links that expired unused."""
    return exports_expired_delete(now=timezone.now())
