from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS
from phonenumber_field.modelfields import PhoneNumberField

from core.money import currency_choices


class StaffGroup(models.TextChoices):
    """Staff roles are Django groups, created by a data migration."""

    CARETEAM = "careteam", _("Careteam")
    FINANCE = "finance", _("Finance")
    MEDICAL_COORDINATOR = "medical_coordinator", _("Medical coordinator")


class NameOrder(models.TextChoices):
    """The order a person writes their name in; the site shows it so and never reorders it
    (docs/decisions.md, "Names as people write them")."""

    GIVEN_FIRST = "given_first", _("First name, then last name")
    FAMILY_FIRST = "family_first", _("Last name, then first name")


def name_as_written(first_name: str, last_name: str, order: str) -> str:
    """The one way a person's name is shown: both parts in the order the person gave."""
    parts = (last_name, first_name) if order == NameOrder.FAMILY_FIRST else (first_name, last_name)
    return " ".join(part.strip() for part in parts if part and part.strip())


class EmailUserManager(UserManager["User"]):
    """Users are identified by e-mail; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# The plugin cannot type `auth_token_set` (ApiToken's base is knox's untyped model).
class User(AbstractUser):  # type: ignore[django-manager-missing]
    # Fields of AbstractUser removed, as Django documents; django-stubs types them as always there.
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    # IANA name ("Europe/London"): deadlines are shown in it (core/when.py). Detected by the browser
    # at sign-up, changed on "My account"; empty means the browser's, else the site's default.
    timezone = models.CharField(_("timezone"), max_length=64, blank=True, default="")
    # The language of an account without a patient profile (staff, provider members): its pages,
    # e-mails and documents (docs/decisions.md, "Languages"). A patient's is the profile's
    # `preferred_language`; empty means not chosen yet (the browser's, else English).
    language = models.CharField(_("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[EmailUserManager] = EmailUserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def in_group(self, group: StaffGroup) -> bool:
        return self.groups.filter(name=group.value).exists()

    def get_full_name(self) -> str:
        profile = getattr(self, "patient_profile", None)
        return profile.full_name if profile else self.email

    def get_short_name(self) -> str:
        profile = getattr(self, "patient_profile", None)
        return profile.first_name if profile else self.email


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class PatientProfile(models.Model):
    """The patient an account books care for; the terms ask for each of these fields.

    When `acts_as_representative` is set, the account holder is the legal representative of
    this patient (a minor or a protected adult) and the identity below is the patient's.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_profile")
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    name_order = models.CharField(
        _("name order"), max_length=16, choices=NameOrder.choices, default=NameOrder.GIVEN_FIRST
    )
    phone = PhoneNumberField(_("phone"))
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices)
    nationality = CountryField(_("nationality"))
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES)
    preferred_currency = models.CharField(_("preferred currency"), max_length=3, choices=currency_choices())
    acts_as_representative = models.BooleanField(
        _("registered by a legal representative"),
        default=False,
        help_text=_("The account holder acts for this patient as parent, guardian or other legal representative."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient profile")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return name_as_written(self.first_name, self.last_name, self.name_order)


class TermsVersion(models.Model):
    """A published version of the terms of use; the newest published one is in force."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    published_at = models.DateTimeField(_("published at"))
    summary = models.TextField(_("what changed"), blank=True)

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"
        verbose_name = _("terms version")

    def __str__(self) -> str:
        return self.version


class TermsAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms_version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "terms_version"], name="accounts_terms_accepted_once"),
        ]
        verbose_name = _("terms acceptance")

    def __str__(self) -> str:
        return f"{self.user_id} accepted {self.terms_version_id} at {self.accepted_at:%Y-%m-%d %H:%M}"


class ConsentPurpose(models.TextChoices):
    """What a person consents to, each on its own and each withdrawable (docs/decisions.md, "Consents")."""

    TERMS = "terms", _("The terms of use")
    HEALTH_DATA = "health_data", _("Processing of my health data to arrange my care")
    MARKETING = "marketing", _("News and offers by e-mail")


class Consent(models.Model):
    """One consent given, to one version of the text of its purpose; withdrawing sets `withdrawn_at`.

    Rows are never deleted: giving consent again after a withdrawal records a new row. A person's
    consent to a purpose is the newest row of that purpose (`accounts.selectors.consent_state`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    version = models.CharField(_("version of the text"), max_length=32)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["user", "purpose", "-given_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="accounts_consent_withdrawn_after_given",
            ),
        ]
        verbose_name = _("consent")

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {self.version}"


class ApiToken(AbstractAuthToken):
    """An API token of one device (knox's KNOX_TOKEN_MODEL): a SHA-512 digest of the secret is all
    that is stored; the secret is shown once, when the token is made. Each sign-in through the API
    makes a new one, named after the device; it expires after API_TOKEN_TTL_DAYS and its owner can
    revoke it (deleting the row). Changing the password or the second factor revokes them all."""

    # knox makes the digest the primary key; ours is a plain number, so that lists, URLs and the
    # admin name a token without showing anything derived from its secret.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(_("device"), max_length=100)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    # A plain manager: knox's (untyped) adds a create() that makes the secret, which we do in
    # accounts.services.api_token_create; knox itself only filters.
    objects: ClassVar[models.Manager[ApiToken]] = models.Manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"
