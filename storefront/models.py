"""The storefront's tables: the search vocabulary, the published ranking and the search listing.

The vocabulary keeps the name it had in the kernel (`marketplace_searchterm`, with PostgreSQL's
trigram index on it made by the kernel's migration 0004)."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper


class SearchTerm(models.Model):
    """A word that occurs in the search index; misspelt query words are matched against these."""

    word = models.CharField(max_length=80, unique=True)

    class Meta:
        db_table = "marketplace_searchterm"

    def __str__(self) -> str:
        return self.word


class ProviderRanking(models.Model):
    """One provider's inputs to the published ranking and its score (storefront.ranking), refreshed
    by `provider_rankings_refresh` (a beat job and the `ranking_refresh` command): search joins
    this row instead of computing ratings, response times and cancellations per result."""

    provider = models.OneToOneField(
        "providers.Provider", on_delete=models.CASCADE, related_name="ranking", primary_key=True
    )
    score = models.FloatField(default=0.0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    rating_weighted = models.FloatField()
    rating_component = models.FloatField()
    response_median = models.DurationField(null=True, blank=True)
    response_samples = models.PositiveIntegerField(default=0)
    # The median only once it counts (RESPONSE_MIN_SAMPLES): what the sort by response time reads.
    response_counted = models.DurationField(null=True, blank=True)
    response_component = models.FloatField()
    bookings = models.PositiveIntegerField(default=0)
    cancelled_by_provider = models.PositiveIntegerField(default=0)
    reliability_component = models.FloatField()
    completeness_done = models.JSONField(default=list, blank=True)
    completeness_component = models.FloatField()
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-score"], name="storefront_ranking_score"),
        ]
        verbose_name = "provider ranking"

    def __str__(self) -> str:
        return f"Ranking of provider {self.provider_id}: {self.score:.3f}"


class Listing(models.Model):
    """One row per listed offering (a published offering of a verified provider), with everything
    search filters, sorts and shows, so that a search reads this one table and its indexes.

    Kept by storefront.listing: rows follow the services that change offerings, providers, next
    free slots, prices in euros and the published ranking (docs/architecture.md#the-search-listing);
    `manage.py listing_rebuild` refills the table from scratch.
    """

    offering = models.OneToOneField(
        "providers.Offering", on_delete=models.CASCADE, related_name="listing", primary_key=True
    )
    provider = models.ForeignKey("providers.Provider", on_delete=models.CASCADE, related_name="+")
    # The offering.
    kind = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    booking_mode = models.CharField(max_length=8)
    specialty_id = models.BigIntegerField()
    specialty_code = models.CharField(max_length=80)
    # {"en": name, "fr": name…}: the specialty's name in every catalogue language (English fallback).
    specialty_names = models.JSONField(default=dict)
    # The offering's specialty and the provider's: what the specialty filter matches.
    specialty_codes = models.JSONField(default=list)
    procedure_code = models.CharField(max_length=80, blank=True, default="")  # "" without a procedure
    currency = models.CharField(max_length=3)
    price_min = models.BigIntegerField()
    price_max = models.BigIntegerField(null=True, blank=True)
    deposit_bps = models.PositiveIntegerField(null=True, blank=True)
    deposit_fixed = models.BigIntegerField(null=True, blank=True)
    includes = models.JSONField(default=list)
    excludes = models.JSONField(default=list)
    price_eur_nano = models.BigIntegerField(null=True, blank=True)
    next_slot_at = models.DateTimeField(null=True, blank=True)
    # The provider.
    provider_slug = models.CharField(max_length=220)
    provider_name = models.CharField(max_length=200)
    provider_kind = models.CharField(max_length=16)
    provider_languages = models.JSONField(default=list)
    spoken_languages = models.JSONField(default=list)
    interpreter_available = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    # The location.
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=2)
    timezone = models.CharField(max_length=64)
    # The published ranking (ProviderRanking): what the sorts read (an unscored provider's score
    # when it has no row). A page's explanations are read from ProviderRanking by primary key.
    score = models.FloatField()
    rating_weighted = models.FloatField(null=True, blank=True)
    response_counted = models.DurationField(null=True, blank=True)
    # The offering's search index, copied (storefront.search builds it).
    search_text = models.TextField(default="", blank=True)
    # What search_text has before the descriptions (storefront.listing.search_head): phrases are looked for here.
    search_head = models.TextField(default="", blank=True)
    search_vector = SearchVectorField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["-score", "next_slot_at", "offering"], name="storefront_listing_score"),
            models.Index(fields=["next_slot_at", "offering"], name="storefront_listing_soonest"),
            models.Index(fields=["price_eur_nano", "offering"], name="storefront_listing_price"),
            models.Index(fields=["provider"], name="storefront_listing_provider"),
            # A place in the default order: the country, the city as search compares it (iexact), then
            # the score order's columns, so that a page of one city reads its first rows in order.
            models.Index(
                "country",
                Upper("city"),
                F("score").desc(),
                "next_slot_at",
                "offering",
                name="storefront_listing_place_score",
            ),
            models.Index(fields=["procedure_code"], name="storefront_listing_procedure"),
        ]

    def __str__(self) -> str:
        return f"Listing of offering {self.offering_id}"
