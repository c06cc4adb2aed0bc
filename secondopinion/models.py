"""Remote second opinions (docs/decisions.md "Second opinion"): from a patient's file to a
specialist's written, signed opinion, on a clock the patient can see.

- `SpecialistProfile`: a verified practitioner who gives second opinions: specialties, languages,
  price per opinion, weekly capacity, and the timezone and country whose working days and public
  holidays count for their clock.
- `OpinionCase`: one patient's request, its questions (`CaseQuestion`), its documents
  (`CaseDocument`, the first diagnosis required), paid through a concierge add-on order
  (kind `second_opinion`), triaged by a medical coordinator who may pause the clock to ask for
  documents (`ClockPause`), shortlists specialists (`Candidate`), the patient chooses one, who
  accepts and writes the `Opinion`; then up to three `FollowUp` questions and `ShareLink`s for the
  patient's own doctor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SpecialistProfile(models.Model):
    """A practitioner (a provider of kind practitioner, verified) who opts in to second opinions.
    `price_amount` is what the patient pays for this specialist's opinion, in `currency`."""

    provider = models.OneToOneField(
        "providers.Provider", on_delete=models.CASCADE, related_name="opinion_profile", verbose_name=_("practitioner")
    )
    specialties = models.ManyToManyField("providers.Specialty", related_name="opinion_specialists")
    languages = models.JSONField(_("languages of the opinion"), default=list, blank=True)  # codes: ["fr", "en"]
    price_amount = models.BigIntegerField(_("price per opinion (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    weekly_capacity = models.PositiveSmallIntegerField(_("opinions per week"), default=3)
    timezone = models.CharField(_("timezone"), max_length=64, help_text=_("IANA name, e.g. Europe/Paris"))
    country = models.CharField(_("country of the working days"), max_length=2)  # ISO 3166-1 alpha-2
    active = models.BooleanField(_("accepting new cases"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["provider__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="secondopinion_price_positive"),
            models.CheckConstraint(
                condition=Q(weekly_capacity__gte=1, weekly_capacity__lte=100), name="secondopinion_capacity"
            ),
        ]
        verbose_name = _("second-opinion specialist")

    def __str__(self) -> str:
        return str(self.provider)


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Sent, waiting for a coordinator")
    UNDER_TRIAGE = "under_triage", _("Being read by a coordinator")
    AWAITING_DOCUMENTS = "awaiting_documents", _("Waiting for your documents")
    SHORTLISTED = "shortlisted", _("Specialists proposed: your choice")
    SPECIALIST_CHOSEN = "specialist_chosen", _("Waiting for the specialist to accept")
    DECLINED_BY_SPECIALIST = "declined_by_specialist", _("The specialist declined: choose another")
    ACCEPTED = "accepted", _("The specialist is writing the opinion")
    OPINION_DELIVERED = "opinion_delivered", _("Opinion delivered")
    FOLLOW_UP = "follow_up", _("Follow-up question asked")
    CLOSED = "closed", _("Closed")
    REFUNDED = "refunded", _("Refunded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = CaseStatus
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.UNDER_TRIAGE, S.REFUNDED, S.WITHDRAWN}),
    S.UNDER_TRIAGE: frozenset({S.AWAITING_DOCUMENTS, S.SHORTLISTED, S.REFUNDED, S.WITHDRAWN}),
    S.AWAITING_DOCUMENTS: frozenset({S.UNDER_TRIAGE, S.REFUNDED, S.WITHDRAWN}),
    S.SHORTLISTED: frozenset({S.SPECIALIST_CHOSEN, S.UNDER_TRIAGE, S.REFUNDED, S.WITHDRAWN}),
    S.SPECIALIST_CHOSEN: frozenset({S.ACCEPTED, S.DECLINED_BY_SPECIALIST, S.REFUNDED, S.WITHDRAWN}),
    # Back to the shortlist: the patient chooses another candidate, or the coordinator proposes more.
    S.DECLINED_BY_SPECIALIST: frozenset({S.SPECIALIST_CHOSEN, S.UNDER_TRIAGE, S.REFUNDED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.OPINION_DELIVERED, S.REFUNDED}),
    S.OPINION_DELIVERED: frozenset({S.FOLLOW_UP, S.CLOSED}),
    S.FOLLOW_UP: frozenset({S.OPINION_DELIVERED, S.CLOSED}),
    S.CLOSED: frozenset(),
    S.REFUNDED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
del S

# The clock stops while the case waits for the patient: for documents, or for their choice.
CLOCK_PAUSED_STATUSES = frozenset(
    {CaseStatus.AWAITING_DOCUMENTS, CaseStatus.SHORTLISTED, CaseStatus.DECLINED_BY_SPECIALIST}
)
# The clock runs from payment until the opinion is delivered.
CLOCK_STATUSES = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.UNDER_TRIAGE,
        CaseStatus.AWAITING_DOCUMENTS,
        CaseStatus.SHORTLISTED,
        CaseStatus.SPECIALIST_CHOSEN,
        CaseStatus.DECLINED_BY_SPECIALIST,
        CaseStatus.ACCEPTED,
    }
)


class OpinionCase(models.Model):
    """One patient's request for a second opinion, from draft to closed.

    The price is paid through a concierge add-on order (`order`, kind `second_opinion`): the
    platform's income at once; a full refund (unsuitable file, withdrawal before a specialist
    accepts) or the breach refund goes back through it. `clock_started_at` is the payment (the file
    as the patient sent it is complete); `ClockPause` rows stop it; `due_at` is the clock's answer
    stored at each change, for lists and alerts (`secondopinion.clock` computes it)."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opinion_cases")
    specialty = models.ForeignKey("providers.Specialty", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language of the opinion"), max_length=8)
    meeting_requested = models.BooleanField(_("I would like a video meeting with the specialist"), default=False)
    # The currency the patient pays in (the price list's), chosen with the draft; the order carries it once sent.
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    consent_at = models.DateTimeField(_("consent to share given at"), null=True, blank=True)
    order = models.OneToOneField(
        "concierge.AddonOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="opinion_case"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    skills_needed = models.TextField(_("skills needed"), blank=True)
    unsuitable_reason = models.CharField(_("why the file cannot be accepted"), max_length=40, blank=True)
    unsuitable_note = models.TextField(_("the coordinator's explanation"), blank=True)
    specialist = models.ForeignKey(
        SpecialistProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    accept_due_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    alerted_75_at = models.DateTimeField(null=True, blank=True)
    alerted_due_at = models.DateTimeField(null=True, blank=True)
    breach_refund_amount = models.BigIntegerField(null=True, blank=True)
    breach_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The chosen specialist's price against what was paid: a dearer one is a supplement order to pay
    # before they are asked; a cheaper one gives the difference back (once, `choice_refund_id`).
    supplement_order = models.ForeignKey(
        "concierge.AddonOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    choice_refund_amount = models.BigIntegerField(null=True, blank=True)
    choice_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    refund_amount = models.BigIntegerField(null=True, blank=True)
    # After the opinion: the patient's request for an in-person consultation with the specialist's
    # practice (a quote request sent to it, with the case's documents and the opinion shared); once.
    consultation_request = models.OneToOneField(
        "quotes.QuoteRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="opinion_case"
    )
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"])]
        verbose_name = _("second-opinion case")

    def __str__(self) -> str:
        return f"Second opinion #{self.pk} ({self.status})"


class CaseQuestion(models.Model):
    """One of the patient's questions (at most 5), in their words."""

    case = models.ForeignKey(OpinionCase, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "position"], name="secondopinion_question_position")]

    def __str__(self) -> str:
        return f"{self.case_id}.{self.position}"


class DocumentRole(models.TextChoices):
    FIRST_DIAGNOSIS = "first_diagnosis", _("First diagnosis by a health professional")
    IMAGING = "imaging", _("Imaging")
    REPORT = "report", _("Report or letter")
    PRESCRIPTION = "prescription", _("Prescription")
    OTHER = "other", _("Other")


class CaseDocument(models.Model):
    """A patient's medical document attached to the case. The file stays in `documents`
    (encrypted, audited); the coordinator of the case and, once accepted, the chosen specialist
    may read it (`secondopinion.access`)."""

    case = models.ForeignKey(OpinionCase, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("documents.MedicalDocument", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("what it is"), max_length=20, choices=DocumentRole.choices)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "document"], name="secondopinion_document_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.document_id}"


class ClockPause(models.Model):
    """A stretch of time that does not count towards the deadline: the coordinator asked for
    documents (`message`, what is missing), or the case waits for the patient's choice."""

    case = models.ForeignKey(OpinionCase, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=20)  # "documents" | "choice"
    message = models.TextField(blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="secondopinion_pause_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="secondopinion_one_open_pause"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.reason} from {self.started_at}"


class Candidate(models.Model):
    """A specialist the coordinator proposes for the case (the shortlist)."""

    case = models.ForeignKey(OpinionCase, on_delete=models.CASCADE, related_name="candidates")
    specialist = models.ForeignKey(SpecialistProfile, on_delete=models.PROTECT, related_name="candidacies")
    note = models.CharField(_("why this specialist"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["case", "proposed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "specialist"], name="secondopinion_candidate_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.specialist_id}"


class Opinion(models.Model):
    """The specialist's written opinion: drafted, then signed (which makes the PDF, stored as a
    medical document of the patient, with the register number and a verification code)."""

    case = models.OneToOneField(OpinionCase, on_delete=models.CASCADE, related_name="opinion")
    specialist = models.ForeignKey(SpecialistProfile, on_delete=models.PROTECT, related_name="opinions")
    case_summary = models.TextField(_("summary of the case as understood"), blank=True)
    diagnosis_review = models.TextField(_("review of the diagnosis"), blank=True)
    answers = models.JSONField(_("answers to the questions"), default=list, blank=True)  # one per question
    options = models.TextField(_("treatment options"), blank=True)
    recommendation = models.TextField(_("recommendation"), blank=True)
    in_person_advised = models.BooleanField(_("an in-person consultation is advised"), default=False)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification_code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    document = models.ForeignKey(
        "documents.MedicalDocument", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("second opinion")

    def __str__(self) -> str:
        return f"Opinion on case {self.case_id}"


class FollowUp(models.Model):
    """One of at most three follow-up questions within 30 days of the opinion, answered by the same specialist."""

    case = models.ForeignKey(OpinionCase, on_delete=models.CASCADE, related_name="follow_ups")
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "asked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: follow-up {self.pk}"


class ShareLink(models.Model):
    """A time-limited link by which the patient's own doctor reads the opinion (7 days, revocable;
    each opening audited). Only the SHA-256 of the token is stored."""

    case = models.ForeignKey(OpinionCase, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    recipient = models.CharField(_("for whom"), max_length=200)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    opened_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="secondopinion_share_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: link for {self.recipient}"
