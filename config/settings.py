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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "django_countries",
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
# Every request runs in one transaction: a failure half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------------------
# Redis: broker, results and cache when REDIS_URL is set; local memory and eager tasks if not
# ------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
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
    # Messages left queued (the broker was down when they were recorded) are enqueued again.
    "requeue-stale-messages": {
        "task": "notifications.tasks.requeue_stale_messages",
        "schedule": timedelta(minutes=15),
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
    "fetch-missed-stripe-events": {
        "task": "payments.tasks.fetch_missed_stripe_events",
        "schedule": timedelta(hours=1),
    },
    # After Stripe's day has closed (UTC) and the missed events were fetched.
    "reconcile-with-stripe": {
        "task": "payments.tasks.reconcile_with_stripe",
        "schedule": crontab(hour=2, minute=30),
    },
}

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
# A patient who types an e-mail already in use is told so on the form (issue #2); allauth's rate
# limits still apply to sign-up. See README "Security decisions".
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.PatientSignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MediBroker] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MediBroker"

# Legal age to book care for oneself; younger patients are registered by a representative.
LEGAL_AGE_YEARS = 18

# ------------------------------------------------------------------------------------------
# API (Django REST Framework + drf-spectacular)
# ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
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
    },
}
# --- Input limits (bad input is a 400, never a 500) ---
# How deeply a JSON body's arrays and objects may nest; its size is bounded by Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
# --- end of input limits ---

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
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

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

# ------------------------------------------------------------------------------------------
# E-mail: printed to the console unless EMAIL_URL names a server (smtp+tls://user:pw@host:587)
# ------------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
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
# The platform's commission on a released deposit and on a cancellation fee, in basis points
# (1000 = 10%), unless a provider's payout account says otherwise.
PAYMENTS_COMMISSION_BPS = env.int("PAYMENTS_COMMISSION_BPS", default=1000)
if not 0 <= PAYMENTS_COMMISSION_BPS <= 10_000:
    raise ImproperlyConfigured("PAYMENTS_COMMISSION_BPS runs from 0 to 10000 basis points.")

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
# Logging: to stderr, one line per record; the platform collects it
# ------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
