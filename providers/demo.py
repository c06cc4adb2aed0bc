"""Demo providers for `manage.py seed_demo`: several countries, timezones and currencies.

Everything goes through the services (joining, verification, offerings, availability), as a
real provider and the careteam would; a provider that already exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import ensure_demo_user
from accounts.models import User
from core.money import Money
from providers import services
from providers.models import (
    Accreditation,
    BookingMode,
    Credential,
    CredentialKind,
    FacilityType,
    MemberRole,
    OfferingKind,
    Procedure,
    Provider,
    ProviderKind,
    Register,
    Specialty,
)


@dataclass(frozen=True)
class DemoOffering:
    title: str
    kind: str
    specialty: str
    price: str
    price_upper: str | None = None
    procedure: str | None = None
    deposit_percent: int | None = 30
    deposit_fixed: str | None = None
    booking_mode: str = BookingMode.ONLINE
    duration_minutes: int = 30
    slot_minutes: int = 30
    includes: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoProvider:
    name: str
    kind: str
    admin_email: str
    currency: str
    register: str
    register_country: str
    registration_number: str
    city: str
    country: str
    address: str
    timezone: str
    latitude: str
    longitude: str
    languages: list[str]
    biography: str
    specialties: list[str]
    offerings: list[DemoOffering]
    facility_type: str = ""
    verified: bool = True
    accreditation: tuple[str, str] | None = None
    credential: str | None = None
    hours: tuple[dt.time, dt.time] = (dt.time(9), dt.time(17))
    # An interpreter can be arranged for patients who speak none of `languages`.
    interpreter: bool = False


PROVIDERS = [
    DemoProvider(
        name="Dr Claire Dupont",
        kind=ProviderKind.PRACTITIONER,
        admin_email="claire.dupont@provider.test",
        currency="EUR",
        register=Register.RPPS,
        register_country="FR",
        registration_number="10101234567",
        city="Paris",
        country="FR",
        address="12 rue de Sèvres, 75006",
        timezone="Europe/Paris",
        latitude="48.851200",
        longitude="2.326900",
        languages=["fr", "en"],
        biography="Orthopaedic surgeon specialised in knee and hip replacement, 20 years at Paris hospitals.",
        specialties=["orthopaedic-surgery"],
        credential="Doctor of Medicine, Université Paris Cité",
        offerings=[
            DemoOffering("Orthopaedic consultation", OfferingKind.CONSULTATION, "orthopaedic-surgery", "150.00"),
            DemoOffering(
                "Total knee replacement",
                OfferingKind.PROCEDURE,
                "orthopaedic-surgery",
                "12000.00",
                price_upper="15000.00",
                procedure="knee-replacement",
                deposit_percent=20,
                booking_mode=BookingMode.QUOTE,
                duration_minutes=180,
                slot_minutes=240,
                includes=["Surgery", "Implant", "4 nights in a private room", "First physiotherapy session"],
                excludes=["Travel", "Hotel after discharge", "Interpreter"],
            ),
        ],
    ),
    DemoProvider(
        name="Dr Javier Ortega",
        kind=ProviderKind.PRACTITIONER,
        admin_email="javier.ortega@provider.test",
        currency="EUR",
        register=Register.NATIONAL,
        register_country="ES",
        registration_number="282857341",
        city="Madrid",
        country="ES",
        address="Calle de Serrano 52, 28001",
        timezone="Europe/Madrid",
        latitude="40.430100",
        longitude="-3.686900",
        languages=["es", "en"],
        biography="Orthopaedic surgeon (hip and knee); gives second opinions on joint replacement from the file.",
        specialties=["orthopaedic-surgery"],
        credential="Licenciado en Medicina, Universidad Complutense de Madrid",
        offerings=[
            DemoOffering("Orthopaedic consultation", OfferingKind.CONSULTATION, "orthopaedic-surgery", "120.00"),
        ],
    ),
    DemoProvider(
        name="Bangkok Smile Dental Clinic",
        interpreter=True,
        kind=ProviderKind.FACILITY,
        facility_type=FacilityType.CLINIC,
        admin_email="manager@bangkoksmile.test",
        currency="THB",
        register=Register.FACILITY_LICENCE,
        register_country="TH",
        registration_number="TH-BKK-10110-2231",
        city="Bangkok",
        country="TH",
        address="88 Sukhumvit Soi 11, Khlong Toei",
        timezone="Asia/Bangkok",
        latitude="13.742500",
        longitude="100.555800",
        languages=["en", "th", "zh"],
        biography="Dental clinic for implants, crowns and veneers, with English- and Chinese-speaking dentists.",
        specialties=["dentistry"],
        accreditation=("JCI", "2028-06-30"),
        hours=(dt.time(9), dt.time(18)),
        offerings=[
            DemoOffering("Dental check-up and X-ray", OfferingKind.CONSULTATION, "dentistry", "1500"),
            DemoOffering(
                "Dental implant with crown",
                OfferingKind.PROCEDURE,
                "dentistry",
                "45000",
                procedure="dental-implant",
                deposit_percent=None,
                deposit_fixed="10000",
                duration_minutes=90,
                slot_minutes=90,
                includes=["Titanium implant", "Zirconia crown", "Two follow-up visits"],
                excludes=["Bone graft if needed"],
            ),
        ],
    ),
    DemoProvider(
        name="Anadolu Health Hospital",
        kind=ProviderKind.FACILITY,
        facility_type=FacilityType.HOSPITAL,
        admin_email="international@anadolu.test",
        currency="TRY",
        register=Register.FACILITY_LICENCE,
        register_country="TR",
        registration_number="TR-34-HOSP-0457",
        city="Istanbul",
        country="TR",
        address="Cumhuriyet Cd. 12, Şişli",
        timezone="Europe/Istanbul",
        latitude="41.060000",
        longitude="28.987000",
        languages=["tr", "en", "ar", "ru"],
        biography=(
            "General hospital with an international patients department: joint replacement, bariatric and hair surgery."
        ),
        specialties=["digestive-surgery", "plastic-surgery", "orthopaedic-surgery"],
        accreditation=("JCI", "2027-12-31"),
        offerings=[
            # What Amelia's quote request (quotes.demo) asks of the hospital: search finds it.
            DemoOffering(
                "Total hip replacement",
                OfferingKind.PROCEDURE,
                "orthopaedic-surgery",
                "320000.00",
                price_upper="380000.00",
                procedure="hip-replacement",
                deposit_fixed="100000.00",
                deposit_percent=None,
                booking_mode=BookingMode.QUOTE,
                duration_minutes=180,
                slot_minutes=240,
                includes=["Surgery with a ceramic implant", "5 nights hospital stay", "Physiotherapy in hospital"],
                excludes=["Flights", "Hotel after discharge"],
            ),
            DemoOffering(
                "Hair transplant (FUE)",
                OfferingKind.PROCEDURE,
                "plastic-surgery",
                "85000.00",
                procedure="hair-transplant",
                deposit_percent=25,
                duration_minutes=480,
                slot_minutes=480,
                includes=["Procedure", "2 nights hotel", "Airport transfer", "Aftercare kit"],
            ),
            DemoOffering(
                "Gastric sleeve",
                OfferingKind.PROCEDURE,
                "digestive-surgery",
                "180000.00",
                price_upper="220000.00",
                procedure="gastric-sleeve",
                deposit_percent=20,
                booking_mode=BookingMode.QUOTE,
                duration_minutes=120,
                slot_minutes=240,
                includes=["Surgery", "3 nights hospital stay", "Dietitian follow-up for 6 months"],
                excludes=["Flights"],
            ),
        ],
    ),
    DemoProvider(
        name="Dr Rahul Mehta",
        kind=ProviderKind.PRACTITIONER,
        admin_email="rahul.mehta@provider.test",
        currency="INR",
        register=Register.NATIONAL,
        register_country="IN",
        registration_number="MMC-2004-11873",
        city="Mumbai",
        country="IN",
        address="Breach Candy, Bhulabhai Desai Road",
        timezone="Asia/Kolkata",
        latitude="18.968300",
        longitude="72.805600",
        languages=["en", "hi"],
        biography="Interventional cardiologist; cardiac check-ups and second opinions before surgery.",
        specialties=["cardiology"],
        offerings=[
            DemoOffering("Cardiology consultation", OfferingKind.CONSULTATION, "cardiology", "2500.00"),
            DemoOffering(
                "Cardiac check-up",
                OfferingKind.PROCEDURE,
                "cardiology",
                "18000.00",
                procedure="cardiac-check-up",
                duration_minutes=240,
                slot_minutes=240,
                includes=["ECG", "Echocardiography", "Stress test", "Blood tests", "Report in English"],
            ),
        ],
    ),
    DemoProvider(
        name="Gulf Fertility Centre",
        kind=ProviderKind.FACILITY,
        facility_type=FacilityType.CLINIC,
        admin_email="coordinator@gulffertility.test",
        currency="KWD",
        register=Register.FACILITY_LICENCE,
        register_country="KW",
        registration_number="KW-MOH-7731",
        city="Kuwait City",
        country="KW",
        address="Gulf Road, Sharq",
        timezone="Asia/Kuwait",
        latitude="29.379000",
        longitude="47.990000",
        languages=["ar", "en"],
        biography="Fertility centre: IVF, ICSI and embryo freezing.",
        specialties=["reproductive-medicine"],
        hours=(dt.time(8), dt.time(14)),
        offerings=[
            DemoOffering(
                "IVF cycle",
                OfferingKind.PROCEDURE,
                "reproductive-medicine",
                "1850.000",
                price_upper="2400.000",
                procedure="ivf",
                deposit_percent=None,
                deposit_fixed="500.000",
                booking_mode=BookingMode.QUOTE,
                duration_minutes=60,
                slot_minutes=60,
            ),
        ],
    ),
    DemoProvider(
        name="Tokyo Preventive Medicine Center",
        interpreter=True,
        kind=ProviderKind.FACILITY,
        facility_type=FacilityType.CLINIC,
        admin_email="desk@tokyo-preventive.test",
        currency="JPY",
        register=Register.FACILITY_LICENCE,
        register_country="JP",
        registration_number="JP-13-CL-55821",
        city="Tokyo",
        country="JP",
        address="2-1-1 Nihonbashi, Chuo-ku",
        timezone="Asia/Tokyo",
        latitude="35.681200",
        longitude="139.774000",
        languages=["ja", "en"],
        biography="Executive health check-ups in one morning, with a report in English.",
        specialties=["internal-medicine"],
        hours=(dt.time(8, 30), dt.time(12, 30)),
        offerings=[
            DemoOffering(
                "Executive health check-up",
                OfferingKind.PROCEDURE,
                "internal-medicine",
                "88000",
                procedure="executive-health-check-up",
                duration_minutes=240,
                slot_minutes=60,
                includes=["CT scan", "Gastroscopy", "Blood tests", "Report in English"],
            ),
        ],
    ),
    DemoProvider(
        name="Clínica Ocular do Tejo",
        kind=ProviderKind.FACILITY,
        facility_type=FacilityType.CLINIC,
        admin_email="geral@ocular-tejo.test",
        currency="EUR",
        register=Register.FACILITY_LICENCE,
        register_country="PT",
        registration_number="ERS-E123456",
        city="Lisbon",
        country="PT",
        address="Avenida da Liberdade 200",
        timezone="Europe/Lisbon",
        latitude="38.720000",
        longitude="-9.145000",
        languages=["pt", "en", "fr"],
        biography="Eye clinic: cataract and refractive surgery. (Awaiting verification: not visible to patients.)",
        specialties=["ophthalmology"],
        verified=False,
        offerings=[
            DemoOffering(
                "Cataract surgery (one eye)",
                OfferingKind.PROCEDURE,
                "ophthalmology",
                "1900.00",
                procedure="cataract-surgery",
                duration_minutes=60,
                slot_minutes=60,
            ),
        ],
    ),
]


def _seed_provider(demo: DemoProvider, careteam: User, now: dt.datetime) -> Provider:
    admin = ensure_demo_user(demo.admin_email)
    provider = services.provider_join(
        user=admin,
        details=services.ProviderDetails(
            kind=demo.kind,
            name=demo.name,
            facility_type=demo.facility_type,
            biography=demo.biography,
            languages=demo.languages,
            interpreter_available=demo.interpreter,
            default_currency=demo.currency,
            email=demo.admin_email,
        ),
        registration=services.Registration(
            register=demo.register,
            register_country=demo.register_country,
            registration_number=demo.registration_number,
        ),
        accepted_contracts=True,
        now=now,
    )
    provider.specialties.set(Specialty.objects.filter(code__in=demo.specialties))
    if demo.credential:
        Credential.objects.create(provider=provider, kind=CredentialKind.DIPLOMA, title=demo.credential)
    if demo.accreditation:
        body, until = demo.accreditation
        Accreditation.objects.create(provider=provider, body=body, valid_until=dt.date.fromisoformat(until))
    location = services.location_save(
        provider=provider,
        actor=admin,
        details=services.LocationDetails(
            name=demo.name,
            country=demo.country,
            city=demo.city,
            address=demo.address,
            timezone=demo.timezone,
            latitude=Decimal(demo.latitude),
            longitude=Decimal(demo.longitude),
        ),
        now=now,
    )
    opens, closes = demo.hours
    for weekday in range(5):
        services.weekly_rule_add(location=location, actor=admin, weekday=weekday, start=opens, end=closes, now=now)
    for item in demo.offerings:
        money = lambda value: Money.from_decimal(value, demo.currency) if value else None  # noqa: E731
        services.offering_save(
            provider=provider,
            actor=admin,
            details=services.OfferingDetails(
                location=location,
                kind=item.kind,
                title=item.title,
                specialty=Specialty.objects.get(code=item.specialty),
                procedure=Procedure.objects.get(code=item.procedure) if item.procedure else None,
                price=Money.from_decimal(item.price, demo.currency),
                price_upper=money(item.price_upper),
                deposit_bps=item.deposit_percent * 100 if item.deposit_percent is not None else None,
                deposit_fixed=money(item.deposit_fixed),
                duration_minutes=item.duration_minutes,
                slot_minutes=item.slot_minutes,
                booking_mode=item.booking_mode,
                includes=item.includes,
                excludes=item.excludes,
            ),
            now=now,
        )
    if demo.verified:
        provider = services.provider_verify(
            provider=provider,
            actor=careteam,
            checked=f"{provider.get_register_display()} entry {demo.registration_number} matches name and specialty.",
            now=now,
        )
    return provider


def seed_providers() -> list[tuple[Provider, str]]:
    """Create the demo providers that do not exist yet; returns (provider, admin e-mail) pairs."""
    now = timezone.now()
    careteam = User.objects.get(email="careteam@medibroker.test")
    seeded = []
    for demo in PROVIDERS:
        provider = Provider.objects.filter(slug=slugify(demo.name)).first() or _seed_provider(demo, careteam, now)
        seeded.append((provider, demo.admin_email))
    # One user may work for several providers: Dr Dupont also consults at the Istanbul hospital.
    anadolu = Provider.objects.get(slug=slugify("Anadolu Health Hospital"))
    # By invitation, as anyone else: the demo accepts it for her (docs/decisions.md#invitations).
    dupont = User.objects.get(email="claire.dupont@provider.test")
    if not anadolu.members.filter(user=dupont).exists():
        invitation, _token = services.invitation_create(
            provider=anadolu,
            actor=User.objects.get(email="international@anadolu.test"),
            email=dupont.email,
            role=MemberRole.STAFF,
            now=now,
        )
        services.invitation_accept(invitation=invitation, user=dupont, now=now)
    return seeded
