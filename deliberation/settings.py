"""Settings, read from the environment.

Local development needs nothing set: SQLite (WAL) and the in-memory channel
layer. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
REDIS_URL (see docs/deploy.md).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YISHI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production mode is DEBUG off, the default: a server that forgets its
# environment must fail closed, not run in development mode. (With DEBUG unset,
# commands on a checkout where `make run` generated a key use it: _secret_key.)
DEBUG = env_bool("DEBUG", default=False)


def _secret_key():
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # A generated key kept on disk, so sessions survive a restart.
    path = VAR_DIR / "secret_key"
    if not DEBUG:
        # A command typed on a development checkout (`.venv/bin/python manage.py
        # tally ...`, DEBUG unset) uses the key `make run` generated, so it hashes
        # owners as the demo server does. DEBUG=0 set explicitly, as production
        # sets it (docs/deploy.md), never falls back to a development key; nor does
        # DEBUG unset where none was generated.
        if not os.environ.get("DEBUG") and path.exists():
            return path.read_text().strip()
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production mode (DEBUG off). "
            "For local development set DEBUG=1, or leave DEBUG unset once `make run` has generated a key in var/."
        )
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# The owner identity hash key: separate from SECRET_KEY so that rotating the
# session key does not change who counts as the same owner.
OWNER_ID_KEY = os.environ.get("OWNER_ID_KEY", "owner-id:" + SECRET_KEY)
# Ballot receipt codes are stored only as an HMAC under this key (voting/receipts.py):
# a copy of the database alone cannot tell which code is whose. Changing it
# makes every receipt issued before unreadable.
RECEIPT_KEY = os.environ.get("RECEIPT_KEY", "receipt:" + SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "csp",
    "axes",
    "compounds",
    "meetings",
    "proposals",
    "voting",
    "minutes",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, before anything reads a session or a cookie (deliberation/staticfiles.py).
    "deliberation.staticfiles.StaticFilesMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "deliberation.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "deliberation.staff_login.StaffSessionMiddleware",
    "compounds.housekeeping.HousekeepingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "deliberation.urls"
ASGI_APPLICATION = "deliberation.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: SQLite in WAL mode by default; DATABASE_URL for PostgreSQL.
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Under ASGI every request's sync code runs in a thread of its own, so
        # per-thread persistent connections would grow with the load until
        # PostgreSQL refuses more ("too many clients"). A pool per process
        # caps them; a burst waits for a connection instead of failing.
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": 2,
                "max_size": int(os.environ.get("DB_POOL_SIZE", 20)),
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", 20)),
            }
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "deliberation.sqlite",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "yishi.sqlite3")),
            "OPTIONS": {
                # WAL lets readers go on while one writer commits; IMMEDIATE
                # takes the write lock at BEGIN so a busy writer waits for
                # the timeout instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Requests run on a few long-lived threads (deliberation/workers.py):
            # each keeps its connection instead of opening one per request.
            "CONN_MAX_AGE": 600,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # One PUBLISH per broadcast and no per-process capacity drop; a
            # message lost across a Redis reconnect is healed by the next full
            # panel push and by clients resyncing (deliberation/realtime/hub.py).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # socket_timeout None: with redis-py 8 a finite default timeout
                # kills idle subscriptions every few seconds (channels_redis#422).
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "prefix": os.environ.get("REDIS_PREFIX", "yishi"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "deliberation.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "yishi"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Holds every joined phone's session (cached_db below): locmem's default
    # of 300 entries would send a room of 2,000 phones to the database on
    # every request. A session is well under a kilobyte.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LOCAL_CACHE_ENTRIES", 20000))},
        }
    }
# Which pages are open, for the pushes (deliberation/realtime/listening.py):
# a few entries a meeting, apart from the sessions so that a full cache
# never culls them. With Redis, the same server (every process reads it).
CACHES["realtime"] = {**CACHES["default"], "OPTIONS": {}}
if REDIS_URL:
    CACHES["realtime"]["KEY_PREFIX"] = CACHES["default"]["KEY_PREFIX"] + "-rt"
else:
    CACHES["realtime"]["LOCATION"] = "realtime"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff login is throttled by django-axes: after LOGIN_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is refused (even
# with the right password) for LOGIN_LOCKOUT_SECONDS; a further try during
# the lockout starts the pause again. Per username *and* address, so a
# script cannot lock a facilitator out from elsewhere, and a room behind one
# NAT is not locked out by one person. Attempts are kept in the database
# (SQLite or PostgreSQL), so every process sees them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_LOCKOUT_SECONDS", 15 * 60)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A page in the user's language (registration/locked_out.html), status 429.
AXES_LOCKOUT_CALLABLE = "deliberation.staff_login.lockout_response"
# The address as the wrong-code limits see it (TRUSTED_PROXY_HOPS).
AXES_CLIENT_IP_CALLABLE = "deliberation.staff_login.client_ip"
AXES_USERNAME_CALLABLE = "deliberation.staff_login.client_username"
# Axes never stores or logs the password; the username is masked in what it
# keeps of the request's data too.
AXES_SENSITIVE_PARAMETERS = ["username", "password", "ip_address"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff_home"
LOGOUT_REDIRECT_URL = "home"

# Simplified Chinese by default, English on request (language switcher).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Every mode serves static files itself, from STATIC_ROOT as `collectstatic`
# left it: hashed names cached for a year, gzip copies (and brotli ones in
# production) (deliberation/staticfiles.py). `make run` and the test servers
# collect first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "deliberation.staticfiles.HashedStaticFiles"},
}

# Sessions. A resident's phone (no login) keeps its cookie for
# SESSION_COOKIE_AGE: phones close WeChat between agenda items and must not
# have to type the household code again; a join ends anyway when the meeting
# closes or the code is revoked. A staff login turns its session into a
# browser-session cookie (gone when the browser closes) and the server ends
# it STAFF_SESSION_MAX_AGE after the login whatever the browser does
# (deliberation/staff_login.py).
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
STAFF_SESSION_MAX_AGE = int(os.environ.get("STAFF_SESSION_MAX_AGE", 12 * 60 * 60))
# How often at most a process, while answering requests, forgets the content
# of expired unconfirmed roster uploads (compounds/housekeeping.py); 0: never.
ROSTER_PURGE_SECONDS = int(os.environ.get("ROSTER_PURGE_SECONDS", 300))
# Every phone request reads its session: from the cache first (Redis, shared
# by all processes; in-process memory for the single-process default), the
# database behind it.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Security headers; HTTPS settings apply in production mode.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Only allows submitting the domain to browsers' preload list; it submits nothing.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Content Security Policy: only our own scripts and styles, no inline code;
# QR codes are inline SVG data URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Household codes: wrong attempts allowed per client before a pause.
# A whole room may share one Wi-Fi address, so the per-address limit is
# generous and the per-session one tight.
CODE_ATTEMPTS_PER_SESSION = int(os.environ.get("CODE_ATTEMPTS_PER_SESSION", 5))
CODE_ATTEMPTS_PER_ADDRESS = int(os.environ.get("CODE_ATTEMPTS_PER_ADDRESS", 60))
CODE_ATTEMPT_WINDOW = int(os.environ.get("CODE_ATTEMPT_WINDOW", 600))
# Behind a proxy, how many X-Forwarded-For hops to trust (0: use the socket).
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))

# Threads per process that run HTTP requests: as many requests are worked on
# at once, the rest wait their turn (deliberation/workers.py says why).
HTTP_WORKERS = int(os.environ.get("HTTP_WORKERS", 8))

# Realtime: how often at most a coalesced panel (a live tally) is pushed.
REALTIME_COALESCE_SECONDS = float(os.environ.get("REALTIME_COALESCE_SECONDS", 0.3))
# Phones get the same panels less often (deliberation/realtime/panels.py says why).
REALTIME_RESIDENT_COALESCE_SECONDS = float(os.environ.get("REALTIME_RESIDENT_COALESCE_SECONDS", 2))
# How often each process checks that its screens are not behind the database
# (a push lost across a Redis reconnect heals within two checks).
REALTIME_WATCHDOG_SECONDS = float(os.environ.get("REALTIME_WATCHDOG_SECONDS", 3))

# --- Abuse limits on residents' phones (meetings/ratelimit.py explains them) ---
# Household codes, besides CODE_ATTEMPTS_* above: wrong tries per code prefix
# (its first 4 characters) per window before that prefix is refused, and
# past CODE_ATTEMPTS_PER_ADDRESS an address gets one code looked up per
# CODE_SLOW_SECONDS (slowed, not locked out: a room shares one Wi-Fi address).
CODE_ATTEMPTS_PER_PREFIX = int(os.environ.get("CODE_ATTEMPTS_PER_PREFIX", 10))
CODE_SLOW_SECONDS = int(os.environ.get("CODE_SLOW_SECONDS", 2))
# How long the vote writer waits for more votes after the first of a batch
# (voting/intake.py): a burst is written in a few transactions, not one a vote.
VOTE_BATCH_SECONDS = float(os.environ.get("VOTE_BATCH_SECONDS", 0.02))
# Votes one household may send per poll, and floor requests per meeting, per window.
VOTE_CHANGES_PER_WINDOW = int(os.environ.get("VOTE_CHANGES_PER_WINDOW", 10))
VOTE_CHANGE_WINDOW = int(os.environ.get("VOTE_CHANGE_WINDOW", 30))
FLOOR_REQUESTS_PER_WINDOW = int(os.environ.get("FLOOR_REQUESTS_PER_WINDOW", 6))
FLOOR_REQUEST_WINDOW = int(os.environ.get("FLOOR_REQUEST_WINDOW", 60))
# A live socket gets at most one answer to "sync" per this many seconds.
REALTIME_SYNC_SECONDS = float(os.environ.get("REALTIME_SYNC_SECONDS", 1))
# --- end of abuse limits ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SITE_NAME = _("Yishi")

# The address printed on slips and shown on the projector, when the host the
# staff browser uses is not one phones can reach (e.g. http://192.168.1.20:8000).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
