"""Who must use a second factor: everyone who can read other people's data or move money."""

import pytest

from accounts.selectors import user_privileged_roles, user_requires_mfa

pytestmark = pytest.mark.django_db


def test_patients_need_no_second_factor(patient):
    assert not user_requires_mfa(user=patient)
    assert user_privileged_roles(user=patient) == []


def test_staff_groups_and_provider_members_need_one(careteam, finance, coordinator, clinic_member, rival_member):
    for user in (careteam, finance, coordinator, clinic_member, rival_member):
        assert user_requires_mfa(user=user), user.email
    assert "provider_member" in user_privileged_roles(user=clinic_member)
    assert user_privileged_roles(user=finance) == ["finance"]


def test_admins_and_staff_flag_need_one(db):
    from accounts.tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    staff = UserFactory(is_staff=True)
    assert user_requires_mfa(user=admin)
    assert user_privileged_roles(user=staff) == ["staff"]
