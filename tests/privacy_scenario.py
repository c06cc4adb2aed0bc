"""One patient with something in every app, for the privacy tests (issue 16): the erasure canary
(`tests/test_privacy_canary.py`) and the export's completeness (`tests/test_privacy_export.py`).

Zephyrine Quattlebaum, built only through the services (no row written by hand but her consents,
whose services are another helper's, and the price lists finance would approve):

- a quote request with two medical documents, sent to Clinique du Lac and Rival Hospital (both
  documents shared with both), quoted by the clinic and accepted: a booking;
- its €500 deposit paid by card through the local Stripe emulator, visa letters ordered for her
  (passport XQ9CANARY) and paid, the appointment held, the booking completed and the deposit
  released to the clinic (approved by finance, paid by wire): nothing is left in trust;
- a clinic nurse who read both documents (the read audit);
- a second-opinion case, paid through the emulator, triaged, shortlisted, chosen, accepted, its
  opinion signed (the opinion's PDF is one of her documents), a follow-up question asked and
  answered, and the case closed when its follow-up window ended;
- the e-mails and text messages all this sent her, and those sent to the providers' people that
  name her;
- her consents (terms, health data, marketing) and an API token.

Every value that must vanish on erasure is in `CANARY_*` below; `canary_strings()` lists them in
every form they may be stored or written in.

Call `build_scenario(emulator=...)` from a test that has the `stripe_emulator` and `twilio`
fixtures and a database (`media` below puts the stored files in a temporary folder).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from accounts.models import Consent, ConsentPurpose, Gender, PatientProfile, StaffGroup, User
from accounts.services import api_token_create
from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.services import booking_complete
from concierge.models import AddonKind, AddonOrder, PriceList, PriceListStatus
from concierge.services.orders import order_pay, order_start
from concierge.services.visa import PassportDetails, visa_letters_order
from documents.models import MedicalDocument
from documents.services import document_read, document_upload
from documents.tests import samples
from payments.models import Release
from payments.services.deposits import deposit_pay, deposit_start
from payments.services.releases import release_approve, release_record_wire, release_request
from payments.tests.conftest import CARD_OK
from providers.models import MemberRole, Provider
from providers.tests.factories import LocationFactory, MemberFactory, ProviderFactory, SpecialtyFactory
from quotes.models import Quote, QuoteRequest
from quotes.services import LineInput, SlotInput, quote_accept, quote_request_create, quote_request_send, quote_submit
from secondopinion.models import Candidate, DocumentRole, OpinionCase, SpecialistProfile
from secondopinion.services.after import follow_up_answer, follow_up_ask
from secondopinion.services.deadlines import case_follow_up_windows_close
from secondopinion.services.requests import case_choose, case_draft_save, case_send
from secondopinion.services.specialists import case_accept, opinion_save_draft, opinion_sign
from secondopinion.services.triage import case_shortlist, case_skills_set, case_take

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")

# --- the canaries: what must be nowhere once she is erased ---------------------------------------------
CANARY_FIRST_NAME = "Zephyrine"
CANARY_LAST_NAME = "Quattlebaum"
CANARY_EMAIL = "zephyrine.quattlebaum@example.org"
CANARY_PHONE = "+33 6 47 29 18 53"  # as typed; stored as E.164
CANARY_PHONE_E164 = "+33647291853"
CANARY_BIRTH_DATE = dt.date(1984, 7, 19)
CANARY_NATIONALITY = "NZ"
CANARY_PASSPORT = "XQ9CANARY"  # the brief's X9Q4CANARY has 10 characters: passports have 6 to 9
CANARY_DOC_1 = "CANARY-DOC-7f3e91 Echocardiogram of Zephyrine: mitral regurgitation grade 2"
CANARY_DOC_2 = "CANARY-DOC-b24c07 Holter ECG over 24 hours: paroxysmal atrial fibrillation"
CONSENT_VERSION = "consents-v7q"  # the text's version she consented to: found in the export as is
CANARY_DOC_MARKERS = ("CANARY-DOC-7f3e91", "CANARY-DOC-b24c07")


def canary_strings() -> dict[str, str]:
    """What must appear nowhere after the erasure, named (the assertion says which one leaked).

    The phone in every form it is stored or shown in, the birth date in ISO and written forms, the
    passport number, the full name (a profile's and a passport's: "QUATTLEBAUM"), the e-mail and
    its local part, and the documents' canary markers."""
    born = CANARY_BIRTH_DATE
    return {
        "first name": CANARY_FIRST_NAME,
        "last name": CANARY_LAST_NAME,
        "e-mail": CANARY_EMAIL,
        "e-mail's local part": CANARY_EMAIL.split("@")[0],
        "phone (E.164)": CANARY_PHONE_E164,
        "phone (national)": "06 47 29 18 53",
        "phone (national, no spaces)": "0647291853",
        "phone (international, spaced)": CANARY_PHONE,
        "phone (digits)": "33647291853",
        "birth date (ISO)": born.isoformat(),
        "birth date (dd/mm/yyyy)": born.strftime("%d/%m/%Y"),
        "birth date (written, en)": "19 July 1984",
        "birth date (written, en-US)": "July 19, 1984",
        "birth date (written, fr)": "19 juillet 1984",
        "birth date (passport form)": born.strftime("%d%m%Y"),
        "passport number": CANARY_PASSPORT,
        "document 1 contents": CANARY_DOC_MARKERS[0],
        "document 2 contents": CANARY_DOC_MARKERS[1],
    }


# --- the timeline ---------------------------------------------------------------------------------------
START = dt.datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Paris
APPOINTMENT = dt.datetime(2030, 2, 4, 9, 0, tzinfo=PARIS)  # four weeks on, a Monday
AFTER_APPOINTMENT = APPOINTMENT + dt.timedelta(hours=2)
ERASED_AT = dt.datetime(2030, 5, 6, 9, 0, tzinfo=UTC)  # three months after the care: nothing open


def _at(hours: float) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


@dataclass
class Scenario:
    patient: User
    profile: PatientProfile
    clinic: Provider
    clinic_admin: User
    clinic_nurse: User
    rival: Provider
    rival_admin: User
    finance: User
    coordinator: User
    documents: list[MedicalDocument]
    document_bytes: dict[str, bytes]  # str(document id) → its plaintext
    quote_request: QuoteRequest
    quote: Quote
    booking: Booking
    release: Release
    visa_order: AddonOrder | None
    case: OpinionCase
    opinion_document: MedicalDocument | None
    consents: list[Consent]
    token_key: str
    erase_at: dt.datetime = ERASED_AT
    notes: list[str] = field(default_factory=list)  # what could not be built, said by the scenario test


def media_settings(settings, tmp_path) -> None:
    """Stored files in a fresh folder, documents encrypted under a fresh key (as every document test)."""
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _patient() -> tuple[User, PatientProfile]:
    user = UserFactory(email=CANARY_EMAIL)
    profile = PatientProfile.objects.create(
        user=user,
        first_name=CANARY_FIRST_NAME,
        last_name=CANARY_LAST_NAME,
        phone=CANARY_PHONE,
        date_of_birth=CANARY_BIRTH_DATE,
        gender=Gender.FEMALE,
        nationality=CANARY_NATIONALITY,
        preferred_language="en",
        preferred_currency="EUR",
    )
    return user, profile


def _consents(user: User) -> list[Consent]:
    # Written as rows, given two days before the scenario starts (the service would stamp its own time).
    given = START - dt.timedelta(days=2)
    return [
        Consent.objects.create(user=user, purpose=purpose, version=CONSENT_VERSION, given_at=given)
        for purpose in (ConsentPurpose.TERMS, ConsentPurpose.HEALTH_DATA, ConsentPurpose.MARKETING)
    ]


def _upload(owner: User, text: str, title: str, at: dt.datetime) -> tuple[MedicalDocument, bytes]:
    data = samples.pdf(text)
    document = document_upload(
        owner=owner,
        upload=SimpleUploadedFile("report.pdf", data, content_type="application/pdf"),
        title=title,
        now=at,
    )
    return document, data


def _price_list(kind: str, staff: User, *, city: str = "", country: str = "", specialty=None, amount: int) -> None:
    PriceList.objects.create(
        kind=kind,
        specialty=specialty,
        city=city,
        country=country,
        currency="EUR",
        unit_amount=amount,
        status=PriceListStatus.ACTIVE,
        proposed_by=staff,
        proposed_at=START - dt.timedelta(days=30),
        decided_by=staff,
        decided_at=START - dt.timedelta(days=29),
    )


def _card_payment(emulator, checkout) -> str:
    return emulator.collect_card(checkout.setup_client_secret, CARD_OK)


def _quote_and_booking(scenario_parts: dict, emulator) -> None:
    patient, clinic, rival = scenario_parts["patient"], scenario_parts["clinic"], scenario_parts["rival"]
    documents = scenario_parts["documents"]
    request = quote_request_create(
        patient=patient,
        subject="Mitral valve assessment",
        description=(
            f"I am {CANARY_FIRST_NAME} {CANARY_LAST_NAME}; call me on {CANARY_PHONE}. Echo and Holter attached."
        ),
        desired_from=dt.date(2030, 2, 1),
        desired_to=dt.date(2030, 3, 1),
        travel_constraints="No flights before 9:00",
        documents=documents,
        now=_at(0),
    )
    request = quote_request_send(request=request, actor=patient, providers=[clinic, rival], now=_at(0))
    nurse = scenario_parts["clinic_nurse"]
    for document in documents:  # the clinic's nurse reads both: the audit of who read them
        document_read(document=document, reader=nurse, now=_at(1))
    quote = quote_submit(
        request=request,
        provider=clinic,
        actor=scenario_parts["clinic_admin"],
        currency="EUR",
        lines=[
            LineInput(kind="consultation", description="Cardiology consultation", quantity=1, unit_amount=20_000),
            LineInput(kind="procedure", description="Transoesophageal echo", quantity=1, unit_amount=380_000),
        ],
        deposit_amount=50_000,
        valid_until=dt.date(2030, 1, 31),
        slots=[SlotInput(start=APPOINTMENT.astimezone(UTC), end=(APPOINTMENT + dt.timedelta(hours=1)).astimezone(UTC))],
        payment_days=7,
        max_variation_bps=1000,
        excluded="Flights and hotel",
        now=_at(3),
    )
    quote = quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=_at(5))
    booking = Booking.objects.get(pk=quote.booking_id)
    checkout = deposit_start(booking=booking, actor=patient, now=_at(6))
    deposit_pay(booking=booking, actor=patient, payment_method=_card_payment(emulator, checkout), now=_at(6))
    booking.refresh_from_db()
    scenario_parts.update(quote_request=request, quote=quote, booking=booking)


def _visa_letters(scenario_parts: dict, emulator) -> AddonOrder:
    patient, booking = scenario_parts["patient"], scenario_parts["booking"]
    _price_list(AddonKind.VISA_LETTER, scenario_parts["finance"], city="Paris", country="FR", amount=4_500)
    order = visa_letters_order(
        patient=patient,
        booking=booking,
        persons=[
            PassportDetails(
                CANARY_LAST_NAME.upper(),
                CANARY_FIRST_NAME.upper(),
                CANARY_PASSPORT,
                CANARY_NATIONALITY,
                CANARY_BIRTH_DATE,
            )
        ],
        currency="EUR",
        now=_at(7),
    )
    checkout = order_start(order=order, actor=patient, now=_at(7))
    payment = order_pay(order=order, actor=patient, payment_method=_card_payment(emulator, checkout), now=_at(7))
    assert payment.status == "succeeded", payment.status
    order.refresh_from_db()
    return order


def _released(scenario_parts: dict) -> Release:
    booking, admin, finance = scenario_parts["booking"], scenario_parts["clinic_admin"], scenario_parts["finance"]
    booking_complete(booking=booking, actor=admin, now=AFTER_APPOINTMENT)
    release = release_request(booking=booking, actor=admin, now=AFTER_APPOINTMENT)
    release = release_approve(release=release, actor=finance, now=AFTER_APPOINTMENT)
    release = release_record_wire(release=release, actor=finance, reference="WIRE-2030-0217", now=AFTER_APPOINTMENT)
    booking.refresh_from_db()
    return release


def _specialist(*, name: str, slug: str, email: str, specialty, timezone: str, country: str, price: int):
    provider = ProviderFactory(name=name, slug=slug, languages=["fr", "en"])
    provider.specialties.add(specialty)
    user = MemberFactory(provider=provider, user=UserFactory(email=email, mfa=True), role=MemberRole.ADMIN).user
    profile = SpecialistProfile.objects.create(
        provider=provider,
        languages=["fr", "en"],
        price_amount=price,
        currency="EUR",
        weekly_capacity=5,
        timezone=timezone,
        country=country,
        created_at=START - dt.timedelta(days=60),
        updated_at=START - dt.timedelta(days=60),
    )
    profile.specialties.add(specialty)
    return profile, user


def _second_opinion(scenario_parts: dict, emulator) -> tuple[OpinionCase, MedicalDocument | None]:
    patient, coordinator = scenario_parts["patient"], scenario_parts["coordinator"]
    cardiology = scenario_parts["cardiology"]
    _price_list("second_opinion", scenario_parts["finance"], specialty=cardiology, amount=45_000)
    martin, martin_user = _specialist(
        name="Dr Claire Martin",
        slug="dr-claire-martin",
        email="martin@opinions.test",
        specialty=cardiology,
        timezone="Europe/Paris",
        country="FR",
        price=45_000,
    )
    yilmaz, _ = _specialist(
        name="Dr Emre Yilmaz",
        slug="dr-emre-yilmaz",
        email="yilmaz@opinions.test",
        specialty=cardiology,
        timezone="Europe/Istanbul",
        country="TR",
        price=45_000,
    )
    at = dt.datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # a Monday after the care
    case = case_draft_save(
        patient=patient,
        specialty=cardiology,
        questions=[f"Does {CANARY_FIRST_NAME} need the valve repaired now, or can it wait a year?"],
        language="en",
        meeting_requested=False,
        documents=[(scenario_parts["documents"][0], DocumentRole.FIRST_DIAGNOSIS)],
        consent=True,
        currency="EUR",
        now=at,
    )
    order = case_send(case=case, actor=patient, now=at)
    checkout = order_start(order=order, actor=patient, now=at)
    payment = order_pay(order=order, actor=patient, payment_method=_card_payment(emulator, checkout), now=at)
    assert payment.status == "succeeded", payment.status
    case.refresh_from_db()
    later = at + dt.timedelta(hours=1)
    case = case_take(case=case, actor=coordinator, now=later)
    case = case_skills_set(case=case, actor=coordinator, skills="Valve disease; echocardiography.", now=later)
    case = case_shortlist(
        case=case,
        actor=coordinator,
        specialists=[martin, yilmaz],
        notes={martin.pk: "Valve clinic in Paris.", yilmaz.pk: "Echocardiography in Istanbul."},
        now=later,
    )
    candidate = Candidate.objects.get(case=case, specialist=martin)
    later += dt.timedelta(hours=1)
    case = case_choose(case=case, actor=patient, candidate=candidate, now=later)
    later += dt.timedelta(hours=1)
    case = case_accept(case=case, actor=martin_user, now=later)
    opinion_save_draft(
        case=case,
        actor=martin_user,
        case_summary=f"{CANARY_FIRST_NAME} {CANARY_LAST_NAME}, born 19 July 1984: grade 2 mitral regurgitation.",
        diagnosis_review="The diagnosis is confirmed by the echocardiogram sent.",
        answers=["It can wait: surgery is for grade 3 or symptoms."],
        options="Yearly echocardiography; repair if it worsens.",
        recommendation="Watchful waiting with a check-up in 12 months.",
        in_person_advised=False,
        now=later + dt.timedelta(hours=1),
    )
    signed_at = later + dt.timedelta(hours=2)
    opinion = opinion_sign(case=case, actor=martin_user, now=signed_at)
    case.refresh_from_db()
    # A follow-up question in her own words, answered; the window then closes (the beat's job):
    # nothing about the case is open when she asks to be erased.
    question = follow_up_ask(
        case=case,
        actor=patient,
        question=f"This is {CANARY_FIRST_NAME} again: may I fly to Paris in June with this valve?",
        now=signed_at + dt.timedelta(days=2),
    )
    follow_up_answer(
        case=case,
        follow_up=question,
        actor=martin_user,
        answer="Yes, flying is safe at grade 2.",
        now=signed_at + dt.timedelta(days=3),
    )
    assert case_follow_up_windows_close(now=signed_at + dt.timedelta(days=31)) == 1
    case.refresh_from_db()
    return case, getattr(opinion, "document", None)


def build_scenario(*, emulator) -> Scenario:
    """Zephyrine and everything about her (the module's docstring). Callbacks run on commit (the
    messages are sent) also in a test that is not transactional."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _build(emulator)


def _build(emulator) -> Scenario:
    notes: list[str] = []
    patient, profile = _patient()
    consents = _consents(patient)
    _, token_key = api_token_create(user=patient, device="Zephyrine's phone", now=START)
    clinic = ProviderFactory(name="Clinique du Lac", slug="clinique-du-lac")
    cardiology = SpecialtyFactory(code="cardiology", name_en="Cardiology", name_fr="Cardiologie")
    clinic.specialties.add(cardiology)
    LocationFactory(provider=clinic, city="Paris", country="FR", timezone="Europe/Paris")
    clinic_admin = MemberFactory(provider=clinic, user=UserFactory(email="admin@lac.test"), role=MemberRole.ADMIN).user
    clinic_nurse = MemberFactory(provider=clinic, user=UserFactory(email="nurse@lac.test"), role=MemberRole.STAFF).user
    rival = ProviderFactory(name="Rival Hospital", slug="rival-hospital")
    rival_admin = MemberFactory(provider=rival, user=UserFactory(email="admin@rival.test"), role=MemberRole.ADMIN).user
    finance = UserFactory(email="fiona@example.test", is_staff=True, groups=[StaffGroup.FINANCE])
    coordinator = UserFactory(email="dr.cole@example.test", is_staff=True, groups=[StaffGroup.MEDICAL_COORDINATOR])

    first, first_bytes = _upload(patient, CANARY_DOC_1, "Echocardiogram, December 2029", START - dt.timedelta(days=1))
    second, second_bytes = _upload(patient, CANARY_DOC_2, "Holter ECG, December 2029", START - dt.timedelta(days=1))
    parts: dict = {
        "patient": patient,
        "clinic": clinic,
        "clinic_admin": clinic_admin,
        "clinic_nurse": clinic_nurse,
        "rival": rival,
        "finance": finance,
        "coordinator": coordinator,
        "cardiology": cardiology,
        "documents": [first, second],
    }
    _quote_and_booking(parts, emulator)
    visa_order = _visa_letters(parts, emulator)
    release = _released(parts)
    case, opinion_document = _second_opinion(parts, emulator)
    return Scenario(
        patient=patient,
        profile=profile,
        clinic=clinic,
        clinic_admin=clinic_admin,
        clinic_nurse=clinic_nurse,
        rival=rival,
        rival_admin=rival_admin,
        finance=finance,
        coordinator=coordinator,
        documents=[first, second],
        document_bytes={str(first.pk): first_bytes, str(second.pk): second_bytes},
        quote_request=parts["quote_request"],
        quote=parts["quote"],
        booking=parts["booking"],
        release=release,
        visa_order=visa_order,
        case=case,
        opinion_document=opinion_document,
        consents=consents,
        token_key=token_key,
        notes=notes,
    )
