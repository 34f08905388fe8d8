"""Staff login: throttled per username and address (django-axes), and a
session that ends with the browser and, on the server, after a cap."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from channels.testing import HttpCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from deliberation.staff_login import LOGIN_AT

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _fail(client, url, username, times):
    for _ in range(times):
        client.post(url, {"username": username, "password": "wrong"})


def _cool_off_passes(settings):
    """Move the recorded failures back past the cool-off period."""
    AccessAttempt.objects.update(attempt_time=(AccessAttempt.objects.get().attempt_time) - settings.AXES_COOLOFF_TIME)


def test_many_wrong_passwords_lock_the_login_even_for_the_right_one(client, facilitator, settings):
    _fail(client, LOGIN, "fac", settings.AXES_FAILURE_LIMIT)
    refused = client.post(LOGIN, {"username": "fac", "password": "pw-fac"})
    assert refused.status_code == 429
    assert "Too many failed log-ins" in refused.content.decode()
    assert "Try again in 15 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # Still locked a little later.
    assert client.post(LOGIN, {"username": "fac", "password": "pw-fac"}).status_code == 429
    assert client.get(reverse("staff_home")).status_code == 302  # to the login page


def test_the_lock_ends_after_the_cool_off(client, facilitator, settings):
    _fail(client, LOGIN, "fac", settings.AXES_FAILURE_LIMIT)
    assert client.post(LOGIN, {"username": "fac", "password": "pw-fac"}).status_code == 429
    _cool_off_passes(settings)
    response = client.post(LOGIN, {"username": "fac", "password": "pw-fac"})
    assert response.status_code == 302 and response["Location"] == reverse("staff_home")
    assert client.get(reverse("staff_home")).status_code == 200


def test_fewer_failures_than_the_limit_do_not_lock(client, facilitator, settings):
    _fail(client, LOGIN, "fac", settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(LOGIN, {"username": "fac", "password": "pw-fac"}).status_code == 302


def test_the_lock_is_per_username_and_address(client, facilitator, observer, settings):
    _fail(client, LOGIN, "fac", settings.AXES_FAILURE_LIMIT)
    # Another account from the same address, and the same account from another address, still log in.
    assert client.post(LOGIN, {"username": "obs", "password": "pw-obs"}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert elsewhere.post(LOGIN, {"username": "fac", "password": "pw-fac"}).status_code == 302


def test_the_admin_login_is_throttled_too(client, settings, db):
    get_user_model().objects.create_superuser("boss", password="pw-boss")
    _fail(client, ADMIN_LOGIN, "boss", settings.AXES_FAILURE_LIMIT)
    response = client.post(ADMIN_LOGIN, {"username": "boss", "password": "pw-boss", "next": "/admin/"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_chinese_by_default(facilitator, settings):
    browser = Client()
    _fail(browser, LOGIN, "fac", settings.AXES_FAILURE_LIMIT)
    page = browser.post(LOGIN, {"username": "fac", "password": "pw-fac"})
    assert page.status_code == 429
    assert page["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in page.content.decode()


def test_the_password_is_not_kept_nor_logged(client, facilitator, settings, caplog):
    with caplog.at_level("DEBUG"):
        client.post(LOGIN, {"username": "fac", "password": "Secret-Guess-123"})
    attempt = AccessAttempt.objects.get()
    assert "Secret-Guess-123" not in attempt.post_data + attempt.get_data
    assert "Secret-Guess-123" not in caplog.text


@pytest.mark.django_db(transaction=True)
async def test_the_lock_holds_through_the_server_s_worker_threads(settings):
    """The real ASGI app (worker threads, SyncChainHandler), not the test client."""
    from asgiref.sync import sync_to_async

    from deliberation.asgi import application, http_app

    await sync_to_async(get_user_model().objects.create_user)("fac", password="pw-fac")

    async def request(method, body=b"", cookies=""):
        headers = [(b"host", b"testserver"), (b"cookie", cookies.encode())]
        if body:
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        communicator = HttpCommunicator(application, method, LOGIN, body=body, headers=headers)
        return await communicator.get_response(timeout=10)

    page = await request("GET")
    csrf_cookie = next(v for k, v in page["headers"] if k == b"Set-Cookie" and v.startswith(b"csrftoken="))
    cookies = csrf_cookie.decode().split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page["body"].decode()).group(1)

    def form(password):
        return f"csrfmiddlewaretoken={token}&username=fac&password={password}".encode()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (await request("POST", form("wrong"), cookies))["status"] == 200  # the form again
    assert (await request("POST", form("wrong"), cookies))["status"] == 429
    locked = await request("POST", form("pw-fac"), cookies)
    assert locked["status"] == 429
    await http_app.close_connections()


# --- Sessions ----------------------------------------------------------------------


def test_a_staff_login_is_a_browser_session_cookie(client, facilitator):
    response = client.post(LOGIN, {"username": "fac", "password": "pw-fac"})
    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
    assert client.session.get_expire_at_browser_close()


def test_a_resident_phone_keeps_its_longer_cookie(client, meeting, codes, settings):
    meeting.status = "live"
    meeting.save()
    household, code = next(iter(codes.items()))
    response = client.post(reverse("join", kwargs={"code": meeting.code}), {"code": code})
    assert response.status_code == 302
    assert int(response.cookies["sessionid"]["max-age"]) == settings.SESSION_COOKIE_AGE


def test_the_server_ends_a_staff_session_after_its_cap(client, facilitator, settings):
    client.post(LOGIN, {"username": "fac", "password": "pw-fac"})
    assert client.get(reverse("staff_home")).status_code == 200
    session = client.session
    session[LOGIN_AT] = int(time.time() - settings.STAFF_SESSION_MAX_AGE - 60)
    session.save()
    response = client.get(reverse("staff_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_logged_in_before_the_rule_gets_it_on_its_next_request(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("staff_home")).status_code == 200
    assert client.session.get(LOGIN_AT) is not None
    assert client.session.get_expire_at_browser_close()


def test_the_cap_defaults_to_twelve_hours(settings):
    assert settings.STAFF_SESSION_MAX_AGE == 12 * 60 * 60
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


@pytest.mark.django_db(transaction=True)
async def test_a_console_socket_is_refused_past_the_staff_session_cap(meeting, facilitator, settings):
    from asgiref.sync import sync_to_async
    from django.contrib.sessions.backends.cached_db import SessionStore  # as the app reads it

    from tests.live import next_message, open_socket, staff_cookie

    cookie = await staff_cookie(facilitator)

    @sync_to_async
    def age(seconds):
        session = SessionStore(session_key=cookie)
        session[LOGIN_AT] = int(time.time() - seconds)
        session.save()

    await age(60)
    socket, _, _ = await open_socket(meeting, "facilitator", session=cookie)
    assert (await next_message(socket))["type"] == "state"
    await socket.disconnect()
    await age(settings.STAFF_SESSION_MAX_AGE + 60)
    socket, _, _ = await open_socket(meeting, "facilitator", session=cookie)
    assert (await socket.receive_output(timeout=2))["code"] == 4403
