"""Which pages may open a websocket: the site's own, to the port.

channels' AllowedHostsOriginValidator only checks that the Origin's host is
in ALLOWED_HOSTS, so a page served from http://host:9999 (another program on
the same machine) could open a socket of the app at http://host:8000 with
the browser's cookies. Here the Origin's scheme, host and port must equal
those the socket was opened to (its Host header, and its scheme, or
X-Forwarded-Proto behind the TLS proxy, as SECURE_PROXY_SSL_HEADER says),
and that host must be allowed; CSRF_TRUSTED_ORIGINS are accepted as for
forms. Anything else is refused before any consumer runs.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope, name):
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin1")
    return None


def _secure(scope):
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, expected = proxy
        header = name.removeprefix("HTTP_").lower().replace("_", "-").encode()
        value = _header(scope, header)
        if value is not None:
            return value.split(",", 1)[0].strip() == expected
    return False


def _trusted(scheme, netloc):
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        trusted = urlsplit(entry.lower())
        if trusted.scheme != scheme:
            continue
        if trusted.netloc == netloc or (trusted.netloc.startswith("*") and is_same_domain(netloc, trusted.netloc[1:])):
            return True
    return False


def origin_allowed(scope):
    origin = _header(scope, b"origin")
    if not origin:
        return False
    try:
        parsed = urlsplit(origin.strip().lower())
        origin_port = parsed.port or DEFAULT_PORTS.get(parsed.scheme)
    except ValueError:
        return False
    if parsed.scheme not in DEFAULT_PORTS or not parsed.hostname:
        return False
    if _trusted(parsed.scheme, parsed.netloc):
        return True
    host = _header(scope, b"host")
    if host is None:
        # Browsers always send Host; a client without it can send any
        # Origin anyway. Hold the origin's host to ALLOWED_HOSTS.
        return validate_host(parsed.hostname, settings.ALLOWED_HOSTS)
    domain, port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if _secure(scope) else "http"
    try:
        server_port = int(port) if port else DEFAULT_PORTS[scheme]
    except ValueError:
        return False
    return (parsed.scheme, parsed.hostname, origin_port) == (scheme, domain.strip("[]"), server_port)


class SameOriginValidator:
    """ASGI middleware: websockets only from the site's own origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
