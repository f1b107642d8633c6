"""OVP Assess settings, read from the environment.

One file for every environment: development, tests and production differ only in the
environment variables they set (see README.md, "Configuration").
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_database, env_date, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(or set DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Used in links inside emails (invitations, review notices).
SITE_URL = env_str("OVP_SITE_URL", "http://127.0.0.1:8000")
# The accessibility statement (/accessibility/): where people report a barrier, and the day
# the site was last checked against WCAG 2.1 AA (docs/accessibility.md says how). Whoever
# runs the site sets the contact; re-checking moves the date.
ACCESSIBILITY_CONTACT = env_str("OVP_ACCESSIBILITY_CONTACT", "")
ACCESSIBILITY_CHECKED_ON = env_date("OVP_ACCESSIBILITY_CHECKED_ON", "2026-12-02")

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, so translated fields get language tabs there
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_htmx",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Accounts (sign-in by user name or email, password reset and change, email addresses)
    # and multi-factor sign-in (TOTP, recovery codes, WebAuthn). docs/accounts.md
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Single sign-on: OpenID Connect and SAML 2.0 identity providers, each a SocialApp that
    # the secretariat ties to its network and email domains in the admin (docs/sso.md).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "ovp_assess.apps.OvpAssessConfig",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "cities",
    "criteria",
    "reports",
]

MIDDLEWARE = [
    # First: oversized bodies are refused before any other code reads them.
    "ovp_assess.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy everywhere; Cache-Control private, no-store on private answers.
    "ovp_assess.middleware.PrivacyHeadersMiddleware",
    "ovp_assess.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Who and from where, for the audit trail (cities/audit.py).
    "cities.audit.AuditContextMiddleware",
    "ovp_assess.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A person whose network requires multi-factor sign-in and who has none set up may only
    # set it up (or sign out) until they do (cities/access.py, docs/accounts.md).
    "ovp_assess.middleware.RequireMultiFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Refused access (403) goes to the security log.
    "ovp_assess.logging.RefusedAccessLogMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ovp_assess.urls"

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
                "ovp_assess.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "ovp_assess.wsgi.application"

DATABASES = {
    "default": env_database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Take the write lock when a transaction starts, and wait for it rather than failing:
    # concurrent autosaves then queue up instead of raising "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # Tests use a file too: an in-memory database shares one cache whose table locks ignore
    # the timeout, so concurrent writers would fail there instead of waiting as they do here.
    DATABASES["default"].setdefault("TEST", {"NAME": str(BASE_DIR / "test-db.sqlite3")})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cities.User"
# django-axes counts failed sign-ins and refuses more after DJANGO_LOGIN_FAILURE_LIMIT, per
# user name and address, for DJANGO_LOGIN_COOLOFF_MINUTES. Its backend needs the request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # allauth's backend signs in by user name or by email address (ModelBackend underneath).
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# allauth's form has one "login" field (user name or email); axes counts failures per account
# either way, so five tries by name and five by email are still five (ovp_assess/signin.py).
AXES_USERNAME_CALLABLE = "ovp_assess.signin.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # our own security log records sign-ins (ovp_assess/logging.py)
# Also refuse an address after this many failures across any user names (ovp_assess/signin.py).
AXES_HANDLER = "ovp_assess.signin.SignInHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
# Behind N proxies that append to X-Forwarded-For, the client is the Nth address from the
# right; with 0 (no proxy) REMOTE_ADDR is the client. One function applies it for axes,
# the password-reset throttle, the API throttles and the security log.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "ovp_assess.signin.client_ip"
# Password-reset mails per hour: per requesting address, and per email address asked for.
PASSWORD_RESET_ADDRESS_LIMIT = env_int("DJANGO_PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_EMAIL_LIMIT = env_int("DJANGO_PASSWORD_RESET_EMAIL_LIMIT", 3)
# The audit trail (cities/audit.py) keeps events this long; the worker prunes older ones.
AUDIT_RETENTION_DAYS = env_int("DJANGO_AUDIT_RETENTION_DAYS", 730)
# Idempotency keys of create forms (criteria.SubmissionKey) are kept this long, then pruned
# by the same sweep: long enough for any resend of a form, short enough not to pile up.
SUBMISSION_KEY_RETENTION_DAYS = env_int("DJANGO_SUBMISSION_KEY_RETENTION_DAYS", 30)
# Stored published briefs (reports/brief_cache.py) the worker deletes: any made before the
# last change of their inputs (they can no longer be served), and any older than this (a
# current one is rendered again on its next request).
STORED_BRIEF_RETENTION_DAYS = env_int("DJANGO_STORED_BRIEF_RETENTION_DAYS", 30)
# Each app process keeps the stored brief pages it served last in memory, so a repeat reader
# skips reading the file (from S3, a network round trip). Keyed by the stored brief's key,
# which names everything the page shows, so never stale. About 50 KB a page.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "briefs": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "stored-brief-pages",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
    # Parts of the layout drawn once per process ({% cache %} in templates/base.html), keyed by
    # everything they show. A few KB each.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "layout-fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
if DEBUG:  # a template edited while runserver runs shows at once
    CACHES["template_fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"  # each role's first page: cities.access.landing_for
LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL

# django-allauth (docs/accounts.md). No open sign-up: people join through an invitation
# (cities/account_views.py) or the admin; the adapter closes the sign-up page.
ACCOUNT_ADAPTER = "ovp_assess.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Nobody is kept out for an unverified address (accounts made in the admin, the personas);
# an invited person's address is verified by the invitation link itself, and any reset link
# verifies the address it was sent to (ovp_assess/accounts.py).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "OVP Assess: "
# Sessions last DJANGO_SESSION_COOKIE_AGE, as before allauth (no "remember me" box).
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_FORMS = {
    "login": "ovp_assess.accounts.LoginForm",
    "reset_password": "ovp_assess.accounts.ResetPasswordForm",
}
# django-axes counts failed sign-ins (shared through the database, with the per-address
# limit above) and ovp_assess/signin.py throttles reset mails in the database; allauth's own
# counters for these live in the per-process cache, so they are off. Its other limits stay.
ACCOUNT_RATE_LIMITS = {"login_failed": False, "reset_password": False}
# Multi-factor sign-in: authenticator apps (TOTP) with recovery codes, security keys and
# passkeys (WebAuthn). A network may require it for its secretariat and office editors.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "OVP Assess"
MFA_RECOVERY_CODE_COUNT = 10
# Browsers allow WebAuthn on http://localhost only; elsewhere the site must be on HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# Single sign-on (docs/sso.md). Nobody gets an account or a role by signing in: the adapter
# matches a person to the account their invitation made, by an address the identity provider
# verified, and refuses everyone else (cities/sso.py).
SOCIALACCOUNT_ADAPTER = "cities.sso.SsoAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter does the matching, with its rules
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the address was verified by the provider
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts with a POST (no cross-site starts)
SOCIALACCOUNT_STORE_TOKENS = False  # we ask providers who someone is, nothing more
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt-br", _("Brazilian Portuguese")),
]
LOCALE_PATHS = [Path(env_str("DJANGO_LOCALE_DIR", str(BASE_DIR / "locale")))]
# Framework content (criteria, rubric, questions, tradeoffs, practices) is stored per language;
# a missing translation falls back to English and the pages say so.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Dates and numbers follow the reader's language (`|date:"DATE_FORMAT"`); only English needs
# an override (ovp_assess/formats/en/formats.py).
FORMAT_MODULE_PATH = ["ovp_assess.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Hashed, compressed file names need `collectstatic` first; development and tests go without.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
# Uploads and exports go to local disk (MEDIA_ROOT) unless DJANGO_S3_BUCKET names a bucket on
# S3-compatible storage; then every app server and worker reads and writes the same files.
S3_BUCKET = env_str("DJANGO_S3_BUCKET", "")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": env_str("DJANGO_S3_REGION") or None,
            # Empty keys let boto3 find credentials itself (instance role, ~/.aws).
            "access_key": env_str("DJANGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("DJANGO_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("DJANGO_S3_PREFIX", "media"),
            "addressing_style": env_str("DJANGO_S3_ADDRESSING_STYLE") or None,
            # Private objects; files are served only through permission-checked views.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and local runs without `collectstatic` still find the files in STATICFILES_DIRS.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# Background work (batch exports) is stored in the database and run by `manage.py db_worker`;
# workers on other machines share the same database. Tests may swap in the immediate backend.
TASKS = {
    "default": {
        "BACKEND": env_str("DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# The research API (docs/api.md). Every view scopes its queryset to the reader; lists and
# exports never rely on object permissions, which DRF does not apply to lists.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cities.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": [
        "ovp_assess.api_support.StrictQueryParams",
        "django_filters.rest_framework.DjangoFilterBackend",
        "ovp_assess.api_support.StrictOrdering",
    ],
    "DEFAULT_PAGINATION_CLASS": "ovp_assess.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "ovp_assess.signin.AnonRateThrottle",
        "ovp_assess.signin.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("OVP_API_ANON_RATE", "120/minute"),
        "user": env_str("OVP_API_USER_RATE", "1200/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "ovp_assess.api_support.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OVP Assess API",
    "VERSION": "1",
    "DESCRIPTION": (
        "Read what you may see of networks, cities, offices, the framework, assessments, "
        "responses, evidence, outcome indicators and good practices; office editors write "
        "responses and evidence.\n\n"
        "**Authentication.** Create a token on your account's API tokens page "
        "(`/accounts/tokens/`) and send it in every request: "
        "`Authorization: Token <your token>`. In this page, press *Authorize* and enter "
        "`Token <your token>`. Signed-in browsers use their session.\n\n"
        "**Comparison data.** `GET /api/comparison/` takes the same filters as the comparison "
        "page (`/compare/`) and returns its tidy rows: one per office × round × criterion. "
        "Every data view's page, downloads and API twin read the same query string the same "
        "way; an unknown parameter is a 400.\n\n"
        "**Open data.** `GET /api/open-data/` lists each network's open dataset (what anyone "
        "may read): its version (it changes whenever the published data change), licence, "
        "suggested citation and download links. Exports cite the same versions.\n\n"
        "**Writes.** `GET` a response to read its `ETag` (its version); send it back as "
        "`If-Match` with `PATCH`. A stale version is refused with 412 and nothing changes."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Deep links put a link inside each operation's expand button (a control inside a
    # control, which screen readers cannot use); the operations still open and close.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # One name for the year/month/day choice shared by evidence and publication dates.
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "criteria.models.DatePrecision",
                            "ExchangeStatusEnum": "criteria.models.ExchangeRequest.Status"},
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "OVP Assess <no-reply@localhost>")

SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 12)
if SESSION_COOKIE_AGE <= 0:
    raise ImproperlyConfigured("DJANGO_SESSION_COOKIE_AGE must be a positive number of seconds.")

# Request bodies: form fields beyond 2.5 MB are refused by Django, and any body above
# DJANGO_MAX_REQUEST_BYTES (an evidence file's 20 MB plus the form) is refused with 413 by
# RequestSizeLimitMiddleware before a view runs. Put the same limit in the proxy.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_BYTES", 2_621_440)
MAX_REQUEST_BYTES = env_int("DJANGO_MAX_REQUEST_BYTES", 21 * 1024 * 1024)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
    # The proxy in front must set X-Forwarded-Proto (and strip it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content security policy (django-csp): scripts only from our own static files, so no inline
# script or event-handler attribute runs. plotly.js injects <style> elements for its charts,
# hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Logs go to standard error, one JSON object per line unless DJANGO_LOG_FORMAT=text (the
# default in development); sign-ins, lockouts and refused access go to "ovp_assess.security".
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r} must be json or text.")
LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL={LOG_LEVEL!r} must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ovp_assess.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint reports every rendering step at INFO; only its warnings matter.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
