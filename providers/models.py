"""Practitioners and facilities: who they are, whether we verified them, what they sell, when.

Prices are integer minor units plus a currency (core.money). Availability is stored in
the location's own timezone (wall-clock times); slots are computed as aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.money import Money, currency_choices

# The site's languages other than English, each with a name and synonyms column on the catalogue
# (settings.LANGUAGES; English is the catalogue's reference name and never empty).
CATALOGUE_LANGUAGES = ("fr", "ar", "es", "de", "ru")


class CatalogueName(models.Model):
    """A catalogue entry named in each language of the site (English always; another language's
    name falls back to English while it is empty)."""

    code = models.SlugField(max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=160)
    name_fr = models.CharField(_("name (French)"), max_length=160)
    name_ar = models.CharField(_("name (Arabic)"), max_length=160, blank=True, default="")
    name_es = models.CharField(_("name (Spanish)"), max_length=160, blank=True, default="")
    name_de = models.CharField(_("name (German)"), max_length=160, blank=True, default="")
    name_ru = models.CharField(_("name (Russian)"), max_length=160, blank=True, default="")

    class Meta:
        abstract = True
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_in(get_language() or "en")

    def name_in(self, language: str) -> str:
        """The name in `language` (a code such as "ar" or "pt-br"), English when it has none."""
        code = language.split("-")[0].lower()
        translated = getattr(self, f"name_{code}", "") if code in CATALOGUE_LANGUAGES else ""
        return translated or self.name_en

    def names(self) -> list[str]:
        """Every name it has, English first, without repeats (for search)."""
        found = [self.name_en, *(getattr(self, f"name_{code}", "") for code in CATALOGUE_LANGUAGES)]
        return list(dict.fromkeys(name for name in found if name))


class Specialty(CatalogueName):
    """A medical specialty recognised by the authorities (France and the EU)."""

    class Meta(CatalogueName.Meta):
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")


class Procedure(CatalogueName):
    """A procedure that brings patients abroad, under the specialty that performs it."""

    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="procedures")
    # Other names and lay terms patients search with ("nose job", "prothèse de hanche"), one list per
    # language of settings.LANGUAGES; search indexes them with the names (storefront.search).
    synonyms_en = models.JSONField(
        _("synonyms (English)"),
        default=list,
        blank=True,
        help_text=_("Other names and lay terms patients search with, one per entry."),
    )
    synonyms_fr = models.JSONField(
        _("synonyms (French)"),
        default=list,
        blank=True,
        help_text=_("Other names and lay terms patients search with, one per entry."),
    )
    synonyms_ar = models.JSONField(
        _("synonyms (Arabic)"),
        default=list,
        blank=True,
        help_text=_("Other names and lay terms patients search with, one per entry."),
    )
    synonyms_es = models.JSONField(
        _("synonyms (Spanish)"),
        default=list,
        blank=True,
        help_text=_("Other names and lay terms patients search with, one per entry."),
    )
    synonyms_de = models.JSONField(
        _("synonyms (German)"),
        default=list,
        blank=True,
        help_text=_("Other names and lay terms patients search with, one per entry."),
    )
    synonyms_ru = models.JSONField(
        _("synonyms (Russian)"),
        default=list,
        blank=True,
        help_text=_("Other names and lay terms patients search with, one per entry."),
    )

    class Meta(CatalogueName.Meta):
        verbose_name = _("procedure")

    def synonyms(self, language: str) -> list[str]:
        """The synonyms in `language` (a code of settings.LANGUAGES), [] for a language without any."""
        return list(getattr(self, f"synonyms_{language}", None) or [])


class ProviderKind(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    FACILITY = "facility", _("Facility")


class FacilityType(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    CLINIC = "clinic", _("Clinic")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")


class Register(models.TextChoices):
    """Where a registration number can be checked."""

    RPPS = "rpps", _("RPPS (France)")
    ADELI = "adeli", _("ADELI (France)")
    NATIONAL = "national", _("National register of practitioners")
    FACILITY_LICENCE = "facility_licence", _("Facility licence")


class Provider(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ProviderKind.choices)
    facility_type = models.CharField(_("type of facility"), max_length=16, choices=FacilityType.choices, blank=True)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    biography = models.TextField(_("biography"), blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    # Matching on language (docs/decisions.md#matching-on-language): the provider can arrange an
    # interpreter; what search filters on is `spoken_languages`, the provider's own languages with
    # its members', kept by providers.services.languages.
    interpreter_available = models.BooleanField(_("an interpreter can be arranged"), default=False)
    spoken_languages = models.JSONField(default=list, blank=True, editable=False)
    default_currency = models.CharField(_("default currency"), max_length=3, choices=currency_choices())
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    specialties = models.ManyToManyField(Specialty, blank=True, related_name="providers")
    procedures = models.ManyToManyField(Procedure, blank=True, related_name="providers")

    # Verification (docs/decisions.md#providers-and-verification): only verified providers are listed and bookable.
    status = models.CharField(
        _("verification"), max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.PENDING
    )
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    register_country = CountryField(_("country of the register"))
    registration_number = models.CharField(_("registration number"), max_length=64)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the provider changed of its identity (name, type, specialties, registration) since the
    # careteam last verified it, `{field: {"from": …, "to": …}}`: the careteam's queue shows it, and
    # its next decision empties it (docs/decisions.md#provider-identity-changes).
    identity_changes = models.JSONField(default=dict, blank=True, editable=False)
    # Aftercare (docs/decisions.md#discharge-pack): the careteam decides whether the deposit of a
    # procedure (or quote) booking waits for its complete discharge pack; consultations never do.
    discharge_pack_required = models.BooleanField(
        _("the deposit's release waits for the discharge pack"), default=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ProviderKind.FACILITY) | Q(facility_type=""),
                name="providers_facility_type_only_for_facilities",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def all_languages(self) -> list[str]:
        """What is spoken there: the provider's own languages in its order, then those only members speak."""
        own = list(self.languages or [])
        return own + [code for code in (self.spoken_languages or []) if code not in own]

    @property
    def is_verified(self) -> bool:
        return self.status == VerificationStatus.VERIFIED

    @property
    def changes_under_review(self) -> bool:
        """Verified once, then changed its identity: back in the careteam's queue."""
        return self.status == VerificationStatus.PENDING and bool(self.identity_changes)

    @property
    def awaiting_verification(self) -> bool:
        """Not decided on yet (for what pages say about the status; what it allows: the checks)."""
        return self.status == VerificationStatus.PENDING

    @property
    def schema_org_type(self) -> str:
        if self.kind == ProviderKind.PRACTITIONER:
            return "Physician"
        return "Hospital" if self.facility_type == FacilityType.HOSPITAL else "MedicalClinic"


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Staff")


class ProviderMember(models.Model):
    """A user who works for a provider; one user may belong to several providers."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships")
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.STAFF)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "user"], name="providers_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.provider}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class ProviderInvitation(models.Model):
    """An administrator's invitation to join a provider, sent by e-mail (docs/decisions.md#invitations).

    Only the SHA-256 of the token is kept: the link in the e-mail is the one way to answer it, and
    only the account with the invited e-mail may accept it. Nobody becomes a member without
    accepting. At most one invitation per provider and address is open at a time.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))  # lower-case
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.STAFF)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "email"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True),
                name="providers_invitation_one_open_per_email",
            ),
        ]
        verbose_name = _("invitation")

    def __str__(self) -> str:
        return f"{self.email} to {self.provider} ({self.get_role_display()})"

    def status_at(self, now: dt.datetime) -> str:
        """Where the invitation stands at `now` (expiry is read, never stored)."""
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.declined_at:
            return InvitationStatus.DECLINED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING


class ContractKind(models.TextChoices):
    MEMBERSHIP = "membership", _("Membership contract")
    ETHICS = "ethics", _("Code of ethics")


class ContractVersion(models.Model):
    """A published version of the membership contract or the code of ethics."""

    kind = models.CharField(max_length=16, choices=ContractKind.choices)
    version = models.CharField(max_length=32)
    published_at = models.DateTimeField()
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="providers_contract_version_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class ContractAcceptance(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="contract_acceptances")
    contract = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "contract"], name="providers_contract_accepted_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} accepted {self.contract}"


class VerificationStep(models.Model):
    """One change of a provider's verification status: who, when, what was checked, why."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="verification_steps")
    from_status = models.CharField(max_length=16, choices=VerificationStatus.choices)
    to_status = models.CharField(max_length=16, choices=VerificationStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked = models.TextField(_("what was checked"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider}: {self.from_status} → {self.to_status}"


class CredentialKind(models.TextChoices):
    DIPLOMA = "diploma", _("Diploma")
    TITLE = "title", pgettext_lazy("credential", "Title")
    MEMBERSHIP = "membership", _("Professional membership")


class Credential(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("kind"), max_length=16, choices=CredentialKind.choices)
    title = models.CharField(_("title"), max_length=200)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-year"]

    def __str__(self) -> str:
        return self.title


class Accreditation(models.Model):
    """A facility's accreditation (JCI or national), valid until a date."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="accreditations")
    body = models.CharField(_("accrediting body"), max_length=120)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["-valid_until"]

    def __str__(self) -> str:
        return self.body


class Affiliation(models.Model):
    """A practitioner who practises at a facility."""

    practitioner = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="affiliations")
    facility = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="affiliated_practitioners")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "facility"], name="providers_affiliation_once"),
            models.CheckConstraint(
                condition=~Q(practitioner=models.F("facility")), name="providers_affiliation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} at {self.facility}"


def photo_path(instance: ProviderPhoto, filename: str) -> str:
    # The stored name never comes from the uploader.
    return f"providers/{instance.provider_id}/{uuid.uuid4().hex}.jpg"


class ProviderPhoto(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or f"Photo {self.pk}"


class Location(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=160)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    timezone = models.CharField(_("timezone"), max_length=64, help_text=_("IANA name, e.g. Europe/Paris"))
    # Shown on the patient's booking page: the entrance, where to report, what to bring.
    arrival_instructions = models.TextField(_("arrival instructions"), blank=True, default="")

    class Meta:
        ordering = ["country", "city", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="providers_location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="providers_location_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class OfferingKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    PROCEDURE = "procedure", _("Procedure")


class BookingMode(models.TextChoices):
    ONLINE = "online", _("Bookable online")
    QUOTE = "quote", _("On quote only")


class CancellationPolicyChoice(models.TextChoices):
    """The cancellation policies the platform allows; the policy engine arrives with bookings."""

    PLATFORM_DEFAULT = "platform_default", _("Platform default (free until 15 days before)")
    FLEXIBLE = "flexible", _("Flexible (free until 8 days before)")
    STRICT = "strict", _("Strict (free until 30 days before)")


class Offering(models.Model):
    """Something a provider sells at a location: a consultation or a procedure, with its fee."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="offerings")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="offerings")
    kind = models.CharField(_("kind"), max_length=16, choices=OfferingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="offerings")
    procedure = models.ForeignKey(Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="offerings")
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices())
    price_min = models.BigIntegerField(_("price (from)"))
    price_max = models.BigIntegerField(
        _("price (up to)"), null=True, blank=True, help_text=_("Empty for a fixed price.")
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    deposit_bps = models.PositiveIntegerField(_("deposit (basis points of the price)"), null=True, blank=True)
    deposit_fixed = models.BigIntegerField(_("deposit (fixed amount)"), null=True, blank=True)
    booking_mode = models.CharField(_("booking"), max_length=8, choices=BookingMode.choices)
    includes = models.JSONField(_("the price includes"), default=list, blank=True)
    excludes = models.JSONField(_("the price excludes"), default=list, blank=True)
    cancellation_policy = models.CharField(
        _("cancellation policy"),
        max_length=32,
        choices=CancellationPolicyChoice.choices,
        default=CancellationPolicyChoice.PLATFORM_DEFAULT,
    )
    slot_minutes = models.PositiveIntegerField(_("slot length (minutes)"))
    min_notice_hours = models.PositiveIntegerField(_("minimum notice (hours)"), default=48)
    horizon_days = models.PositiveIntegerField(_("booking horizon (days)"), default=90)
    is_active = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Kept up to date by providers.services (on change) and a periodic task, so that search can
    # filter and sort on them without computing slots or text per row.
    next_slot_at = models.DateTimeField(_("next free slot"), null=True, blank=True, db_index=True)
    search_text = models.TextField(default="", blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The lower price in nano-euros at the rates in force (core.rates says how it is rounded),
    # None when the currency has no rate: price filters and the sort by price compare it.
    price_eur_nano = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["provider", "title"]
        indexes = [
            # Published offerings by price: a price range is counted, and a page sorted by price
            # read, off the index (the covering columns are PostgreSQL's only).
            models.Index(
                fields=["price_eur_nano", "id"],
                include=["provider", "location", "specialty", "procedure", "next_slot_at"],
                condition=Q(is_active=True),
                name="providers_offering_price_eur",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_min__gte=0), name="providers_offering_price_not_negative"),
            models.CheckConstraint(
                condition=Q(price_max__isnull=True) | Q(price_max__gte=models.F("price_min")),
                name="providers_offering_price_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(deposit_bps__isnull=True) | Q(deposit_fixed__isnull=True),
                name="providers_offering_one_deposit_rule",
            ),
            models.CheckConstraint(
                condition=Q(deposit_bps__isnull=True) | Q(deposit_bps__lte=10_000),
                name="providers_offering_deposit_bps_range",
            ),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="providers_offering_slot_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def books_online(self) -> bool:
        """Patients book its free slots online (otherwise they ask for a quote)."""
        return self.booking_mode == BookingMode.ONLINE

    @property
    def price(self) -> Money:
        return Money(self.price_min, self.currency)

    @property
    def price_upper(self) -> Money | None:
        return Money(self.price_max, self.currency) if self.price_max is not None else None

    @property
    def deposit(self) -> Money:
        """The deposit asked at booking, from the fixed amount or a share of the (lower) price."""
        if self.deposit_fixed is not None:
            return Money(self.deposit_fixed, self.currency)
        return self.price.fee(self.deposit_bps or 0)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyRule(models.Model):
    """Open from `start` to `end` (wall-clock, the location's timezone) every `weekday`."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="weekly_rules")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start = models.TimeField(_("opens"))
    end = models.TimeField(_("closes"))

    class Meta:
        ordering = ["location", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="providers_rule_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", _("Closed all day")
    EXTRA = "extra", _("Extra opening")


class AvailabilityException(models.Model):
    """A date on which the weekly rules do not hold: closed all day, or open extra hours."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=ExceptionKind.choices)
    start = models.TimeField(_("opens"), null=True, blank=True)
    end = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["location", "date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ExceptionKind.CLOSED, start__isnull=True, end__isnull=True))
                | Q(kind=ExceptionKind.EXTRA, start__isnull=False, end__gt=models.F("start")),
                name="providers_exception_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
