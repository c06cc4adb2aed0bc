from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory, enroll_mfa
from providers.models import (
    BookingMode,
    Location,
    MemberRole,
    Offering,
    OfferingKind,
    Procedure,
    Provider,
    ProviderKind,
    ProviderMember,
    Register,
    Specialty,
    VerificationStatus,
    WeeklyRule,
)


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-specialty-{n}")
    name_en = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    name_fr = factory.LazyAttribute(lambda o: f"{o.name_en} (fr)")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-procedure-{n}")
    name_en = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    name_fr = factory.LazyAttribute(lambda o: f"{o.name_en} (fr)")
    specialty = factory.SubFactory(SpecialtyFactory)


class ProviderFactory(factory.django.DjangoModelFactory):
    """A verified practitioner unless told otherwise."""

    class Meta:
        model = Provider

    kind = ProviderKind.PRACTITIONER
    name = factory.Sequence(lambda n: f"Dr Test Provider {n}")
    slug = factory.Sequence(lambda n: f"dr-test-provider-{n}")
    biography = "Consultant surgeon."
    languages = factory.LazyFunction(lambda: ["en", "fr"])
    # What services keep (providers.services.spoken_languages_refresh): the declared languages while
    # no member declared any.
    spoken_languages = factory.LazyAttribute(lambda o: sorted(o.languages))
    default_currency = "EUR"
    status = VerificationStatus.VERIFIED
    register = Register.RPPS
    register_country = "FR"
    registration_number = factory.Sequence(lambda n: f"10{n:09d}")
    verified_at = factory.LazyFunction(timezone.now)
    # The model's default is on (docs/decisions.md#discharge-pack); the tests of other rules would
    # otherwise all need a discharge pack before a quote booking's release. The aftercare tests set it.
    discharge_pack_required = False


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderMember
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.ADMIN

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """A provider member must use a second factor: enrolled unless `mfa=False`."""
        if create and extracted is not False:
            enroll_mfa(self.user)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    provider = factory.SubFactory(ProviderFactory)
    name = "Main practice"
    country = "FR"
    city = "Paris"
    address = "1 rue de la Paix"
    timezone = "Europe/Paris"


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    provider = factory.SubFactory(ProviderFactory)
    location = factory.SubFactory(LocationFactory, provider=factory.SelfAttribute("..provider"))
    kind = OfferingKind.CONSULTATION
    title = factory.Sequence(lambda n: f"Consultation {n}")
    specialty = factory.SubFactory(SpecialtyFactory)
    currency = "EUR"
    price_min = 15000
    duration_minutes = 30
    slot_minutes = 30
    deposit_bps = 3000
    booking_mode = BookingMode.ONLINE
    min_notice_hours = 0
    horizon_days = 365


def open_weekdays(location: Location, start: dt.time = dt.time(9), end: dt.time = dt.time(17)) -> None:
    """Open `location` Monday to Friday from `start` to `end`."""
    for weekday in range(5):
        WeeklyRule.objects.create(location=location, weekday=weekday, start=start, end=end)
