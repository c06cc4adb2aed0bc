from __future__ import annotations

import datetime as dt
import time

import factory
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Gender, PatientProfile, TermsAcceptance, User
from accounts.selectors import terms_current, user_requires_mfa

PASSWORD = "correct horse battery staple"
# Every enrolled test user's TOTP secret (base32), so a test can compute the current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enroll_mfa(user: User, *, secret: str = TOTP_SECRET) -> None:
    """Give `user` a TOTP authenticator (stored through the MFA adapter, so encrypted), once."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)


def without_mfa(user: User) -> User:
    """`user` with no second factor: for tests of what happens to a privileged user who has none."""
    Authenticator.objects.filter(user=user).delete()
    return user


def sign_in(client, user: User) -> None:
    """`client.force_login(user)` plus allauth's record of a password sign-in just now, as after the
    real sign-in form: for pages behind accounts.reauth.recent_authentication_required."""
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "email": user.email}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def totp_code(*, secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app shows now for `secret`."""
    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can sign in: verified primary e-mail, current terms accepted."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def accepted_terms(self, create, extracted, **kwargs):
        terms = terms_current(now=timezone.now())
        if create and extracted is not False and terms is not None:
            TermsAcceptance.objects.create(user=self, terms_version=terms, accepted_at=timezone.now())

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """Whoever must use a second factor (staff, admins) has one, as in real life once past
        MFARequiredMiddleware; `mfa=False` leaves them without, `mfa=True` enrolls anyone."""
        if create and extracted is not False and (extracted is True or user_requires_mfa(user=self)):
            enroll_mfa(self)


class PatientProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientProfile

    user = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = "+33612345678"
    date_of_birth = dt.date(1980, 5, 17)
    gender = Gender.FEMALE
    nationality = "GB"
    preferred_language = "en"
    preferred_currency = "EUR"


class PatientFactory(UserFactory):
    profile = factory.RelatedFactory(PatientProfileFactory, factory_related_name="user")
