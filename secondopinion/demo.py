"""Second opinions in the demo (`manage.py seed_demo`, never in production).

- Two orthopaedic surgeons give opinions: Dr Claire Dupont (Paris, €450) and Dr Javier Ortega
  (Madrid, €400), and the careteam's price of an orthopaedic second opinion is €450, approved by
  finance.
- Karim's request (in French) is paid and waits for the medical coordinator's triage.
- Amelia's request went the whole way: triaged, two specialists proposed, she chose Dr Ortega (the
  €50 difference back to her card), who accepted, wrote and signed the opinion: its PDF is in her
  documents, and she may ask follow-up questions or share it with her doctor.

Everything goes through the services, as the people would; the payments go to the local Stripe
emulator with the test card, so without it the requests are skipped (the profiles and price stay).
"""

from __future__ import annotations

import io

from django.utils import timezone
from fpdf import FPDF

from accounts.models import User
from concierge.models import AddonKind, PriceList, PriceListStatus
from concierge.services.catalogue import price_list_approve, price_list_propose
from concierge.services.orders import order_pay, order_start
from documents.models import MedicalDocument
from documents.services import document_upload
from payments.demo import demo_card_collect, demo_payments_possible
from providers.models import MemberRole, Provider, Specialty
from secondopinion.models import Candidate, DocumentRole, OpinionCase, SpecialistProfile
from secondopinion.services.requests import case_choose, case_draft_save, case_send
from secondopinion.services.specialists import case_accept, opinion_save_draft, opinion_sign, specialist_profile_save
from secondopinion.services.triage import case_shortlist, case_skills_set, case_take

SPECIALTY = "orthopaedic-surgery"
PRICE = 45_000  # €450.00, the careteam's price of an orthopaedic second opinion
SPECIALISTS = (
    # (practice's admin, languages, price in cents, timezone, country)
    ("claire.dupont@provider.test", ["fr", "en"], 45_000, "Europe/Paris", "FR"),
    ("javier.ortega@provider.test", ["es", "en"], 40_000, "Europe/Madrid", "ES"),
)
AMELIA = "amelia.hughes@example.test"
KARIM = "karim.benali@example.test"


def _report_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page letter from a treating doctor, as a patient would scan it."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _document(owner: User, title: str, lines: list[str]) -> MedicalDocument:
    return document_upload(owner=owner, upload=io.BytesIO(_report_pdf(title, lines)), title=title, now=timezone.now())


def _profiles() -> list[SpecialistProfile]:
    profiles = []
    for email, languages, price, zone, country in SPECIALISTS:
        # Their own practice (Dr Dupont also consults, as staff, at the Istanbul hospital).
        provider = Provider.objects.filter(members__user__email=email, members__role=MemberRole.ADMIN).first()
        if provider is None:
            continue
        profile = SpecialistProfile.objects.filter(provider=provider).first()
        if profile is None:
            profile = specialist_profile_save(
                provider=provider,
                actor=User.objects.get(email=email),
                specialties=[Specialty.objects.get(code=SPECIALTY)],
                languages=languages,
                price_amount=price,
                currency="EUR",
                weekly_capacity=5,
                timezone=zone,
                country=country,
                active=True,
                now=timezone.now(),
            )
        profiles.append(profile)
    return profiles


def _price() -> None:
    specialty = Specialty.objects.get(code=SPECIALTY)
    prices = PriceList.objects.filter(kind=AddonKind.SECOND_OPINION, specialty=specialty, currency="EUR")
    if prices.filter(status=PriceListStatus.ACTIVE).exists():
        return
    now = timezone.now()
    pending = prices.filter(status=PriceListStatus.PENDING).first() or price_list_propose(
        actor=User.objects.get(email="careteam@medibroker.test"),
        kind=AddonKind.SECOND_OPINION,
        city="",
        country="",
        currency="EUR",
        unit_amount=PRICE,
        specialty=specialty,
        note="Demo price: what the specialists ask, and the coordinator's reading",
        now=now,
    )
    price_list_approve(
        price_list=pending, actor=User.objects.get(email="finance@medibroker.test"), note="Demo", now=now
    )


def _paid_request(patient: User, *, questions: list[str], language: str, report: tuple[str, list[str]]) -> OpinionCase:
    now = timezone.now()
    diagnosis = _document(patient, *report)
    case = case_draft_save(
        patient=patient,
        specialty=Specialty.objects.get(code=SPECIALTY),
        questions=questions,
        language=language,
        meeting_requested=False,
        documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS)],
        consent=True,
        currency="EUR",
        now=now,
    )
    order = case_send(case=case, actor=patient, now=now)
    checkout = order_start(order=order, actor=patient, now=now)
    order_pay(
        order=order,
        actor=patient,
        payment_method=demo_card_collect(setup_client_secret=checkout.setup_client_secret),
        now=now,
    )
    case.refresh_from_db()
    return case


def _delivered(case: OpinionCase, profiles: list[SpecialistProfile]) -> None:
    """Amelia's request through triage, her choice of Dr Ortega, and his signed opinion."""
    coordinator = User.objects.get(email="coordinator@medibroker.test")
    now = timezone.now()
    case = case_take(case=case, actor=coordinator, now=now)
    case = case_skills_set(
        case=case,
        actor=coordinator,
        skills="Hip arthroplasty in a patient under 60; reading of hip X-rays and MRI; conservative care.",
        now=now,
    )
    case = case_shortlist(case=case, actor=coordinator, specialists=profiles, now=now)
    ortega = next(profile for profile in profiles if profile.timezone == "Europe/Madrid")
    candidate = Candidate.objects.get(case=case, specialist=ortega)
    case = case_choose(case=case, actor=case.patient, candidate=candidate, now=now)
    specialist = User.objects.get(email="javier.ortega@provider.test")
    case = case_accept(case=case, actor=specialist, now=now)
    opinion_save_draft(
        case=case,
        actor=specialist,
        case_summary=(
            "55-year-old woman with right hip pain for two years, walking limited to 500 m; X-rays show "
            "joint-space narrowing with osteophytes (Kellgren-Lawrence grade 3)."
        ),
        diagnosis_review="The diagnosis of primary osteoarthritis of the right hip is confirmed by the images sent.",
        answers=[
            "Yes: with pain at night and walking limited despite six months of physiotherapy, a total hip "
            "replacement is reasonable now.",
            "A posterior or anterior approach both give good results; choose the surgeon's usual one.",
        ],
        options=(
            "Continue physiotherapy and analgesics; a corticosteroid injection (short relief); total hip replacement."
        ),
        recommendation="Total hip replacement within the next months, by a team doing at least 50 a year.",
        in_person_advised=False,
        now=now,
    )
    opinion_sign(case=case, actor=specialist, now=now)


def seed_second_opinions() -> str:
    """Idempotent; returns a line for the seed's output."""
    profiles = _profiles()
    _price()
    said = [f"{len(profiles)} specialists give second opinions in orthopaedic surgery"]
    if OpinionCase.objects.exists():
        return "; ".join([*said, "second-opinion requests already there"])
    if not demo_payments_possible() or len(profiles) < 2:
        return "; ".join(
            [*said, "no second-opinion requests (the Stripe emulator is not running: `make run` starts it)"]
        )
    karim = _paid_request(
        User.objects.get(email=KARIM),
        questions=[
            "Une prothèse de hanche est-elle nécessaire à 41 ans, ou puis-je d'abord essayer la rééducation ?",
            "Quels sont les risques si j'attends deux ans ?",
        ],
        language="fr",
        report=(
            "Compte rendu de consultation - Dr A. Tazi, Casablanca",
            [
                "Coxarthrose droite débutante.",
                "IRM : pincement articulaire, pas de nécrose.",
                "Avis chirurgical proposé.",
            ],
        ),
    )
    amelia = _paid_request(
        User.objects.get(email=AMELIA),
        questions=[
            "Is a total hip replacement the right treatment now, or should I keep trying physiotherapy?",
            "Which surgical approach would you recommend?",
        ],
        language="en",
        report=(
            "Orthopaedic clinic letter - Mr D. Shah, Leeds",
            ["Right hip osteoarthritis, Kellgren-Lawrence grade 3.", "Six months of physiotherapy without relief."],
        ),
    )
    _delivered(amelia, profiles)
    said.append(f"Karim's request #{karim.pk} waits for triage; Amelia's #{amelia.pk} has its signed opinion")
    return "; ".join(said)
