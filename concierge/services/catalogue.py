"""The catalogue: what each add-on costs per city and currency, and who does the work (docs/decisions.md#add-ons).

Prices change with four eyes:

1. A careteam member proposes a price (`price_list_propose`): pending, nothing changes for patients.
   One proposal at a time per add-on, city and currency.
2. A finance member who did not propose it approves it (`price_list_approve`): it is in force at
   once, and the price it replaces is retired in the same transaction; or rejects it with a note
   (`price_list_reject`). Both are audited.

Suppliers (interpreter agencies, drivers, hotels, insurers) are the careteam's: created, edited and
deactivated (never deleted: orders keep who did the work) here, each change audited.

Amounts are integer minor units of the price's currency, above zero and in the currency's charge
step (10 fils for KWD), so that every order total is an amount Stripe accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import StaffGroup, User
from concierge.models import (
    PRICE_LIST_TRANSITIONS,
    AddonKind,
    CostUnit,
    PriceList,
    PriceListStatus,
    Supplier,
    SupplierKind,
)
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, ValidationFailed
from core.money import CURRENCY_EXPONENTS, charge_step
from core.state import Machine, transition, transition_check
from notifications.sms import e164
from providers.models import Specialty

# The kinds with a price list; a VIP package is quoted item by item. A second opinion is priced per
# specialty and currency (no city: it is given remotely); the others per city and currency.
PRICED_KINDS = (
    AddonKind.INTERPRETER,
    AddonKind.TRANSFER,
    AddonKind.VISA_LETTER,
    AddonKind.CARETEAM,
    AddonKind.SECOND_OPINION,
)
SPECIALTY_KINDS = frozenset({AddonKind.SECOND_OPINION})
# Far beyond any add-on's price: a larger number is a typing mistake (and would overflow nothing).
MAXIMUM_AMOUNT = 10**10
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _refuse_price(current: str, target: str) -> Conflict:
    return Conflict(
        _("This price is already decided (%(status)s).") % {"status": PriceListStatus(current).label},
        code="price_decided",
    )


PRICE_LIST = Machine(model=PriceList, table=PRICE_LIST_TRANSITIONS, refuse=_refuse_price, repeat_is_noop=False)


def _in_group(actor: User, group: StaffGroup) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.in_group(group)


def _careteam(actor: User, message: str) -> Check:
    return ALLOWED if _in_group(actor, StaffGroup.CARETEAM) else refuse(Forbidden(message))


def _finance(actor: User) -> Check:
    if _in_group(actor, StaffGroup.FINANCE):
        return ALLOWED
    return refuse(Forbidden(_("Only finance can approve or reject a price.")))


def _invalid(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


# --- checks -------------------------------------------------------------------------------------------


def price_list_propose_check(*, actor: User) -> Check:
    """May `actor` propose a price: the careteam sets prices (finance approves them)."""
    return _careteam(actor, _("Only the careteam can propose a price."))


def _not_proposer(price_list: PriceList, actor: User) -> Check:
    if price_list.proposed_by_id == actor.pk:
        return refuse(
            Conflict(_("Another finance member must decide on a price you proposed."), code="price_own_proposal")
        )
    return ALLOWED


def price_list_approve_check(*, price_list: PriceList, actor: User) -> Check:
    """May `actor` put `price_list` in force: finance, not its proposer (four eyes), still pending."""
    return first_refusal(
        _finance(actor),
        _not_proposer(price_list, actor),
        Check(transition_check(machine=PRICE_LIST, instance=price_list, target=PriceListStatus.ACTIVE)),
    )


def price_list_reject_check(*, price_list: PriceList, actor: User) -> Check:
    """May `actor` reject `price_list`: finance, not its proposer, still pending."""
    return first_refusal(
        _finance(actor),
        _not_proposer(price_list, actor),
        Check(transition_check(machine=PRICE_LIST, instance=price_list, target=PriceListStatus.REJECTED)),
    )


def supplier_create_check(*, actor: User) -> Check:
    return _careteam(actor, _("Only the careteam can manage suppliers."))


def supplier_update_check(*, supplier: Supplier, actor: User) -> Check:
    return _careteam(actor, _("Only the careteam can manage suppliers."))


def supplier_deactivate_check(*, supplier: Supplier, actor: User) -> Check:
    """May `actor` deactivate `supplier`: the careteam, and it is still active."""
    return first_refusal(
        _careteam(actor, _("Only the careteam can manage suppliers.")),
        ALLOWED
        if supplier.active
        else refuse(Conflict(_("This supplier is already deactivated."), code="supplier_inactive")),
    )


# --- validation ---------------------------------------------------------------------------------------


def _currency(currency: str, field: str = "currency") -> str:
    currency = (currency or "").strip().upper()
    if currency not in CURRENCY_EXPONENTS:
        raise _invalid(
            field, _("%(currency)s is not a currency we accept.") % {"currency": currency or "—"}, "unknown_currency"
        )
    return currency


def _amount(value: Any, currency: str, field: str, *, zero_allowed: bool = False) -> int:
    """A price in minor units: a whole number above zero (or zero where allowed), in the currency's charge step."""
    if type(value) is not int:
        raise _invalid(field, _("Enter the amount as a whole number of minor units."), "invalid_amount")
    if value < 0 or (value == 0 and not zero_allowed):
        raise _invalid(field, _("The amount must be above zero."), "invalid_amount")
    if value > MAXIMUM_AMOUNT:
        raise _invalid(field, _("This amount is too large."), "invalid_amount")
    step = charge_step(currency)
    if value % step:
        raise _invalid(
            field,
            _("%(currency)s amounts are charged in steps of %(step)d minor units.")
            % {"currency": currency, "step": step},
            "invalid_amount",
        )
    return value


def _city(city: str) -> str:
    city = " ".join((city or "").split())
    if not city:
        raise _invalid("city", _("Name the city."), "required")
    if len(city) > 120:
        raise _invalid("city", _("A city's name has at most 120 characters."), "too_long")
    return city


def _country(country: str) -> str:
    code = (country or "").strip().upper()
    if code not in dict(countries):
        raise _invalid("country", _("Choose a country."), "invalid_country")
    return code


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("This field is required."), "required")
    if len(value) > limit:
        raise _invalid(field, _("At most %(limit)d characters.") % {"limit": limit}, "too_long")
    return value


def _specialty(specialty: Any) -> Specialty:
    """The specialty a second opinion's price is for (a Specialty, its id or its code)."""
    found = None
    if isinstance(specialty, Specialty):
        found = specialty
    elif specialty not in (None, ""):
        text = str(specialty).strip()
        rows = Specialty.objects.filter(pk=int(text)) if text.isdigit() else Specialty.objects.filter(code=text)
        found = rows.first()
    if found is None:
        raise _invalid("specialty", _("Choose the specialty this price is for."), "invalid_specialty")
    return found


@dataclass(frozen=True)
class PriceProposal:
    kind: str
    city: str
    country: str
    currency: str
    unit_amount: int
    reduced_unit_amount: int | None
    supplement_amount: int | None
    note: str
    specialty: Specialty | None = None


def _proposal(
    *,
    kind: str,
    city: str,
    country: str,
    currency: str,
    unit_amount: Any,
    reduced_unit_amount: Any,
    supplement_amount: Any,
    note: str,
    specialty: Any = None,
) -> PriceProposal:
    if kind == AddonKind.VIP_CONCIERGE:
        raise _invalid(
            "kind", _("A VIP package has no price list: the careteam quotes it item by item."), "kind_not_priced"
        )
    if kind not in PRICED_KINDS:
        raise _invalid("kind", _("Choose an add-on that has a price list."), "kind_not_priced")
    currency = _currency(currency)
    unit = _amount(unit_amount, currency, "unit_amount")
    reduced = None
    if reduced_unit_amount is not None:
        if kind != AddonKind.INTERPRETER:
            raise _invalid(
                "reduced_unit_amount", _("Only an interpreter has a reduced hourly rate."), "reduced_not_allowed"
            )
        reduced = _amount(reduced_unit_amount, currency, "reduced_unit_amount")
        if reduced >= unit:
            raise _invalid(
                "reduced_unit_amount", _("The reduced rate must be below the hourly rate."), "reduced_not_below"
            )
    supplement = None
    if supplement_amount is not None:
        if kind != AddonKind.TRANSFER:
            raise _invalid(
                "supplement_amount", _("Only a transfer has a wheelchair supplement."), "supplement_not_allowed"
            )
        supplement = _amount(supplement_amount, currency, "supplement_amount")
    if kind in SPECIALTY_KINDS:
        # Given remotely: one price per specialty and currency, wherever the patient lives.
        return PriceProposal(
            kind=kind,
            city="",
            country="",
            currency=currency,
            unit_amount=unit,
            reduced_unit_amount=None,
            supplement_amount=None,
            note=_text(note, "note", 300),
            specialty=_specialty(specialty),
        )
    if specialty not in (None, ""):
        raise _invalid("specialty", _("Only a second opinion is priced per specialty."), "specialty_not_allowed")
    return PriceProposal(
        kind=kind,
        city=_city(city),
        country=_country(country),
        currency=currency,
        unit_amount=unit,
        reduced_unit_amount=reduced,
        supplement_amount=supplement,
        note=_text(note, "note", 300),
    )


# --- prices -------------------------------------------------------------------------------------------


def _already_pending() -> Conflict:
    return Conflict(
        _("A price for this add-on, city and currency is already waiting for finance's decision."),
        code="price_pending",
    )


def price_list_propose(
    *,
    actor: User,
    kind: str,
    city: str,
    country: str,
    currency: str,
    unit_amount: Any,
    reduced_unit_amount: Any = None,
    supplement_amount: Any = None,
    note: str = "",
    specialty: Any = None,
    now: dt.datetime,
) -> PriceList:
    """A careteam member proposes a price; it waits for finance (nothing changes for patients yet).
    A second opinion's price names its `specialty` instead of a city and country."""
    price_list_propose_check(actor=actor).enforce()
    proposal = _proposal(
        kind=kind,
        city=city,
        country=country,
        currency=currency,
        unit_amount=unit_amount,
        reduced_unit_amount=reduced_unit_amount,
        supplement_amount=supplement_amount,
        note=note,
        specialty=specialty,
    )
    with transaction.atomic():
        if proposal.specialty is not None:
            same = PriceList.objects.filter(
                kind=proposal.kind, specialty=proposal.specialty, currency=proposal.currency
            ).select_for_update()
        else:
            same = PriceList.objects.filter(
                kind=proposal.kind, city__iexact=proposal.city, currency=proposal.currency, specialty__isnull=True
            ).select_for_update()
        in_force = next((p for p in same if p.status == PriceListStatus.ACTIVE), None)
        if any(p.status == PriceListStatus.PENDING for p in same):
            raise _already_pending()
        # One spelling per city: "paris" joins the prices already in "Paris".
        known = (
            PriceList.objects.filter(city__iexact=proposal.city).values_list("city", flat=True).first()
            if proposal.city
            else None
        )
        if known:
            proposal = PriceProposal(**{**proposal.__dict__, "city": known})
        figures = (proposal.unit_amount, proposal.reduced_unit_amount, proposal.supplement_amount)
        if (
            in_force is not None
            and (
                in_force.unit_amount,
                in_force.reduced_unit_amount,
                in_force.supplement_amount,
            )
            == figures
        ):
            raise Conflict(_("This is already the price in force."), code="price_unchanged")
        try:
            with transaction.atomic():
                price_list = PriceList.objects.create(
                    **proposal.__dict__, status=PriceListStatus.PENDING, proposed_by=actor, proposed_at=now
                )
        except IntegrityError:
            raise _already_pending() from None
        audit_record(
            actor=actor,
            action="concierge.price_list.proposed",
            target=price_list,
            before=None if in_force is None else {"price_list": in_force.pk, "unit_amount": in_force.unit_amount},
            after={
                "kind": proposal.kind,
                "city": proposal.city,
                "specialty": proposal.specialty.code if proposal.specialty is not None else None,
                "currency": proposal.currency,
                "unit_amount": proposal.unit_amount,
                "reduced_unit_amount": proposal.reduced_unit_amount,
                "supplement_amount": proposal.supplement_amount,
                "note": proposal.note,
            },
            now=now,
        )
    return price_list


def price_list_approve(*, price_list: PriceList, actor: User, note: str = "", now: dt.datetime) -> PriceList:
    """Finance puts a proposed price in force; the price it replaces is retired in the same transaction."""
    note = _text(note, "note", 300)
    with transaction.atomic():
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        price_list_approve_check(price_list=price_list, actor=actor).enforce()
        replaced = (
            PriceList.objects.select_for_update()
            .filter(
                kind=price_list.kind,
                city=price_list.city,
                specialty=price_list.specialty_id,
                currency=price_list.currency,
                status=PriceListStatus.ACTIVE,
            )
            .first()
        )
        if replaced is not None:
            transition(
                machine=PRICE_LIST,
                instance=replaced,
                locked=True,
                target=PriceListStatus.RETIRED,
                actor=actor,
                action="concierge.price_list.retired",
                now=now,
                audit_after={"replaced_by": price_list.pk},
            )
        moved = transition(
            machine=PRICE_LIST,
            instance=price_list,
            locked=True,
            target=PriceListStatus.ACTIVE,
            actor=actor,
            action="concierge.price_list.approved",
            now=now,
            fields={"decided_by": actor, "decided_at": now, "decision_note": note},
            reason=note,
            audit_after={
                "proposed_by": price_list.proposed_by_id,
                "replaces": None if replaced is None else replaced.pk,
                "unit_amount": price_list.unit_amount,
            },
        )
    return moved.instance


def price_list_reject(*, price_list: PriceList, actor: User, note: str, now: dt.datetime) -> PriceList:
    """Finance rejects a proposed price, saying why; the price in force stays."""
    note = _text(note, "note", 300, required=True)
    with transaction.atomic():
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
        price_list_reject_check(price_list=price_list, actor=actor).enforce()
        moved = transition(
            machine=PRICE_LIST,
            instance=price_list,
            locked=True,
            target=PriceListStatus.REJECTED,
            actor=actor,
            action="concierge.price_list.rejected",
            now=now,
            fields={"decided_by": actor, "decided_at": now, "decision_note": note},
            reason=note,
        )
    return moved.instance


# --- suppliers ----------------------------------------------------------------------------------------

SUPPLIER_FIELDS = (
    "kind",
    "name",
    "city",
    "country",
    "contact_name",
    "email",
    "phone",
    "languages",
    "cost_amount",
    "cost_currency",
    "cost_unit",
)


def _supplier_fields(
    *,
    kind: str,
    name: str,
    city: str,
    country: str,
    contact_name: str = "",
    email: str = "",
    phone: str = "",
    languages: str = "",
    cost_amount: Any = None,
    cost_currency: str = "",
    cost_unit: str = CostUnit.FLAT,
) -> dict[str, Any]:
    if kind not in SupplierKind.values:
        raise _invalid("kind", _("Choose what the supplier does."), "invalid_kind")
    email = _text(email, "email", 254)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise _invalid("email", _("Enter a valid e-mail address."), "invalid_email") from None
    phone = _text(phone, "phone", 32)
    if phone:
        number = e164(phone)
        if number is None:
            raise _invalid(
                "phone", _("Enter the phone number with its country code, e.g. +33 6 12 34 56 78."), "invalid_phone"
            )
        phone = number
    codes = [code.strip().lower() for code in (languages or "").split(",") if code.strip()]
    if any(not _LANGUAGE.match(code) for code in codes):
        raise _invalid(
            "languages", _("Give languages as two- or three-letter codes, comma separated (en, fr, ar)."), "invalid"
        )
    if cost_unit not in CostUnit.values:
        raise _invalid("cost_unit", _("Choose what the cost is per."), "invalid_cost_unit")
    currency = ""
    if cost_amount is None:
        if (cost_currency or "").strip():
            raise _invalid("cost_amount", _("Give the cost with its currency, or neither."), "cost_incomplete")
    else:
        if not (cost_currency or "").strip():
            raise _invalid("cost_currency", _("Give the cost with its currency, or neither."), "cost_incomplete")
        currency = _currency(cost_currency, "cost_currency")
        cost_amount = _amount(cost_amount, currency, "cost_amount", zero_allowed=True)
    return {
        "kind": kind,
        "name": _text(name, "name", 200, required=True),
        "city": _city(city),
        "country": _country(country),
        "contact_name": _text(contact_name, "contact_name", 200),
        "email": email,
        "phone": phone,
        "languages": ",".join(dict.fromkeys(codes))[:200],
        "cost_amount": cost_amount,
        "cost_currency": currency,
        "cost_unit": cost_unit,
    }


def _audit_view(supplier: Supplier) -> dict[str, Any]:
    return {
        name: str(getattr(supplier, name)) if name == "country" else getattr(supplier, name) for name in SUPPLIER_FIELDS
    }


def supplier_create(*, actor: User, now: dt.datetime, **fields: Any) -> Supplier:
    """A careteam member records a supplier (`SUPPLIER_FIELDS`), active at once."""
    supplier_create_check(actor=actor).enforce()
    values = _supplier_fields(**fields)
    with transaction.atomic():
        supplier = Supplier.objects.create(**values, active=True, created_at=now)
        audit_record(
            actor=actor, action="concierge.supplier.created", target=supplier, after=_audit_view(supplier), now=now
        )
    return supplier


def supplier_update(*, supplier: Supplier, actor: User, now: dt.datetime, **changes: Any) -> Supplier:
    """A careteam member changes some of a supplier's fields (`SUPPLIER_FIELDS`); the others stay."""
    unknown = set(changes) - set(SUPPLIER_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown field."), code="invalid", details={name: [_("Unknown field.")] for name in unknown}
        )
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        supplier_update_check(supplier=supplier, actor=actor).enforce()
        before = _audit_view(supplier)
        current = {name: before[name] for name in SUPPLIER_FIELDS}
        values = _supplier_fields(**{**current, **changes})
        for name, value in values.items():
            setattr(supplier, name, value)
        supplier.save(update_fields=list(values))
        after = _audit_view(supplier)
        audit_record(
            actor=actor,
            action="concierge.supplier.updated",
            target=supplier,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            now=now,
        )
    return supplier


def supplier_deactivate(*, supplier: Supplier, actor: User, now: dt.datetime) -> Supplier:
    """The careteam stops using a supplier: no longer offered for new work; past orders keep it."""
    with transaction.atomic():
        supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
        supplier_deactivate_check(supplier=supplier, actor=actor).enforce()
        supplier.active = False
        supplier.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="concierge.supplier.deactivated",
            target=supplier,
            before={"active": True},
            after={"active": False},
            now=now,
        )
    return supplier
