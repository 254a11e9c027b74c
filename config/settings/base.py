"""Settings shared by every environment; secrets and the database come from the environment."""
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "accounts",
    "indicators",
    "declarations",
    "review",
    "public",
    "jobs",
    "evaluation",
    "huey.contrib.djhuey",
    "accounts.apps.AxesConfig",
    "csp",
]

MIDDLEWARE = [
    # First: everything below runs marked as a web request, where a PDF render raises (issue 16).
    "jobs.context.WebRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.db_router.PublicPortalReplicaMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "review.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
# Public portal reads from a replica (config/db_router.py, docs/scaling.md): set
# DATABASE_REPLICA_URL and the portal's GET requests read there; everything else the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    # Under test the alias reads the test database (as a replica would).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # Named, so that pg_stat_activity shows which connections the portal opened.
        DATABASES["replica"].setdefault("OPTIONS", {})["application_name"] = "pjd-replica"
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login throttling (django-axes): five failures lock that username from that address for 30
# minutes. Locking by username and address together means colleagues behind the same office
# address keep working while one account is locked.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.axes.username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# A form left open past its CSRF token (a login page open overnight) gets a Chinese page with a
# way back instead of Django's technical one.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# Content-Security-Policy: scripts only from our own static files (no inline script anywhere);
# inline style attributes are allowed for progress bars and table column widths.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The indicator editor posts about 20 fields per row and a declaration may have a few hundred
# rows (the editor caps them at 400); beyond this Django answers 400 Bad Request.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Importing an edited Excel export (declarations/services/workbook_import.py) is streamed and
# capped: a workbook past any cap is refused, naming the sheet and the cap. The largest real
# document (a unit's department table with 81 indicators and its projects) is far below these.
WORKBOOK_IMPORT_MAX_SHEETS = 60  # a whole document: one sheet per table, a unit may have dozens of projects
WORKBOOK_IMPORT_MAX_ROWS = 5_000  # per sheet (the hidden sheet of bindings: MAX_BINDINGS rows)
WORKBOOK_IMPORT_MAX_COLUMNS = 100  # per row
WORKBOOK_IMPORT_MAX_CELLS = 200_000  # in all sheets together
WORKBOOK_IMPORT_MAX_SECONDS = 20
WORKBOOK_IMPORT_MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024  # xl/sharedStrings.xml, read whole at opening

# The interface is Simplified Chinese whatever the browser asks: no LocaleMiddleware, one language.
# locale/ translates what Django and its apps leave in English (django-axes' records).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Bootstrap and htmx come from npm at set-up (`make install`), never from a CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
NODE_MODULES = BASE_DIR / "node_modules"
if NODE_MODULES.exists():
    STATICFILES_DIRS += [
        ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
        ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
        ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
        ("vendor/tabulator", NODE_MODULES / "tabulator-tables" / "dist"),
    ]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Behind nginx that compresses on the fly (`make prod-local`), collectstatic need not write
# gzip and brotli copies of every file (a minute on this machine): STATIC_COMPRESS=0.
if not env_bool("STATIC_COMPRESS", True):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Media in an S3-compatible bucket (MinIO, Ceph RGW, a government cloud; moto's server in
# `make prod-local`) when MEDIA_S3_BUCKET is set; the local disk otherwise (`make run`).
MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    from botocore.config import Config as BotoConfig

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME", "us-east-1"),
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
            "location": os.environ.get("MEDIA_S3_LOCATION", "media"),
            "default_acl": None,  # private objects: only the app (and nginx, inside) reads them
            "querystring_auth": True,
            "file_overwrite": False,  # names carry the content hash; a name is never replaced
            "addressing_style": "path",  # what self-hosted S3 servers expect
            # An unreachable bucket fails within seconds (a clear error, nothing published),
            # not after botocore's default minutes of retries.
            "client_config": BotoConfig(
                connect_timeout=3, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
            ),
        },
    }
# Whole-document exports kept by content hash (declarations/exports/registry.py), in the default storage.
EXPORT_CACHE_PREFIX = "exports/kept/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Published files and batch ZIPs: with a prefix such as "/_protected/", the app only authorises
# and answers with `X-Accel-Redirect: <prefix><storage name>`; nginx serves the file itself
# (docs/scaling.md). Empty: the app streams the file. (PUBLIC_FILES_ACCEL_REDIRECT: former name.)
PUBLIC_ACCEL_REDIRECT_PREFIX = os.environ.get(
    "PUBLIC_ACCEL_REDIRECT_PREFIX", os.environ.get("PUBLIC_FILES_ACCEL_REDIRECT", "")
)

# The public pages are rendered once per publication generation and kept in the cache
# (public/views.py: rendered_once). One process: Django's local-memory cache; several hosts share
# Redis (CACHE_REDIS_URL), so a page is rendered once for all of them.
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
if CACHE_REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "config.cache.ForgivingRedisCache",  # Redis away: misses, not errors
        "LOCATION": CACHE_REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # 300 pages at most

# PDFs are rendered in a child process with a time and an address-space limit
# (declarations/exports/worker.py): each thread that renders (a task worker's) keeps one warm
# child, replaced after PDF_MAX_TASKS_PER_CHILD documents; no web request renders a PDF except
# the admin's layout preview, which starts a child for it.
# A document over a limit fails its job with the limit named. 0 seconds: render in-process.
PDF_TIMEOUT_SECONDS = int(os.environ.get("PDF_TIMEOUT_SECONDS", "120"))
PDF_MEMORY_MB = int(os.environ.get("PDF_MEMORY_MB", "1200"))
PDF_MAX_TASKS_PER_CHILD = int(os.environ.get("PDF_MAX_TASKS_PER_CHILD", "20"))

# A running job holds a lease that its worker renews every JOB_LEASE_SECONDS / 3; a job queued
# or running whose lease ran out (its worker was killed, the broker lost its queue) is queued
# again by `manage.py requeue_jobs` (each minute in the workers, and when a worker starts).
JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "60"))
# Fault tests only (tests/topology): seconds a job waits after its work, before its commit.
JOB_PAUSE_BEFORE_COMMIT = float(os.environ.get("JOB_PAUSE_BEFORE_COMMIT", "0"))

# Background tasks (huey). The embedded default keeps the queue in a SQLite file next to the
# project, so `make run` needs no extra service; production sets HUEY_REDIS_URL (docs/tasks.md).
HUEY_REDIS_URL = os.environ.get("HUEY_REDIS_URL", "")
if HUEY_REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "targets", "url": HUEY_REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "targets",
        "filename": os.environ.get("HUEY_SQLITE_FILE", str(BASE_DIR / "huey.sqlite3")),
        "immediate": env_bool("HUEY_IMMEDIATE"),
    }

# The function (dotted path) answering (number, changed_at) of the portal's generation, raised with
# every change of the published indicator values: the wizard caches reference values under it
# (declarations.indicator_editor.reference_values). Empty: read them on every page.
PUBLISHED_VALUES_GENERATION = "public.generation.portal_generation"

# Functions (dotted paths) a copied declaration is shown to: each returns warnings for the copy
# (evaluation: indicators last year's 绩效自评 shows missed or far exceeded).
DECLARATION_COPY_ADVISORS = ["evaluation.services.copy_advice"]
