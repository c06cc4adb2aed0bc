"""Writes of the storefront: loading and editing the reference exchange rates; refreshing the
published ranking's table (storefront.ranking).

Every change of rates refreshes the offerings' prices in euros (what search filters and sorts
by) in the same transaction, so that searches compare prices at the rates they show them at.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.selectors import providers_cancellation_counts
from core.audit import audit_record
from core.errors import ValidationFailed
from core.models import ExchangeRate
from core.money import CURRENCY_EXPONENTS
from core.rates import EURO, rates_changed
from providers.models import Location, Offering, Provider, ProviderPhoto, VerificationStatus
from providers.services import offerings_refresh_prices
from quotes.selectors import providers_response_times
from reviews.selectors import NO_RATING, provider_ratings
from storefront import ranking
from storefront.listing import listing_refresh_ranking
from storefront.models import ProviderRanking

# The two layouts a rates file may have, told apart by the header:
# - the ECB's ("wide"): `Date,USD,JPY,...` then one row per day, "N/A" where a currency has no rate;
# - a long one: `date,currency,rate`, one rate per row.
_LONG_HEADER = ["date", "currency", "rate"]
_CODE = re.compile(r"^[A-Za-z]{3}$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # fromisoformat alone also takes "20261120"
_ABSENT = {"", "N/A"}
# ExchangeRate.rate is DecimalField(max_digits=20, decimal_places=10).
_RATE_PLACES = 10
_RATE_INTEGER_DIGITS = 10


class RatesFileInvalid(ValidationFailed):
    """A rates file that cannot be loaded; nothing of it was written. `line` counts from 1."""

    code = "invalid_rates_file"

    def __init__(self, message: str, *, line: int):
        super().__init__(_("Line %(line)d: %(problem)s") % {"line": line, "problem": message}, details={"line": line})
        self.line = line


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int
    skipped: dict[str, str] = field(default_factory=dict)  # currency -> why its values were not loaded
    not_available: int = 0  # "N/A" or empty cells: that currency had no rate that day
    first_day: dt.date | None = None
    last_day: dt.date | None = None


@dataclass(frozen=True)
class _Rate:
    currency: str
    day: dt.date
    rate: Decimal
    line: int


def read_rates_csv(path: Path) -> list[list[str]]:
    """The rows of a rates file, for `exchange_rates_load` (a BOM from a spreadsheet is ignored)."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def _day(text: str, line: int) -> dt.date:
    text = text.strip()
    try:
        if _ISO_DAY.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise RatesFileInvalid(_("“%(text)s” is not a date written YYYY-MM-DD.") % {"text": text}, line=line)


def _rate(text: str, currency: str, line: int) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite():
        raise RatesFileInvalid(
            _("the rate of %(currency)s, “%(text)s”, is not a number.") % {"currency": currency, "text": text},
            line=line,
        )
    if rate <= 0:
        raise RatesFileInvalid(
            _("the rate of %(currency)s, %(text)s, must be more than zero.") % {"currency": currency, "text": text},
            line=line,
        )
    if rate >= 10**_RATE_INTEGER_DIGITS or rate != rate.quantize(Decimal(1).scaleb(-_RATE_PLACES)):
        raise RatesFileInvalid(
            _("the rate of %(currency)s, %(text)s, has more than %(places)d digits before or after the point.")
            % {"currency": currency, "text": text, "places": _RATE_PLACES},
            line=line,
        )
    return rate


def _parse(rows: Iterable[Sequence[str]]) -> tuple[list[_Rate], int]:
    """Every value of the file, checked, with the number of absent ones. Raises RatesFileInvalid.

    1. Skip blank lines; the first other line is the header and decides the layout.
    2. Read each later line as one day (wide) or one rate (long), checking dates and rates.
    3. Refuse a currency given twice for the same day, so that the file alone says what is loaded.
    """
    numbered = ((n, [cell.strip() for cell in row]) for n, row in enumerate(rows, start=1))
    numbered = ((n, row) for n, row in numbered if any(row))
    header_line, header = next(numbered, (1, []))
    while header and not header[-1]:  # the ECB ends every line with a comma
        header.pop()
    wide = bool(header) and header[0].lower() == "date" and len(header) > 1 and all(_CODE.match(c) for c in header[1:])
    if [c.lower() for c in header] != _LONG_HEADER and not wide:
        raise RatesFileInvalid(
            _("the header “%(header)s” is neither the ECB's (Date,USD,JPY,…) nor date,currency,rate.")
            % {"header": ",".join(header)},
            line=header_line,
        )
    currencies = [c.upper() for c in header[1:]] if wide else []
    rates: list[_Rate] = []
    absent = 0
    seen: dict[tuple[str, dt.date], int] = {}
    for line, row in numbered:
        while row and not row[-1]:
            row.pop()
        if wide:
            if len(row) > len(header):
                raise RatesFileInvalid(
                    _("%(found)d values for %(columns)d columns.") % {"found": len(row), "columns": len(header)},
                    line=line,
                )
            day = _day(row[0], line)
            # A short row: the currencies after it are absent.
            cells: Iterable[tuple[str, str]] = zip(currencies, row[1:], strict=False)
        else:
            if len(row) != len(_LONG_HEADER):
                raise RatesFileInvalid(
                    _("expected date,currency,rate, found “%(row)s”.") % {"row": ",".join(row)}, line=line
                )
            day = _day(row[0], line)
            cells = [(row[1].upper(), row[2])]
        for currency, text in cells:
            if text.upper() in _ABSENT:
                absent += 1
                continue
            rate = _rate(text, currency, line)
            if (currency, day) in seen:
                raise RatesFileInvalid(
                    _("%(currency)s on %(day)s was already given on line %(first)d.")
                    % {"currency": currency, "day": day.isoformat(), "first": seen[currency, day]},
                    line=line,
                )
            seen[currency, day] = line
            rates.append(_Rate(currency, day, rate, line))
    return rates, absent


def _skip_reason(currency: str) -> str | None:
    if currency == EURO:
        return _("the euro is the base of the rates (1 EUR = 1 EUR).")
    if currency not in CURRENCY_EXPONENTS:
        return _("not a currency we accept.")
    return None


@transaction.atomic
def exchange_rates_load(
    *, rows: Iterable[Sequence[str]], source: str, actor: User | None = None, now: dt.datetime
) -> LoadResult:
    """Load reference rates (units per euro) from the rows of a CSV file, all or nothing.

    The whole file is checked before anything is written; a malformed line raises
    RatesFileInvalid naming it. Rates of currencies we do not accept, and of the euro itself,
    are skipped and reported. A rate already stored for that currency and day is replaced by
    the file's (an edit made in the admin included); an identical one is left alone.
    """
    rates, absent = _parse(rows)
    skipped: dict[str, str] = {}
    wanted: list[_Rate] = []
    for item in rates:
        reason = _skip_reason(item.currency)
        if reason is None:
            wanted.append(item)
        else:
            skipped[item.currency] = reason
    source = source[: ExchangeRate._meta.get_field("source").max_length]
    stored = {
        (r.currency, r.date): r
        for r in ExchangeRate.objects.filter(
            currency__in={i.currency for i in wanted}, date__in={i.day for i in wanted}
        )
    }
    created = updated = 0
    last_written: ExchangeRate | None = None
    for item in wanted:
        existing = stored.get((item.currency, item.day))
        if existing is not None and existing.rate == item.rate and existing.source == source:
            continue
        last_written, was_created = ExchangeRate.objects.update_or_create(
            currency=item.currency, date=item.day, defaults={"rate": item.rate, "source": source}
        )
        created += was_created
        updated += not was_created
    days = sorted({i.day for i in wanted})
    result = LoadResult(
        created=created,
        updated=updated,
        unchanged=len(wanted) - created - updated,
        skipped=dict(sorted(skipped.items())),
        not_available=absent,
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
    )
    # The event points at the last rate written; a load that changed nothing records nothing.
    target = last_written
    if target is not None:
        audit_record(
            actor=actor,
            action="core.rates.loaded",
            target=target,
            after={
                "source": source,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "skipped": sorted(result.skipped),
            },
            now=now,
        )
        offerings_refresh_prices(offering_ids=None, now=now)
    transaction.on_commit(rates_changed)
    return result


def _rate_fields(rate: ExchangeRate) -> dict[str, str]:
    return {"currency": rate.currency, "date": rate.date.isoformat(), "rate": str(rate.rate), "source": rate.source}


@transaction.atomic
def exchange_rate_save(*, rate: ExchangeRate, actor: User, now: dt.datetime) -> ExchangeRate:
    """Store a rate entered or corrected by finance (in the admin), with an audit event."""
    before = None
    if rate.pk is not None:
        before = _rate_fields(ExchangeRate.objects.select_for_update().get(pk=rate.pk))
    rate.save()
    audit_record(
        actor=actor,
        action="marketplace.rate.changed" if before else "marketplace.rate.added",
        target=rate,
        before=before,
        after=_rate_fields(rate),
        now=now,
    )
    offerings_refresh_prices(offering_ids=None, now=now)
    transaction.on_commit(rates_changed)
    return rate


@transaction.atomic
def exchange_rate_delete(*, rate: ExchangeRate, actor: User, now: dt.datetime) -> None:
    """Remove a rate (the latest earlier one then applies), with an audit event."""
    audit_record(actor=actor, action="marketplace.rate.deleted", target=rate, before=_rate_fields(rate), now=now)
    rate.delete()
    offerings_refresh_prices(offering_ids=None, now=now)
    transaction.on_commit(rates_changed)


# --- the published ranking -------------------------------------------------------------------------

RANKING_BATCH = 500
_RANKING_FIELDS = [
    *("score", "rating_average", "rating_count", "rating_weighted", "rating_component"),
    *("response_median", "response_samples", "response_counted", "response_component"),
    *("bookings", "cancelled_by_provider", "reliability_component"),
    *("completeness_done", "completeness_component", "refreshed_at"),
]


def _completeness(provider_ids: list[int]) -> dict[int, frozenset[str]]:
    """Which of ranking.COMPLETENESS_ITEMS each provider's profile has, in four queries."""
    providers = Provider.objects.filter(pk__in=provider_ids).values_list(
        "pk", "biography", "languages", "status", "registration_number"
    )
    with_photo = set(ProviderPhoto.objects.filter(provider_id__in=provider_ids).values_list("provider_id", flat=True))
    located: dict[int, bool] = {}
    for provider_id, address, latitude in Location.objects.filter(provider_id__in=provider_ids).values_list(
        "provider_id", "address", "latitude"
    ):
        located[provider_id] = located.get(provider_id, True) and bool(address.strip()) and latitude is not None
    priced: dict[int, bool] = {}
    for provider_id, description, includes in Offering.objects.filter(
        provider_id__in=provider_ids, is_active=True
    ).values_list("provider_id", "description", "includes"):
        priced[provider_id] = priced.get(provider_id, True) and bool(description.strip()) and bool(includes)
    done: dict[int, frozenset[str]] = {}
    for provider_id, biography, languages, status, number in providers:
        items = {
            "description": bool(biography.strip()),
            "photo": provider_id in with_photo,
            "address": located.get(provider_id, False),
            "prices": priced.get(provider_id, False),
            "languages": bool(languages),
            "registration": status == VerificationStatus.VERIFIED and bool(number.strip()),
        }
        done[provider_id] = frozenset(name for name, ok in items.items() if ok)
    return done


def provider_rankings_refresh(*, now: dt.datetime, provider_ids: list[int] | None = None) -> int:
    """Score every verified provider (or these) for search's order and store one row each.

    1. The site's mean rating, over every published review (the prior of each Bayesian average).
    2. Per batch of providers: their ratings (reviews), response times (quotes), bookings and
       provider cancellations (bookings) over their windows, and their profile's completeness.
    3. Score each with `storefront.ranking.ranking_score`; insert or update its row.
    4. Drop the rows of providers no longer verified (search no longer lists them).
    Returns how many providers were scored. Idempotent: running it twice writes the same rows.
    """
    verified = Provider.objects.filter(status=VerificationStatus.VERIFIED)
    if provider_ids is not None:
        verified = verified.filter(pk__in=provider_ids)
    ids = list(verified.order_by("pk").values_list("pk", flat=True))
    all_ratings = provider_ratings(
        Provider.objects.filter(status=VerificationStatus.VERIFIED).values_list("pk", flat=True)
    )
    mean = ranking.site_mean([(r.average, r.count) for r in all_ratings.values() if r.average is not None])
    for start in range(0, len(ids), RANKING_BATCH):
        batch = ids[start : start + RANKING_BATCH]
        responses = providers_response_times(
            provider_ids=batch, since=now - ranking.RESPONSE_WINDOW, unanswered_as=ranking.RESPONSE_SLOW
        )
        cancellations = providers_cancellation_counts(provider_ids=batch, since=now - ranking.CANCELLATION_WINDOW)
        completeness = _completeness(batch)
        rows = []
        for provider_id in batch:
            rating = all_ratings.get(provider_id, NO_RATING)
            response = responses.get(provider_id)
            counts = cancellations.get(provider_id)
            inputs = ranking.RankingInputs(
                rating_average=rating.average,
                rating_count=rating.count,
                response_median=response.median if response else None,
                response_samples=response.samples if response else 0,
                bookings=counts.bookings if counts else 0,
                cancelled_by_provider=counts.cancelled_by_provider if counts else 0,
                completeness_done=completeness.get(provider_id, frozenset()),
            )
            scored = ranking.ranking_score(inputs, site_mean=mean)
            counted = inputs.response_samples >= ranking.RESPONSE_MIN_SAMPLES
            rows.append(
                ProviderRanking(
                    provider_id=provider_id,
                    score=scored.score,
                    rating_average=inputs.rating_average,
                    rating_count=inputs.rating_count,
                    rating_weighted=round(scored.rating_weighted, 4),
                    rating_component=scored.components["rating"],
                    response_median=inputs.response_median,
                    response_samples=inputs.response_samples,
                    response_counted=inputs.response_median if counted else None,
                    response_component=scored.components["response"],
                    bookings=inputs.bookings,
                    cancelled_by_provider=inputs.cancelled_by_provider,
                    reliability_component=scored.components["reliability"],
                    completeness_done=sorted(inputs.completeness_done),
                    completeness_component=scored.components["completeness"],
                    refreshed_at=now,
                )
            )
        ProviderRanking.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["provider"], update_fields=_RANKING_FIELDS
        )
    stale = ProviderRanking.objects.exclude(provider__status=VerificationStatus.VERIFIED)
    if provider_ids is not None:
        stale = stale.filter(provider_id__in=provider_ids)
    stale.delete()
    # Search sorts by the score copied into its listing (storefront.listing).
    listing_refresh_ranking(provider_ids=provider_ids)
    return len(ids)
