"""Demo people for `manage.py seed_demo`: staff of each role and a few patients."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import phonenumbers
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import PatientProfile, StaffGroup, User
from accounts.selectors import terms_current, user_must_accept_terms, user_requires_mfa
from accounts.services import PatientDetails, patient_register, terms_accept

DEMO_PASSWORD = "medibroker-demo"  # noqa: S105 -- printed on purpose: demo data only
# The second factor of every demo account that must have one (admins, staff, provider members):
# printed too, to add to an authenticator app, and `manage.py demo_totp_code` prints its current code.
DEMO_TOTP_SECRET = "MEDIBROKERDEMOMEDIBROKERDEMO2345"  # noqa: S105 -- demo data only, like the password


@dataclass(frozen=True)
class DemoPerson:
    """A demo account. Patients' phones are numbers reserved for fiction that the phone library
    accepts as valid (so the demo's SMS go out): Ofcom's drama range for London (020 7946 0xxx;
    its mobile range 07700 900xxx is not a valid number to the library), ARCEP's for fiction in
    France (04 65 71 xx xx; no such range is known for Morocco) and PTS's in Sweden (070-174 06 xx)."""

    email: str
    role: str
    details: PatientDetails | None = None
    group: StaffGroup | None = None
    superuser: bool = False


PEOPLE = [
    DemoPerson("admin@medibroker.test", "admin", superuser=True),
    DemoPerson("careteam@medibroker.test", "careteam", group=StaffGroup.CARETEAM),
    DemoPerson("finance@medibroker.test", "finance", group=StaffGroup.FINANCE),
    DemoPerson("coordinator@medibroker.test", "medical coordinator", group=StaffGroup.MEDICAL_COORDINATOR),
    DemoPerson(
        "amelia.hughes@example.test",
        "patient",
        details=PatientDetails(
            first_name="Amelia",
            last_name="Hughes",
            phone="+442079460123",
            date_of_birth=dt.date(1971, 3, 14),
            gender="female",
            nationality="GB",
            preferred_language="en",
            preferred_currency="GBP",
        ),
    ),
    DemoPerson(
        "karim.benali@example.test",
        "patient",
        details=PatientDetails(
            first_name="Karim",
            last_name="Benali",
            phone="+33465710123",
            date_of_birth=dt.date(1985, 11, 2),
            gender="male",
            nationality="MA",
            preferred_language="fr",
            preferred_currency="MAD",
        ),
    ),
    DemoPerson(
        "sofia.lindqvist@example.test",
        "patient (representing her son)",
        details=PatientDetails(
            first_name="Elias",
            last_name="Lindqvist",
            phone="+46701740605",
            date_of_birth=dt.date(2014, 6, 30),
            gender="male",
            nationality="SE",
            preferred_language="en",
            preferred_currency="SEK",
            acts_as_representative=True,
        ),
    ),
]


def ensure_demo_user(email: str, *, is_staff: bool = False, is_superuser: bool = False) -> User:
    """A demo account that can sign in at once: verified e-mail, terms in force accepted."""
    now = timezone.now()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, is_staff=is_staff, is_superuser=is_superuser
        )
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    terms = user_must_accept_terms(user=user, now=now)
    if terms is not None:
        terms_accept(user=user, terms=terms, now=now)
    return user


def seed_people() -> list[DemoPerson]:
    """Create or bring up to date every demo person; running it twice changes nothing."""
    if terms_current(now=timezone.now()) is None:
        raise RuntimeError("no terms of use are published: run migrations first")
    for person in PEOPLE:
        user = ensure_demo_user(
            person.email, is_staff=person.superuser or person.group is not None, is_superuser=person.superuser
        )
        if person.group is not None:
            user.groups.add(Group.objects.get(name=person.group.value))
        if person.details is not None and not hasattr(user, "patient_profile"):
            patient_register(user=user, details=person.details, now=timezone.now())
        elif person.details is not None and not phonenumbers.is_valid_number(user.patient_profile.phone):
            # A demo seeded before its phones were valid numbers (the SMS to them all failed).
            PatientProfile.objects.filter(pk=user.patient_profile.pk).update(phone=person.details.phone)
    return PEOPLE


def enroll_demo_mfa(users: list[User]) -> list[User]:
    """Give each demo account that must use a second factor the demo TOTP secret (once), so that the
    demo's staff and providers can sign in at once instead of being sent to set one up."""
    enrolled = []
    for user in users:
        if not user_requires_mfa(user=user):
            continue
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        enrolled.append(user)
    return enrolled


def demo_totp_code() -> str:
    """The demo secret's code now, as an authenticator app shows it."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
