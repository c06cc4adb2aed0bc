"""The Celery application. Settings come from Django's settings under the CELERY_ prefix.

Without REDIS_URL, CELERY_TASK_ALWAYS_EAGER is on and tasks run in the calling process, so the
embedded default needs no broker. Start a worker with `make worker`.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("medibroker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
