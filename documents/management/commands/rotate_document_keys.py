from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from documents.services import documents_rotate


class Command(BaseCommand):
    help = (
        "Bring every medical document under the newest key in DOCUMENT_KEYS (the first): documents "
        "stored before per-document keys get a data key of their own (their file is rewritten), the "
        "others only have their data key re-wrapped. Safe to run again; once it reports no failure, "
        "older keys can be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=100, help="Documents loaded per query (default 100).")

    def handle(self, *args, **options):
        report = documents_rotate(now=timezone.now(), batch_size=options["batch_size"])
        summary = (
            f"Moved {report.migrated} documents to a data key of their own; "
            f"re-wrapped {report.rotated} data keys under the newest key; "
            f"{report.current} were already under it; {report.failed} could not be read."
        )
        if report.failed:
            raise CommandError(summary + " Keep the older keys until the failures are resolved (see the log).")
        self.stdout.write(self.style.SUCCESS(summary))
