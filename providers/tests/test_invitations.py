"""Joining a provider's team by invitation only (docs/decisions.md#invitations).

Reproduces the finding: an administrator could make any existing account — even another
provider's administrator — a member of theirs, by e-mail, without asking.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory, enroll_mfa
from core.errors import Conflict, Forbidden, NotFound
from core.models import AuditEvent
from notifications.models import Message
from providers import services
from providers.models import MemberRole, ProviderInvitation, ProviderMember

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _invite(provider, actor, email, role=MemberRole.STAFF, now=NOW):
    return services.invitation_create(provider=provider, actor=actor, email=email, role=role, now=now)


def _token_from_mail(django_capture_on_commit_callbacks, send) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        result = send()
    body = mail.outbox[-1].body
    return re.search(r"/providers/invitations/([^/\s]+)/", body).group(1), result


def test_inviting_a_rivals_administrator_makes_nobody_a_member(clinic, clinic_admin, rival, rival_member):
    invitation, _token = _invite(clinic, clinic_admin, rival_member.email, role=MemberRole.ADMIN)

    assert not ProviderMember.objects.filter(provider=clinic, user=rival_member).exists()
    assert invitation.status_at(NOW) == "pending"
    assert invitation.expires_at == NOW + dt.timedelta(days=7)
    assert invitation.token_hash != _token
    assert len(invitation.token_hash) == 64
    [event] = AuditEvent.objects.filter(action="providers.invitation.created")
    assert event.target_id == str(invitation.pk)
    assert rival_member.email not in str(event.after)  # ids only: the trail is append-only


def test_the_invitee_accepts_and_only_then_is_a_member(clinic, clinic_admin):
    colleague = UserFactory(email="dana@example.test")
    invitation, token = _invite(clinic, clinic_admin, " Dana@EXAMPLE.test ", role=MemberRole.ADMIN)

    member = services.invitation_accept(
        invitation=services.invitation_by_token(token=token), user=colleague, now=NOW + dt.timedelta(days=1)
    )

    assert (member.provider, member.user, member.role) == (clinic, colleague, MemberRole.ADMIN)
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague
    assert AuditEvent.objects.filter(action="providers.invitation.accepted", actor=colleague).exists()
    with pytest.raises(Conflict) as again:
        services.invitation_accept(invitation=invitation, user=colleague, now=NOW + dt.timedelta(days=1))
    assert again.value.code == "invitation_accepted"


def test_another_signed_in_user_cannot_accept(clinic, clinic_admin, rival_member):
    UserFactory(email="dana@example.test")
    invitation, _token = _invite(clinic, clinic_admin, "dana@example.test")

    with pytest.raises(Forbidden):
        services.invitation_accept(invitation=invitation, user=rival_member, now=NOW)

    assert not ProviderMember.objects.filter(provider=clinic, user=rival_member).exists()


@pytest.mark.parametrize("how", ["expired", "revoked", "declined", "replaced"])
def test_a_closed_invitation_cannot_be_accepted(clinic, clinic_admin, how):
    colleague = UserFactory(email="dana@example.test")
    invitation, _token = _invite(clinic, clinic_admin, colleague.email)
    when = NOW + dt.timedelta(hours=1)
    if how == "expired":
        when = NOW + dt.timedelta(days=7)
    elif how == "revoked":
        services.invitation_revoke(invitation=invitation, actor=clinic_admin, now=NOW)
    elif how == "declined":
        services.invitation_decline(invitation=invitation, user=colleague, now=NOW)
    else:
        _invite(clinic, clinic_admin, colleague.email, role=MemberRole.ADMIN)

    with pytest.raises(Conflict) as refused:
        services.invitation_accept(invitation=invitation, user=colleague, now=when)

    expected = {"expired": "invitation_expired", "declined": "invitation_declined"}.get(how, "invitation_revoked")
    assert refused.value.code == expected
    assert not ProviderMember.objects.filter(provider=clinic, user=colleague).exists()


def test_staff_cannot_invite_or_revoke(clinic, clinic_admin, clinic_member):
    invitation, _token = _invite(clinic, clinic_admin, "dana@example.test")

    with pytest.raises(Forbidden):
        _invite(clinic, clinic_member, "eve@example.test")
    with pytest.raises(Forbidden):
        services.invitation_revoke(invitation=invitation, actor=clinic_member, now=NOW)


def test_an_unknown_token_is_not_found():
    with pytest.raises(NotFound):
        services.invitation_by_token(token="not-a-token")


def test_an_existing_member_changes_role_only_by_accepting(clinic, clinic_admin, clinic_member):
    with pytest.raises(Conflict) as same:
        _invite(clinic, clinic_admin, clinic_member.email, role=MemberRole.STAFF)
    invitation, _token = _invite(clinic, clinic_admin, clinic_member.email, role=MemberRole.ADMIN)
    assert clinic.members.get(user=clinic_member).role == MemberRole.STAFF

    services.invitation_accept(invitation=invitation, user=clinic_member, now=NOW)

    assert same.value.code == "already_member"
    assert clinic.members.get(user=clinic_member).role == MemberRole.ADMIN


# --- the e-mail and the pages ------------------------------------------------------------------------------


def test_an_account_holder_gets_the_link_in_a_logged_message(clinic, clinic_admin, django_capture_on_commit_callbacks):
    colleague = UserFactory(email="dana@example.test")

    token, _result = _token_from_mail(
        django_capture_on_commit_callbacks, lambda: _invite(clinic, clinic_admin, colleague.email)
    )

    message = Message.objects.get(event="provider_invitation")
    assert message.recipient == colleague
    assert "Clinique du Lac" in message.subject
    assert services.invitation_by_token(token=token).email == colleague.email


def test_someone_without_an_account_gets_the_link_too(clinic, clinic_admin, django_capture_on_commit_callbacks):
    token, _result = _token_from_mail(
        django_capture_on_commit_callbacks, lambda: _invite(clinic, clinic_admin, "new.doctor@example.test")
    )

    assert mail.outbox[-1].to == ["new.doctor@example.test"]
    assert services.invitation_by_token(token=token)


def test_the_dashboard_invites_lists_and_withdraws(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    dashboard = reverse("providers:dashboard", kwargs={"provider_id": clinic.pk})

    response = client.post(
        reverse("providers:member_add", kwargs={"provider_id": clinic.pk}),
        {"email": "dana@example.test", "role": "staff"},
    )
    page = client.get(dashboard).content.decode()

    assert response.status_code == 302
    invitation = ProviderInvitation.objects.get()
    assert "dana@example.test" in page
    assert not clinic.members.filter(user__email="dana@example.test").exists()
    client.post(
        reverse("providers:invitation_revoke", kwargs={"provider_id": clinic.pk, "invitation_id": invitation.pk})
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "dana@example.test" not in client.get(dashboard).content.decode()


def test_the_invitation_page_accepts_for_the_right_account_only(clinic, clinic_admin, rival_member):
    colleague = UserFactory(email="dana@example.test")
    _invitation, token = _invite(clinic, clinic_admin, colleague.email)
    url = reverse("providers:invitation", kwargs={"token": token})

    anonymous = Client().get(url)
    wrong = Client()
    wrong.force_login(rival_member)
    refused = wrong.post(url, {"action": "accept"})
    right = Client()
    right.force_login(colleague)
    shown = right.get(url)
    accepted = right.post(url, {"action": "accept"})

    assert anonymous.status_code == 200
    assert "Sign in" in anonymous.content.decode()
    assert refused.status_code == 302
    assert not clinic.members.filter(user=rival_member).exists()
    assert "Accept and join" in shown.content.decode()
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("providers:dashboard", kwargs={"provider_id": clinic.pk})
    assert clinic.members.filter(user=colleague).exists()
    assert Client().get(reverse("providers:invitation", kwargs={"token": "bogus"})).status_code == 404


# --- the API -------------------------------------------------------------------------------------------------


def test_the_api_invites_and_the_invitee_accepts(api_as, clinic, clinic_admin, rival_member):
    colleague = UserFactory(email="dana@example.test")

    sent = api_as(clinic_admin).post(
        f"/api/v1/my/providers/{clinic.pk}/members/", {"email": colleague.email, "role": "admin"}, format="json"
    )

    assert sent.status_code == 201, sent.content
    assert sent.json()["status"] == "pending"
    assert "token" not in sent.json()
    assert not clinic.members.filter(user=colleague).exists()
    listed = api_as(clinic_admin).get(f"/api/v1/my/providers/{clinic.pk}/invitations/").json()
    assert [i["email"] for i in listed] == [colleague.email]

    invitation = ProviderInvitation.objects.get()
    token = "t" * 43
    ProviderInvitation.objects.filter(pk=invitation.pk).update(token_hash=services.invitations.token_hash(token))
    wrong = api_as(rival_member).post(f"/api/v1/invitations/{token}/accept/")
    shown = api_as(colleague).get(f"/api/v1/invitations/{token}/")
    accepted = api_as(colleague).post(f"/api/v1/invitations/{token}/accept/")

    assert wrong.status_code == 403
    assert wrong.json()["code"] == "invitation_other_account"
    assert shown.json()["available_actions"]["accept"]["allowed"] is True
    assert accepted.status_code == 201
    assert clinic.members.get(user=colleague).role == MemberRole.ADMIN
    # A member now, the colleague must set up a second factor before anything else.
    unenrolled = api_as(colleague).post(f"/api/v1/invitations/{token}/accept/")
    assert (unenrolled.status_code, unenrolled.json()["code"]) == (403, "mfa_setup_required")
    enroll_mfa(colleague)
    again = api_as(colleague).post(f"/api/v1/invitations/{token}/accept/")
    assert (again.status_code, again.json()["code"]) == (409, "invitation_accepted")


def test_the_api_revokes_and_a_rival_cannot(api_as, clinic, clinic_admin, rival_member):
    invitation, token = _invite(clinic, clinic_admin, "dana@example.test")

    rival = api_as(rival_member).delete(f"/api/v1/my/providers/{clinic.pk}/invitations/{invitation.pk}/")
    revoked = api_as(clinic_admin).delete(f"/api/v1/my/providers/{clinic.pk}/invitations/{invitation.pk}/")

    assert rival.status_code == 404
    assert revoked.status_code == 204
    assert api_as(None).get(f"/api/v1/invitations/{token}/").json()["status"] == "revoked"


def test_invitations_are_throttled_per_administrator(settings, api_as, clinic, clinic_admin):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"invitations": "2/hour"}}
    client = api_as(clinic_admin)

    statuses = [
        client.post(
            f"/api/v1/my/providers/{clinic.pk}/invitations/",
            {"email": f"p{n}@example.test", "role": "staff"},
            format="json",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [201, 201, 429]


def test_a_withdrawn_invitations_page_says_what_to_do_next(clinic, clinic_admin):
    # Seen in the browser: "This invitation was withdrawn by the provider." and nothing else.
    invitation, token = _invite(clinic, clinic_admin, "late@example.test")
    services.invitation_revoke(invitation=invitation, actor=clinic_admin, now=NOW)

    html = Client().get(reverse("providers:invitation", kwargs={"token": token})).content.decode()

    assert "withdrawn" in html
    assert 'data-testid="invitation-next-step"' in html
    assert "invite you again" in html
