"""Every URL pattern has an access rule, and every rule holds: each of the roles of
tests/access_matrix.py opens each route of a small world (the patient's request, quote, booking,
document; the provider's slug, location, offering; a release asked for) and gets what the matrix says.

All cells are asked, then one assertion lists every mismatch as a table."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from accounts.tests.factories import UserFactory
from accounts.tests.factories import sign_in as sign_in_just_now
from concierge.services.catalogue import price_list_propose, supplier_create
from tests.access_matrix import MATRIX, ROLES, Rule
from tests.support import Pattern, url_patterns

# --- the patterns ------------------------------------------------------------------------------------


def rule_for(pattern: Pattern) -> str | None:
    """The matrix key that covers `pattern`: its own row, else a `*` group of its route's prefix."""
    if pattern.key in MATRIX:
        return pattern.key
    groups = [k for k in MATRIX if k.endswith("*") and pattern.route.startswith(k[:-1])]
    return max(groups, key=len) if groups else None


def test_every_url_pattern_has_an_access_rule_and_every_rule_a_pattern():
    patterns = url_patterns()
    missing = sorted(f"{p.key}  ({p.route})" for p in patterns if rule_for(p) is None)
    used = {rule_for(p) for p in patterns}
    stale = sorted(k for k, r in MATRIX.items() if k not in used and not r.debug_only)
    assert missing == [], "URL patterns without a row in tests/access_matrix.py:\n  " + "\n  ".join(missing)
    assert stale == [], "rows of tests/access_matrix.py that match no URL pattern:\n  " + "\n  ".join(stale)


def test_every_row_names_a_known_method_and_a_probe_for_its_group():
    for key, row in MATRIX.items():
        assert row.method in {"GET", "POST", "PUT", "DELETE"}, key
        assert row.also in {"", "POST", "PUT", "PATCH"}, key
        assert not key.endswith("*") or row.probe, f"{key}: a group row needs a `probe` URL name"


# --- the roles -----------------------------------------------------------------------------------------


def sign_in(client: Client, user) -> None:
    """The one way every role of the matrix signs in (where a second factor or any other step a
    role needs before reaching the pages is to be satisfied): as after the real sign-in form, the
    session records a sign-in just now, so the pages behind accounts.reauth's recent-sign-in check
    answer the role itself, not the re-authentication step."""
    sign_in_just_now(client, user)


@pytest.fixture
def people(patient, other_patient, clinic_admin, rival_member, careteam, finance, coordinator):
    from allauth.mfa.utils import is_mfa_enabled

    from accounts.selectors import user_requires_mfa

    admin = UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    # Whoever must use a second factor has one (the factories enroll them), so no role's pages are
    # the MFA set-up instead of the route itself (`setup` in `outcome`).
    for user in (clinic_admin, rival_member, careteam, finance, coordinator, admin):
        assert user_requires_mfa(user=user), user.email
        assert is_mfa_enabled(user), user.email
    return {
        "anonymous": None,
        "patient": patient,
        "other_patient": other_patient,
        "member": clinic_admin,
        "rival": rival_member,
        "careteam": careteam,
        "finance": finance,
        "coordinator": coordinator,
        "admin": admin,
    }


# --- the world -----------------------------------------------------------------------------------------


@pytest.fixture
def world(
    patient, other_patient, clinic, clinic_admin, clinic_member, rival, careteam, settings, tmp_path, monkeypatch
) -> dict[str, Any]:
    """The patient's quote request to the clinic (with a document, shared with the clinic), the
    clinic's quote, accepted: a booking whose deposit is paid and held, and a release asked for.
    Also: the clinic's invitation to the other patient's address (its link's token), an API token
    of the patient, a payment that came in for nothing (an orphaned charge), a payout change
    proposed by a finance member who is not the `finance` role, a Stripe event dead-lettered."""
    from cryptography.fernet import Fernet
    from django.utils import timezone

    from accounts.models import StaffGroup
    from accounts.services import api_token_create
    from bookings.services import booking_confirm_deposit
    from documents.tests import samples
    from documents.tests.helpers import upload_file
    from payments.models import Deposit, DepositStatus, OrphanedCharge, Release, StripeEvent
    from payments.services.payout_changes import payout_change_propose
    from providers.models import MemberRole, ProviderMember
    from providers.services.invitations import invitation_create
    from providers.tests.factories import LocationFactory, OfferingFactory, open_weekdays
    from quotes.services import LineInput, SlotInput, quote_accept, quote_request_submit, quote_submit

    settings.MEDIA_ROOT = tmp_path
    # DEBUG's media files: were they served by django.conf.urls.static again, from here too
    for served in get_resolver().url_patterns:
        if isinstance(served, URLPattern) and "document_root" in served.default_args:
            monkeypatch.setitem(served.default_args, "document_root", str(tmp_path))
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    now = timezone.now()
    location = LocationFactory(provider=clinic)
    open_weekdays(location)
    offering = OfferingFactory(provider=clinic, location=location)
    document = upload_file(patient, samples.pdf("Scan"))
    request = quote_request_submit(
        patient=patient,
        providers=[clinic],
        documents=[document],
        subject="Knee",
        description="Pain",
        desired_from=now.date() + dt.timedelta(days=10),
        desired_to=now.date() + dt.timedelta(days=40),
        specialty=None,
        procedure=None,
        travel_constraints="",
        now=now,
    )
    start = now.replace(microsecond=0) + dt.timedelta(days=20)
    quote = quote_submit(
        request=request,
        provider=clinic,
        actor=clinic_admin,
        currency="EUR",
        lines=[LineInput("procedure", "Arthroscopy", 1, 300_000)],
        deposit_amount=50_000,
        valid_until=now.date() + dt.timedelta(days=5),
        slots=[SlotInput(start=start, end=start + dt.timedelta(hours=1))],
        payment_days=3,
        max_variation_bps=500,
        now=now,
    )
    booking = quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=now).booking
    booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=now, now=now)
    deposit = Deposit.objects.create(
        booking=booking,
        amount=50_000,
        currency="EUR",
        status=DepositStatus.HELD,
        payment_intent_id=f"pi_{booking.pk}",
        charge_id=f"ch_{booking.pk}",
        paid_at=now,
        verification_code="MTRX-0000-0001",
        created_at=now,
        updated_at=now,
    )
    release = Release.objects.create(
        booking=booking,
        provider=clinic,
        currency="EUR",
        amount=50_000,
        requested_by=clinic_admin,
        requested_at=now,
    )
    invitation, invitation_token = invitation_create(
        provider=clinic, actor=clinic_admin, email=other_patient.email, role=MemberRole.STAFF, now=now
    )
    api_token, _secret = api_token_create(user=patient, device="Alice's phone", now=now)
    orphan = OrphanedCharge.objects.create(
        payment_intent_id="pi_orphan",
        charge_id="ch_orphan",
        amount=50_000,
        currency="EUR",
        purpose="deposit",
        reason="booking_expired",
        found_at=now,
    )
    # four eyes: proposed by another finance member, so that the `finance` role may approve it
    proposer = UserFactory(email="frank@example.test", is_staff=True, groups=[StaffGroup.FINANCE])
    change = payout_change_propose(
        provider=clinic, actor=proposer, stripe_account_id="acct_matrix", auto_release=False, note="New bank", now=now
    )
    # concierge's catalogue: a price proposed by a careteam member other than the `careteam` role, and a supplier
    price_proposer = UserFactory(email="cora@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])
    price = price_list_propose(
        actor=price_proposer, kind="transfer", city="Paris", country="FR", currency="EUR", unit_amount=8_000, now=now
    )
    supplier = supplier_create(
        actor=price_proposer, kind="driver", name="Matrix Cars", city="Paris", country="FR", now=now
    )
    event = StripeEvent.objects.create(
        id="evt_matrix_dead",
        type="payment_intent.succeeded",
        created=now,
        payload={"id": "evt_matrix_dead", "type": "payment_intent.succeeded", "data": {"object": {}}},
        received_at=now,
        attempts=5,
        last_error="boom",
        dead_at=now,
    )
    from concierge.services.orders import order_create
    from core.money import Money

    # the patient's transfer order for the booking, awaiting its payment
    order = order_create(
        patient=patient, kind="transfer", description="Transfer", price=Money(9_000, "EUR"), now=now, booking=booking
    )
    letter = _visa_letter(patient, booking, now)
    # A failed message: a case on the careteam's board (its key names it).
    from notifications.models import Channel, Message, MessageStatus

    failed = Message.objects.create(
        recipient=patient,
        channel=Channel.SMS,
        event="booking_reminder",
        template="bookings/reminder",
        language="en",
        key=f"matrix:failed:{patient.pk}:sms",
        to="+33600000000",
        status=MessageStatus.FAILED,
        created_at=now,
        updated_at=now,
    )
    # A VIP package being built (one item) and a paid careteam assistance whose tender's comparison was sent.
    from concierge.models import AddonOrder
    from concierge.services.assistance import assistance_request
    from concierge.services.packages import package_item_add, vip_request
    from quotes.models import Tender

    vip = vip_request(patient=patient, city="Paris", note="A hotel near the clinic", now=now)
    item = package_item_add(
        order=vip, actor=careteam, category="accommodation", description="Hotel", amount=50_000, currency="EUR", now=now
    )
    assistance = assistance_request(
        patient=patient,
        scope=["request_quotes"],
        expires_at=now + dt.timedelta(days=30),
        note="",
        city="Paris",
        now=now,
    )
    AddonOrder.objects.filter(pk=assistance.pk).update(status="confirmed", amount=25_000, currency="EUR", paid_at=now)
    tender = Tender.objects.create(
        order=assistance,
        request=request,
        invited_by=careteam,
        invited_at=now,
        answer_by=now + dt.timedelta(days=5),
        comparison_sent_at=now,
        comparison_sent_by=careteam,
    )
    # A paid second-opinion request nobody has taken yet: in the medical coordinators' queue.
    from providers.tests.factories import SpecialtyFactory
    from secondopinion.models import OpinionCase

    opinion_order = AddonOrder.objects.create(
        patient=patient,
        kind="second_opinion",
        description="Remote second opinion",
        amount=45_000,
        currency="EUR",
        status="confirmed",
        payment_intent_id="pi_matrix_opinion",
        paid_at=now,
        created_at=now,
    )
    opinion = OpinionCase.objects.create(
        patient=patient,
        specialty=SpecialtyFactory(),
        language="en",
        status="submitted",
        consent_at=now,
        order=opinion_order,
        clock_started_at=now,
        created_at=now,
        updated_at=now,
    )
    # A candidate on it (the patient's choice, refused while nobody shortlisted), and the clinic as a
    # specialist giving opinions: its case at `opinion_delivered` (the "member" role is of its
    # practice), with a follow-up question waiting and a live share link; "rival" is of another.
    from secondopinion.models import Candidate, FollowUp, Opinion, SpecialistProfile
    from secondopinion.services.after import share_link_create
    from secondopinion.tests.support_after import delivered_case

    profile = SpecialistProfile.objects.create(
        provider=clinic,
        languages=["en"],
        price_amount=45_000,
        currency="EUR",
        weekly_capacity=5,
        timezone="Europe/Paris",
        country="FR",
        created_at=now,
        updated_at=now,
    )
    profile.specialties.add(opinion.specialty)
    # the rival gives opinions too (its own profile): not on the world's cases
    SpecialistProfile.objects.create(
        provider=rival,
        languages=["en"],
        price_amount=40_000,
        currency="EUR",
        weekly_capacity=5,
        timezone="Europe/Paris",
        country="FR",
        created_at=now,
        updated_at=now,
    )
    candidate = Candidate.objects.create(case=opinion, specialist=profile, proposed_by=careteam, proposed_at=now)
    delivered = delivered_case(
        patient=patient,
        specialty=opinion.specialty,
        specialist=profile,
        signer=clinic_admin,
        diagnosis=document,
        now=now,
    )
    # a verification code as the signing gives them (the support's stand-in is not one)
    Opinion.objects.filter(case=delivered).update(verification_code="MTRX-SOPN-0000-0001")
    follow_up = FollowUp.objects.create(case=delivered, question="And sport?", asked_at=now)
    share_link, share_token = share_link_create(case=delivered, actor=patient, recipient="Dr House", now=now)
    # data rights: the patient's copy asked for (not built yet) and a correction forwarded to the clinic
    from privacy.models import DataRequest, ProviderForward

    data_request = DataRequest.objects.create(
        user=patient, kind="export", received_at=now, due_at=now + dt.timedelta(days=30)
    )
    correction = DataRequest.objects.create(
        user=patient, kind="rectification", details="My name", received_at=now, due_at=now + dt.timedelta(days=30)
    )
    forward = ProviderForward.objects.create(request=correction, provider=clinic, sent_at=now)
    erasure = _erasure_request_done(patient, now)
    # Messaging: the clinic takes messages about quote requests (the world's
    # booking came from one), and the patient wrote on the booking's thread with a document attached.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging.models import ProviderMessaging
    from messaging.participants import subject_of
    from messaging.services import message_send, thread_open

    ProviderMessaging.objects.create(provider=clinic, quote_requests=True, updated_at=now)
    thread = thread_open(subject=subject_of(kind="booking", subject_id=booking.pk), now=now)
    attached = message_send(
        thread=thread,
        actor=patient,
        body="A question",
        attachment=SimpleUploadedFile("scan.pdf", samples.pdf("Scan"), content_type="application/pdf"),
        now=now,
    )
    reviews = _reviews_world(patient, clinic, clinic_admin, supplier, now)
    # Disputes: the patient's dispute over the booking's deposit, awaiting the clinic's answer
    from disputes.models import Dispute

    dispute = Dispute.objects.create(
        booking=booking,
        patient=patient,
        opened_by=patient,
        opened_by_side="patient",
        reason="not_as_agreed",
        statement="Not what was quoted",
        status="awaiting_answer",
        opened_at=now,
        answer_due_at=now + dt.timedelta(days=10),
        amount=50_000,
        currency="EUR",
        created_at=now,
        updated_at=now,
    )
    # Aftercare: an item of the booking's discharge pack (the patient's document) and a link to it
    from bookings.models import DischargeItem
    from bookings.services import pack_link_create

    pack_item = DischargeItem.objects.create(
        booking=booking, kind="invoice", document=document, uploaded_by=clinic_admin, uploaded_at=now
    )
    pack_link, pack_token = pack_link_create(booking=booking, actor=patient, recipient="Dr Watson", now=now)
    return {
        **reviews,
        "thread_id": thread.pk,
        "thread_kind": "booking",
        "thread_document_id": attached.attachments.get().document_id,
        "dispute_id": dispute.pk,
        "pack_item_id": pack_item.pk,
        "pack_link_id": pack_link.pk,
        "pack_token": pack_token,
        "erasure_request_id": erasure.pk,
        "data_request_id": data_request.pk,
        "forward_id": forward.pk,
        "opinion_case_id": opinion.pk,
        "candidate_id": candidate.pk,
        "delivered_case_id": delivered.pk,
        "follow_up_id": follow_up.pk,
        "link_id": share_link.pk,
        "share_token": share_token,
        "opinion_code": "MTRX-SOPN-0000-0001",
        "order_id": order.pk,
        "vip_order_id": vip.pk,
        "assistance_order_id": assistance.pk,
        "item_id": item.pk,
        "tender_id": tender.pk,
        "invitation_id": invitation.pk,
        "case_key": f"notifications.message:{failed.pk}",
        "token": invitation_token,
        "api_token_id": api_token.pk,
        "orphan_id": orphan.pk,
        "change_id": change.pk,
        "price_id": price.pk,
        "supplier_id": supplier.pk,
        "event_id": event.pk,
        "booking_id": booking.pk,
        "appointment_id": booking.appointments.get().pk,
        "request_id": request.pk,
        "recipient_id": request.recipients.get().pk,
        "quote_id": quote.pk,
        "document_id": document.pk,
        "grant_id": document.grants.get().pk,
        "provider_id": clinic.pk,
        "slug": clinic.slug,
        "location_id": location.pk,
        "offering_id": offering.pk,
        "rule_id": location.weekly_rules.first().pk,
        "member_id": ProviderMember.objects.get(provider=clinic, user=clinic_member).pk,
        "release_id": release.pk,
        "code": deposit.verification_code,
        "letter_id": letter.pk,
        "letter_code": letter.verification_code,
        # the media files DEBUG serves: the patient's document as stored (encrypted)
        "path": document.storage_path,
        # allauth's e-mail confirmation and password reset links: keys that match nothing
        "key": "no-such-key",
        "uidb36": "zz",
    }


def _erasure_request_done(patient, now):
    """An erasure request of the patient's, done (its progress page and status: the patient's alone);
    done, so that the patient's own confirmation in its cell opens a new one (the account stays open here)."""
    from privacy.models import DataRequest, RequestKind, RequestStatus

    return DataRequest.objects.create(
        user=patient,
        kind=RequestKind.ERASURE,
        status=RequestStatus.DONE,
        received_at=now,
        due_at=now + dt.timedelta(days=30),
        completed_at=now,
        progress=100,
    )


def _visa_letter(patient, booking, now):
    """The patient's visa letter for the world's booking, paid and issued."""
    from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, VisaLetter, VisaPerson

    order = AddonOrder.objects.create(
        patient=patient,
        booking=booking,
        kind=AddonKind.VISA_LETTER,
        description="Visa invitation letter",
        amount=4_500,
        currency="EUR",
        status=AddonOrderStatus.FULFILLED,
        paid_at=now,
        fulfilled_at=now,
        created_at=now,
    )
    return VisaLetter.objects.create(
        order=order,
        booking=booking,
        person=VisaPerson.PATIENT,
        surname="DUPONT",
        given_names="MARIE",
        passport_number="19AB12345",
        nationality="FR",
        birth_date=dt.date(1980, 5, 17),
        verification_code="MTRX-0000-0002",
        issued_at=now,
    )


def _path(key: str, row: Rule, world: dict[str, Any]) -> str:
    name = row.probe or key
    pattern = next(p for p in url_patterns() if p.key == name)
    arguments = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern.route)
    kwargs = {}
    for plain, regex in arguments:
        argument = plain or regex
        kwargs[argument] = world[row.args.get(argument, argument)]
    if pattern.key == pattern.route:  # no name to reverse: fill the route in
        filled = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), pattern.route)
        filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), filled)
        return "/" + filled.replace("^", "").replace("$", "")
    return reverse(name, kwargs=kwargs)


# --- one cell ------------------------------------------------------------------------------------------

LOGIN = (reverse("account_login"), reverse("admin:login"))
SETUP = (reverse("accounts_terms_accept"), "/accounts/2fa/")


def outcome(response: HttpResponse, *, role: str, api: bool) -> str:
    status = response.status_code
    if 300 <= status < 400:
        target = response.get("Location", "")
        if target.split("?")[0].endswith(LOGIN):
            return "login"
        if any(s in target for s in SETUP):
            return "setup"  # never expected: the role's sign-in must leave nothing to set up
        return "ok"
    if status == 401 or (status == 403 and api and role == "anonymous"):
        return "login"
    if status == 403:
        return "denied"
    if status == 404:
        return "hidden"
    if status < 300 or status in {400, 409, 422, 502}:
        return "ok"
    return f"http {status}"


def ask(client: Client, method: str, path: str, data: dict[str, str] | None = None) -> HttpResponse:
    """One request whose writes are undone, so that every cell sees the same world."""
    cache.clear()  # rate limits
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif path.startswith("/api/"):
            response = client.generic(method, path, json.dumps(data or {}), content_type="application/json")
        else:
            body = urlencode(data or {})
            response = client.generic(method, path, body, content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    return response


def _describe(response: HttpResponse) -> str:
    where = response.get("Location", "")
    return f"{response.status_code}" + (f" → {where}" if where else "")


def test_every_role_gets_what_the_matrix_says_on_every_route(people, world):
    started = time.monotonic()
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if people[role] is not None:
            sign_in(client, people[role])
        clients[role] = client
    mismatches = []
    observed: dict[str, list[str]] = {}
    present = {p.key for p in url_patterns()}
    for key, row in sorted(MATRIX.items()):
        if row.debug_only and (row.probe or key) not in present:
            continue
        path = _path(key, row, world)
        api = path.startswith("/api/")
        data = {k: v.format(**world) for k, v in row.data.items()}
        for method in filter(None, (row.method, row.also)):
            for role in ROLES:
                response = ask(clients[role], method, path, data if method == row.method else None)
                got = outcome(response, role=role, api=api)
                observed.setdefault(f"{key} {method}", []).append(got)
                if got != row.outcomes[role]:
                    mismatches.append((key, method, path, role, row.outcomes[role], got, _describe(response)))
                if django_settings.SESSION_COOKIE_NAME in response.cookies and people[role] is not None:
                    sign_in(clients[role], people[role])  # the request changed the session (a sign-out)
    elapsed = time.monotonic() - started
    if os.environ.get("ACCESS_MATRIX_SHOW"):
        print(f"\n{len(observed) * len(ROLES)} cells in {elapsed:.1f}s")
        for key, cells in observed.items():
            print(f"    {key:<48} {' '.join(f'{c:<6}' for c in cells).rstrip()}")
    lines = [f"{'route':<42} {'method':<6} {'role':<13} {'expected':<8} {'got':<8} answer   path"]
    lines += [f"{k:<42} {m:<6} {r:<13} {e:<8} {g:<8} {d:<8} {p}" for k, m, p, r, e, g, d in mismatches]
    assert mismatches == [], f"{len(mismatches)} cells differ from tests/access_matrix.py:\n" + "\n".join(lines)


@pytest.mark.parametrize("spelling", ["{path}", "x/../{path}", "/{path}", "./{path}", "{upper}"])
def test_the_media_files_debug_serves_never_include_a_document_however_spelled(world, spelling, settings):
    """(DEBUG served every file of the storage under /media/, the documents' blobs included.)"""
    if not any(str(p.pattern).lstrip("^").startswith("media/") for p in get_resolver().url_patterns):
        pytest.skip("DEBUG is off: no media files are served")
    path = world["path"]
    assert (settings.MEDIA_ROOT / path).exists()
    spelled = spelling.format(path=path, upper=path.replace("documents/", "Documents/"))
    response = Client(raise_request_exception=False).get("/media/" + spelled)
    assert response.status_code == 404


def test_a_member_naming_his_own_provider_still_cannot_reach_another_providers_objects(people, world, rival):
    """The rival's member puts his own provider's id in the URL and the clinic's location, offering,
    member, rule, request or quote next to it: 404, whatever the method. (A write with an empty
    body may be refused as input first, 400, before any lookup: nothing is read or written.)"""
    client = Client(raise_request_exception=False)
    sign_in(client, people["rival"])
    ids = dict(world, provider_id=rival.pk)
    wrong: list[str] = []
    probed: list[str] = []
    for pattern in url_patterns():
        arguments = re.findall(r"<(?:\w+:)?(\w+)>", pattern.route)
        if "provider_id" not in arguments or len(arguments) < 2:
            continue
        row = MATRIX[rule_for(pattern) or ""]
        path = _path(pattern.key, row, ids)
        probed.append(pattern.key)
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"]:
            response = ask(client, method, path)
            allowed = {404, 405} if method == "GET" else {400, 404, 405}
            if response.status_code not in allowed:
                wrong.append(f"{method} {path} → {_describe(response)}")
            if django_settings.SESSION_COOKIE_NAME in response.cookies:
                sign_in(client, people["rival"])
    assert "providers:location_edit" in probed
    assert "api_my_rule" in probed
    assert {"providers:invitation_revoke", "api_my_invitation"} <= set(probed)
    assert wrong == [], "another provider's objects answered:\n" + "\n".join(wrong)


def test_a_patient_naming_his_own_document_or_booking_still_cannot_reach_anothers_grant_or_appointment(
    people, world, other_patient, clinic
):
    """The other patient puts his own document (or booking) in the URL and the patient's grant (or
    appointment) next to it: 404, whatever the method (an empty write may be refused as input, 400)."""
    from django.utils import timezone

    from bookings.tests.support import awaiting
    from documents import services as documents
    from documents.tests import samples
    from documents.tests.helpers import upload_file

    now = timezone.now()
    own_document = upload_file(other_patient, samples.pdf("Mine"))
    documents.document_grant(document=own_document, actor=other_patient, provider=clinic, now=now)
    own_booking = awaiting(other_patient, clinic, now=now)
    ids = dict(world, document_id=own_document.pk, booking_id=own_booking.pk)
    client = Client(raise_request_exception=False)
    sign_in(client, other_patient)
    wrong: list[str] = []
    probed: list[str] = []
    for pattern in url_patterns():
        arguments = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern.route))
        if not ({"document_id", "grant_id"} <= arguments or {"booking_id", "appointment_id"} <= arguments):
            continue
        path = _path(pattern.key, MATRIX[rule_for(pattern) or ""], ids)
        probed.append(pattern.key)
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"]:
            response = ask(client, method, path)
            allowed = {404, 405} if method == "GET" else {400, 404, 405}
            if response.status_code not in allowed:
                wrong.append(f"{method} {path} → {_describe(response)}")
            if django_settings.SESSION_COOKIE_NAME in response.cookies:
                sign_in(client, other_patient)
    assert sorted(probed) == ["api_document_grant", "bookings:appointment_ics", "documents:grant_revoke"]
    assert wrong == [], "another patient's objects answered:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_media_files_debug_serves_still_include_the_photos(settings, tmp_path):
    if not any(str(p.pattern).lstrip("^").startswith("media/") for p in get_resolver().url_patterns):
        pytest.skip("DEBUG is off: no media files are served")
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "providers").mkdir()
    (tmp_path / "providers" / "front.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photo")

    response = Client().get("/media/providers/front.jpg")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0 a photo"


def _reviews_world(patient, clinic, clinic_admin, supplier, now) -> dict[str, int]:
    """Reviews: a second booking of the patient's with the clinic, completed, its review
    published and then reported by the clinic (its author may still answer); a fulfilled transfer by
    the world's driver, its review awaiting moderation."""
    from bookings.models import Booking, BookingStatus
    from bookings.tests.support import awaiting, confirm
    from concierge.models import AddonOrder, AddonOrderStatus
    from reviews.models import Review, ReviewStatus, SupplierReview
    from reviews.services import review_report

    start = now.replace(microsecond=0) + dt.timedelta(days=45)
    booking = confirm(awaiting(patient, clinic, now=now, slots=[(start, start + dt.timedelta(hours=1))]), at=now)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED, completed_at=now)
    stars = {"care": 5, "communication": 4, "value": 4, "cleanliness": 5}
    review = Review.objects.create(
        booking=booking,
        provider=clinic,
        author=patient,
        status=ReviewStatus.PUBLISHED,
        text="A careful team, I would go back.",
        submitted_at=now,
        published_at=now,
        updated_at=now,
        **stars,
    )
    report = review_report(review=review, actor=clinic_admin, reason="Names our nurse", now=now)
    order = AddonOrder.objects.create(
        patient=patient,
        kind="transfer",
        description="Airport transfer",
        amount=9_000,
        currency="EUR",
        status=AddonOrderStatus.FULFILLED,
        paid_at=now,
        supplier=supplier,
        supplier_name=supplier.name,
        fulfilled_at=now,
        created_at=now,
    )
    supplier_review = SupplierReview.objects.create(
        order=order,
        supplier=supplier,
        author=patient,
        service=5,
        communication=5,
        punctuality=4,
        text="On time and kind.",
        submitted_at=now,
        updated_at=now,
    )
    return {
        "review_booking_id": booking.pk,
        "review_id": review.pk,
        "report_id": report.pk,
        "review_order_id": order.pk,
        "supplier_review_id": supplier_review.pk,
    }
