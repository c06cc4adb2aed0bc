"""Sharing a document and stopping: the checks, the service that enforces them, and the page and API
that offer the actions only when their checks allow them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from documents import services
from providers.models import VerificationStatus
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def code(check) -> str | None:
    return None if check.allowed else check.refusal.code


def _grant(document, provider, *, now=None, expires_at=None):
    return services.document_grant(
        document=document, actor=document.owner, provider=provider, now=now or timezone.now(), expires_at=expires_at
    )


# --- sharing -----------------------------------------------------------------------------------------------


def test_the_owner_may_share_with_a_verified_provider(document, patient, clinic):
    assert services.document_grant_check(document=document, actor=patient).allowed
    assert services.document_grant_check(document=document, actor=patient, provider=clinic).allowed


@pytest.mark.parametrize("who", ["other_patient", "clinic_member", "anonymous_user"])
def test_nobody_else_may_share_it_and_the_document_is_not_found_for_them(request, document, clinic, who):
    user = AnonymousUser() if who == "anonymous_user" else request.getfixturevalue(who)

    check = services.document_grant_check(document=document, actor=user, provider=clinic)

    assert code(check) == "not_found"
    assert check.reason == "You have no document with this id."


@pytest.mark.parametrize(
    "status", [VerificationStatus.PENDING, VerificationStatus.SUSPENDED, VerificationStatus.REJECTED]
)
def test_an_unverified_provider_is_refused_by_the_check_and_the_service_alike(document, patient, status):
    provider = ProviderFactory(status=status)

    check = services.document_grant_check(document=document, actor=patient, provider=provider)
    with pytest.raises(DomainError) as refused:
        _grant(document, provider)

    assert code(check) == "provider_not_verified"
    assert (refused.value.code, refused.value.message, refused.value.details) == (
        "provider_not_verified",
        check.reason,
        {"provider": ["Documents can be shared with verified providers only."]},
    )


# --- stopping ----------------------------------------------------------------------------------------------


def test_the_owner_may_stop_a_sharing_in_force(document, patient, clinic):
    grant = _grant(document, clinic)

    assert services.document_revoke_check(grant=grant, actor=patient, now=timezone.now()).allowed


def test_a_sharing_that_has_ended_is_not_offered_for_stopping(document, patient, clinic, rival):
    revoked = _grant(document, clinic)
    services.document_revoke(grant=revoked, actor=patient, now=timezone.now())
    revoked.refresh_from_db()
    now = timezone.now()
    expired = _grant(document, rival, now=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(days=1))

    for grant in (revoked, expired):
        check = services.document_revoke_check(grant=grant, actor=patient, now=now)
        assert code(check) == "grant_ended"
        assert check.reason == "This sharing has already ended."


def test_nobody_but_the_owner_may_stop_a_sharing(document, other_patient, clinic):
    grant = _grant(document, clinic)

    check = services.document_revoke_check(grant=grant, actor=other_patient, now=timezone.now())
    with pytest.raises(DomainError) as refused:
        services.document_revoke(grant=grant, actor=other_patient, now=timezone.now())

    assert code(check) == "not_found"
    assert (refused.value.code, refused.value.message) == ("not_found", check.reason)


# --- the page and the API -----------------------------------------------------------------------------------


def test_the_documents_page_offers_stopping_only_the_sharings_in_force(client, document, patient, clinic, rival):
    now = timezone.now()
    live = _grant(document, clinic)
    ended = _grant(document, rival, now=now - dt.timedelta(days=2), expires_at=now - dt.timedelta(days=1))
    client.force_login(patient)

    page = client.get(reverse("documents:list")).content.decode()

    assert reverse("documents:grant_revoke", kwargs={"document_id": document.pk, "grant_id": live.pk}) in page
    assert reverse("documents:grant_revoke", kwargs={"document_id": document.pk, "grant_id": ended.pk}) not in page
    assert reverse("documents:grant_add", kwargs={"document_id": document.pk}) in page


def test_the_api_lists_the_owners_actions_on_documents_and_sharings(api_as, document, patient, clinic):
    api = api_as(patient)
    live = _grant(document, clinic)
    stopped = _grant(document, ProviderFactory())
    services.document_revoke(grant=stopped, actor=patient, now=timezone.now())

    [listed] = api.get("/api/v1/documents/").json()
    grants = {g["id"]: g["available_actions"] for g in api.get(f"/api/v1/documents/{document.pk}/grants/").json()}

    assert listed["available_actions"] == {"share": {"allowed": True, "code": None, "reason": ""}}
    assert grants[live.pk] == {"revoke": {"allowed": True, "code": None, "reason": ""}}
    assert grants[stopped.pk] == {
        "revoke": {"allowed": False, "code": "grant_ended", "reason": "This sharing has already ended."}
    }
