"""Role menus (templates/base.html, accounts.context_processors.roles): staff see their items, patient
items only for those with a patient profile, someone who is both sees both groups apart."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.tests.factories import PatientFactory, UserFactory, enroll_mfa
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def header(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    return re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)


def link(name: str) -> str:
    return f'href="{reverse(name)}"'


def top_level(html: str) -> str:
    """The header without its dropdown: what shows before opening "Menu"."""
    return re.sub(r'<details class="menu".*?</details>', "", html, flags=re.S)


def group(html: str, name: str) -> str:
    found = re.search(rf'data-testid="menu-{name}">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_a_visitor_sees_sign_in_and_no_menu(client):
    html = header(client)
    assert link("account_login") in html
    assert 'data-testid="menu"' not in html


def test_a_patient_sees_patient_items_and_no_staff_ones(client, patient):
    html = header(client, patient)
    assert link("quotes:request_list") in top_level(html)
    assert link("bookings:list") in top_level(html)
    assert link("documents:list") in group(html, "patient")
    assert group(html, "staff") == ""
    assert link("careteam:board") not in html
    assert link("finance:trust_register") not in html


def test_a_careteam_member_without_a_patient_profile_sees_staff_items_only(client, careteam):
    html = header(client, careteam)
    assert link("careteam:board") in top_level(html)
    assert link("providers:verification_queue") in group(html, "staff")
    assert group(html, "patient") == ""
    for patient_page in ("quotes:request_list", "bookings:list", "concierge:order_list", "documents:list"):
        assert link(patient_page) not in html


def test_finance_sees_finance_and_no_patient_items(client, finance):
    html = header(client, finance)
    assert link("finance:trust_register") in top_level(html)
    assert link("bookings:list") not in html


def test_a_provider_member_sees_the_dashboard_first_and_no_patient_items(client, clinic_admin):
    html = header(client, clinic_admin)
    assert link("providers:dashboard_index") in top_level(html)
    assert link("quotes:request_list") not in html


def test_someone_who_is_staff_and_patient_sees_both_groups_apart(client):
    both = PatientFactory(email="nurse.patient@example.test")
    both.groups.add(*UserFactory(groups=[StaffGroup.CARETEAM]).groups.all())
    enroll_mfa(both)
    html = header(client, both)
    assert link("careteam:board") in top_level(html)
    assert link("quotes:request_list") not in top_level(html)  # the staff's header stays short
    assert link("quotes:request_list") in group(html, "patient")
    assert "As a patient" in group(html, "patient")
    assert link("bookings:evidence_queue") in group(html, "staff")


def test_a_provider_member_who_is_also_a_patient_finds_the_patient_items_in_the_menu(client, clinic):
    both = PatientFactory(email="doctor.patient@example.test")
    MemberFactory(provider=clinic, user=both)
    enroll_mfa(both)
    html = header(client, both)
    assert link("providers:dashboard_index") in top_level(html)
    assert link("bookings:list") in group(html, "patient")
