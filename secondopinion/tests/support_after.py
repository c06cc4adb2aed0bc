"""Cases at the step after the opinion, built as rows (the specialists' side writes them for real):
accepted by Dr Martin, her signed opinion stored as Alice's PDF document, delivered at `now`."""

from __future__ import annotations

import datetime as dt

from documents.tests import samples
from documents.tests.helpers import upload_file
from secondopinion.models import CaseDocument, CaseQuestion, CaseStatus, DocumentRole, Opinion, OpinionCase

OPINION_TEXT = "Second opinion: surgery not needed yet"


def delivered_case(
    *,
    patient,
    specialty,
    specialist,
    signer,
    diagnosis,
    now: dt.datetime,
    status: str = CaseStatus.OPINION_DELIVERED,
    delivered_at: dt.datetime | None = None,
) -> OpinionCase:
    """A paid case whose opinion `specialist` (signed by `signer`) delivered at `delivered_at` (default: `now`)."""
    delivered = delivered_at or now
    start = delivered - dt.timedelta(days=4)
    case = OpinionCase.objects.create(
        patient=patient,
        specialty=specialty,
        language="en",
        status=status,
        consent_at=start,
        specialist=specialist,
        chosen_at=start + dt.timedelta(hours=2),
        accepted_at=start + dt.timedelta(hours=3),
        clock_started_at=start,
        delivered_at=delivered,
        created_at=start,
        updated_at=delivered,
    )
    CaseDocument.objects.create(case=case, document=diagnosis, role=DocumentRole.FIRST_DIAGNOSIS, added_at=start)
    CaseQuestion.objects.create(case=case, position=1, text="Do I need surgery now?")
    CaseQuestion.objects.create(case=case, position=2, text="What should I watch for?")
    pdf = upload_file(patient, samples.pdf(OPINION_TEXT), name="opinion.pdf", title=f"Second opinion #{case.pk}")
    Opinion.objects.create(
        case=case,
        specialist=specialist,
        case_summary="Grade 2 mitral regurgitation found on echocardiography.",
        diagnosis_review="The diagnosis is confirmed.",
        answers=["Not now: surgery is for grade 3 or symptoms.", "Breathlessness on effort."],
        options="Yearly echocardiography; surgery if it worsens.",
        recommendation="Watchful waiting with a check-up in 12 months.",
        in_person_advised=True,
        signed_at=delivered,
        signed_by=signer,
        verification_code=f"SO-{case.pk:06d}-ABCD",
        document=pdf,
        created_at=delivered - dt.timedelta(hours=5),
        updated_at=delivered,
    )
    return case
