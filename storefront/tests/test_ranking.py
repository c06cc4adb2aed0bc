"""The published ranking: the formula (a table), the refresh of its table from reviews, quotes,
bookings and profiles, search's default order and its rating and response-time sorts (page and
API), the "Why this order?" note and the public page that explains it all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import PatientFactory
from bookings.models import Booking, BookingStatus, CancellationPolicy
from providers.models import ProviderPhoto, VerificationStatus
from providers.tests.factories import LocationFactory, MemberFactory, OfferingFactory, ProviderFactory
from quotes.models import QuoteRecipient, QuoteRequest, QuoteRequestStatus
from reviews.models import Review, ReviewStatus
from storefront import ranking
from storefront.models import ProviderRanking
from storefront.ranking import RankingInputs, ranking_score
from storefront.search import search_reindex
from storefront.services import provider_rankings_refresh

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
SEARCH_API = "/api/v1/search/"
ALL_ITEMS = frozenset(ranking.COMPLETENESS_ITEMS)


# --- the formula ---------------------------------------------------------------------------------

# (inputs, site mean) → each component and the score, rounded to 3 places.
FORMULA_TABLE = [
    pytest.param(
        RankingInputs(),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.5,
        id="nothing-known-sits-at-the-prior-and-the-middle",
    ),
    pytest.param(
        RankingInputs(rating_average=Decimal("5.0"), rating_count=1),
        Decimal("4.0"),
        # (5 × 4.0 + 1 × 5.0) / 6 = 4.1667 → (4.1667 − 1) / 4
        {"rating": 0.792, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.517,
        id="one-five-star-review-moves-little",
    ),
    pytest.param(
        RankingInputs(rating_average=Decimal("4.8"), rating_count=95),
        Decimal("4.0"),
        # (20 + 456) / 100 = 4.76
        {"rating": 0.94, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.576,
        id="many-reviews-outweigh-the-prior",
    ),
    pytest.param(
        RankingInputs(response_median=12 * HOUR, response_samples=3),
        Decimal("4.0"),
        {"rating": 0.75, "response": 1.0, "reliability": 0.5, "completeness": 0.0},
        0.6,
        id="answers-within-a-day",
    ),
    pytest.param(
        RankingInputs(response_median=96 * HOUR, response_samples=10),
        Decimal("4.0"),
        # 1 − (96 − 24) / (168 − 24)
        {"rating": 0.75, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.5,
        id="answers-in-four-days-is-halfway",
    ),
    pytest.param(
        RankingInputs(response_median=30 * DAY, response_samples=10),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.0, "reliability": 0.5, "completeness": 0.0},
        0.4,
        id="slower-than-a-week-is-zero",
    ),
    pytest.param(
        RankingInputs(response_median=HOUR, response_samples=2),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.5,
        id="two-requests-do-not-count-yet",
    ),
    pytest.param(
        RankingInputs(bookings=20, cancelled_by_provider=0),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.5, "reliability": 1.0, "completeness": 0.0},
        0.6,
        id="no-cancellation",
    ),
    pytest.param(
        RankingInputs(bookings=20, cancelled_by_provider=2),
        Decimal("4.0"),
        # 10 % of 20 % → 0.5
        {"rating": 0.75, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.5,
        id="ten-percent-cancelled-is-halfway",
    ),
    pytest.param(
        RankingInputs(bookings=5, cancelled_by_provider=3),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.5, "reliability": 0.0, "completeness": 0.0},
        0.4,
        id="most-cancelled-is-zero",
    ),
    pytest.param(
        RankingInputs(bookings=4, cancelled_by_provider=4),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.5,
        id="four-bookings-do-not-count-yet",
    ),
    pytest.param(
        RankingInputs(completeness_done=frozenset({"description", "photo", "languages"})),
        Decimal("4.0"),
        {"rating": 0.75, "response": 0.5, "reliability": 0.5, "completeness": 0.5},
        0.6,
        id="half-a-profile",
    ),
    pytest.param(
        RankingInputs(
            rating_average=Decimal("5.0"),
            rating_count=1000,
            response_median=HOUR,
            response_samples=50,
            bookings=100,
            completeness_done=ALL_ITEMS,
        ),
        Decimal("4.0"),
        {"rating": 0.999, "response": 1.0, "reliability": 1.0, "completeness": 1.0},
        1.0,
        id="the-best-record",
    ),
    pytest.param(
        RankingInputs(),
        Decimal("3.0"),
        {"rating": 0.5, "response": 0.5, "reliability": 0.5, "completeness": 0.0},
        0.4,
        id="without-reviews-a-provider-sits-at-the-site-mean",
    ),
]


@pytest.mark.parametrize(("inputs", "mean", "components", "score"), FORMULA_TABLE)
def test_the_formula(inputs, mean, components, score):
    scored = ranking_score(inputs, site_mean=mean)

    assert {key: round(value, 3) for key, value in scored.components.items()} == components
    assert round(scored.score, 3) == score


def test_the_weights_add_up_to_one_and_every_component_has_one():
    assert set(ranking.WEIGHTS) == {"rating", "response", "reliability", "completeness"}
    assert sum(ranking.WEIGHTS.values()) == pytest.approx(1.0)


def test_the_site_mean_weights_each_provider_by_its_number_of_reviews():
    assert ranking.site_mean([(Decimal("5.0"), 3), (Decimal("3.0"), 1)]) == Decimal("4.50")
    assert ranking.site_mean([]) == ranking.DEFAULT_SITE_MEAN


# --- the world: otherwise equal providers --------------------------------------------------------


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def twin(name: str):
    """A provider, its location and one published knee consultation; every provider made by this
    has the same profile, so only what the test adds sets them apart."""
    provider = ProviderFactory(name=name, slug=name.lower().replace(" ", "-"), biography="Knee surgeon.")
    location = LocationFactory(provider=provider, latitude=Decimal("48.85"), longitude=Decimal("2.35"))
    return OfferingFactory(
        provider=provider,
        location=location,
        title=f"Knee consultation at {name}",
        description="An hour.",
        includes=["Consultation"],
    )


def paid_booking(provider, *, patient=None, status=BookingStatus.COMPLETED, cancelled_by=None, at=NOW - 30 * DAY):
    """A booking row with its deposit paid (what the ranking counts), written as the services leave it."""
    return Booking.objects.create(
        patient=patient or PatientFactory(),
        provider=provider,
        status=status,
        deposit_amount=50_000,
        currency="EUR",
        cancellation_policy=CancellationPolicy.objects.filter(code="platform_default").first(),
        paid_at=at,
        cancelled_at=at + DAY if cancelled_by else None,
        cancelled_by=cancelled_by,
        created_at=at,
        updated_at=at,
    )


def review(provider, stars: int, *, status=ReviewStatus.PUBLISHED):
    booking = paid_booking(provider)
    return Review.objects.create(
        booking=booking,
        provider=provider,
        author=booking.patient,
        status=status,
        care=stars,
        communication=stars,
        value=stars,
        cleanliness=stars,
        text="Fine.",
        submitted_at=NOW - 10 * DAY,
        published_at=NOW - 9 * DAY if status == ReviewStatus.PUBLISHED else None,
        updated_at=NOW - 9 * DAY,
    )


def answered_requests(provider, *, after: dt.timedelta, count: int = 3, answered: bool = True):
    patient = PatientFactory()
    for _i in range(count):
        sent = NOW - 20 * DAY
        request = QuoteRequest.objects.create(
            patient=patient,
            subject="Knee",
            description="Pain.",
            desired_from=dt.date(2030, 5, 1),
            desired_to=dt.date(2030, 6, 1),
            status=QuoteRequestStatus.ANSWERED if answered else QuoteRequestStatus.EXPIRED,
            created_at=sent,
            sent_at=sent,
            expires_at=sent + 14 * DAY,
        )
        QuoteRecipient.objects.create(
            request=request, provider=provider, sent_at=sent, first_answered_at=sent + after if answered else None
        )


def order(client, **params) -> list[str]:
    response = client.get(SEARCH_API, {"q": "", **params})
    assert response.status_code == 200, response.json()
    return [result["offering"]["provider"]["name"] for result in response.json()["results"]]


def refresh_and_index():
    search_reindex()
    return provider_rankings_refresh(now=NOW)


# --- the refresh ---------------------------------------------------------------------------------


def test_the_refresh_stores_each_verified_providers_inputs_and_score(now):
    alpha = twin("Alpha Clinic").provider
    review(alpha, 5)
    review(alpha, 3)
    review(alpha, 1, status=ReviewStatus.SUBMITTED)  # not published: does not count
    answered_requests(alpha, after=6 * HOUR, count=2)
    answered_requests(alpha, after=DAY, count=1, answered=False)  # expired unanswered: counts as a week
    member = MemberFactory(provider=alpha)
    for _i in range(4):
        paid_booking(alpha)
    paid_booking(alpha, status=BookingStatus.CANCELLED, cancelled_by=member.user)
    paid_booking(alpha, status=BookingStatus.CANCELLED, cancelled_by=PatientFactory())  # the patient's doing
    pending = ProviderFactory(status=VerificationStatus.PENDING)

    assert provider_rankings_refresh(now=NOW) == 1

    row = ProviderRanking.objects.get(provider=alpha)
    assert (row.rating_average, row.rating_count) == (Decimal("4.0"), 2)
    assert row.response_samples == 3
    assert row.response_median == 6 * HOUR  # the median of 6 h, 6 h and a week
    assert row.response_counted == 6 * HOUR
    assert (row.bookings, row.cancelled_by_provider) == (3 + 6, 1)  # the reviews' bookings count too
    assert set(row.completeness_done) == {"description", "address", "prices", "languages", "registration"}
    expected = ranking_score(
        RankingInputs(
            rating_average=Decimal("4.0"),
            rating_count=2,
            response_median=6 * HOUR,
            response_samples=3,
            bookings=9,
            cancelled_by_provider=1,
            completeness_done=frozenset(row.completeness_done),
        ),
        site_mean=Decimal("4.00"),
    )
    assert row.score == pytest.approx(expected.score)
    assert row.refreshed_at == NOW
    assert not ProviderRanking.objects.filter(provider=pending).exists()


def test_a_photo_completes_the_profile_and_running_the_refresh_twice_changes_nothing_else(now):
    alpha = twin("Alpha Clinic").provider
    provider_rankings_refresh(now=NOW)
    before = ProviderRanking.objects.get(provider=alpha)
    # Its dimensions given, the image file itself is not read.
    ProviderPhoto.objects.create(provider=alpha, image="providers/photo.jpg", width=40, height=30)

    provider_rankings_refresh(now=NOW)
    provider_rankings_refresh(now=NOW)

    after = ProviderRanking.objects.get(provider=alpha)
    assert ProviderRanking.objects.count() == 1
    assert "photo" in after.completeness_done
    assert "photo" not in before.completeness_done
    assert after.score == pytest.approx(before.score + ranking.WEIGHTS["completeness"] / len(ALL_ITEMS))


def test_a_provider_suspended_since_the_last_refresh_loses_its_row(now):
    alpha = twin("Alpha Clinic").provider
    provider_rankings_refresh(now=NOW)
    alpha.status = VerificationStatus.SUSPENDED
    alpha.save(update_fields=["status"])

    provider_rankings_refresh(now=NOW)

    assert not ProviderRanking.objects.exists()


def test_the_command_and_the_beat_job_refresh_the_table(now):
    twin("Alpha Clinic")
    out = StringIO()

    call_command("ranking_refresh", stdout=out)

    assert "Scored 1 providers." in out.getvalue()
    assert ProviderRanking.objects.count() == 1
    assert settings.CELERY_BEAT_SCHEDULE["refresh-provider-rankings"]["task"] == "storefront.tasks.refresh_rankings"


# --- search's order --------------------------------------------------------------------------------


def test_of_two_otherwise_equal_providers_the_better_rated_comes_first(anonymous, now):
    alpha = twin("Alpha Clinic").provider
    beta = twin("Beta Clinic").provider
    for _i in range(3):
        review(alpha, 3)
        review(beta, 5)
    refresh_and_index()

    assert order(anonymous) == ["Beta Clinic", "Alpha Clinic"]
    assert order(anonymous, q="knee") == ["Beta Clinic", "Alpha Clinic"]
    assert order(anonymous, sort="rating") == ["Beta Clinic", "Alpha Clinic"]


def test_of_two_otherwise_equal_providers_the_faster_to_answer_comes_first(anonymous, now):
    alpha = twin("Alpha Clinic").provider
    beta = twin("Beta Clinic").provider
    answered_requests(alpha, after=5 * DAY)
    answered_requests(beta, after=2 * HOUR)
    refresh_and_index()

    assert order(anonymous) == ["Beta Clinic", "Alpha Clinic"]
    assert order(anonymous, sort="response") == ["Beta Clinic", "Alpha Clinic"]


def test_of_two_otherwise_equal_providers_the_one_that_cancels_comes_last(anonymous, now):
    alpha = twin("Alpha Clinic").provider
    beta = twin("Beta Clinic").provider
    member = MemberFactory(provider=alpha)
    for provider in (alpha, beta):
        for _i in range(8):
            paid_booking(provider)
    for _i in range(2):
        paid_booking(alpha, status=BookingStatus.CANCELLED, cancelled_by=member.user)
    refresh_and_index()

    assert order(anonymous) == ["Beta Clinic", "Alpha Clinic"]


def test_the_sort_by_response_time_puts_providers_with_too_few_requests_last(anonymous, now):
    alpha = twin("Alpha Clinic").provider
    beta = twin("Beta Clinic").provider
    twin("Gamma Clinic")
    answered_requests(alpha, after=3 * DAY)
    answered_requests(beta, after=2 * HOUR, count=2)  # fastest, but too few to count
    refresh_and_index()

    assert order(anonymous, sort="response")[0] == "Alpha Clinic"


def test_relevance_stays_ahead_of_the_score_when_there_are_words(anonymous, now):
    # A phrase in the title beats the best record whose offering only has the words apart.
    best = twin("Alpha Clinic").provider
    for _i in range(20):
        review(best, 5)
    OfferingFactory(provider=best, location=best.locations.get(), title="Replacement of a hip, knee review")
    plain = ProviderFactory(name="Beta Clinic", slug="beta-clinic")
    OfferingFactory(provider=plain, title="Knee replacement")
    refresh_and_index()

    response = anonymous.get(SEARCH_API, {"q": "knee replacement"})

    assert [r["offering"]["title"] for r in response.json()["results"]] == ["Knee replacement"]


def test_an_unscored_provider_ranks_as_one_without_a_record(anonymous, now):
    alpha = twin("Alpha Clinic").provider
    for _i in range(3):
        review(alpha, 1)
    refresh_and_index()
    twin("Beta Clinic")  # listed after the refresh
    search_reindex()

    body = anonymous.get(SEARCH_API).json()

    assert [r["offering"]["provider"]["name"] for r in body["results"]] == ["Beta Clinic", "Alpha Clinic"]
    assert body["results"][0]["ranking"]["score"] == ranking.UNSCORED.score
    assert body["results"][0]["ranking"]["refreshed_at"] is None


# --- the API ---------------------------------------------------------------------------------------


def test_each_api_result_exposes_its_score_components(anonymous, now):
    beta = twin("Beta Clinic").provider
    review(beta, 4)
    answered_requests(beta, after=2 * HOUR)
    refresh_and_index()

    result = anonymous.get(SEARCH_API, {"sort": "rating"}).json()["results"][0]["ranking"]

    row = ProviderRanking.objects.get(provider=beta)
    assert result["score"] == row.score
    assert result["points"] == round(row.score * 100)
    assert [(c["key"], c["weight"]) for c in result["components"]] == list(ranking.WEIGHTS.items())
    assert {c["key"]: c["value"] for c in result["components"]}["response"] == 1.0
    assert result["rating_average"] == "4.0"
    assert result["rating_count"] == 1
    assert result["response_median_hours"] == 2.0
    assert result["completeness_missing"] == ["photo"]
    assert result["refreshed_at"] == "2030-03-04T09:00:00Z"


@pytest.mark.parametrize("sort", ["relevance", "price", "soonest", "rating", "response"])
def test_every_sort_value_is_accepted_by_the_api(anonymous, now, sort):
    twin("Alpha Clinic")
    refresh_and_index()

    response = anonymous.get(SEARCH_API, {"sort": sort})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_an_unknown_sort_is_refused_with_a_code(anonymous, now):
    response = anonymous.get(SEARCH_API, {"sort": "sponsored"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "sort" in response.json()["details"]


# --- the pages -------------------------------------------------------------------------------------


def test_the_ranking_page_publishes_the_weights_and_says_there_is_no_paid_placement(client):
    response = client.get(reverse("ranking"))

    assert response.status_code == 200
    page = response.content.decode()
    for key, weight in ranking.WEIGHTS.items():
        assert f'data-component="{key}"' in page
        assert f"{round(weight * 100)} %" in page
    assert 'data-testid="no-paid-placement"' in page
    assert "No provider can pay to be shown higher" in page
    assert f'href="{reverse("ranking")}"' in page  # the footer links it on every page


def test_each_search_result_says_why_it_ranks_where_it_does(client, now):
    beta = twin("Beta Clinic").provider
    for _i in range(2):
        review(beta, 5)
    refresh_and_index()

    response = client.get(reverse("search"), {"q": "knee"})

    page = response.content.decode()
    assert 'data-testid="ranking-link"' in page
    assert page.count('data-testid="ranking-why"') == 1
    assert "Why this order?" in page
    assert "from 2 published reviews" in page
    for key in ranking.WEIGHTS:
        assert f'data-component="{key}"' in page


@pytest.mark.parametrize("sort", ["rating", "response"])
def test_the_search_page_offers_the_new_sorts(client, now, sort):
    twin("Alpha Clinic")
    refresh_and_index()

    response = client.get(reverse("search"), {"sort": sort})

    assert response.status_code == 200
    assert f'<option value="{sort}" selected>' in response.content.decode()
