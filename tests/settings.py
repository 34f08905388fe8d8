"""Test settings: the app's own settings with a throwaway key.

Everything else (SQLite or DATABASE_URL, in-memory layer or REDIS_URL) comes
from the environment exactly as in production, so `make test` runs twice in
CI: on the embedded defaults and on PostgreSQL + Redis.
"""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

_worker = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", ... under `pytest -n`
if _worker and os.environ.get("REDIS_URL"):
    # Tests empty the cache, and clearing a Redis cache empties its whole
    # database: each worker gets a database of its own (Redis has 16; the
    # Makefile runs at most 8 workers), which the servers it starts inherit.
    _parts = urlsplit(os.environ["REDIS_URL"])
    _db = (int(_parts.path.strip("/") or 0) + 1 + int(_worker.removeprefix("gw"))) % 16
    os.environ["REDIS_URL"] = urlunsplit(_parts._replace(path=f"/{_db}"))

from deliberation.settings import *  # noqa: E402,F403

# Hashing passwords slowly buys nothing in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Pushes coalesce quickly so tests wait little.
REALTIME_COALESCE_SECONDS = 0.05
REALTIME_RESIDENT_COALESCE_SECONDS = 0.1
if os.environ.get("REDIS_URL"):
    # Keep test runs apart from a running app on the same Redis.
    KEY = f"yishi-test-{os.getpid()}"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = KEY  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = KEY  # noqa: F405
    CACHES["realtime"]["KEY_PREFIX"] = KEY + "-rt"  # noqa: F405
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The test client speaks plain HTTP; production mode's other settings stay on.
SECURE_SSL_REDIRECT = False
# Connections opened in channels' worker threads close after each use, so the
# test database can be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
if "postgresql" not in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # A file, not SQLite's shared-cache memory database: concurrency tests
    # must meet the same WAL locking and busy timeout as production.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"yishi-test-{os.getpid()}.sqlite3")
    }
# Unit tests render pages without a `collectstatic` first: plain names, no
# manifest, files looked up in static/ as they are asked for. Every server
# runs the hashed, compressed storage (deliberation/staticfiles.py): the
# browser tests' servers collect first, and tests/test_static_files.py
# collects with it.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
