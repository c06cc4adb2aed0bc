"""MediBroker settings: every value read from the environment here, and only here.

With nothing set, the project runs on the embedded default: SQLite in var/, tasks run eagerly,
a local-memory cache and e-mail printed to the console. Each variable is documented line by line
in .env.example. DJANGO_PRODUCTION=true switches to production mode, which refuses to start
without a secret key and allowed hosts and passes `manage.py check --deploy`.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import OUR_PREFIXES, env_bool, env_secret
from config.storage import storage_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file beside manage.py is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
# An empty variable (as left in a copy of .env.example) means "not set": use the default.
for _name in [n for n, v in os.environ.items() if v == "" and n.startswith(OUR_PREFIXES)]:
    del os.environ[_name]

# ------------------------------------------------------------------------------------------
# Mode
# ------------------------------------------------------------------------------------------
PRODUCTION = env_bool("DJANGO_PRODUCTION", default=False)
DEBUG = False if PRODUCTION else env_bool("DJANGO_DEBUG", default=True)
if PRODUCTION and env_bool("DJANGO_DEBUG", default=False):
    raise ImproperlyConfigured("DJANGO_DEBUG=true is refused in production mode.")

# ------------------------------------------------------------------------------------------
# Secrets and hosts
# ------------------------------------------------------------------------------------------
SECRET_KEY = env_secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A refused form renders templates/403_csrf.html in the site's layout, with the request's context.
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"
if PRODUCTION:
    missing = [
        name
        for name, value in (
            ("DJANGO_SECRET_KEY", SECRET_KEY),
            ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured("Production mode needs " + " and ".join(missing) + " to be set (see .env.example).")
else:
    # Development only: a fixed, obviously unsafe key so sessions survive restarts.
    SECRET_KEY = SECRET_KEY or "django-insecure-development-key-never-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

# ------------------------------------------------------------------------------------------
# Applications
# ------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # Third parties
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    # API tokens: knox keeps only a digest; our model is accounts.ApiToken (KNOX_TOKEN_MODEL below).
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "django_countries",
    "csp",
    # Ours
    "core",
    "accounts",
    "providers",
    "bookings",
    "documents",
    "payments",
    "notifications",
    "quotes",
    "storefront",
    "concierge",
    "careteam",
    "secondopinion",
    "privacy",
    "messaging",
    "reviews",
    "disputes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.RefuseNulMiddleware",  # input limits: a NUL in the URL or query string is a 400
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The page's language: the person's own when signed in, `?language=` for one page (accounts/middleware.py).
    "accounts.middleware.UserLanguageMiddleware",
    "core.middleware.ViewerTimezoneMiddleware",  # deadlines in the viewer's own timezone (core/when.py)
    # Answers to a signed-in person are never cached (core/middleware.py); the policy below on every page.
    "core.middleware.PrivateResponseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Timeouts first: an expired session is signed out before anything else looks at its user.
    "accounts.middleware.SessionTimeoutMiddleware",
    # Second factor before terms: a privileged user sets up MFA first, then accepts the terms.
    "accounts.middleware.MFARequiredMiddleware",
    "accounts.middleware.TermsAcceptanceMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# ------------------------------------------------------------------------------------------
# Database: SQLite in var/ unless DATABASE_URL names another (postgres://… uses psycopg 3)
# ------------------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
# Production fails closed: no silent fallback to the development SQLite file.
if PRODUCTION and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Production mode needs DATABASE_URL to be set (PostgreSQL; see .env.example).")
if PRODUCTION and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    raise ImproperlyConfigured("DATABASE_URL names SQLite: refused in production mode (use PostgreSQL).")
# Every request runs in one transaction: a failure half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Read replicas: with DATABASE_REPLICA_URL (one replica, or a pooler in front of several), the
# search, the public pages and the finance reports read from it; writes, and reads inside a write's
# transaction, stay on the primary (core/db.py, docs/decisions.md "Read replicas"). REPLICA_READS=false
# keeps every read on the primary without removing the alias. In tests the alias mirrors the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    if PRODUCTION and DATABASES["replica"]["ENGINE"].endswith("sqlite3"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL names SQLite: refused in production mode (use PostgreSQL).")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_READS = env.bool("REPLICA_READS", default=True)
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------------------
# Redis: broker, results and cache when REDIS_URL is set; local memory and eager tasks if not
# ------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Without Redis, rate limits are per process and tasks run inside the request: production refuses.
if PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("Production mode needs REDIS_URL to be set (Celery broker and shared cache).")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "medibroker",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------------------
# Celery (config/celery.py reads every CELERY_* name below)
# ------------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# A task whose worker dies is given back to the queue rather than lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# With acks_late, a task not acknowledged within this window is delivered again: it must exceed
# the hard time limit by a wide margin.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "refresh-stale-next-slots": {
        "task": "providers.tasks.refresh_stale_next_slots",
        "schedule": timedelta(minutes=10),
    },
    # Rates take over at midnight UTC on their date: search's prices in euros follow.
    "refresh-offering-prices": {
        "task": "providers.tasks.refresh_offering_prices",
        "schedule": crontab(hour=0, minute=1),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "delete-expired-api-tokens": {
        "task": "accounts.tasks.delete_expired_api_tokens",
        "schedule": crontab(hour=3, minute=23),
    },
    "expire-held-bookings": {
        "task": "bookings.tasks.expire_held_bookings",
        "schedule": timedelta(minutes=1),
    },
    "expire-unpaid-bookings": {
        "task": "bookings.tasks.expire_unpaid_bookings",
        "schedule": timedelta(minutes=5),
    },
    "apply-evidence-deadlines": {
        "task": "bookings.tasks.apply_evidence_deadlines",
        "schedule": timedelta(hours=1),
    },
    # Appointment reminders (7 days, 24 hours before) and evidence deadlines, at the provider's local time.
    "send-due-reminders": {
        "task": "bookings.tasks.send_due_reminders",
        "schedule": timedelta(minutes=15),
    },
    # The reminder the day before a transfer's pickup, at the destination's local time.
    "send-transfer-reminders": {
        "task": "concierge.tasks.send_transfer_reminders",
        "schedule": timedelta(minutes=15),
    },
    # Messages left queued (the broker was down when they were recorded) are enqueued again.
    "requeue-stale-messages": {
        "task": "notifications.tasks.requeue_stale_messages",
        "schedule": timedelta(minutes=15),
    },
    # Second opinions: the clock's alerts and breach refunds, acceptance timeouts, follow-up windows.
    "second-opinion-deadlines": {
        "task": "secondopinion.tasks.run_deadlines",
        "schedule": timedelta(minutes=5),
    },
    "expire-quotes": {
        "task": "quotes.tasks.expire_quotes",
        "schedule": timedelta(minutes=15),
    },
    "settle-cancellations": {
        "task": "payments.tasks.settle_cancellations",
        "schedule": timedelta(minutes=1),
    },
    "retry-stripe-events": {
        "task": "payments.tasks.retry_stripe_events",
        "schedule": timedelta(minutes=5),
    },
    # Payments safety: transfers whose answer was lost, orphaned charges' refunds (same keys).
    "retry-release-transfers": {
        "task": "payments.tasks.retry_release_transfers",
        "schedule": timedelta(minutes=5),
    },
    "refund-orphaned-charges": {
        "task": "payments.tasks.refund_orphaned_charges",
        "schedule": timedelta(minutes=5),
    },
    "fetch-missed-stripe-events": {
        "task": "payments.tasks.fetch_missed_stripe_events",
        "schedule": timedelta(hours=1),
    },
    # After Stripe's day has closed (UTC) and the missed events were fetched.
    "reconcile-with-stripe": {
        "task": "payments.tasks.reconcile_with_stripe",
        "schedule": crontab(hour=2, minute=30),
    },
    # Erasures left in progress (a worker killed half-way) are run again from the step they reached.
    "resume-erasures": {
        "task": "privacy.tasks.resume_erasures",
        "schedule": timedelta(minutes=15),
    },
    # Retention (docs/decisions.md "Retention"): each job purges what is past its period, in batches.
    "purge-idempotency-records": {
        "task": "core.tasks.purge_idempotency_records",
        "schedule": crontab(hour=4, minute=5),
    },
    "purge-message-bodies": {
        "task": "notifications.tasks.purge_message_bodies",
        "schedule": crontab(hour=4, minute=10),
    },
    "purge-stripe-payloads": {
        "task": "payments.tasks.purge_stripe_payloads",
        "schedule": crontab(hour=4, minute=15),
    },
    "delete-unverified-accounts": {
        "task": "accounts.tasks.delete_unverified_accounts",
        "schedule": crontab(hour=4, minute=20),
    },
    "close-inactive-accounts": {
        "task": "privacy.tasks.close_inactive_accounts",
        "schedule": crontab(hour=4, minute=25),
    },
    # Data-rights exports: the blobs of links that expired unused (PRIVACY_EXPORT_TTL_DAYS).
    "delete-expired-exports": {
        "task": "privacy.tasks.delete_expired_exports",
        "schedule": crontab(hour=4, minute=11),
    },
    # Disputes: a claim whose other side did not answer in time goes to the careteam.
    "disputes-close-answer-windows": {
        "task": "disputes.tasks.close_answer_windows",
        "schedule": timedelta(minutes=30),
    },
}
# The published ranking (docs/decisions.md "Ranking"): every verified provider's score, which search's order reads.
CELERY_BEAT_SCHEDULE["refresh-provider-rankings"] = {
    "task": "storefront.tasks.refresh_rankings",
    "schedule": crontab(minute=41),
}
# An erasure request still in progress this long after it was confirmed is run again (its steps done are skipped).
PRIVACY_ERASURE_RESUME_AFTER = timedelta(minutes=15)

# ------------------------------------------------------------------------------------------
# Accounts and authentication (django-allauth)
# ------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Sign-up with an address in use and the password-reset form answer as for a new address ("check your
# e-mail"): neither tells whether someone has an account here (docs/decisions.md "Sign-in and MFA").
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.PatientSignupForm"
ACCOUNT_FORMS = {"signup": "accounts.signup_form.SignupPageForm"}  # passwords kept on error
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MediBroker] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Rate limits of the sign-in, sign-up and password-reset pages, keyed on the client address (see
# TRUSTED_PROXY_COUNT) and on the account; "login_failed" also locks the API token endpoint, which
# signs in through allauth. "signup_account" is ours (accounts.adapter): sign-ups per e-mail address.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "signup_account": "5/10m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MediBroker"

# --- Sign-in, MFA and sessions (docs/decisions.md "Sign-in and MFA", "Sessions") -----------------
# The MFA adapter encrypts TOTP secrets and recovery-code seeds at rest with MFA_ENCRYPTION_KEYS.
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
# A password-reset link works for one hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Sensitive pages (a medical document's download) ask for the password or a code again after this
# many seconds since the last sign-in or re-authentication.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("ACCOUNT_REAUTHENTICATION_TIMEOUT", default=600)
# Sign-out after this many seconds without a request: staff, admins and provider members (whoever
# must use MFA), patients; and after SESSION_ABSOLUTE_TIMEOUT seconds from sign-in whatever happens.
SESSION_IDLE_TIMEOUT_PRIVILEGED = env.int("SESSION_IDLE_TIMEOUT_PRIVILEGED", default=30 * 60)
SESSION_IDLE_TIMEOUT_PATIENT = env.int("SESSION_IDLE_TIMEOUT_PATIENT", default=2 * 60 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
# The cookie itself lasts no longer than the absolute timeout (Django's default is two weeks).
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# Legal age to book care for oneself; younger patients are registered by a representative.
LEGAL_AGE_YEARS = 18

# ------------------------------------------------------------------------------------------
# Client address: how many reverse proxies we run in front of the app. 0 = none: X-Forwarded-For
# is ignored (anyone can write it). N = the N-th address from the right of X-Forwarded-For is the
# client's. core.http.client_ip reads it; DRF's throttles and allauth's rate limits agree.
# ------------------------------------------------------------------------------------------
_trusted_proxy_count = os.environ.get("TRUSTED_PROXY_COUNT", "").strip() or "0"
if not _trusted_proxy_count.isdigit():
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={_trusted_proxy_count!r} is not a whole number (0 or more).")
TRUSTED_PROXY_COUNT = int(_trusted_proxy_count)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# ------------------------------------------------------------------------------------------
# API tokens (django-rest-knox): only a digest is stored; each sign-in makes a new named token
# that expires after API_TOKEN_TTL_DAYS; the owner lists and revokes them (My account > API tokens)
# ------------------------------------------------------------------------------------------
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_DAYS must be 1 or more.")
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 -- a model name, not a secret
# knox's own migrations would create its swapped-out table (knox_authtoken), unused: none of them run.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
    # Recognisable by secret scanners; part of the secret the client sends, never stored whole.
    "TOKEN_PREFIX": "mbk_",
    "AUTH_HEADER_PREFIX": "Token",
}

# ------------------------------------------------------------------------------------------
# API (Django REST Framework + drf-spectacular)
# ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    # Throttles key on the real client address: see TRUSTED_PROXY_COUNT.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # A privileged user without a second factor gets 403 mfa_setup_required from the API too,
        # also when signed in by token (docs/decisions.md "Sign-in and MFA").
        "accounts.permissions.SecondFactorSetUp",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    # Input limits: JSON bodies bounded in size and depth, an object at the top, no NUL (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.LimitedJSONParser",
        "core.parsers.NulFreeFormParser",
        "core.parsers.NulFreeMultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("API_AUTH_THROTTLE", default="10/min"),
        # The same endpoints per account (the e-mail in the body), whatever the client address.
        "auth_account": env.str("API_AUTH_ACCOUNT_THROTTLE", default="5/min"),
        # Per signed-in user, pages and API alike (core.throttling; docs/decisions.md#holds-per-patient).
        "holds": env.str("THROTTLE_HOLDS", default="20/hour"),
        "quote_requests": env.str("THROTTLE_QUOTE_REQUESTS", default="10/hour"),
        "document_uploads": env.str("THROTTLE_DOCUMENT_UPLOADS", default="30/hour"),
        "invitations": env.str("THROTTLE_INVITATIONS", default="30/hour"),
        # Per client address: refused document reads (docs/decisions.md#anonymous-document-probes).
        "document_probes": env.str("THROTTLE_DOCUMENT_PROBES", default="30/min"),
    },
}

# Abuse limits on holds (docs/decisions.md#holds-per-patient): how many held or awaiting-deposit
# bookings one patient may have at once, and how many times one patient may hold the same slot a day.
BOOKING_MAX_LIVE_HOLDS = env.int("BOOKING_MAX_LIVE_HOLDS", default=3)
BOOKING_MAX_HOLDS_PER_SLOT = env.int("BOOKING_MAX_HOLDS_PER_SLOT", default=2)

# Second opinions (docs/decisions.md "Second opinion"): the opinion is due this many hours counted
# over the specialist's working days (Monday–Friday minus their country's public holidays, in their
# timezone); the chosen specialist accepts or declines within SECOND_OPINION_ACCEPT_HOURS, counted
# the same way. A breached deadline refunds SECOND_OPINION_BREACH_REFUND_PERCENT of the price, once.
# Until a specialist is chosen, the clock counts the coordinators' working days (the defaults below).
SECOND_OPINION_HOURS = env.int("SECOND_OPINION_HOURS", default=96)
SECOND_OPINION_ACCEPT_HOURS = env.int("SECOND_OPINION_ACCEPT_HOURS", default=24)
SECOND_OPINION_BREACH_REFUND_PERCENT = env.int("SECOND_OPINION_BREACH_REFUND_PERCENT", default=20)
SECOND_OPINION_TIMEZONE = env.str("SECOND_OPINION_TIMEZONE", default="Europe/Paris")
SECOND_OPINION_COUNTRY = env.str("SECOND_OPINION_COUNTRY", default="FR")

# Consents (docs/decisions.md "Consents"): the version of the text of each purpose a person
# consents to on its own (the terms have their own versions, TermsVersion). A newer version than the
# one a person consented to asks them to consent again (Your data → Consents).
CONSENT_VERSIONS = {"health_data": "2026-12", "marketing": "2026-12"}

# Retention (docs/decisions.md "Retention"): how long each kind of record is kept, in days; a
# nightly job (beat schedule below) purges what is older, in batches of RETENTION_BATCH_SIZE.
RETENTION_IDEMPOTENCY_DAYS = env.int("RETENTION_IDEMPOTENCY_DAYS", default=7)
RETENTION_MESSAGE_BODY_DAYS = env.int("RETENTION_MESSAGE_BODY_DAYS", default=365)
RETENTION_STRIPE_PAYLOAD_DAYS = env.int("RETENTION_STRIPE_PAYLOAD_DAYS", default=548)
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=30)
RETENTION_INACTIVE_ACCOUNT_DAYS = env.int("RETENTION_INACTIVE_ACCOUNT_DAYS", default=1095)
RETENTION_INACTIVE_WARNING_DAYS = env.int("RETENTION_INACTIVE_WARNING_DAYS", default=30)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
for _name in (
    "RETENTION_IDEMPOTENCY_DAYS",
    "RETENTION_MESSAGE_BODY_DAYS",
    "RETENTION_STRIPE_PAYLOAD_DAYS",
    "RETENTION_UNVERIFIED_ACCOUNT_DAYS",
    "RETENTION_INACTIVE_ACCOUNT_DAYS",
    "RETENTION_INACTIVE_WARNING_DAYS",
    "RETENTION_BATCH_SIZE",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more.")

# Input limits (bad input is a 400, never a 500): how deeply a JSON body's arrays and objects may
# nest; its size is bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

SPECTACULAR_SETTINGS = {
    "TITLE": "MediBroker API",
    "DESCRIPTION": "Search providers, request quotes, book and pay deposits held in trust.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and docs are public in development, staff-only in production.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.IsAdminUser" if PRODUCTION else "rest_framework.permissions.AllowAny"
    ],
}

# ------------------------------------------------------------------------------------------
# Languages and time
# ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The site's six languages (docs/decisions.md, "Languages"). Arabic is written right to left (Django's
# LANGUAGES_BIDI); the header's switch names each language in itself.
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
# Dates, times, numbers and money are formatted per language by Babel (CLDR) in core/when.py and
# core/money.py, in the viewer's or the place's timezone; Django's own format modules are unused.
PHONENUMBER_DEFAULT_FORMAT = "E164"

# ------------------------------------------------------------------------------------------
# Static and uploaded files
# ------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
# Documents, photos and exports: the local disk under MEDIA_ROOT, or a private S3-compatible bucket
# when STORAGE_URL is set (config/storage.py), so that several web machines serve the same files.
STORAGE_URL = env_secret("STORAGE_URL")
STORAGES = {
    "default": storage_from_url(STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Data-rights exports: how long a copy's single-use link stays valid (docs/decisions.md, "Personal data").
PRIVACY_EXPORT_TTL_DAYS = env.int("PRIVACY_EXPORT_TTL_DAYS", default=7)

# ------------------------------------------------------------------------------------------
# Medical documents: Fernet keys (newest first, older ones kept to read until rotated) and size cap
# ------------------------------------------------------------------------------------------
# Development only: a fixed key derived from a public string, so stored documents survive restarts.
# Anyone can derive it from this file: it protects nothing and production refuses it.
_DOCUMENT_DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"medibroker development document key: unsafe, never use in production").digest()
).decode()
DOCUMENT_KEYS = [key.strip() for key in env_secret("DOCUMENT_KEYS").split(",") if key.strip()]
if PRODUCTION:
    if not DOCUMENT_KEYS:
        raise ImproperlyConfigured("Production mode needs DOCUMENT_KEYS to be set (see .env.example).")
    if _DOCUMENT_DEVELOPMENT_KEY in DOCUMENT_KEYS:
        raise ImproperlyConfigured("DOCUMENT_KEYS holds the public development key: refused in production mode.")
else:
    DOCUMENT_KEYS = DOCUMENT_KEYS or [_DOCUMENT_DEVELOPMENT_KEY]
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# --- TOTP secrets: Fernet keys (newest first), the same rules as DOCUMENT_KEYS ---------------------
_MFA_DEVELOPMENT_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"medibroker development mfa key: unsafe, never use in production").digest()
).decode()
MFA_ENCRYPTION_KEYS = [key.strip() for key in env_secret("MFA_ENCRYPTION_KEYS").split(",") if key.strip()]
if PRODUCTION:
    if not MFA_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("Production mode needs MFA_ENCRYPTION_KEYS to be set (see .env.example).")
    if _MFA_DEVELOPMENT_KEY in MFA_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS holds the public development key: refused in production mode.")
else:
    MFA_ENCRYPTION_KEYS = MFA_ENCRYPTION_KEYS or [_MFA_DEVELOPMENT_KEY]

# ------------------------------------------------------------------------------------------
# E-mail: printed to the console unless EMAIL_URL names a server (smtp+tls://user:pw@host:587)
# ------------------------------------------------------------------------------------------
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_EMAIL)
# Production fails closed: console e-mail would print password-reset links into the logs, and the
# other non-sending backends would lose them.
if PRODUCTION and not os.environ.get("EMAIL_URL"):
    raise ImproperlyConfigured("Production mode needs EMAIL_URL to be set (an SMTP server; see .env.example).")
if PRODUCTION and not _EMAIL["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    raise ImproperlyConfigured(
        "EMAIL_URL must name a mail server (smtp://, smtp+tls:// or smtps://) in production mode, "
        "not a console, file, memory or dummy backend."
    )
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="MediBroker <no-reply@medibroker.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ------------------------------------------------------------------------------------------
# Notifications: links in messages point at SITE_URL; SMS through Twilio when its account, token
# and a sender (number or messaging service) are set; otherwise printed to the console, except in
# production, where SMS are not sent (and recorded as failed) rather than written to the logs
# ------------------------------------------------------------------------------------------
SITE_URL = env.str("SITE_URL", default="") or ("" if PRODUCTION else "http://127.0.0.1:8000")
if PRODUCTION and not SITE_URL:
    raise ImproperlyConfigured("Production mode needs SITE_URL (the site's address, for links in messages).")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env_secret("TWILIO_AUTH_TOKEN")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# Tests only: an HTTP client object for twilio.rest.Client (never read from the environment).
TWILIO_HTTP_CLIENT = None

# ------------------------------------------------------------------------------------------
# Stripe: real keys in production; without a secret key, the local emulator (localstripe) that
# `make run` starts at STRIPE_API_BASE, with a dummy test key and its Stripe.js stand-in
# ------------------------------------------------------------------------------------------
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY")
STRIPE_EMULATED = not STRIPE_SECRET_KEY
if PRODUCTION and STRIPE_EMULATED:
    raise ImproperlyConfigured("Production mode needs STRIPE_SECRET_KEY to be set (see .env.example).")
STRIPE_SECRET_KEY = STRIPE_SECRET_KEY or "sk_test_medibroker_local_emulator"
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="") or "pk_test_medibroker_local_emulator"
# Empty with a real key = Stripe itself; the emulator's address otherwise.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="") or ("http://127.0.0.1:8420" if STRIPE_EMULATED else "")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="") or (
    f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_EMULATED else "https://js.stripe.com/v3/"
)
STRIPE_WEBHOOK_SECRET = env_secret("STRIPE_WEBHOOK_SECRET") or ("" if PRODUCTION else "whsec_medibroker_local")
STRIPE_CONNECT_WEBHOOK_SECRET = env_secret("STRIPE_CONNECT_WEBHOOK_SECRET") or (
    "" if PRODUCTION else "whsec_medibroker_local_connect"
)
if PRODUCTION and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("Production mode needs STRIPE_WEBHOOK_SECRET to be set (see .env.example).")
# Production fails closed on every Stripe value: no emulator key in the browser, no fixed secret that
# would let anyone sign connected accounts' events.
if PRODUCTION and not env.str("STRIPE_PUBLISHABLE_KEY", default=""):
    raise ImproperlyConfigured("Production mode needs STRIPE_PUBLISHABLE_KEY to be set (see .env.example).")
if PRODUCTION and not STRIPE_CONNECT_WEBHOOK_SECRET:
    raise ImproperlyConfigured("Production mode needs STRIPE_CONNECT_WEBHOOK_SECRET to be set (see .env.example).")
# The platform's commission on a released deposit and on a cancellation fee, in basis points
# (1000 = 10%), unless a provider's payout account says otherwise.
PAYMENTS_COMMISSION_BPS = env.int("PAYMENTS_COMMISSION_BPS", default=1000)
if not 0 <= PAYMENTS_COMMISSION_BPS <= 10_000:
    raise ImproperlyConfigured("PAYMENTS_COMMISSION_BPS runs from 0 to 10000 basis points.")
# --- payments safety (releases retry, orphaned charges, dead letters; docs/decisions.md) ---
# A Stripe event whose processing failed this many times is dead-lettered: no longer retried,
# finance is told and retries it from /finance/stripe-events/.
STRIPE_EVENT_MAX_ATTEMPTS = env.int("STRIPE_EVENT_MAX_ATTEMPTS", default=8)
if STRIPE_EVENT_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("STRIPE_EVENT_MAX_ATTEMPTS is at least 1.")
# A difference between the ledger's Stripe balance and Stripe's own (minor units, per currency)
# that the day's unmatched transactions do not explain is reported when larger than this.
STRIPE_BALANCE_TOLERANCE = env.int("STRIPE_BALANCE_TOLERANCE", default=0)
# --- end payments safety ---
# --- disputes (docs/decisions.md#disputes) ---
# A dispute is opened within this many days of the booking's last appointment or the order's
# fulfilment; the other side answers within DISPUTE_ANSWER_DAYS; the careteam decides within
# DISPUTE_DECISION_DAYS of the answer (or of its deadline).
DISPUTE_WINDOW_DAYS = env.int("DISPUTE_WINDOW_DAYS", default=90)
DISPUTE_ANSWER_DAYS = env.int("DISPUTE_ANSWER_DAYS", default=10)
DISPUTE_DECISION_DAYS = env.int("DISPUTE_DECISION_DAYS", default=14)
# The consumer mediator a patient may turn to over a non-medical service (an add-on), shown on the
# legal notice and in the decision of a dispute over an add-on order.
CONSUMER_MEDIATOR_NAME = env.str("CONSUMER_MEDIATOR_NAME", default="CM2C, Centre de la Médiation de la Consommation")
CONSUMER_MEDIATOR_ADDRESS = env.str("CONSUMER_MEDIATOR_ADDRESS", default="49 rue de Ponthieu, 75008 Paris, France")
CONSUMER_MEDIATOR_URL = env.str("CONSUMER_MEDIATOR_URL", default="https://www.cm2c.net")
# --- end disputes ---

# ------------------------------------------------------------------------------------------
# The operator: who runs this site, shown on the legal notice page
# ------------------------------------------------------------------------------------------
OPERATOR = {
    "name": env.str("OPERATOR_NAME", default=""),
    "registration": env.str("OPERATOR_REGISTRATION", default=""),
    "address": env.str("OPERATOR_ADDRESS", default=""),
    "director": env.str("OPERATOR_PUBLICATION_DIRECTOR", default=""),
    "email": env.str("OPERATOR_EMAIL", default=""),
    "host": env.str("OPERATOR_HOST", default=""),
}

# ------------------------------------------------------------------------------------------
# Security (production)
# ------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    # TLS is expected end to end; behind a proxy that terminates TLS, it must set X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host over HTTPS (no Domain, Path=/).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# ------------------------------------------------------------------------------------------
# Content-Security-Policy (django-csp 4): only our own scripts, styles, images and forms; no inline
# script or style, no plugin, never framed. Stripe's origins are added by a view decorator on the
# pages where Stripe.js takes a card (payments/csp.py), the API docs' relaxation likewise
# (config/urls.py). See docs/decisions.md "Response headers and CSP".
# ------------------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}


# ------------------------------------------------------------------------------------------
# Logging: to stderr, one line per record; the platform collects it
# ------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
