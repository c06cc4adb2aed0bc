"""Writes for providers, by subdomain. Callers import from here: `from providers import services`."""

from providers.services.availability import exception_add, weekly_rule_add, weekly_rule_remove
from providers.services.derived import offerings_changed, offerings_refresh_next_slot, offerings_refresh_prices
from providers.services.joining import (
    ALLOWED_TRANSITIONS,
    ProviderDetails,
    Registration,
    contract_publish,
    contracts_current,
    provider_join,
    provider_reject,
    provider_suspend,
    provider_verify,
)
from providers.services.members import (
    PHOTO_MAX_BYTES,
    PHOTO_MAX_SIDE,
    member_add,
    member_remove,
    photo_add,
    provider_update,
)
from providers.services.offerings import LocationDetails, OfferingDetails, location_save, offering_save
from providers.services.permissions import member_role, require_careteam, require_member

__all__ = [
    "ALLOWED_TRANSITIONS",
    "PHOTO_MAX_BYTES",
    "PHOTO_MAX_SIDE",
    "LocationDetails",
    "OfferingDetails",
    "ProviderDetails",
    "Registration",
    "contract_publish",
    "contracts_current",
    "exception_add",
    "location_save",
    "member_add",
    "member_remove",
    "member_role",
    "offering_save",
    "offerings_changed",
    "offerings_refresh_next_slot",
    "offerings_refresh_prices",
    "photo_add",
    "provider_join",
    "provider_reject",
    "provider_suspend",
    "provider_update",
    "provider_verify",
    "require_careteam",
    "require_member",
    "weekly_rule_add",
    "weekly_rule_remove",
]
