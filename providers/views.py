"""Provider pages: joining, the provider dashboard and the careteam's queue (the public page is the storefront's)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import hooks
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound
from core.pages import apply_domain_error, run_service
from core.throttling import throttle_hit
from providers import services
from providers.availability import offering_free_slots
from providers.forms import (
    DischargePackSettingForm,
    ExceptionForm,
    LocationForm,
    MemberAddForm,
    MemberLanguagesForm,
    OfferingForm,
    PhotoForm,
    ProviderEditForm,
    ProviderJoinForm,
    VerificationForm,
    WeeklyRuleForm,
)
from providers.languages import language_names
from providers.models import Location, Offering, Provider, ProviderInvitation, ProviderMember
from providers.selectors import (
    invitations_pending,
    provider_for_member,
    providers_awaiting_verification,
    providers_decided,
    providers_of_member,
)


def _my_provider(request, provider_id: int) -> Provider:
    try:
        return provider_for_member(user=request.user, provider_id=provider_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _save(request, form, action, success_message: str):
    """Run a service call for a valid form; a refusal lands on the form and rolls back."""
    try:
        with transaction.atomic():
            result = action()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None
    messages.success(request, success_message)
    return result


# --- joining ---------------------------------------------------------------------------------------


@login_required
@api_twin("api_my_providers")
def join(request):
    form = ProviderJoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = _save(
            request,
            form,
            lambda: services.provider_join(
                user=request.user,
                details=form.details(form.cleaned_data["kind"]),
                registration=form.registration(),
                accepted_contracts=form.cleaned_data["accept_contracts"],
                now=timezone.now(),
            ),
            _("Thank you. Our careteam will check your registration; you can prepare your pages meanwhile."),
        )
        if provider:
            return redirect("providers:dashboard", provider_id=provider.pk)
    return render(
        request, "providers/join.html", {"form": form, "join": services.provider_join_check(now=timezone.now())}
    )


def dashboard_counts(*, provider: Provider, viewer, now: dt.datetime) -> list[dict]:
    """What awaits the provider's members in the apps above (quotes, bookings, payments), through
    `core.hooks.provider_dashboard_counts`, in their order."""
    found = [
        item
        for answer in hooks.provider_dashboard_counts.call(provider_id=provider.pk, viewer_id=viewer.pk, now=now)
        for item in answer
    ]
    return sorted(found, key=lambda item: item["order"])


# --- dashboard -----------------------------------------------------------------------------------------


@login_required
def dashboard_index(request):
    providers = list(providers_of_member(user=request.user))
    if len(providers) == 1:
        return redirect("providers:dashboard", provider_id=providers[0].pk)
    return render(request, "providers/dashboard_index.html", {"providers": providers})


@login_required
def dashboard(request, provider_id: int):
    provider = _my_provider(request, provider_id)
    user = request.user
    members = provider.members.select_related("user", "provider").order_by("user__email")
    now = timezone.now()
    offerings = provider.offerings.select_related("provider", "location", "specialty").order_by("title")
    return render(
        request,
        "providers/dashboard.html",
        {
            "provider": provider,
            "bookable": services.provider_bookable_check(provider=provider),
            "can": {
                "update": services.provider_update_check(provider=provider, actor=user),
                "add_photo": services.photo_add_check(provider=provider, actor=user),
                "save_location": services.location_save_check(provider=provider, actor=user),
                "add_offering": services.offering_save_check(provider=provider, actor=user),
                "add_member": services.member_add_check(provider=provider, actor=user),
            },
            # The page lists the member who is looking, but offers no button to remove oneself.
            "members": [
                {
                    "member": member,
                    "is_you": member.user_id == user.pk,
                    "remove": services.member_remove_check(member=member, actor=user),
                    "set_languages": services.member_languages_set_check(member=member, actor=user),
                    "languages": language_names(member.languages or []),
                    "languages_form": MemberLanguagesForm(
                        initial={"languages": member.languages}, prefix=f"member-{member.pk}"
                    ),
                }
                for member in members
            ],
            "invitations": [
                {
                    "invitation": invitation,
                    "revoke": services.invitation_revoke_check(invitation=invitation, actor=user, now=now),
                }
                for invitation in invitations_pending(provider=provider, now=now)
            ],
            "locations": provider.locations.prefetch_related("weekly_rules"),
            "offerings": [
                {
                    "offering": offering,
                    "edit": services.offering_save_check(provider=provider, actor=user, offering=offering),
                }
                for offering in offerings
            ],
            "member_form": MemberAddForm(),
            "photo_form": PhotoForm(),
            "steps": provider.verification_steps.select_related("actor")[:5],
            "counts": dashboard_counts(provider=provider, viewer=user, now=now),
        },
    )


@login_required
@api_twin("api_my_provider")
def profile_edit(request, provider_id: int):
    provider = _my_provider(request, provider_id)
    initial = {
        name: getattr(provider, name)
        for name in (
            *("name", "facility_type", "biography", "languages", "interpreter_available", "default_currency"),
            *("email", "phone", "website"),
            *("register", "registration_number"),
        )
    } | {
        "specialties": provider.specialties.all(),
        "procedures": provider.procedures.all(),
        "register_country": str(provider.register_country or ""),
    }
    form = ProviderEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _save(
            request,
            form,
            lambda: services.provider_update(
                provider=provider,
                actor=request.user,
                details=form.details(provider.kind),
                specialties=list(form.cleaned_data["specialties"]),
                procedures=list(form.cleaned_data["procedures"]),
                registration=form.registration(),
                now=timezone.now(),
            ),
            _("Your profile is saved."),
        )
        if done:
            return redirect("providers:dashboard", provider_id=provider.pk)
    return render(request, "providers/form.html", {"provider": provider, "form": form, "title": _("Profile")})


def _dashboard_post(request, provider: Provider, form, action, success_message: str):
    """A small form posted from the dashboard: run it, report the outcome as a message, go back."""
    if form.is_valid():
        _save(request, form, action, success_message)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("providers:dashboard", provider_id=provider.pk)


@login_required
@require_POST
@api_twin("api_my_invitations", "api_my_members")
def member_add(request, provider_id: int):
    provider = _my_provider(request, provider_id)
    form = MemberAddForm(request.POST)
    return _dashboard_post(
        request,
        provider,
        form,
        lambda: _invite(request, provider, form),
        _("The invitation is sent. Your colleague becomes a member once they accept it."),
    )


def _invite(request, provider: Provider, form: MemberAddForm):
    # Per administrator, as the API (docs/decisions.md#invitations); counted once the form is valid.
    throttle_hit(scope="invitations", key=request.user.pk)
    return services.invitation_create(
        provider=provider,
        actor=request.user,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        now=timezone.now(),
    )


@login_required
@require_POST
@api_twin("api_my_invitation")
def invitation_revoke(request, provider_id: int, invitation_id: int):
    provider = _my_provider(request, provider_id)
    invitation = get_object_or_404(
        ProviderInvitation.objects.select_related("provider"), pk=invitation_id, provider=provider
    )
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user, now=timezone.now())
        messages.success(request, _("The invitation is withdrawn: its link no longer works."))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("providers:dashboard", provider_id=provider.pk)


def _signed_in_first(request, url_name: str) -> str:
    return f"{resolve_url(url_name)}?{urlencode({'next': request.path})}"


@api_twin("api_invitation_accept", "api_invitation_decline")
def invitation(request, token: str):
    """The page the invitation's link opens: who invites whom, and accept or decline (signed in as
    the invited address). Anyone else is told to sign in with it; nothing changes without an answer."""
    try:
        invitation = services.invitation_by_token(token=token)
    except NotFound as exc:
        return render(request, "providers/invitation.html", {"missing": exc.message}, status=404)
    now = timezone.now()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_signed_in_first(request, "account_login"))
        action = request.POST.get("action")
        if action not in {"accept", "decline"}:
            messages.error(request, _("Choose to accept or to decline."))
            return redirect(request.path)
        try:
            with transaction.atomic():
                if action == "accept":
                    services.invitation_accept(invitation=invitation, user=request.user, now=now)
                else:
                    services.invitation_decline(invitation=invitation, user=request.user, now=now)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        if action == "accept":
            messages.success(
                request, _("Welcome: you are now a member of %(provider)s.") % {"provider": invitation.provider.name}
            )
            return redirect("providers:dashboard", provider_id=invitation.provider_id)
        messages.success(request, _("You declined the invitation."))
        return redirect("home")
    return render(
        request,
        "providers/invitation.html",
        {
            "invitation": invitation,
            "status": invitation.status_at(now),
            "accept": services.invitation_accept_check(invitation=invitation, user=request.user, now=now),
            "login_url": _signed_in_first(request, settings.LOGIN_URL),
            "signup_url": _signed_in_first(request, "account_signup"),
        },
    )


@login_required
@require_POST
@api_twin("api_my_photos")
def photo_add(request, provider_id: int):
    provider = _my_provider(request, provider_id)
    form = PhotoForm(request.POST, request.FILES)
    return _dashboard_post(
        request,
        provider,
        form,
        lambda: services.photo_add(
            provider=provider,
            actor=request.user,
            upload=form.cleaned_data["image"],
            caption=form.cleaned_data["caption"],
            now=timezone.now(),
        ),
        _("The photo is added."),
    )


@login_required
@require_POST
@api_twin("api_my_member")
def member_languages(request, provider_id: int, member_id: int):
    provider = _my_provider(request, provider_id)
    member = get_object_or_404(ProviderMember.objects.select_related("provider"), pk=member_id, provider=provider)
    form = MemberLanguagesForm(request.POST, prefix=f"member-{member.pk}")
    return _dashboard_post(
        request,
        provider,
        form,
        lambda: services.member_languages_set(
            member=member, actor=request.user, languages=list(form.cleaned_data["languages"]), now=timezone.now()
        ),
        _("The languages are saved."),
    )


@login_required
@require_POST
@api_twin("api_my_member")
def member_remove(request, provider_id: int, member_id: int):
    provider = _my_provider(request, provider_id)
    member = get_object_or_404(ProviderMember, pk=member_id, provider=provider)
    try:
        services.member_remove(member=member, actor=request.user, now=timezone.now())
        messages.success(request, _("The member was removed."))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("providers:dashboard", provider_id=provider.pk)


@login_required
@api_twin("api_my_locations", "api_my_location")
def location_edit(request, provider_id: int, location_id: int | None = None):
    provider = _my_provider(request, provider_id)
    location = get_object_or_404(Location, pk=location_id, provider=provider) if location_id else None
    initial = LocationForm.initial_for(location) if location else {}
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _save(
            request,
            form,
            lambda: services.location_save(
                provider=provider, actor=request.user, details=form.details(), location=location, now=timezone.now()
            ),
            _("The location is saved."),
        )
        if done:
            return redirect("providers:dashboard", provider_id=provider.pk)
    title = _("Edit location") if location else _("New location")
    return render(request, "providers/form.html", {"provider": provider, "form": form, "title": title})


@login_required
@api_twin("api_my_offerings", "api_my_offering")
def offering_edit(request, provider_id: int, offering_id: int | None = None):
    provider = _my_provider(request, provider_id)
    offering = get_object_or_404(Offering, pk=offering_id, provider=provider) if offering_id else None
    initial = OfferingForm.initial_for(offering) if offering else {}
    form = OfferingForm(request.POST or None, initial=initial, provider=provider)
    if request.method == "POST" and form.is_valid():
        done = _save(
            request,
            form,
            lambda: services.offering_save(
                provider=provider, actor=request.user, details=form.details(), offering=offering, now=timezone.now()
            ),
            _("The offering is saved."),
        )
        if done:
            return redirect("providers:dashboard", provider_id=provider.pk)
    title = _("Edit offering") if offering else _("New offering")
    return render(request, "providers/form.html", {"provider": provider, "form": form, "title": title})


def _week_preview(location: Location, now: dt.datetime) -> list[dict]:
    """The next seven days' free slots of the location's first offering, day by day."""
    offering = location.offerings.order_by("title").first()
    if offering is None:
        return []
    today = now.astimezone(ZoneInfo(location.timezone)).date()
    slots = offering_free_slots(offering=offering, first_day=today, last_day=today + dt.timedelta(days=6), now=now)
    days: list[dict[str, Any]] = [{"date": today + dt.timedelta(days=i), "slots": []} for i in range(7)]
    for slot in slots:
        days[(slot.start.date() - today).days]["slots"].append(slot)
    return [{"offering": offering, **day} for day in days]


@login_required
@api_twin("api_my_rules", "api_my_rule", "api_my_exceptions")
def availability(request, provider_id: int, location_id: int):
    provider = _my_provider(request, provider_id)
    location = get_object_or_404(Location, pk=location_id, provider=provider)
    rule_form = WeeklyRuleForm(request.POST if request.POST.get("form") == "rule" else None)
    exception_form = ExceptionForm(request.POST if request.POST.get("form") == "exception" else None)
    now = timezone.now()
    if request.method == "POST":
        done = None
        if rule_form.is_bound and rule_form.is_valid():
            done = _save(
                request,
                rule_form,
                lambda: services.weekly_rule_add(
                    location=location, actor=request.user, now=now, **rule_form.cleaned_data
                ),
                _("Opening hours added."),
            )
        elif exception_form.is_bound and exception_form.is_valid():
            done = _save(
                request,
                exception_form,
                lambda: services.exception_add(
                    location=location, actor=request.user, now=now, **exception_form.cleaned_data
                ),
                _("Exception added."),
            )
        elif request.POST.get("form") == "remove_rule":
            rule = get_object_or_404(location.weekly_rules, pk=request.POST.get("rule_id"))
            done = _save(
                request,
                rule_form,
                lambda: services.weekly_rule_remove(rule=rule, actor=request.user, now=now),
                _("Opening hours removed."),
            )
        if done is not None or request.POST.get("form") == "remove_rule":
            return redirect("providers:availability", provider_id=provider.pk, location_id=location.pk)
    user = request.user
    return render(
        request,
        "providers/availability.html",
        {
            "provider": provider,
            "location": location,
            "can": {
                "add_rule": services.weekly_rule_add_check(location=location, actor=user),
                "add_exception": services.exception_add_check(location=location, actor=user),
            },
            "rules": [
                {"rule": rule, "remove": services.weekly_rule_remove_check(rule=rule, actor=user)}
                for rule in location.weekly_rules.select_related("location__provider")
            ],
            "exceptions": location.exceptions.filter(date__gte=now.date()),
            "rule_form": rule_form,
            "exception_form": exception_form,
            "preview": _week_preview(location, now),
        },
    )


# --- careteam --------------------------------------------------------------------------------------


def _require_careteam(request) -> None:
    careteam = services.careteam_check(user=request.user)
    if not careteam:
        raise PermissionDenied(careteam.reason)


@login_required
def verification_queue(request):
    _require_careteam(request)
    return render(
        request,
        "providers/verification_queue.html",
        {"pending": providers_awaiting_verification(), "others": providers_decided()[:200]},
    )


@login_required
@api_twin("api_careteam_provider_verification")
def verification_review(request, provider_id: int):
    _require_careteam(request)
    provider = get_object_or_404(
        Provider.objects.prefetch_related("credentials", "accreditations", "contract_acceptances__contract"),
        pk=provider_id,
    )
    decisions = services.provider_decision_checks(provider=provider, actor=request.user)
    offered = [name for name, check in decisions.items() if check]
    form = VerificationForm(request.POST or None, offered=offered)
    if request.method == "POST" and form.is_valid():
        transition, _check = services.VERIFICATION_DECISIONS[form.cleaned_data["decision"]]
        done = _save(
            request,
            form,
            lambda: transition(
                provider=provider,
                actor=request.user,
                checked=form.cleaned_data["checked"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
            ),
            _("Decision recorded."),
        )
        if done:
            return redirect("providers:verification_queue")
    return render(
        request,
        "providers/verification_review.html",
        {
            "provider": provider,
            "form": form,
            "offered": offered,
            "refused": [(form.decision_label(name), check.reason) for name, check in decisions.items() if not check],
            "steps": provider.verification_steps.select_related("actor"),
            "discharge_pack_form": DischargePackSettingForm(
                initial={"required": provider.discharge_pack_required}, auto_id="id_discharge_pack_%s"
            ),
        },
    )


@login_required
@require_POST
@api_twin("api_careteam_provider_discharge_pack")
def discharge_pack_setting(request, provider_id: int):
    """The careteam sets whether the deposit of the provider's procedures waits for the discharge pack."""
    _require_careteam(request)
    provider = get_object_or_404(Provider, pk=provider_id)
    form = DischargePackSettingForm(request.POST)
    required = form.is_valid() and form.cleaned_data["required"]
    run_service(
        request,
        lambda: services.provider_discharge_pack_set(
            provider=provider, actor=request.user, required=required, now=timezone.now()
        ),
        _("The deposit of this provider's procedures now waits for the discharge pack.")
        if required
        else _("The deposit of this provider's procedures no longer waits for the discharge pack."),
    )
    return redirect("providers:verification_review", provider.pk)
