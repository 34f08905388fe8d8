"""ASGI entry point: HTTP through Django, websockets through our consumers.

Websocket origins are checked (scheme, host and port, deliberation/origins.py)
before any consumer runs.
HTTP requests run on a few worker threads per process (deliberation/workers.py),
static files included (WhiteNoise, deliberation/staticfiles.py).
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deliberation.settings")
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from deliberation import accesslog, quiet_gc  # noqa: E402
from deliberation.origins import SameOriginValidator  # noqa: E402
from deliberation.workers import SyncChainHandler, WorkerThreads  # noqa: E402
from meetings.routing import websocket_urlpatterns  # noqa: E402

# Daphne's access log writes paths only: query strings may carry secrets.
accesslog.install()

# Static files are answered by the first middleware (deliberation/staticfiles.py).
http_app = WorkerThreads(SyncChainHandler(), settings.HTTP_WORKERS)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
# Everything above lives as long as the process; full collections wait for
# quiet moments (deliberation/quiet_gc.py says why).
quiet_gc.configure()
