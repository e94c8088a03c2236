"""Settings for the SME self-assessment app.

One file, driven by environment variables. The defaults are for local development;
with DEBUG=false the settings refuse to start unless the deployment supplies a real
SECRET_KEY and ALLOWED_HOSTS, and the security headers are switched on.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from whitenoise.compress import Compressor

from assessment import languages

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-not-secret-change-me"  # noqa: S105 - refused when DEBUG is off


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = os.getenv("SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
# Absolute base URL of every link the app hands out (resume links, e-mails): never built
# from the request's Host header. In development it follows the address `make run HOST= PORT=`
# serves on (the Makefile passes HOST and PORT), so the links printed there open.
_DEV_SITE_URL = f"http://{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}"
SITE_URL = os.getenv("SITE_URL", _DEV_SITE_URL if DEBUG else "").rstrip("/")

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set SECRET_KEY to a random string of 32+ characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this site serves.")
    if not SITE_URL.startswith("https://"):
        raise ImproperlyConfigured("Set SITE_URL to the site's public https:// address (links in e-mails use it).")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "config.staticfiles.WebStaticFilesConfig",  # django.contrib.staticfiles without the report fonts
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our own static (no CDN)
    "assessment",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files come precompressed), above whatever writes the body.
    "assessment.middleware.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware: it resolves the page (language-prefixed URLs) and answers in its language.
    "assessment.middleware.RequestBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins: 5 failures for one username from one address lock that pair for 15 minutes
# (the same user from another address still logs in: a stranger cannot pause someone's
# logins); an address locks on its own only after failing for 5 different usernames
# (assessment/accounts/lockout.py). A success resets the pair's count.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = "assessment.accounts.lockout.lockout_parameters"
LOGIN_ADDRESS_USERNAME_LIMIT = envint("LOGIN_ADDRESS_USERNAME_LIMIT", "5")
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address: behind PROXY_COUNT trusted reverse proxies it is the entry they
# appended to X-Forwarded-For (counted from the right; anything further left was sent by
# the client and may be forged); without a proxy, only REMOTE_ADDR.
BEHIND_PROXY = envbool("BEHIND_PROXY", "false")
PROXY_COUNT = envint("PROXY_COUNT", "1") if BEHIND_PROXY else 0
AXES_CLIENT_IP_CALLABLE = "assessment.access.client_ip"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "assessment.context_processors.language_switch",
                "assessment.context_processors.login_pause",
            ],
        },
    },
]

# Background work (bulk PDF reports) goes through django.tasks; the backend is a setting.
# TASK_BACKEND=database (default): tasks are rows in the app's database, run by
#   `manage.py db_worker` (make run starts one beside the web server).
# TASK_BACKEND=rq: tasks go to Redis (REDIS_URL) and run in `manage.py rqworker` processes
#   on any number of hosts.
# TASK_BACKEND=immediate: run inside the request (only for trying things out).
TASK_BACKEND = os.getenv("TASK_BACKEND", "database")
REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASK_BACKEND!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# Tries before a bulk report is marked failed (a retry from the page starts again).
BULK_MAX_ATTEMPTS = envint("BULK_MAX_ATTEMPTS", "3")
# Import limits: file size and rows per file. The size leaves room for the row limit: 20,000
# firms with every choice written as its Chinese option text make a UTF-8 CSV of about 52 MB
# (36 MB in GBK); the file is copied to disk in chunks and imported by the worker.
IMPORT_MAX_MB = envint("IMPORT_MAX_MB", "64")
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", "20000")
# Files up to this size are imported within the request; larger ones by the worker, while
# the page shows a progress bar (about 200 rows of CSV, 1,000 of XLSX).
IMPORT_BACKGROUND_KB = envint("IMPORT_BACKGROUND_KB", "256")
# A running import not heard from for this long belonged to a worker that stopped.
IMPORT_STALE_SECONDS = envint("IMPORT_STALE_SECONDS", "900")

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        # Kept open between requests in production: opening one per request put the 95th
        # percentile autosave at 113 ms instead of 14 ms (bench/load.py, SQLite). Not under
        # runserver, which starts a thread, and so a connection, per request.
        conn_max_age=envint("DB_CONN_MAX_AGE", "0" if DEBUG else "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer saves an answer; IMMEDIATE makes a
    # write transaction take the lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after_login"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = languages.DEFAULT
LANGUAGES = languages.choices()
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"  # never served directly: stored reports go through access-checked views

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed copies (gzip, Brotli) in both; hashed names only in production, so that
        # templates render in development and tests before anything is collected.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# WhiteNoise serves the collected files (STATIC_ROOT) in every mode, compressed and with cache
# headers, so `make run` (runserver --nostatic; `manage.py prepare` collects what changed) is
# served as production is. Plain `runserver` still serves static/ itself, for editing.
WHITENOISE_USE_FINDERS = False
WHITENOISE_MAX_AGE = 60  # seconds, for names without a hash (production's hashed ones: a year)
# Source maps (Swagger UI's, 2.5 MB) stay for the browser's developer tools, uncompressed:
# compressing them took most of collectstatic's time, for files no visitor loads.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Production serves only the hashed names: compressing (and storing) the plain copies as well
# doubled collectstatic's time and disk.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# Each PDF render runs in a child process with these bounds (assessment/pdf.py).
PDF_RENDER_TIMEOUT = envint("PDF_RENDER_TIMEOUT", "60")
PDF_RENDER_MEMORY_MB = envint("PDF_RENDER_MEMORY_MB", "1024")
# A process that renders outside a worker (a web process asked for a PDF nobody stored yet)
# keeps its render child this many seconds after its last render, so the next one starts warm
# instead of paying for a fork and cold fonts; 0 forks a child for every render.
PDF_CHILD_IDLE_SECONDS = envint("PDF_CHILD_IDLE_SECONDS", "120")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console by default (as readable UTF-8 text: assessment/mailers.py);
# SMTP with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend
# and the EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS variables.
_EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "assessment.mailers.ReadableConsoleBackend")
_SMTP_OPTIONS = {
    "host": os.getenv("EMAIL_HOST", "localhost"),
    "port": envint("EMAIL_PORT", "587"),
    "username": os.getenv("EMAIL_HOST_USER", ""),
    "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
    "use_tls": envbool("EMAIL_USE_TLS", "true"),
    "timeout": 20,
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "noreply@localhost")

# Resume links and owners come back days later.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(60 * 60 * 24 * 30))
# A questionnaire page has a few dozen fields; this bound stops oversized posts.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_500_000
# Whole request bodies, files included, on every page but the import page (IMPORT_MAX_MB).
REQUEST_MAX_MB = envint("REQUEST_MAX_MB", "3")
# Assessments one address may start through a campaign's public link per hour (an event
# venue's Wi-Fi is one address: keep room for a room full of members).
CAMPAIGN_JOINS_PER_ADDRESS = envint("CAMPAIGN_JOINS_PER_ADDRESS", "30")
# Shared by every web process (join limits): the app's database, or Redis when it is there.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "app_cache"}
    if os.getenv("CACHE_BACKEND", "database") == "database"
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
}

# The JSON API for organisations' own systems (assessment/api, /api/v1/): bearer tokens of
# an organisation only (no session, so no CSRF), JSON in and out, errors as JSON, and each
# token limited to API_RATE requests (DRF's "number/second|minute|hour|day").
API_RATE = os.getenv("API_RATE", "300/minute")
API_PAGE_SIZE = envint("API_PAGE_SIZE", "100")  # members per page (at most API_PAGE_SIZE_MAX with ?per_page=)
API_PAGE_SIZE_MAX = envint("API_PAGE_SIZE_MAX", "500")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["assessment.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["assessment.api.permissions.HasApiToken"],
    "DEFAULT_THROTTLE_CLASSES": ["assessment.api.throttling.ApiTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "assessment.api.views.exception_handler",
    "UNAUTHENTICATED_USER": None,  # no AnonymousUser: a request is its token's organisation or nothing
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SME Compass API",
    "DESCRIPTION": "Campaigns, members and their consented results, invitations, imports and bulk reports "
    "of one organisation, for its own systems. Authenticate with `Authorization: Bearer <token>` "
    "(tokens are made by the organisation's administrators on the API tokens page).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "assessment.languages.CODES",
        "MemberStatusEnum": "assessment.campaigns.selectors.MEMBER_STATUSES",
        "UploadStatusEnum": "assessment.models.ImportUpload.Status",
    },
}

# Content Security Policy: no inline script or style anywhere, so 'self' suffices.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "true")
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "true")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; keep its warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
