"""The storefront's one table: the search vocabulary. It keeps the name it had in the kernel
(`marketplace_searchterm`, with PostgreSQL's trigram index on it made by the kernel's migration 0004)."""

from django.db import models


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
