from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Gender, PatientProfile, TermsAcceptance, User
from accounts.selectors import terms_current

PASSWORD = "correct horse battery staple"


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
