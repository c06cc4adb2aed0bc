"""Reviews' work on the careteam's case board (`core.hooks.case_items`).

- a review (of a provider, or of an interpreter or driver) awaiting moderation: new, due 10 working
  days after its submission (overdue after);
- a provider's report of a review: waiting while its author may answer (due when their 7 days end),
  then new (the careteam keeps or removes it), due 10 working days after the answer or the 7th day.

Titles name the provider or supplier and the review's number, never what the review says (it may
hold health details until moderated).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from core.cases import CaseItem, CaseStage
from reviews.models import ReportStatus
from reviews.selectors import moderation_queue, open_reports, supplier_moderation_queue
from reviews.services import moderation_due

# Not in core.cases.CaseQueue: the board labels an unknown queue by its words ("Review").
QUEUE = "review"


def case_items(*, now: dt.datetime) -> list[CaseItem]:
    url = reverse("reviews:moderation")
    items = [
        CaseItem(
            key=f"reviews.review:{review.pk}",
            queue=QUEUE,
            title=_("Moderate review #%(number)s of %(provider)s")
            % {"number": review.pk, "provider": review.provider.name},
            stage=CaseStage.NEW,
            opened_at=review.submitted_at,
            url=f"{url}#review-{review.pk}",
            due_at=review.moderation_due_at,
            patient_id=review.author_id,
            summary=_("Check it against the review charter, then publish or reject it."),
            audit_targets=(("reviews.review", str(review.pk)),),
        )
        for review in moderation_queue()
    ]
    items += [
        CaseItem(
            key=f"reviews.supplierreview:{review.pk}",
            queue=QUEUE,
            title=_("Moderate review #%(number)s of %(supplier)s")
            % {"number": review.pk, "supplier": review.supplier.name},
            stage=CaseStage.NEW,
            opened_at=review.submitted_at,
            url=f"{url}#supplier-review-{review.pk}",
            due_at=review.moderation_due_at,
            city=review.supplier.city,
            patient_id=review.author_id,
            summary=_("Check it against the review charter, then publish or reject it."),
            audit_targets=(("reviews.supplierreview", str(review.pk)),),
        )
        for review in supplier_moderation_queue()
    ]
    for report in open_reports():
        waiting = report.status == ReportStatus.AWAITING_AUTHOR and now < report.respond_by
        decidable_from = report.responded_at or report.respond_by
        items.append(
            CaseItem(
                key=f"reviews.report:{report.pk}",
                queue=QUEUE,
                title=_("Report on review #%(number)s of %(provider)s")
                % {"number": report.review_id, "provider": report.review.provider.name},
                stage=CaseStage.WAITING if waiting else CaseStage.NEW,
                opened_at=report.reported_at,
                url=f"{url}#report-{report.pk}",
                due_at=report.respond_by if waiting else moderation_due(decidable_from),
                patient_id=report.review.author_id,
                summary=_("The author may answer until their 7 days end.")
                if waiting
                else _("Decide: keep or remove the review."),
                audit_targets=(("reviews.review", str(report.review_id)), ("reviews.reviewreport", str(report.pk))),
            )
        )
    return items
