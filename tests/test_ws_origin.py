"""Websockets open only from the site's own pages: scheme, host and port."""

import pytest
from channels.testing import WebsocketCommunicator

from deliberation.asgi import application
from deliberation.origins import origin_allowed

pytestmark = pytest.mark.django_db(transaction=True)


def scope(origin=None, host=None, scheme="ws", forwarded_proto=None):
    headers = []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if host is not None:
        headers.append((b"host", host.encode()))
    if forwarded_proto is not None:
        headers.append((b"x-forwarded-proto", forwarded_proto.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


async def connect(meeting, origin, host):
    headers = [(b"origin", origin.encode()), (b"host", host.encode())]
    path = f"/ws/m/{meeting.code}/projector/?key={meeting.projector_key}"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


async def test_a_page_on_another_port_of_the_same_host_cannot_open_a_socket(meeting):
    assert await connect(meeting, "http://localhost:8000", "localhost:8000")
    assert not await connect(meeting, "http://localhost:9999", "localhost:8000")
    assert not await connect(meeting, "http://localhost", "localhost:8000")


def test_same_scheme_host_and_port_only(settings):
    settings.ALLOWED_HOSTS = ["yishi.example.org", "127.0.0.1", "[::1]"]
    assert origin_allowed(scope("http://127.0.0.1:8000", "127.0.0.1:8000"))
    assert not origin_allowed(scope("http://127.0.0.1:9999", "127.0.0.1:8000"))
    assert not origin_allowed(scope("https://127.0.0.1:8000", "127.0.0.1:8000"))
    assert not origin_allowed(scope("http://evil.example:8000", "127.0.0.1:8000"))
    # Default ports are the same as explicit ones.
    assert origin_allowed(scope("http://yishi.example.org", "yishi.example.org:80"))
    assert origin_allowed(scope("http://yishi.example.org:80", "yishi.example.org"))
    assert origin_allowed(scope("http://[::1]:8000", "[::1]:8000"))
    # A Host header that is not allowed is refused even when the origin matches it.
    assert not origin_allowed(scope("http://evil.example", "evil.example"))


def test_behind_the_tls_proxy_the_forwarded_scheme_counts(settings):
    settings.ALLOWED_HOSTS = ["yishi.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = scope("https://yishi.example.org", "yishi.example.org", forwarded_proto="https")
    assert origin_allowed(proxied)
    assert not origin_allowed(scope("https://yishi.example.org:8443", "yishi.example.org", forwarded_proto="https"))
    assert not origin_allowed(scope("http://yishi.example.org", "yishi.example.org", forwarded_proto="https"))
    assert origin_allowed(scope("https://yishi.example.org", "yishi.example.org", scheme="wss"))


def test_no_or_junk_origin_is_refused(settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    for origin in (None, "", "null", "localhost:8000", "ftp://localhost:8000", "http://localhost:99999", "http://"):
        assert not origin_allowed(scope(origin, "localhost:8000")), origin
    assert not origin_allowed(scope("http://localhost:8000", "localhost:notaport"))


def test_csrf_trusted_origins_may_open_sockets(settings):
    settings.ALLOWED_HOSTS = ["yishi.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://console.example.org", "https://*.council.example.org"]
    assert origin_allowed(scope("https://console.example.org", "yishi.example.org"))
    assert origin_allowed(scope("https://a.council.example.org", "yishi.example.org"))
    assert not origin_allowed(scope("http://console.example.org", "yishi.example.org"))
    assert not origin_allowed(scope("https://console.example.org:444", "yishi.example.org"))


def test_without_a_host_header_the_origin_s_host_must_be_allowed(settings):
    """Only non-browser clients omit Host (and they can claim any Origin)."""
    settings.ALLOWED_HOSTS = ["testserver"]
    assert origin_allowed(scope("http://testserver"))
    assert not origin_allowed(scope("http://evil.example"))
