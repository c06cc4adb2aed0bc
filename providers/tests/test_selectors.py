"""Who hears of what happens to a provider."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from providers.models import MemberRole
from providers.selectors import provider_members_to_notify
from providers.tests.factories import MemberFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def test_the_active_members_of_the_provider_hear_oldest_membership_first():
    provider = ProviderFactory()
    first = MemberFactory(provider=provider).user
    staff = MemberFactory(provider=provider, role=MemberRole.STAFF).user
    MemberFactory(provider=provider, user=UserFactory(is_active=False))
    MemberFactory()  # another provider's member

    assert provider_members_to_notify(provider_id=provider.pk) == [first, staff]


def test_a_provider_without_members_notifies_no_one():
    assert provider_members_to_notify(provider_id=ProviderFactory().pk) == []
