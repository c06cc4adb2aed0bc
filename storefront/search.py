"""Search over verified providers' published offerings: the index and the query.

The index is kept on each offering (`search_text`, and on PostgreSQL a weighted `search_vector`)
and rebuilt by `search_reindex` whenever what it is made of changes, so that a search reads
one indexed column instead of joining and scanning text.

Text matching, the same on both databases:
1. The query is folded like the index (lower case, accents dropped) and cut into words.
2. Each word also matches the closest words of the index vocabulary (`SearchTerm`) when it is
   not itself the start of a known word: "ortopedic" finds "orthopaedic". PostgreSQL finds
   them by trigram similarity (pg_trgm, indexed), SQLite with difflib.
3. Every word must match (as a prefix, or through one of its corrections). PostgreSQL ranks
   with the weighted vector (names and titles first, then specialties and procedures, then
   places, then descriptions); SQLite keeps the requested order.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db import connection, models
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, StrIndex
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from core.errors import ValidationFailed
from core.money import Money
from core.rates import RateTable, rates_on
from providers.models import Accreditation, BookingMode, Offering
from storefront.listing import TEXTS_MARK, listing_rebuild, listing_refresh
from storefront.models import Listing, ProviderRanking, SearchTerm
from storefront.ranking import QUERY_SCORE_WEIGHT, UNSCORED, Explanation, RankingInputs, RankingScore, explain

MAX_QUERY_WORDS = 8
_NON_WORD = re.compile(r"[\W_]+")  # letters of every script (Arabic, Cyrillic…) and digits stay


def fold(text: str) -> str:
    """Lower case, accents dropped, anything but letters and digits turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", bare).strip()


# --- the index ---------------------------------------------------------------------------------


def _weighted_parts(offering: Offering) -> tuple[str, str, str, str]:
    provider = offering.provider
    names = [offering.title, provider.name]
    subjects = offering.specialty.names()
    if offering.procedure:
        subjects += offering.procedure.names()
        # Other names and lay terms ("nose job", "prothèse de hanche"), in every language.
        for code, _name in settings.LANGUAGES:
            subjects += offering.procedure.synonyms(code)
    subjects += [name for specialty in provider.specialties.all() for name in specialty.names()]
    # A Country: django-countries' stubs type the model attribute as str.
    country = offering.location.country.code  # type: ignore[attr-defined]
    places = [offering.location.city, str(countries.name(country))]
    texts = [offering.description, provider.biography]
    return tuple(fold(" ".join(part)) for part in (names, subjects, places, texts))  # type: ignore[return-value]


def search_reindex(*, offering_ids: list[int] | None = None, batch_size: int = 500) -> int:
    """Rebuild the search index of these offerings (all when None); returns how many."""
    queryset = Offering.objects.select_related("provider", "location", "specialty", "procedure").prefetch_related(
        "provider__specialties"
    )
    if offering_ids is not None:
        queryset = queryset.filter(pk__in=offering_ids)
    done = 0
    ids = list(queryset.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), batch_size):
        batch = list(queryset.filter(pk__in=ids[start : start + batch_size]))
        parts = {o.pk: _weighted_parts(o) for o in batch}
        for offering in batch:
            names, subjects, places, texts = parts[offering.pk]
            head = " ".join(p for p in (names, subjects, places) if p)
            offering.search_text = f"{head}{TEXTS_MARK}{texts}" if texts else head
        Offering.objects.bulk_update(batch, ["search_text"])
        if connection.vendor == "postgresql":
            _write_vectors(parts)
        words = {w for o in batch for w in o.search_text.split() if 3 <= len(w) <= 80}
        SearchTerm.objects.bulk_create([SearchTerm(word=w) for w in words], ignore_conflicts=True)
        done += len(batch)
    # The listing copies the text and the rest of what search reads (storefront.listing): all of
    # it rebuilt set-based, or these offerings' rows.
    if offering_ids is None:
        listing_rebuild()
    else:
        listing_refresh(offering_ids=offering_ids)
    return done


def _write_vectors(parts: dict[int, tuple[str, str, str, str]]) -> None:
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(parts))
    params = [value for pk, texts in parts.items() for value in (pk, *texts)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE providers_offering AS o SET search_vector =
                    setweight(to_tsvector('simple', v.a), 'A') || setweight(to_tsvector('simple', v.b), 'B')
                    || setweight(to_tsvector('simple', v.c), 'C') || setweight(to_tsvector('simple', v.d), 'D')
                FROM (VALUES {rows}) AS v(id, a, b, c, d) WHERE o.id = v.id::bigint""",  # noqa: S608 -- placeholders only
            params,
        )


# --- the query ---------------------------------------------------------------------------------


def _corrections(word: str) -> list[str]:
    """Known words close to a query word that starts no known word (a misspelling)."""
    if len(word) < 4 or SearchTerm.objects.filter(word__startswith=word).exists():
        return []
    if connection.vendor == "postgresql":
        return list(
            SearchTerm.objects.filter(word__trigram_similar=word)
            .annotate(similarity=models.Func(F("word"), Value(word), function="similarity"))
            .order_by("-similarity")
            .values_list("word", flat=True)[:3]
        )
    vocabulary = SearchTerm.objects.filter(word__startswith=word[0]).values_list("word", flat=True)
    return difflib.get_close_matches(word, list(vocabulary), n=3, cutoff=0.7)


@dataclass(frozen=True)
class TextMatch:
    words: list[list[str]]  # for each query word, the spellings that may match it

    @property
    def empty(self) -> bool:
        return not self.words


def text_match(query: str) -> TextMatch:
    words = fold(query).split()[:MAX_QUERY_WORDS]
    return TextMatch([[w, *_corrections(w)] for w in words])


def _phrase_position(phrase: str) -> StrIndex:
    """Where `phrase` starts in an offering's names, subjects and places (1 for the first word of
    its title), 0 when they do not have it: its words in that order, the last one as a prefix.

    Read from the listing's `search_head` (storefront.listing.search_head): a short column stored
    in the row, where `search_text` with the descriptions is long and kept out of line."""
    return StrIndex(Concat(Value(" "), F("search_head"), output_field=models.TextField()), Value(f" {phrase}"))


def _apply_text(queryset: QuerySet[Listing], match: TextMatch) -> QuerySet[Listing]:
    """Offerings with every word of `match`; when it has several words and some offerings have
    them as a phrase in what they are (title, specialty, procedure and its synonyms, place), only
    those, ranked by where the phrase comes (a title before a procedure's synonym): "hip
    replacement" finds hip replacements, not a knee replacement at a hospital that also does hips.
    """
    if match.empty:
        return queryset
    if connection.vendor == "postgresql":
        raw = " & ".join("(" + " | ".join(f"{w}:*" for w in variants) + ")" for variants in match.words)
        query = SearchQuery(raw, search_type="raw", config="simple")
        queryset = queryset.filter(search_vector=query)
        rank: Any = SearchRank(F("search_vector"), query)
    else:
        for variants in match.words:
            condition = Q()
            for word in variants:
                condition |= Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
            queryset = queryset.filter(condition)
        rank = Value(0.0, output_field=models.FloatField())
    if len(match.words) < 2:
        return queryset.alias(rank=rank)
    phrase = " ".join(variants[0] for variants in match.words)
    position = _phrase_position(phrase)
    with_phrase = queryset.alias(phrase_at=position).filter(phrase_at__gt=0)
    queryset = queryset.alias(phrase_at=position).filter(Q(phrase_at__gt=0) | ~Exists(with_phrase))
    # The phrase first, the earlier the better (a title, then a subject, then a place); then the
    # database's own rank (PostgreSQL's weights) among equals.
    bonus = Case(
        When(phrase_at__gt=0, then=Value(1000.0) - Cast(F("phrase_at"), models.FloatField()) / Value(1000.0)),
        default=Value(0.0),
        output_field=models.FloatField(),
    )
    return queryset.alias(rank=ExpressionWrapper(bonus + rank, output_field=models.FloatField()))


class Sort(models.TextChoices):
    RELEVANCE = "relevance", "Relevance"
    PRICE = "price", "Price"
    SOONEST = "soonest", "Soonest availability"
    RATING = "rating", "Rating"
    RESPONSE = "response", "Response time"


@dataclass(frozen=True, kw_only=True)
class SearchParams:
    """Validated search input (by storefront.filters.OfferingSearchFilter)."""

    q: str = ""
    specialty: str | None = None
    procedure: str | None = None
    country: str | None = None
    city: str | None = None
    language: str | None = None
    # With a language: only providers who speak it, not those who can arrange an interpreter.
    spoken_only: bool = False
    kind: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    accreditation: str | None = None
    available_before: dt.date | None = None
    sort: str = Sort.RELEVANCE


# The offerings search reads are the rows of its listing (storefront.listing): one table with
# every column the filters, sorts and a result read, and its indexes.
# Counting stops past COUNT_CAP matches ("1,000+"); with words, PostgreSQL orders by relevance
# only the RANK_CANDIDATES best text matches (docs/decisions.md#search-reads-one-listing).
COUNT_CAP = 1000
RANK_CANDIDATES = 1000


def _contains(field: str, value: str) -> Q:
    """A JSON list column holding `value`: containment on PostgreSQL (a GIN index answers it)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return Q(**{f"{field}__icontains": f'"{value}"'})


def offering_search(*, params: SearchParams, currency: str, rates: RateTable, now: dt.datetime) -> QuerySet[Listing]:
    """Listed offerings (published, of verified providers) matching `params`, in the requested order.

    Prices in `params` are in `currency` (the patient's); an offering whose currency has no
    rate cannot be compared and is left out when a price limit is given. With words and the
    relevance order, PostgreSQL orders only the RANK_CANDIDATES best text matches.
    """
    queryset, match = _matches(params=params, currency=currency, rates=rates, now=now)
    return _ordered(queryset, params=params, match=match, currency=currency, rates=rates, bounded=True)


def _matches(
    *, params: SearchParams, currency: str, rates: RateTable, now: dt.datetime
) -> tuple[QuerySet[Listing], TextMatch]:
    """Every match, unordered, with its text rank as the alias `rank` when there are words."""
    queryset = Listing.objects.all()
    if params.specialty:
        # The offering's specialty or one of its provider's (both copied into specialty_codes).
        queryset = queryset.filter(_contains("specialty_codes", params.specialty))
    if params.procedure:
        queryset = queryset.filter(procedure_code=params.procedure)
    if params.country:
        queryset = queryset.filter(country=params.country)
    if params.city:
        queryset = queryset.filter(city__iexact=params.city.strip())
    if params.language:
        # What the provider and its members speak (docs/decisions.md#matching-on-language), or an
        # interpreter it can arrange unless the patient asked for its own language only.
        spoken = _contains("spoken_languages", params.language)
        queryset = queryset.filter(spoken if params.spoken_only else spoken | Q(interpreter_available=True))
    if params.kind:
        queryset = queryset.filter(provider_kind=params.kind)
    if params.accreditation:
        # Read where it is kept, as it is valid on the day of the search (rarely asked).
        queryset = queryset.filter(
            Exists(
                Accreditation.objects.filter(
                    provider=OuterRef("provider_id"),
                    body__iexact=params.accreditation,
                    valid_until__gte=now.date(),
                )
            )
        )
    if params.available_before:
        limit = dt.datetime.combine(params.available_before, dt.time.min, tzinfo=dt.UTC)
        queryset = queryset.filter(next_slot_at__isnull=False, next_slot_at__lt=limit)
    if params.price_min is not None or params.price_max is not None:
        queryset = queryset.filter(_price_condition(params, currency, rates))
    match = text_match(params.q)
    return _apply_text(queryset, match), match


def _ordered(
    queryset: QuerySet[Listing],
    *,
    params: SearchParams,
    match: TextMatch,
    currency: str,
    rates: RateTable,
    bounded: bool,
) -> QuerySet[Listing]:
    """`queryset` in the order asked; `bounded`: there may be more than RANK_CANDIDATES matches."""
    soonest = F("next_slot_at").asc(nulls_last=True)
    if params.sort == Sort.PRICE:
        return queryset.order_by(_price_order(currency, rates).asc(nulls_last=True), "pk")
    if params.sort == Sort.SOONEST:
        return queryset.order_by(soonest, "pk")
    # The published ranking (storefront.ranking, docs/decisions.md#ranking): its score, copied per
    # listed offering; a provider listed since the last refresh counts as one without any record.
    if params.sort == Sort.RATING:
        return queryset.order_by(F("rating_weighted").desc(nulls_last=True), F("score").desc(), soonest, "pk")
    if params.sort == Sort.RESPONSE:
        return queryset.order_by(F("response_counted").asc(nulls_last=True), F("score").desc(), soonest, "pk")
    if not match.empty:  # words, not just any text: "?!" folds to none and is no text filter
        if bounded and connection.vendor == "postgresql":
            # Bounded: the first RANK_CANDIDATES matches in the score order are the candidates, and
            # only they are ranked (ts_rank reads each row's whole vector, out of line: ranking
            # every match cost 100-700 ms at 400,000 offerings). The score is read through
            # `+ 0` so that PostgreSQL finds the matches with the text index and sorts their
            # scores, instead of walking the score index and testing every row's vector.
            by_score = ExpressionWrapper(F("score") + Value(0.0), output_field=models.FloatField())
            best = queryset.order_by(by_score.desc(), soonest, "pk").values("pk")[:RANK_CANDIDATES]
            queryset = queryset.filter(pk__in=best)
        # Relevance first (a phrase, a name…), the score among matches about as relevant.
        relevance = ExpressionWrapper(
            F("rank") + Value(QUERY_SCORE_WEIGHT) * F("score"), output_field=models.FloatField()
        )
        return queryset.alias(relevance=relevance).order_by(F("relevance").desc(), soonest, "pk")
    return queryset.order_by(F("score").desc(), soonest, "pk")


def _price_condition(params: SearchParams, currency: str, rates: RateTable) -> Q:
    """Lower price within [min, max] of the patient's currency, as the converted price shows it.

    The limits are converted to nano-euros once and compared with each offering's stored price in
    nano-euros (core.rates explains the rounding), which an index answers. An offering
    whose currency has no rate has none and is left out. When the patient's own currency has no
    rate, only offerings in that currency can be compared.
    """
    low = Money.from_decimal(params.price_min, currency) if params.price_min is not None else None
    high = Money.from_decimal(params.price_max, currency) if params.price_max is not None else None
    if rates.nano_euro_factor(currency) is None:
        condition = Q(currency=currency)
        if low is not None:
            condition &= Q(price_min__gte=low.amount)
        if high is not None:
            condition &= Q(price_min__lte=high.amount)
        return condition
    condition = Q(price_eur_nano__isnull=False)
    if low is not None:
        condition &= Q(price_eur_nano__gte=rates.limit_in_nano_euros(low, upper=False))
    if high is not None:
        condition &= Q(price_eur_nano__lte=rates.limit_in_nano_euros(high, upper=True))
    return condition


def _price_order(currency: str, rates: RateTable) -> F | Case:
    """What sorting by price compares: the stored price in euros (NULL without a rate), or, when the
    patient's currency has no rate, the price of the offerings in that currency (NULL for others)."""
    if rates.nano_euro_factor(currency) is None:
        return Case(When(currency=currency, then=F("price_min")), default=None, output_field=models.BigIntegerField())
    return F("price_eur_nano")


# --- where patients can go ------------------------------------------------------------------------

DESTINATIONS_CACHE_SECONDS = 300


def _destinations_key(language: str) -> str:
    return f"storefront:destinations:{language}"


@dataclass(frozen=True)
class Destination:
    code: str
    name: str  # in the active language
    offerings: int


def destinations() -> list[Destination]:
    """The countries that have listed offerings, with how many, by name in the active language.

    One grouped query, kept for a few minutes per language and forgotten when offerings change
    (`destinations_forget`, on the offerings_changed hook).
    """
    language = get_language() or settings.LANGUAGE_CODE
    key = _destinations_key(language)
    found = cache.get(key)
    if found is not None:
        return list(found)
    rows = Listing.objects.order_by().values_list("country").annotate(n=Count("pk"))
    found = sorted(
        (Destination(code=str(code), name=str(countries.name(code)), offerings=n) for code, n in rows if code),
        key=lambda d: fold(d.name),
    )
    cache.set(key, found, DESTINATIONS_CACHE_SECONDS)
    return list(found)


def destinations_forget(**_: object) -> None:
    """Drop the cached destinations of every language (offerings were published, changed or hidden)."""
    cache.delete_many([_destinations_key(code) for code, _name in settings.LANGUAGES])


# --- a page of results -------------------------------------------------------------------------

PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class ResultProvider:
    id: int
    slug: str
    name: str
    kind: str
    languages: list[str]
    spoken_languages: list[str]
    interpreter_available: bool
    verified_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ResultCountry:
    code: str

    @property
    def name(self) -> str:
        return str(countries.name(self.code))


@dataclass(frozen=True, slots=True)
class ResultLocation:
    city: str
    country: ResultCountry
    timezone: str


@dataclass(frozen=True, slots=True)
class ResultSpecialty:
    code: str
    names: dict[str, str]

    @property
    def name(self) -> str:
        """In the active language, English when it has none (as CatalogueName.name)."""
        code = (get_language() or "en").split("-")[0].lower()
        return self.names.get(code) or self.names.get("en", "")


@dataclass(frozen=True, slots=True)
class ResultProcedure:
    code: str


@dataclass(frozen=True, slots=True)
class ResultOffering:
    """What a result shows of an offering, read from its listing row as plain values (the same
    attribute names as the models', so that the page and the API read either)."""

    pk: int
    title: str
    kind: str
    booking_mode: str
    currency: str
    price_min: int
    price_max: int | None
    deposit_bps: int | None
    deposit_fixed: int | None
    includes: list[str]
    excludes: list[str]
    next_slot_at: dt.datetime | None
    specialty: ResultSpecialty
    procedure: ResultProcedure | None
    provider: ResultProvider
    location: ResultLocation

    @property
    def id(self) -> int:
        return self.pk

    @property
    def price(self) -> Money:
        return Money(self.price_min, self.currency)

    @property
    def price_upper(self) -> Money | None:
        return Money(self.price_max, self.currency) if self.price_max is not None else None

    @property
    def deposit(self) -> Money:
        """As Offering.deposit: the fixed amount, or a share of the (lower) price."""
        if self.deposit_fixed is not None:
            return Money(self.deposit_fixed, self.currency)
        return self.price.fee(self.deposit_bps or 0)

    def get_booking_mode_display(self) -> str:
        return str(BookingMode(self.booking_mode).label)


_RESULT_COLUMNS = (
    *("pk", "title", "kind", "booking_mode", "currency", "price_min", "price_max", "deposit_bps", "deposit_fixed"),
    *("includes", "excludes", "next_slot_at", "specialty_code", "specialty_names", "procedure_code"),
    *("provider_id", "provider_slug", "provider_name", "provider_kind", "provider_languages", "spoken_languages"),
    *("interpreter_available", "verified_at", "city", "country", "timezone"),
)


def _result_offering(row: tuple[Any, ...]) -> ResultOffering:
    (
        pk, title, kind, booking_mode, currency, price_min, price_max, deposit_bps, deposit_fixed,
        includes, excludes, next_slot_at, specialty_code, specialty_names, procedure_code,
        provider_id, slug, name, provider_kind, languages, spoken, interpreter, verified_at,
        city, country, timezone,
    ) = row  # fmt: skip
    return ResultOffering(
        pk=pk,
        title=title,
        kind=kind,
        booking_mode=booking_mode,
        currency=currency,
        price_min=price_min,
        price_max=price_max,
        deposit_bps=deposit_bps,
        deposit_fixed=deposit_fixed,
        includes=includes or [],
        excludes=excludes or [],
        next_slot_at=next_slot_at,
        specialty=ResultSpecialty(code=specialty_code, names=specialty_names or {}),
        procedure=ResultProcedure(code=procedure_code) if procedure_code else None,
        provider=ResultProvider(
            id=provider_id,
            slug=slug,
            name=name,
            kind=provider_kind,
            languages=languages or [],
            spoken_languages=spoken or [],
            interpreter_available=interpreter,
            verified_at=verified_at,
        ),
        location=ResultLocation(city=city, country=ResultCountry(code=country), timezone=timezone),
    )


@dataclass(frozen=True)
class SearchResult:
    offering: ResultOffering
    price: Money
    price_upper: Money | None
    deposit: Money
    converted: Money | None  # the lower price in the patient's currency; None without a rate
    converted_upper: Money | None
    rate_date: dt.date | None
    # With a language filter: "speaks" (the provider or a member speaks it) or "interpreter" (one
    # can be arranged); None without one.
    language_match: str | None = None
    # Why it ranks where it does (the provider's place in the published ranking).
    ranking: Explanation | None = None


_RANKING_SHOWN = (
    *("score", "rating_average", "rating_count", "rating_weighted", "rating_component"),
    *("response_median", "response_samples", "response_component"),
    *("bookings", "cancelled_by_provider", "reliability_component"),
    *("completeness_done", "completeness_component", "refreshed_at"),
)
# Read with the page's rows (two joins on primary keys, for its twenty rows only).
_RANKING_COLUMNS = tuple(f"provider__ranking__{name}" for name in _RANKING_SHOWN)


@dataclass(frozen=True, slots=True)
class _RankingValues:
    """A ProviderRanking row's shown columns, as plain values."""

    score: float
    rating_average: Decimal | None
    rating_count: int
    rating_weighted: float
    rating_component: float
    response_median: dt.timedelta | None
    response_samples: int
    response_component: float
    bookings: int
    cancelled_by_provider: int
    reliability_component: float
    completeness_done: list[str]
    completeness_component: float
    refreshed_at: dt.datetime


def ranking_explained(row: ProviderRanking | _RankingValues | None) -> Explanation:
    """A provider's stored ranking row as its explanation; an unscored provider's when None."""
    if row is None:
        return explain(RankingInputs(), scored=UNSCORED)
    inputs = RankingInputs(
        rating_average=row.rating_average,
        rating_count=row.rating_count,
        response_median=row.response_median,
        response_samples=row.response_samples,
        bookings=row.bookings,
        cancelled_by_provider=row.cancelled_by_provider,
        completeness_done=frozenset(row.completeness_done or ()),
    )
    scored = RankingScore(
        rating_weighted=row.rating_weighted,
        components={
            "rating": row.rating_component,
            "response": row.response_component,
            "reliability": row.reliability_component,
            "completeness": row.completeness_component,
        },
        score=row.score,
    )
    return explain(inputs, scored=scored, refreshed_at=row.refreshed_at)


def language_match(offering: ResultOffering | Offering, language: str | None) -> str | None:
    if not language:
        return None
    if language in (offering.provider.spoken_languages or []):
        return "speaks"
    return "interpreter" if offering.provider.interpreter_available else None


@dataclass(frozen=True)
class ConvertedPrice:
    """An offering's price in the patient's currency: None where it is already in it or has no rate."""

    lower: Money | None
    upper: Money | None
    rate_date: dt.date | None
    missing_rate: bool  # in another currency, without a rate to the patient's


def price_converted(offering: ResultOffering | Offering, currency: str, rates: RateTable) -> ConvertedPrice:
    """What search and a provider's page show beside an offering's own price ("≈ £1,800")."""
    lower = rates.convert(offering.price, currency)
    upper = rates.convert(offering.price_upper, currency) if offering.price_upper else None
    other = offering.currency != currency
    return ConvertedPrice(
        lower=lower.money if lower and other else None,
        upper=upper.money if upper and other else None,
        rate_date=lower.rate_date if lower else None,
        missing_rate=other and lower is None,
    )


@dataclass(frozen=True)
class SearchPage:
    results: list[SearchResult]
    count: int  # exact up to COUNT_CAP; COUNT_CAP when there are more (count_capped)
    number: int
    num_pages: int
    currency: str
    count_capped: bool = False  # more than COUNT_CAP matches: shown as "1,000+"


def _capped_count(queryset: QuerySet[Listing]) -> tuple[int, bool]:
    """How many rows `queryset` has, counting no further than COUNT_CAP + 1."""
    found = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP


def search_page(
    *, params: SearchParams, currency: str, now: dt.datetime, page: int = 1, page_size: int = PAGE_SIZE
) -> SearchPage:
    """One page of results with prices converted, in a fixed number of queries: the capped count,
    the page's rows (plain values of the listing) and their providers' ranking rows.

    Raises ValidationFailed for a page that does not exist (past the last, or past the capped count).
    """
    rates = rates_on(day=now.date())
    matches, match = _matches(params=params, currency=currency, rates=rates, now=now)
    count, capped = _capped_count(matches)
    num_pages = max(1, -(-count // page_size))
    if page < 1 or page > num_pages:
        raise ValidationFailed(
            _("There is no page %(page)s: the results have %(pages)s.") % {"page": page, "pages": num_pages},
            code="invalid_page",
            details={"page": [_("Choose a page from 1 to %(pages)s.") % {"pages": num_pages}]},
        )
    # Fewer matches than RANK_CANDIDATES (the count is exact): all of them are ordered at once.
    ordered = _ordered(
        matches, params=params, match=match, currency=currency, rates=rates, bounded=count >= RANK_CANDIDATES
    )
    start = (page - 1) * page_size
    rows = list(ordered.values_list(*_RESULT_COLUMNS, *_RANKING_COLUMNS)[start : start + page_size])
    n = len(_RESULT_COLUMNS)
    results = []
    for row in rows:
        offering = _result_offering(row[:n])
        # A provider listed since the ranking's last refresh has no row yet: an unscored one's.
        ranked = None if row[-1] is None else _RankingValues(*row[n:])
        converted = price_converted(offering, currency, rates)
        results.append(
            SearchResult(
                offering=offering,
                price=offering.price,
                price_upper=offering.price_upper,
                deposit=offering.deposit,
                converted=converted.lower,
                converted_upper=converted.upper,
                rate_date=converted.rate_date,
                language_match=language_match(offering, params.language),
                ranking=ranking_explained(ranked),
            )
        )
    return SearchPage(
        results=results, count=count, number=page, num_pages=num_pages, currency=currency, count_capped=capped
    )
