"""Balise settings: one module, driven by environment variables.

With no variable set beyond ``DEBUG=1`` (which ``make`` writes to ``.env``),
Balise runs on embedded defaults: SQLite, files in ``media/``, e-mail to the
console and a Celery broker on the local filesystem. Production services switch
on when their variable is set (``DATABASE_URL``, ``CELERY_BROKER_URL``,
``AWS_STORAGE_BUCKET_NAME``, ``EMAIL_URL``). With ``DEBUG`` off, secrets have no
default: a missing one stops start-up with a one-line message.
"""

import hashlib
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)


def _required(name: str) -> str:
    """Read a secret that has no default outside DEBUG; exit with a clear line when missing."""
    value = env.str(name, default="")
    if not value:
        sys.exit(f"Balise: the environment variable {name} is required when DEBUG is off.")
    return value


DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-balise-development-only")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = _required("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        sys.exit("Balise: the environment variable ALLOWED_HOSTS is required when DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "lms",
    "lms.accounts",
    "lms.notifications",
    "pathways",
    "lms.coaching",
    "lms.community",
    "lms.outcomes",
    "lms.reports",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtailmedia",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates, for the learner forms' TemplatesSetting
    # Tools
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "django_celery_beat",
    "storages",
    "phonenumber_field",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.accounts.middleware.AskNameMiddleware",
    "lms.accounts.middleware.ClearSiteDataOnLogoutMiddleware",
    "lms.accounts.middleware.OfflineReaderMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lms.context_processors.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the Celery worker read while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # A file-backed test database lets pytest's --reuse-db keep it between runs.
    # BALISE_TEST_DB names another file, so that two suites can run side by side.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("BALISE_TEST_DB", default=str(VAR_DIR / "test.sqlite3"))
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the dashboard's grouped queries for longer than they run
    # (460 of 755 ms for one of them at size L): off, unless DATABASE_URL sets options.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _release_fingerprint() -> str:
    """A digest of what rendered fragments are made of (templates, translations), the same
    in every process of one deploy, so a fragment cached by an older release is never
    served by a newer one."""
    digest = hashlib.sha256()
    sources = [
        *sorted((BASE_DIR / "templates").rglob("*")),
        *sorted(BASE_DIR.glob("lms/locale*/*/LC_MESSAGES/*.mo")),
    ]
    for path in sources:
        if path.is_file():
            digest.update(str(path.relative_to(BASE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# The release every cache key starts with; set it (a commit, a version) to skip the digest.
BALISE_RELEASE = env.str("BALISE_RELEASE", default="") or _release_fingerprint()
CACHES = {
    "default": {
        **env.cache_url("CACHE_URL", default="locmemcache://balise"),
        "KEY_PREFIX": BALISE_RELEASE,
    },
}
# With a shared cache (Redis), sessions are read from it: one query fewer on every page.
# Never with the per-process default: a logout would not reach the other processes.
if env.str("CACHE_URL", default=""):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Accounts -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:after_login"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "lms.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
# The e-mail is required; a password is optional: login is by e-mailed code.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1"]
ACCOUNT_FORMS = {"signup": "lms.accounts.forms.SignupForm"}
ACCOUNT_UNIQUE_EMAIL = True
# Whether an address has an account is personal data (it says who is in the programme):
# requesting a login code or signing up shows the same page for any address. A known
# address gets its code, or an e-mail saying it already has an account; an unknown one
# gets an e-mail saying there is no account (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Balise] "
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key,10/h/key",
}

# --- Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
# lms/locale holds Balise's own catalogs (makemessages writes there: keep it first).
# lms/locale_overrides/fr corrects the French of third-party apps (Wagtail, wagtailmedia,
# django-celery-beat, allauth, Django's file sizes): LOCALE_PATHS win over the apps' own
# catalogs, and makemessages never writes to that folder.
LOCALE_PATHS = [BASE_DIR / "lms" / "locale", BASE_DIR / "lms" / "locale_overrides"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "lms" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # Private bucket: every object is served through a short-lived signed URL.
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="eu-west-3")
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
    AWS_S3_FILE_OVERWRITE = False
    # Downloads never render in the browser from the bucket (S3 cannot send nosniff);
    # <img>, <audio> and <video> ignore the disposition.
    AWS_S3_OBJECT_PARAMETERS = {"ACL": "private", "ContentDisposition": "attachment"}
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
# Without S3, Django serves MEDIA_URL itself, with each file's access rule (lms.views),
# whether DEBUG is on or off; set it off when a web server in front serves MEDIA_ROOT.
BALISE_SERVE_UPLOADS = env.bool("BALISE_SERVE_UPLOADS", default=not AWS_STORAGE_BUCKET_NAME)

STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail -------------------------------------------------------------------------

if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Balise <bonjour@balise.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people report an accessibility problem (the accessibility statement shows it).
BALISE_ACCESSIBILITY_EMAIL = env.str(
    "BALISE_ACCESSIBILITY_EMAIL", default="accessibilite@balise.localhost"
)

# --- SMS ----------------------------------------------------------------------------

# Phone numbers typed without a country code are French ones.
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# Like EMAIL_BACKEND: "console" (development: printed by the worker), "locmem" (tests:
# lms.notifications.sms.outbox), "file" (one file per message in SMS_FILE_PATH), "brevo"
# (Brevo's transactional SMS over HTTPS, production). Full dotted paths work too.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_SENDER = env.str("SMS_SENDER", default="Balise")  # 11 letters at most
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
SMS_BREVO_URL = env.str("SMS_BREVO_URL", default="https://api.brevo.com/v3")
SMS_BREVO_API_KEY = env.str("SMS_BREVO_API_KEY", default="")
if SMS_BACKEND == "brevo" and not SMS_BREVO_API_KEY:
    raise ImproperlyConfigured("SMS_BACKEND=brevo needs SMS_BREVO_API_KEY.")
# The secret in the address given to the provider for replies (« STOP »):
# /notifications/sms/entrant/<token>/. Empty: the endpoint answers 404.
SMS_INBOUND_TOKEN = env.str("SMS_INBOUND_TOKEN", default="")

# --- Celery -------------------------------------------------------------------------

# "localhost" only keeps kombu from warning: the filesystem transport uses no host.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The dashboard's computations (and funder reports) have a queue of their own: a
# deployment serves it with its own worker, ``-Q reports --concurrency=1``, so that
# managers exploring new selections never take more than one core from the web and the
# e-mails; one worker may also serve both queues (``-Q celery,reports``, as ``make run``).
CELERY_TASK_ROUTES = {"reports.*": {"queue": "reports"}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Default schedules, copied into django-celery-beat's tables at beat start-up
# (then editable in /django-admin/).
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {"task": "pathways.publish_scheduled_task", "schedule": 60.0},
    "delete-abandoned-pages": {"task": "pathways.delete_abandoned_pages_task", "schedule": 3600.0},
    "sweep-unsent-notifications": {"task": "notifications.sweep_unsent_task", "schedule": 60.0},
    "repair-coaching-requests": {"task": "coaching.repair_requests_task", "schedule": 60.0},
    "send-due-message-digests": {"task": "coaching.send_due_digests_task", "schedule": 60.0},
    "send-due-circle-digests": {"task": "community.send_due_digests_task", "schedule": 60.0},
    "escalate-overdue-requests": {"task": "coaching.escalate_overdue_task", "schedule": 300.0},
    "nudge-inactive-learners": {"task": "coaching.nudge_inactive_task", "schedule": 3600.0},
    "clear-expired-sessions": {"task": "lms.clear_expired_sessions", "schedule": 86400.0},
    "precompute-reports": {"task": "reports.precompute_reports_task", "schedule": 300.0},
    "resume-stalled-funder-reports": {
        "task": "reports.resume_stalled_funder_reports_task",
        "schedule": 300.0,
    },
    "send-session-reminders": {"task": "coaching.send_session_reminders_task", "schedule": 300.0},
    "anonymise-inactive-accounts": {
        "task": "accounts.anonymise_inactive_task",
        "schedule": 86400.0,
    },
}
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Unsent notifications older than this (seconds) are enqueued again by the sweeper.
NOTIFICATIONS_SWEEP_AFTER = env.int("NOTIFICATIONS_SWEEP_AFTER", default=300)
# Points reached without a request, and requests left unannounced, older than this
# (seconds) and reached in the last N days, are repaired by coaching's sweeper.
COACHING_REPAIR_AFTER = env.int("COACHING_REPAIR_AFTER", default=60)
COACHING_REPAIR_WINDOW_DAYS = env.int("COACHING_REPAIR_WINDOW_DAYS", default=7)
# Seconds between a request's message and the e-mail that tells of it: the messages of a
# burst within that time go out as one digest, those read on the site meanwhile not at all.
MESSAGE_DIGEST_DELAY = env.int("MESSAGE_DIGEST_DELAY", default=300)
# The same for the threads of peer circles (``lms.community``).
CIRCLE_DIGEST_DELAY = env.int("CIRCLE_DIGEST_DELAY", default=300)
# Hours a mentor or facilitator gives each year, as the field's charters ask (shown to them
# and to managers beside the hours recorded).
BALISE_MENTOR_MIN_HOURS = env.int("BALISE_MENTOR_MIN_HOURS", default=10)
# Self-booking: learners see a coach's free slots this many weeks ahead, starting at
# least this many hours from now.
COACHING_BOOKING_WEEKS = env.int("COACHING_BOOKING_WEEKS", default=4)
COACHING_BOOKING_NOTICE_HOURS = env.int("COACHING_BOOKING_NOTICE_HOURS", default=2)
# Video sessions get an unguessable room: on a Jitsi-compatible server by default, on
# BigBlueButton when its API address and shared secret are set (``lms.coaching.video``).
BBB_API_URL = env.str("BBB_API_URL", default="").rstrip("/")
BBB_SECRET = env.str("BBB_SECRET", default="")
VIDEO_SERVICE = env.str("VIDEO_SERVICE", default="bbb" if BBB_API_URL and BBB_SECRET else "jitsi")
VIDEO_JITSI_BASE_URL = env.str("VIDEO_JITSI_BASE_URL", default="https://meet.jit.si").rstrip("/")
if VIDEO_SERVICE not in ("jitsi", "bbb"):
    sys.exit("Balise: VIDEO_SERVICE must be jitsi or bbb.")
if VIDEO_SERVICE == "bbb" and not (BBB_API_URL and BBB_SECRET):
    sys.exit("Balise: VIDEO_SERVICE bbb needs BBB_API_URL and BBB_SECRET.")
# Session reminders, in hours before the start (the day before, two hours before); the
# beat task runs every 5 minutes and sends each one at most once.
SESSION_REMINDER_HOURS = env.list("SESSION_REMINDER_HOURS", cast=int, default=[24, 2])
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Wagtail ------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Balise"
# ASCII slugs: the browser writes « creer-son-activite » for « Créer son activité » (no
# %C3%A9 in links); our page forms transliterate what the browser sends all the same.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_USER_LOGIN_FORM = "lms.accounts.forms.AdminLoginForm"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILDOCS_SERVE_METHOD = "serve_view" if not AWS_STORAGE_BUCKET_NAME else "redirect"
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "docx", "xlsx", "vtt", "txt", "csv"]
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no editor e-mail hash leaves the site
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILMEDIA = {"MEDIA_MODEL": "wagtailmedia.Media"}

# --- Security -----------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from hx-headers, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail previews use frames of the same origin
# W019 asks for DENY; SAMEORIGIN is deliberate (above) and still refuses other origins.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp): our pages load scripts and styles from this site
# only, never inline. Uploaded files come from this site or, with S3, from the bucket.
# Wagtail's and Django's admins rely on inline scripts and styles: they get no policy.
_FILE_ORIGINS: list[str] = []
if AWS_STORAGE_BUCKET_NAME:
    if AWS_S3_ENDPOINT_URL:  # path-style signed URLs: <endpoint>/<bucket>/<key>
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        _FILE_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        _FILE_ORIGINS = [
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
            f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com",
        ]
# templates/500.html is self-contained (it must render when nothing else works): its one
# <style> element is allowed by hash, nothing else inline. tests/test_security.py checks it.
CSP_500_STYLE_HASH = "'sha256-VZ5//nWklforePBVQwznGSexQgDWCHRn/Mu3ZWfJKLE='"
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, CSP_500_STYLE_HASH],
        "img-src": [SELF, "data:", *_FILE_ORIGINS],
        "media-src": [SELF, *_FILE_ORIGINS],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    },
}
if DEBUG:
    # django-csp already leaves Django's debug 404/500 pages alone. django-htmx's debug
    # script (DEBUG only) shows an htmx request's error page in place, running its inline
    # scripts with eval() and its inline styles: allow those in development only. (A hash
    # would disable 'unsafe-inline', so it goes.)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] = [SELF, UNSAFE_INLINE, UNSAFE_EVAL]
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] = [SELF, UNSAFE_INLINE]

# Proxies in front of the web processes (the TLS proxy: 1) whose X-Forwarded-For entries
# are trusted to find the visitor's address for allauth's per-address limits on login
# codes (lms.ratelimit.client_ip). 0 ignores the header: without a proxy, anyone could
# write it and pick a new address per request.
BALISE_TRUSTED_PROXY_COUNT = env.int("BALISE_TRUSTED_PROXY_COUNT", default=0)

# Rate limits ("count/seconds", per user), counted in the cache: set CACHE_URL to a shared
# cache (Redis) when several web processes run. Login codes: ACCOUNT_RATE_LIMITS above.
BALISE_RATE_LIMITS = {
    "help_request": env.str("BALISE_RATE_HELP_REQUEST", default="5/3600"),
    "session_proposal": env.str("BALISE_RATE_SESSION_PROPOSAL", default="30/3600"),
    "request_message": env.str("BALISE_RATE_REQUEST_MESSAGE", default="20/600"),
    # Changes made offline, sent one by one when the network returns.
    "offline_sync": env.str("BALISE_RATE_OFFLINE_SYNC", default="300/600"),
    "circle_post": env.str("BALISE_RATE_CIRCLE_POST", default="20/600"),
}

# Uploads (lms/uploads.py): size caps in MB per kind, type sniffed from the first bytes.
BALISE_MAX_UPLOAD_MB = {
    "document": env.int("BALISE_MAX_DOCUMENT_MB", default=20),
    "image": env.int("BALISE_MAX_IMAGE_MB", default=20),
    "media": env.int("BALISE_MAX_MEDIA_MB", default=50),
}
WAGTAILDOCS_DOCUMENT_FORM_BASE = "lms.uploads.DocumentForm"
WAGTAILIMAGES_IMAGE_FORM_BASE = "lms.uploads.ImageForm"
WAGTAILDOCS_MAX_UPLOAD_SIZE = BALISE_MAX_UPLOAD_MB["document"] * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = BALISE_MAX_UPLOAD_MB["image"] * 1024 * 1024
WAGTAILMEDIA = {
    **WAGTAILMEDIA,
    "MEDIA_FORM_BASE": "lms.uploads.MediaForm",
    "AUDIO_EXTENSIONS": ["mp3", "wav", "ogg", "m4a"],
    "VIDEO_EXTENSIONS": ["mp4", "webm"],
}

# --- Logging ------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# --- Pathways -----------------------------------------------------------------------

# How long the rendered content of a step stays cached; its key is a fingerprint of the
# step's content, so an edit shows at once (a renamed document or media waits this long).
BALISE_STEP_CACHE_SECONDS = env.int("BALISE_STEP_CACHE_SECONDS", default=3600)
# How long a live pathway or module stays in the cache; its key holds its live revision
# and URL path, so a publish, an unpublish or a move shows at once.
BALISE_PAGE_CACHE_SECONDS = env.int("BALISE_PAGE_CACHE_SECONDS", default=3600)
# How long a learner's progress in a pathway stays cached for their step pages; replaced
# when it changes (a step done, a point passed or released, an enrolment).
BALISE_PROGRESS_CACHE_SECONDS = env.int("BALISE_PROGRESS_CACHE_SECONDS", default=3600)
# A page that Wagtail's autosave created and nobody saved (a first save that failed or was
# abandoned) is deleted once untouched for this long (pathways.delete_abandoned_pages_task).
BALISE_ABANDONED_PAGE_HOURS = env.int("BALISE_ABANDONED_PAGE_HOURS", default=24)

# How long the manager's dashboard figures of one selection stay fresh (0: no cache, each
# page computes). Older ones, or ones computed before a publish, are shown while the worker
# recomputes them (lms/reports/cache.py).
BALISE_REPORTS_CACHE_SECONDS = env.int("BALISE_REPORTS_CACHE_SECONDS", default=300)
# A funder report whose build gave no sign of life for this long (its worker was killed, its
# message lost) is sent to the worker again, three times at most (lms/reports/actions.py).
BALISE_FUNDER_REPORT_STALL_MINUTES = env.int("BALISE_FUNDER_REPORT_STALL_MINUTES", default=10)

# --- Coaching -----------------------------------------------------------------------

# First response due within this many working days (French public holidays off).
BALISE_SLA_WORKING_DAYS = env.int("BALISE_SLA_WORKING_DAYS", default=2)
# A session cancelled (by either side) less than this many hours before it starts is
# recorded as « annulation tardive ».
BALISE_LATE_CANCELLATION_HOURS = env.int("BALISE_LATE_CANCELLATION_HOURS", default=24)
# A request in the network-wide queue is announced to the managers and to at most this many
# remote-capable coaches, those with the most room (all of them see it in their queue).
BALISE_NETWORK_QUEUE_NOTIFY_MAX = env.int("BALISE_NETWORK_QUEUE_NOTIFY_MAX", default=10)
# Days without activity before each reminder; after the last one a request opens
# when the pathway asks for it.
BALISE_INACTIVITY_DAYS = [int(d) for d in env.list("BALISE_INACTIVITY_DAYS", default=["7", "14"])]

# --- Personal data (lms/accounts/gdpr.py) -------------------------------------------

# Learners with no login and no activity for this many days are warned by e-mail, then
# anonymised this many days after the warning unless they log in meanwhile.
BALISE_INACTIVE_WARN_DAYS = env.int("BALISE_INACTIVE_WARN_DAYS", default=730)
BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS = env.int(
    "BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS", default=30
)
