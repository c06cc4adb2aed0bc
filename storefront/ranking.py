"""The published ranking: how a provider's record orders search results (docs/decisions.md#ranking).

Pure: no database. `storefront.services.provider_rankings_refresh` gathers each provider's inputs,
scores them here and stores the result in `ProviderRanking`, which search joins (one row per
provider). The public page `/ranking/` shows these very constants, so what it says is what runs.

The score (0 to 1) is a weighted sum of four components, each 0 to 1:
1. rating: the mean of the provider's published reviews, pulled toward the site's mean by
   `RATING_PRIOR_REVIEWS` pseudo-reviews (a Bayesian average), so one 5-star review does not beat
   a hundred 4.8s and a provider without reviews sits at the site's mean; 1 star → 0, 5 stars → 1.
2. response: the median time from a quote request reaching the provider to its first quote (a
   request that expired unanswered counts as `RESPONSE_SLOW`); within `RESPONSE_FAST` → 1, at or
   beyond `RESPONSE_SLOW` → 0, linear between; neutral under `RESPONSE_MIN_SAMPLES` requests.
3. reliability: 1 minus the share of its bookings the provider cancelled, scaled so that
   `CANCELLATION_SHARE_ZERO` of them or more gives 0; neutral under `CANCELLATION_MIN_BOOKINGS`.
4. completeness: the share of `COMPLETENESS_ITEMS` the profile has.

Search orders by the score alone when there is no text query. With a query, relevance comes
first: the order is relevance + `QUERY_SCORE_WEIGHT` × score, small enough that a better text
match (a phrase, a name rather than a biography) stays ahead, and large enough to order matches
that are equally relevant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# --- the weights: one place, shown on the public page --------------------------------------------

WEIGHTS: dict[str, float] = {
    "rating": 0.40,
    "response": 0.20,
    "reliability": 0.20,
    "completeness": 0.20,
}
COMPONENTS = tuple(WEIGHTS)

RATING_PRIOR_REVIEWS = 5
DEFAULT_SITE_MEAN = Decimal("4.0")  # the prior's mean while the site has no published review

RESPONSE_FAST = dt.timedelta(hours=24)
RESPONSE_SLOW = dt.timedelta(days=7)
RESPONSE_MIN_SAMPLES = 3
RESPONSE_WINDOW = dt.timedelta(days=365)

CANCELLATION_SHARE_ZERO = 0.20
CANCELLATION_MIN_BOOKINGS = 5
CANCELLATION_WINDOW = dt.timedelta(days=365)

NEUTRAL = 0.5  # a component without enough data to count

QUERY_SCORE_WEIGHT = 0.05

# What a patient needs from a profile, in the order the page lists them.
COMPLETENESS_ITEMS: dict[str, object] = {
    "description": _("a description of the provider"),
    "photo": _("at least one photo"),
    "address": _("every location with its street address and position on the map"),
    "prices": _("published offerings, each with a description and what its price includes"),
    "languages": _("the languages spoken"),
    "registration": _("a registration number checked by our careteam"),
}


@dataclass(frozen=True)
class RankingInputs:
    """What is known of one provider (all counts over their windows)."""

    rating_average: Decimal | None = None
    rating_count: int = 0
    response_median: dt.timedelta | None = None
    response_samples: int = 0
    bookings: int = 0
    cancelled_by_provider: int = 0
    completeness_done: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RankingScore:
    rating_weighted: float  # the Bayesian average, 1 to 5
    components: dict[str, float]  # each 0 to 1
    score: float  # 0 to 1

    @property
    def points(self) -> int:
        """The score out of 100, as the page shows it."""
        return round(self.score * 100)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def rating_weighted(inputs: RankingInputs, site_mean: Decimal) -> float:
    prior = RATING_PRIOR_REVIEWS * float(site_mean)
    observed = inputs.rating_count * float(inputs.rating_average or 0)
    return (prior + observed) / (RATING_PRIOR_REVIEWS + inputs.rating_count)


def response_component(inputs: RankingInputs) -> float:
    if inputs.response_median is None or inputs.response_samples < RESPONSE_MIN_SAMPLES:
        return NEUTRAL
    span = (RESPONSE_SLOW - RESPONSE_FAST).total_seconds()
    return _clamp(1 - (inputs.response_median - RESPONSE_FAST).total_seconds() / span)


def reliability_component(inputs: RankingInputs) -> float:
    if inputs.bookings < CANCELLATION_MIN_BOOKINGS:
        return NEUTRAL
    share = inputs.cancelled_by_provider / inputs.bookings
    return _clamp(1 - share / CANCELLATION_SHARE_ZERO)


def ranking_score(inputs: RankingInputs, *, site_mean: Decimal = DEFAULT_SITE_MEAN) -> RankingScore:
    """The score of one provider's inputs (see the module's docstring)."""
    weighted = rating_weighted(inputs, site_mean)
    components = {
        "rating": _clamp((weighted - 1) / 4),
        "response": response_component(inputs),
        "reliability": reliability_component(inputs),
        "completeness": len(inputs.completeness_done & COMPLETENESS_ITEMS.keys()) / len(COMPLETENESS_ITEMS),
    }
    score = sum(WEIGHTS[name] * value for name, value in components.items())
    return RankingScore(rating_weighted=weighted, components=components, score=round(score, 6))


def site_mean(ratings: list[tuple[Decimal, int]]) -> Decimal:
    """The mean rating of every published review, from each provider's (average, count)."""
    total = sum(count for _average, count in ratings)
    if not total:
        return DEFAULT_SITE_MEAN
    weighted = sum((average * count for average, count in ratings), Decimal(0))
    return (weighted / total).quantize(Decimal("0.01"))


# A provider not yet scored (listed since the last refresh) ranks as one without any record.
UNSCORED = ranking_score(RankingInputs())


# --- why a result ranks where it does ------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: float  # 0 to 1
    value: float  # 0 to 1
    detail: str  # what it is made of, in a sentence

    @property
    def points(self) -> int:
        return round(self.value * 100)

    @property
    def weight_percent(self) -> int:
        return round(self.weight * 100)


@dataclass(frozen=True)
class Explanation:
    """One provider's place in the ranking, for the "Why this order?" disclosure and the API."""

    score: float
    rating_average: Decimal | None
    rating_count: int
    rating_weighted: float
    response_median: dt.timedelta | None
    response_samples: int
    bookings: int
    cancelled_by_provider: int
    completeness_missing: list[str]
    components: list[Component]
    refreshed_at: dt.datetime | None

    @property
    def points(self) -> int:
        return round(self.score * 100)

    @property
    def response_median_hours(self) -> float | None:
        if self.response_median is None:
            return None
        return round(self.response_median.total_seconds() / 3600, 1)


LABELS = {
    "rating": _("Verified rating"),
    "response": _("Response time to quote requests"),
    "reliability": _("Bookings kept (not cancelled by the provider)"),
    "completeness": _("Profile completeness"),
}


def _duration_text(duration: dt.timedelta) -> str:
    hours = duration.total_seconds() / 3600
    if hours < 48:
        n = max(1, round(hours))
        return ngettext("about %(n)d hour", "about %(n)d hours", n) % {"n": n}
    n = round(hours / 24)
    return ngettext("about %(n)d day", "about %(n)d days", n) % {"n": n}


def _details(inputs: RankingInputs, weighted: float) -> dict[str, str]:
    if inputs.rating_count:
        rating = ngettext(
            "%(average)s out of 5 from %(n)d published review; %(weighted).2f once averaged with the site's mean.",
            "%(average)s out of 5 from %(n)d published reviews; %(weighted).2f once averaged with the site's mean.",
            inputs.rating_count,
        ) % {"average": inputs.rating_average, "n": inputs.rating_count, "weighted": weighted}
    else:
        rating = gettext("No published review yet: counted at the site's mean rating (%(weighted).2f out of 5).") % {
            "weighted": weighted
        }
    if inputs.response_median is not None and inputs.response_samples >= RESPONSE_MIN_SAMPLES:
        response = ngettext(
            "Answers in %(time)s (the median of %(n)d request).",
            "Answers in %(time)s (the median of %(n)d requests).",
            inputs.response_samples,
        ) % {"time": _duration_text(inputs.response_median), "n": inputs.response_samples}
    else:
        response = gettext("Too few quote requests to count yet: counted in the middle.")
    if inputs.bookings >= CANCELLATION_MIN_BOOKINGS:
        reliability = ngettext(
            "Cancelled %(cancelled)d of %(n)d booking in the last year.",
            "Cancelled %(cancelled)d of %(n)d bookings in the last year.",
            inputs.bookings,
        ) % {"cancelled": inputs.cancelled_by_provider, "n": inputs.bookings}
    else:
        reliability = gettext("Too few bookings to count yet: counted in the middle.")
    done = len(inputs.completeness_done & COMPLETENESS_ITEMS.keys())
    completeness = gettext("%(done)d of %(total)d items a patient needs.") % {
        "done": done,
        "total": len(COMPLETENESS_ITEMS),
    }
    return {"rating": rating, "response": response, "reliability": reliability, "completeness": completeness}


def explain(inputs: RankingInputs, *, scored: RankingScore, refreshed_at: dt.datetime | None = None) -> Explanation:
    """What the disclosure and the API show of a provider's score: each component, its weight and why."""
    details = _details(inputs, scored.rating_weighted)
    return Explanation(
        score=scored.score,
        rating_average=inputs.rating_average,
        rating_count=inputs.rating_count,
        rating_weighted=round(scored.rating_weighted, 2),
        response_median=inputs.response_median if inputs.response_samples >= RESPONSE_MIN_SAMPLES else None,
        response_samples=inputs.response_samples,
        bookings=inputs.bookings,
        cancelled_by_provider=inputs.cancelled_by_provider,
        completeness_missing=[key for key in COMPLETENESS_ITEMS if key not in inputs.completeness_done],
        components=[
            Component(
                key=key,
                label=str(LABELS[key]),
                weight=WEIGHTS[key],
                value=round(scored.components[key], 4),
                detail=details[key],
            )
            for key in COMPONENTS
        ],
        refreshed_at=refreshed_at,
    )
