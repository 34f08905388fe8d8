"""Wrong household codes: a room behind one Wi-Fi address is slowed, never
locked out; a session or a code prefix is blocked after a few wrong tries; a
script without cookies makes no session rows and gets few lookups."""

import random

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from compounds.models import CODE_ALPHABET
from compounds.ratelimit import CLIENT_COOKIE
from meetings.models import Attendance
from tests.conftest import join_url

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def wrong_codes(codes, n, seed=1):
    """`n` codes that are no household's, each with a prefix of its own."""
    rng = random.Random(seed)
    taken = {c[:4] for c in codes.values()}
    found = []
    while len(found) < n:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
        if code[:4] not in taken:
            taken.add(code[:4])
            found.append(code)
    return found


def phone(address="10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    client.cookies["django_language"] = "en"
    return client


NOT_VALID = "not valid for this meeting"
TOO_MANY = "Too many wrong codes"
SLOWED = "try again in a few seconds"


def test_a_room_of_typos_behind_one_address_does_not_stop_a_right_code(meeting, households, codes, settings):
    settings.CODE_ATTEMPTS_PER_ADDRESS = 60
    for code in wrong_codes(codes, 60):
        assert NOT_VALID in phone().post(join_url(meeting), {"code": code}).content.decode()
    # The address is past its threshold: slowed, not locked out.
    resident = phone()
    response = resident.post(join_url(meeting), {"code": codes[households[0]]})
    assert response.status_code == 302
    assert Attendance.objects.filter(household=households[0]).exists()
    # Right after, a second phone of the room waits its turn: a few seconds.
    other = phone().post(join_url(meeting), {"code": codes[households[1]]})
    assert SLOWED in other.content.decode()
    # The turn is over (CODE_SLOW_SECONDS later): it joins.
    _end_turns()
    assert phone().post(join_url(meeting), {"code": codes[households[1]]}).status_code == 302
    # Another address was never slowed.
    assert phone("10.9.9.9").post(join_url(meeting), {"code": codes[households[2]]}).status_code == 302


def _end_turns():
    """What CODE_SLOW_SECONDS of waiting does, without waiting."""
    from compounds import ratelimit

    address = ratelimit._digest("10.0.0.1")
    cache.delete(f"codeturn:codefail:a:{address}")


def test_a_session_is_blocked_after_its_wrong_tries_even_for_a_right_code(meeting, households, codes, settings):
    settings.CODE_ATTEMPTS_PER_SESSION = 5
    resident = phone()
    session = resident.session  # a phone that already has a session (joined before, say)
    session["seen"] = True
    session.save()
    for code in wrong_codes(codes, 5):
        assert NOT_VALID in resident.post(join_url(meeting), {"code": code}).content.decode()
    response = resident.post(join_url(meeting), {"code": codes[households[0]]})
    assert TOO_MANY in response.content.decode()
    assert not Attendance.objects.exists()
    # Its neighbour on the same Wi-Fi is not affected.
    assert phone().post(join_url(meeting), {"code": codes[households[0]]}).status_code == 302


def test_a_phone_without_a_session_is_remembered_by_a_signed_cookie_not_a_session_row(
    meeting, households, codes, settings
):
    settings.CODE_ATTEMPTS_PER_SESSION = 3
    resident = phone()
    for code in wrong_codes(codes, 3):
        resident.post(join_url(meeting), {"code": code})
    assert CLIENT_COOKIE in resident.cookies and "sessionid" not in resident.cookies
    assert TOO_MANY in resident.post(join_url(meeting), {"code": codes[households[0]]}).content.decode()
    # A forged cookie is no identity (counted by its address only).
    forged = phone()
    forged.cookies[CLIENT_COOKIE] = "made-up"
    assert forged.post(join_url(meeting), {"code": codes[households[0]]}).status_code == 302
    assert Session.objects.count() == 1  # the one join; no row for the wrong tries


def test_cookieless_wrong_tries_create_no_session_rows(meeting, codes, settings):
    settings.CODE_ATTEMPTS_PER_ADDRESS = 1000
    for i, code in enumerate(wrong_codes(codes, 100)):
        script = Client(REMOTE_ADDR=f"10.1.{i}.1")  # no cookies kept between tries
        if i % 2:
            assert script.post(join_url(meeting), {"code": code}).status_code == 200
        else:
            assert script.get(reverse("household_link", kwargs={"code": code})).status_code == 404
    assert Session.objects.count() == 0


def test_a_scripted_guesser_gets_few_lookups_and_is_refused(meeting, codes, settings):
    settings.CODE_ATTEMPTS_PER_ADDRESS = 20
    looked_up = refused = 0
    for code in wrong_codes(codes, 300):
        response = Client(REMOTE_ADDR="10.6.6.6").get(reverse("household_link", kwargs={"code": code}))
        if response.status_code == 404:
            looked_up += 1
        else:
            assert response.status_code == 429 and int(response["Retry-After"]) >= 1
            refused += 1
    # The threshold, then one lookup per turn (the loop takes well under the
    # turn of CODE_SLOW_SECONDS, or a couple of turns on a slow machine).
    assert 20 <= looked_up <= 23 and refused >= 277


def test_a_guesser_keeping_its_cookie_is_blocked(meeting, codes, settings):
    settings.CODE_ATTEMPTS_PER_SESSION = 5
    script = Client(REMOTE_ADDR="10.6.6.7")
    answers = [script.get(reverse("household_link", kwargs={"code": c})).status_code for c in wrong_codes(codes, 50)]
    assert answers[:5] == [404] * 5 and set(answers[5:]) == {429}


def test_wrong_tries_on_one_prefix_block_that_prefix_from_any_address(meeting, households, codes, settings):
    """Someone who knows the first half of a code cannot walk the second half,
    even from many addresses; codes with other prefixes are unaffected."""
    settings.CODE_ATTEMPTS_PER_PREFIX = 10
    target = codes[households[0]]
    suffixes = [c[4:] for c in wrong_codes(codes, 30) if c[4:] != target[4:]][:10]
    for i, suffix in enumerate(suffixes):
        answer = phone(f"10.2.{i}.1").post(join_url(meeting), {"code": target[:4] + suffix})
        assert NOT_VALID in answer.content.decode()
    # Even the right code with that prefix is not looked up now.
    response = phone("10.3.0.1").post(join_url(meeting), {"code": target})
    assert TOO_MANY in response.content.decode()
    assert not Attendance.objects.filter(household=households[0]).exists()
    assert phone("10.3.0.2").post(join_url(meeting), {"code": codes[households[1]]}).status_code == 302


def test_no_session_row_for_a_blocked_or_slowed_slip_link(meeting, codes, settings):
    settings.CODE_ATTEMPTS_PER_ADDRESS = 2
    for code in wrong_codes(codes, 10):
        Client().get(reverse("household_link", kwargs={"code": code}))
    assert Session.objects.count() == 0
