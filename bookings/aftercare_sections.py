"""The discharge pack's section of the booking page (docs/decisions.md#discharge-pack)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from bookings import services
from bookings.forms import DischargeItemForm, PackLinkForm
from bookings.models import Booking, BookingStatus
from bookings.services.aftercare import PackLine
from providers.services.permissions import member_role


def pack_section(*, booking: Booking, viewer: Any, now: dt.datetime, **extra: Any) -> dict[str, Any] | None:
    """What the booking page shows of the pack: to the provider's members and the patient, for a
    booking that has one (confirmed or completed); None otherwise."""
    is_patient = booking.patient_id == getattr(viewer, "pk", None)
    is_member = member_role(user=viewer, provider=booking.provider) is not None
    if not (is_patient or is_member) or booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return None
    lines = services.discharge_pack(booking)
    add = services.discharge_item_upload_check(booking=booking, actor=viewer, now=now)
    section: dict[str, Any] = {
        "lines": lines,
        "missing": [line for line in lines if not line.done],
        "required": services.discharge_pack_required(booking),
        "is_patient": is_patient,
        "add": add if is_member else None,
    }
    if is_patient:
        section["share"] = services.pack_link_create_check(booking=booking, actor=viewer, now=now)
        section["share_form"] = extra.get("share_form") or PackLinkForm()
        section["links"] = [
            {
                "link": link,
                "live": link.revoked_at is None and link.expires_at > now,
                "revoke": services.pack_link_revoke_check(link=link, actor=viewer, now=now),
            }
            for link in services.pack_links_of(booking=booking)
        ]
        section["new_link_url"] = extra.get("new_link_url", "")
    # One upload form per item for the provider's members (the one posted with its errors).
    posted = extra.get("item_form")
    section["item_rows"] = [(line, _item_form(line, posted) if is_member and add else None) for line in lines]
    return section


def _item_form(line: PackLine, posted: DischargeItemForm | None) -> DischargeItemForm:
    form = posted if posted is not None and posted.data.get("kind") == line.kind else None
    form = form or DischargeItemForm(initial={"kind": line.kind}, auto_id=f"id_pack_{line.kind}_%s")
    # The types this item takes, tied to the file input (aria-describedby) by Django.
    form.fields["file"].help_text = _("%(types)s only.") % {"types": line.accepts}
    return form
