"""Settings for vanban, configured by environment variables (see docs/operations.md).

Defaults are safe for a newcomer on one machine: SQLite, local files, the database
task backend. Production swaps these by environment, never by editing this file.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VANBAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# A recognisable default so that `vanban check --deploy` can refuse it in production.
INSECURE_DEFAULT_SECRET_KEY = "vanban-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("VANBAN_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = os.environ.get("VANBAN_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("VANBAN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("VANBAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
HTTPS = os.environ.get("VANBAN_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "vanban.core",
    "vanban.audit",
    "vanban.organisation",
    "vanban.accounts",
    "vanban.documents",
    "vanban.incoming",
    "vanban.workflow",
    "vanban.workcalendar",
    "vanban.signatures",
    "vanban.outgoing",
    "vanban.exchange",
    "vanban.records",
    "vanban.jobs",
    "vanban.notifications",
    "vanban.monitoring",
    "vanban.schedule",
    "vanban.backup",
    "vanban.reports",
    "vanban.search",
    "vanban.extraction",
    "vanban.web",
    "vanban.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vanban.core.middleware.RequestContextMiddleware",
    "vanban.accounts.middleware.TwoFactorEnforcementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks, so that it sees the final response of a login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vanban.urls"
WSGI_APPLICATION = "vanban.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanban.web.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DEFAULT_SQLITE_PATH = VAR_DIR / "vanban.sqlite3"
DATABASE_URL = os.environ.get("VANBAN_DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes progress; IMMEDIATE makes
        # every transaction take the write lock at BEGIN, which serialises counters and
        # the audit chain the way SELECT ... FOR UPDATE does on PostgreSQL.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-vanban.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Files ------------------------------------------------------------------------
# The largest single upload accepted (issue 3); larger ones are refused while streaming.
VANBAN_MAX_UPLOAD_MB = int(os.environ.get("VANBAN_MAX_UPLOAD_MB", 100))
MEDIA_ROOT = Path(os.environ.get("VANBAN_MEDIA_ROOT", VAR_DIR / "media"))
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)


def _package_dir(name: str) -> str:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations is not None, name
    return next(iter(spec.submodule_search_locations))


# Bootstrap comes from the bootstrap-wrapper wheel: nothing is fetched from a CDN.
STATICFILES_DIRS = [("bootstrap", _package_dir("bootstrap"))]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": os.environ.get(
            "VANBAN_STATIC_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Auth -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "vanban.accounts.backends.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "vanban.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
SESSION_COOKIE_AGE = int(os.environ.get("VANBAN_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle expiry: the age counts from the last request

AXES_FAILURE_LIMIT = int(os.environ.get("VANBAN_LOCKOUT_FAILURES", 5))
AXES_COOLOFF_TIME = None  # locked accounts stay locked until an administrator unlocks them
# Per account, not per address: a ministry's staff share a few NAT addresses, so an
# IP lock-out would lock whole buildings out.
AXES_LOCKOUT_PARAMETERS = ["username"]
# models.W040: the reports read models' covering indexes (INCLUDE) are for PostgreSQL's
# index-only scans; SQLite builds the same indexes without the extra columns, as intended.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "vanban.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = "vanban"

# --- Locale -----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
USE_THOUSAND_SEPARATOR = False

# --- Background jobs --------------------------------------------------------------
TASKS_BACKEND = os.environ.get("VANBAN_TASKS_BACKEND", "database")
REDIS_URL = os.environ.get("VANBAN_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
WORKER_HEARTBEAT_SECONDS = 5
# How often `vanban worker` runs its periodic hooks (reminders, escalation...).
WORKER_PERIODIC_SECONDS = int(os.environ.get("VANBAN_PERIODIC_SECONDS", "300"))
WORKER_STALE_SECONDS = int(os.environ.get("VANBAN_WORKER_STALE_SECONDS", 60))

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vanban.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "vanban.api.permissions.TokenScopes",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "vanban.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "vanban.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "vanban API",
    "DESCRIPTION": "API của hệ thống văn bản điện tử và điều hành (vanban).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vanban.api.schema.document_invalid_page",
    ],
    # Choice sets shared by several fields get one stable component name each.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "vanban.organisation.roles.Role",
        "UnitKindEnum": "vanban.organisation.models.Unit.Kind",
        "TokenKindEnum": "vanban.accounts.models.ApiToken.Kind",
        "TokenScopeEnum": "vanban.accounts.services.TOKEN_SCOPES",
        "StateEnum": "vanban.jobs.models.Job.State",
        "SignatureCheckStateEnum": "vanban.documents.models.SignatureReport.State",
        "PdfSignatureKindEnum": "vanban.signatures.validation.SIGNATURE_KINDS",
        "SignerKindEnum": "vanban.signatures.validation.SIGNER_KINDS",
    },
}

# --- E-mail -------------------------------------------------------------------------
# SMTP as soon as a mail server is named (VANBAN_EMAIL_HOST); the console otherwise.
EMAIL_BACKEND = os.environ.get(
    "VANBAN_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("VANBAN_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("VANBAN_FROM_EMAIL", "vanban@moit.gov.vn")
EMAIL_HOST = os.environ.get("VANBAN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("VANBAN_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("VANBAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VANBAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("VANBAN_EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("VANBAN_EMAIL_USE_SSL", "0") == "1"
# Background e-mail must not hang a worker on a dead server; failures are retried.
EMAIL_TIMEOUT = int(os.environ.get("VANBAN_EMAIL_TIMEOUT", 20))
# Notifications (vanban/notifications): when the daily digest goes out (Vietnam time),
# and how often the bell in the top bar asks for the unread count.
VANBAN_NOTIFICATIONS_DIGEST_TIME = os.environ.get("VANBAN_NOTIFICATIONS_DIGEST_TIME", "17:00")
VANBAN_BELL_POLL_SECONDS = int(os.environ.get("VANBAN_BELL_POLL_SECONDS", 30))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VANBAN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The organ that runs this installation (edXML organ id); the demo builds MOIT.
OWN_ORGAN_ID = os.environ.get("VANBAN_ORGAN_ID", "000.00.00.G02")

# --- Digital signatures (vanban/signatures; docs/operations.md) ----------------------
# Key-encryption key(s) for the organ's keys kept by the server (Fernet, comma-separated
# for rotation: the first encrypts, all decrypt). Empty: derived from SECRET_KEY.
VANBAN_KEY_ENCRYPTION_KEY = os.environ.get("VANBAN_KEY_ENCRYPTION_KEY", "")
VANBAN_PKCS11_MODULE = os.environ.get("VANBAN_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
# The address people and other systems reach this server at (CRL distribution points).
VANBAN_PUBLIC_URL = os.environ.get("VANBAN_PUBLIC_URL", "http://127.0.0.1:8000")
# RFC 3161 timestamps: an https URL of a timestamp service, or "internal" for the organ's
# own (issued by `vanban pki init`, served at /pki/tsa). Empty: signatures are PAdES B-B.
VANBAN_TSA_URL = os.environ.get("VANBAN_TSA_URL", "")
VANBAN_TSA_TIMEOUT = int(os.environ.get("VANBAN_TSA_TIMEOUT", "10"))
# auto (B-LT with a timestamp service, else B-B), B-B, B-T, B-LT or B-LTA.
VANBAN_PADES_LEVEL = os.environ.get("VANBAN_PADES_LEVEL", "auto")
# Fetch CRLs/OCSP of other CAs over the network when embedding long-term validation data.
VANBAN_REVOCATION_FETCH = os.environ.get("VANBAN_REVOCATION_FETCH", "") in ("1", "true", "yes")
VANBAN_TRUST_ROOTS = os.environ.get("VANBAN_TRUST_ROOTS", str(VAR_DIR / "trust-roots"))
VANBAN_SIGNING_PLACE = os.environ.get("VANBAN_SIGNING_PLACE", "Hà Nội")

# --- Tests ---------------------------------------------------------------------------
TESTING = "pytest" in sys.modules
if TESTING:
    # pytest-django's live_server serves static files itself and needs no manifest;
    # a cheap hasher keeps hundreds of test accounts fast (argon2 is tested on its own).
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    MEDIA_ROOT = VAR_DIR / "test-media"
    STORAGES["default"]["OPTIONS"] = {"location": str(MEDIA_ROOT)}

# Inter-agency exchange transport (docs/exchange.md): outbox retries with exponential
# backoff, then the dead-letter list; how often the worker delivers and scans folders;
# whether the reverse proxy's client-certificate fingerprint header is trusted.
VANBAN_EXCHANGE_MAX_ATTEMPTS = int(os.environ.get("VANBAN_EXCHANGE_MAX_ATTEMPTS", "8"))
VANBAN_EXCHANGE_BACKOFF_SECONDS = float(os.environ.get("VANBAN_EXCHANGE_BACKOFF_SECONDS", "30"))
VANBAN_EXCHANGE_BACKOFF_MAX_SECONDS = float(os.environ.get("VANBAN_EXCHANGE_BACKOFF_MAX_SECONDS", "21600"))
VANBAN_EXCHANGE_POLL_SECONDS = float(os.environ.get("VANBAN_EXCHANGE_POLL_SECONDS", "5"))
VANBAN_EXCHANGE_HTTP_TIMEOUT = float(os.environ.get("VANBAN_EXCHANGE_HTTP_TIMEOUT", "30"))
VANBAN_EXCHANGE_TRUST_CERT_HEADER = os.environ.get("VANBAN_EXCHANGE_TRUST_CERT_HEADER", "") == "1"
VANBAN_EXCHANGE_CERT_HEADER = os.environ.get("VANBAN_EXCHANGE_CERT_HEADER", "X-Client-Cert-Fingerprint")
VANBAN_EXCHANGE_DELIVER_ON_COMMIT = os.environ.get("VANBAN_EXCHANGE_DELIVER_ON_COMMIT", "") == "1"
# A `sending` outbox row whose worker died is claimed again after this lease; keep it
# longer than VANBAN_EXCHANGE_HTTP_TIMEOUT or a slow send may be repeated (harmless —
# the receiver stores a message once — but wasteful).
VANBAN_EXCHANGE_LEASE_SECONDS = float(os.environ.get("VANBAN_EXCHANGE_LEASE_SECONDS", "120"))
# Outbound mutual TLS (HttpTransport): our client certificate (PEM; the key in the same
# file or in VANBAN_EXCHANGE_CLIENT_KEY, unencrypted) and the CA bundle that partners'
# server certificates are checked against (empty: the system's trust store).
_exchange_client_cert = os.environ.get("VANBAN_EXCHANGE_CLIENT_CERT", "")
_exchange_client_key = os.environ.get("VANBAN_EXCHANGE_CLIENT_KEY", "")
VANBAN_EXCHANGE_CLIENT_CERT: str | tuple[str, str] = (
    (_exchange_client_cert, _exchange_client_key) if _exchange_client_cert and _exchange_client_key
    else _exchange_client_cert
)  # fmt: skip
VANBAN_EXCHANGE_CA_BUNDLE = os.environ.get("VANBAN_EXCHANGE_CA_BUNDLE", "")
# A reverse proxy that cannot compute SHA-256 fingerprints (nginx's $ssl_client_fingerprint
# is SHA-1) passes the verified client certificate itself (nginx: $ssl_client_escaped_cert);
# trusted, like the fingerprint header, only with VANBAN_EXCHANGE_TRUST_CERT_HEADER.
VANBAN_EXCHANGE_CERT_PEM_HEADER = os.environ.get("VANBAN_EXCHANGE_CERT_PEM_HEADER", "X-Client-Cert")
