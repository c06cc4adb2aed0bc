"""The search listing (storefront.models.Listing): one row per listed offering, kept fresh.

An offering is listed while it is published and its provider verified. Its row copies what search
filters, sorts and shows (docs/architecture.md#the-search-listing):

- `listing_refresh(offering_ids=…, provider_ids=…)` rewrites the rows of those offerings (or of
  those providers' offerings; all when both are None): listed ones are written, the others
  removed. A few set-based statements per batch, the same on both databases. The services call it
  through the `listing_stale` hook (providers) or directly (storefront), in their transaction.
- `listing_refresh_columns(offering_ids=…, columns=…)` copies only the next free slot or the price
  in euros from the offerings: one UPDATE, rows whose value did not change are left alone.
- `listing_refresh_ranking(provider_ids=…)` copies the published ranking's sort keys.
- `listing_rebuild()` empties the table and refills it: on PostgreSQL one INSERT … SELECT per
  batch of offering ids; elsewhere `listing_refresh` of everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from providers.models import CATALOGUE_LANGUAGES, Offering, Provider, VerificationStatus
from storefront.models import Listing, ProviderRanking
from storefront.ranking import UNSCORED

BATCH = 2000
NAME_LANGUAGES = ("en", *CATALOGUE_LANGUAGES)
# What `listing_refresh_columns` may copy from the offering.
OFFERING_COLUMNS = ("next_slot_at", "price_eur_nano")
# Between what an offering is (names, subjects, places) and what is said of it (descriptions) in
# `search_text`: a phrase counts as the offering's subject only before it. Folded text has no "|".
TEXTS_MARK = " | "


def search_head(search_text: str) -> str:
    """The part of `search_text` before TEXTS_MARK (all of it without one): what a phrase is looked for in."""
    return search_text.split(TEXTS_MARK, 1)[0]


_SOURCE_FIELDS = (
    *("pk", "provider_id", "kind", "title", "booking_mode", "specialty_id", "specialty__code"),
    *(f"specialty__name_{code}" for code in NAME_LANGUAGES),
    *("procedure__code", "currency", "price_min", "price_max", "deposit_bps", "deposit_fixed"),
    *("includes", "excludes", "price_eur_nano", "next_slot_at", "search_text"),
    *("provider__slug", "provider__name", "provider__kind", "provider__languages", "provider__spoken_languages"),
    *("provider__interpreter_available", "provider__verified_at"),
    *("location__city", "location__country", "location__timezone"),
)
_UPDATED = [f.name for f in Listing._meta.concrete_fields if not f.primary_key and f.name not in ("search_vector",)]


def listed_offerings() -> QuerySet[Offering]:
    """Offerings search lists: published ones of verified providers (as providers.selectors.offerings_public)."""
    return Offering.objects.filter(provider__status=VerificationStatus.VERIFIED, is_active=True)


def _rows(offering_ids: list[int]) -> list[Listing]:
    rows = list(Offering.objects.filter(pk__in=offering_ids).order_by("pk").values_list(*_SOURCE_FIELDS))
    provider_ids = {row[1] for row in rows}
    specialties: dict[int, set[str]] = defaultdict(set)
    through = Provider.specialties.through.objects.filter(provider_id__in=provider_ids)
    for provider_id, code in through.values_list("provider_id", "specialty__code"):
        specialties[provider_id].add(code)
    ranked = {
        provider_id: (score, weighted, counted)
        for provider_id, score, weighted, counted in ProviderRanking.objects.filter(
            provider_id__in=provider_ids
        ).values_list("provider_id", "score", "rating_weighted", "response_counted")
    }
    listings = []
    n = len(NAME_LANGUAGES)
    for row in rows:
        pk, provider_id, kind, title, booking_mode, specialty_id, specialty_code = row[:7]
        names = dict(zip(NAME_LANGUAGES, row[7 : 7 + n], strict=True))
        (
            procedure_code, currency, price_min, price_max, deposit_bps, deposit_fixed,
            includes, excludes, price_eur_nano, next_slot_at, search_text,
            slug, name, provider_kind, languages, spoken, interpreter, verified_at,
            city, country, timezone,
        ) = row[7 + n :]  # fmt: skip
        score, weighted, counted = ranked.get(provider_id, (UNSCORED.score, None, None))
        listings.append(
            Listing(
                offering_id=pk,
                provider_id=provider_id,
                kind=kind,
                title=title,
                booking_mode=booking_mode,
                specialty_id=specialty_id,
                specialty_code=specialty_code,
                specialty_names=names,
                specialty_codes=sorted({specialty_code} | specialties[provider_id]),
                procedure_code=procedure_code or "",
                currency=currency,
                price_min=price_min,
                price_max=price_max,
                deposit_bps=deposit_bps,
                deposit_fixed=deposit_fixed,
                includes=includes,
                excludes=excludes,
                price_eur_nano=price_eur_nano,
                next_slot_at=next_slot_at,
                provider_slug=slug,
                provider_name=name,
                provider_kind=provider_kind,
                provider_languages=languages,
                spoken_languages=spoken,
                interpreter_available=interpreter,
                verified_at=verified_at,
                city=city,
                country=str(country),
                timezone=timezone,
                score=score,
                rating_weighted=weighted,
                response_counted=counted,
                search_text=search_text,
                search_head=search_head(search_text),
            )
        )
    return listings


def _copy_vectors(offering_ids: list[int]) -> None:
    """PostgreSQL: the offerings' text vectors (storefront.search builds them) into their rows."""
    if connection.vendor != "postgresql" or not offering_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE storefront_listing AS l SET search_vector = o.search_vector FROM providers_offering AS o
               WHERE o.id = l.offering_id AND l.offering_id = ANY(%s)""",
            [offering_ids],
        )


@transaction.atomic
def listing_refresh(*, offering_ids: Iterable[int] | None = None, provider_ids: Iterable[int] | None = None) -> int:
    """Rewrite the listing rows of these offerings and of these providers' offerings (every
    offering when both are None); returns how many are listed. Idempotent."""
    stale = Listing.objects.all()
    source = listed_offerings()
    if offering_ids is not None or provider_ids is not None:
        offerings = sorted(set(offering_ids or ()))
        providers = sorted(set(provider_ids or ()))
        stale = stale.filter(offering_id__in=offerings) | stale.filter(provider_id__in=providers)
        source = source.filter(pk__in=offerings) | source.filter(provider_id__in=providers)
    stale.exclude(offering_id__in=source.values("pk")).delete()
    ids = list(source.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        Listing.objects.bulk_create(
            _rows(batch), update_conflicts=True, unique_fields=["offering"], update_fields=_UPDATED
        )
        _copy_vectors(batch)
    return len(ids)


def listing_refresh_columns(*, offering_ids: Iterable[int] | None, columns: Iterable[str]) -> int:
    """Copy these columns (of OFFERING_COLUMNS) from the offerings into their listing rows, writing
    only the rows where one changed; returns how many rows were written. One UPDATE."""
    names = [c for c in OFFERING_COLUMNS if c in set(columns)]
    if not names:
        return 0
    fresh = {
        c: f"(SELECT o.{c} FROM providers_offering AS o WHERE o.id = storefront_listing.offering_id)"  # noqa: S608 -- names from OFFERING_COLUMNS
        for c in names
    }
    changed = " OR ".join(f"{c} IS DISTINCT FROM {fresh[c]}" for c in names)
    assignments = ", ".join(f"{c} = {fresh[c]}" for c in names)
    sql = f"UPDATE storefront_listing SET {assignments} WHERE ({changed})"  # noqa: S608 -- names from OFFERING_COLUMNS
    params: list[int] = []
    if offering_ids is not None:
        ids = sorted(set(offering_ids))
        if not ids:
            return 0
        sql += f" AND offering_id IN ({', '.join(['%s'] * len(ids))})"
        params = list(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def listing_refresh_ranking(*, provider_ids: Iterable[int] | None) -> int:
    """Copy the published ranking's sort keys (an unscored provider's score without a row) into
    the listing rows of these providers (all when None). One UPDATE."""
    rows = Listing.objects.all()
    if provider_ids is not None:
        rows = rows.filter(provider_id__in=sorted(set(provider_ids)))
    ranking = ProviderRanking.objects.filter(provider_id=OuterRef("provider_id"))
    return rows.update(
        score=Coalesce(Subquery(ranking.values("score")[:1]), Value(UNSCORED.score)),
        rating_weighted=Subquery(ranking.values("rating_weighted")[:1]),
        response_counted=Subquery(ranking.values("response_counted")[:1]),
    )


def listing_stale(
    *,
    offering_ids: Iterable[int] | None = None,
    provider_ids: Iterable[int] | None = None,
    columns: Iterable[str] | None = None,
) -> None:
    """The `listing_stale` hook (core.hooks): update what changed, in the caller's transaction."""
    if columns and provider_ids is None:
        listing_refresh_columns(offering_ids=offering_ids, columns=columns)
    else:
        listing_refresh(offering_ids=offering_ids, provider_ids=provider_ids)


# --- the rebuild ------------------------------------------------------------------------------------

_REBUILD_SQL = """
INSERT INTO storefront_listing (
    offering_id, provider_id, kind, title, booking_mode, specialty_id, specialty_code, specialty_names,
    specialty_codes, procedure_code, currency, price_min, price_max, deposit_bps, deposit_fixed, includes,
    excludes, price_eur_nano, next_slot_at, provider_slug, provider_name, provider_kind, provider_languages,
    spoken_languages, interpreter_available, verified_at, city, country, timezone, score, rating_weighted,
    response_counted, search_text, search_head, search_vector)
SELECT o.id, o.provider_id, o.kind, o.title, o.booking_mode, o.specialty_id, s.code,
    jsonb_build_object({names}),
    to_jsonb(ARRAY(
        SELECT c FROM (
            SELECT s.code AS c
            UNION SELECT ps_s.code FROM providers_provider_specialties AS ps
                JOIN providers_specialty AS ps_s ON ps_s.id = ps.specialty_id WHERE ps.provider_id = o.provider_id
        ) AS codes ORDER BY c COLLATE "C")),
    COALESCE(pr.code, ''), o.currency, o.price_min, o.price_max, o.deposit_bps, o.deposit_fixed, o.includes,
    o.excludes, o.price_eur_nano, o.next_slot_at, p.slug, p.name, p.kind, p.languages,
    p.spoken_languages, p.interpreter_available, p.verified_at, l.city, l.country, l.timezone,
    COALESCE(r.score, %s), r.rating_weighted, r.response_counted, o.search_text,
    split_part(o.search_text, ' | ', 1), o.search_vector
FROM providers_offering AS o
JOIN providers_provider AS p ON p.id = o.provider_id
JOIN providers_location AS l ON l.id = o.location_id
JOIN providers_specialty AS s ON s.id = o.specialty_id
LEFT JOIN providers_procedure AS pr ON pr.id = o.procedure_id
LEFT JOIN storefront_providerranking AS r ON r.provider_id = o.provider_id
WHERE o.is_active AND p.status = %s AND o.id >= %s AND o.id < %s
"""


def listing_rebuild(*, batch_size: int = 50_000) -> int:
    """Empty the listing and fill it again from every listed offering; returns how many rows.

    On PostgreSQL, set-based: TRUNCATE, then one INSERT … SELECT per range of offering ids (the
    same values `listing_refresh` writes; a test holds them equal). Elsewhere, `listing_refresh`.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            Listing.objects.all().delete()
            return listing_refresh()
    names = ", ".join(f"'{code}', s.name_{code}" for code in NAME_LANGUAGES)
    sql = _REBUILD_SQL.format(names=names)
    # TRUNCATE on its own (the command, the bench); inside a caller's transaction, which may have
    # deferred constraint checks pending on the table, DELETE.
    empty = "DELETE FROM storefront_listing" if connection.in_atomic_block else "TRUNCATE storefront_listing"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(empty)
        cursor.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM providers_offering")
        low, high = cursor.fetchone()
        for start in range(low, high + 1, batch_size):
            cursor.execute(sql, [UNSCORED.score, VerificationStatus.VERIFIED, start, start + batch_size])
        cursor.execute("SELECT COUNT(*) FROM storefront_listing")
        (count,) = cursor.fetchone()
    return count


def listing_fill_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **_: object) -> None:
    """After `migrate`: an empty listing beside listed offerings (a database upgraded to the
    listing, or restored without it) is filled, so that search does not come up empty until
    someone runs `manage.py listing_rebuild`. Two cheap queries otherwise."""
    if using != DEFAULT_DB_ALIAS or Listing._meta.db_table not in connection.introspection.table_names():
        return  # another database, or migrated back to before the listing
    if Listing.objects.exists():
        return
    if listed_offerings().exists():
        listing_rebuild()
