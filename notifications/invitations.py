"""The e-mail inviting someone to a provider's team (docs/decisions.md#invitations).

Providers record the invitation and call `core.hooks.provider_invitation_sent` with the token
(they sit below notifications and cannot import it); this module answers the hook. After the
commit, the e-mail carries the link: to the account with that address through `notify` (its
language, its message log), or, when no account uses the address yet, straight to the address in
English — the person signs up with it, then accepts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from notifications.messages import after_commit
from notifications.rendering import FALLBACK_LANGUAGE, SUBJECT_MAX, language_of, one_line, render_part
from notifications.services import notify, site_url
from providers.models import MemberRole, ProviderInvitation

EVENT = "provider_invitation"


def provider_invitation_sent(*, invitation_id: int, token: str, now: dt.datetime) -> None:
    """Answers core.hooks.provider_invitation_sent: e-mail the link once the invitation commits."""
    after_commit(_send, invitation_id=invitation_id, token=token, now=now)


def _send(*, invitation_id: int, token: str, now: dt.datetime) -> None:
    invitation = ProviderInvitation.objects.select_related("provider", "invited_by").get(pk=invitation_id)
    recipient = (
        User.objects.filter(email__iexact=invitation.email, is_active=True).select_related("patient_profile").first()
    )
    language = language_of(recipient) if recipient is not None else FALLBACK_LANGUAGE
    with translation.override(language):
        role = str(MemberRole(invitation.role).label).lower()
    context = {
        "provider_name": invitation.provider.name,
        "invited_by": invitation.invited_by.email if invitation.invited_by else invitation.provider.name,
        "role": role,
        "email": invitation.email,
        "expires_at": invitation.expires_at,
        "invitation_url": site_url(reverse("providers:invitation", args=[token])),
    }
    if recipient is not None:
        notify(event=EVENT, recipient=recipient, context=context, key=f"{EVENT}:{invitation.pk}", now=now)
        return
    subject = one_line(render_part(template=EVENT, language=language, part="subject.txt", context=context), SUBJECT_MAX)
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_part(template=EVENT, language=language, part="body.txt", context=context).strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"X-MediBroker-Message": f"{EVENT}:{invitation.pk}"},
    )
    email.attach_alternative(
        render_part(template=EVENT, language=language, part="body.html", context=context), "text/html"
    )
    email.send()
