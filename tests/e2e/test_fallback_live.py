"""Phones whose websockets do not work (WeChat and other in-app browsers,
networks that drop long connections) poll instead, and still take part.

One phone's sockets never open (an in-page stand-in for a WebSocket whose
handshake fails, as in those browsers); another's open and are dropped at
once (Playwright routes them). Both say they are polling, follow the room
within a few seconds, vote, see the result, and go back to the socket once
it works. A household whose code is revoked while its phone polls is sent to
the join page, as a socket's 4403 would.
"""

import re
import time

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, login

# Sockets that never open while window.__yishiBlockSockets is true: an error
# and a close (1006), as a failed handshake gives.
SOCKETS_NEVER_OPEN = """
(() => {
  const Real = window.WebSocket;
  window.__yishiBlockSockets = true;
  window.__yishiSocketsTried = 0;
  function Blocked(url, protocols) {
    window.__yishiSocketsTried++;
    if (!window.__yishiBlockSockets) return new Real(url, protocols);
    const socket = { url: url, readyState: 0, send() {}, close() {} };
    setTimeout(() => {
      socket.readyState = 3;
      if (socket.onerror) socket.onerror(new Event("error"));
      if (socket.onclose) socket.onclose({ code: 1006, reason: "", wasClean: false });
    }, 100);
    return socket;
  }
  Blocked.CONNECTING = 0; Blocked.OPEN = 1; Blocked.CLOSING = 2; Blocked.CLOSED = 3;
  window.WebSocket = Blocked;
})();
"""

# A few seconds: the poll interval (3 s, give or take a quarter) and the answer.
FEW_SECONDS = 6000


def phone_context(browser, init_script=None):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    if init_script:
        context.add_init_script(init_script)
    return context


def join(page, link, label):
    page.goto(link)
    page.get_by_role("button").filter(has_text="议事会").click()
    expect(page.locator(".phone-bar .who")).to_have_text(label)


def live_answers(page):
    """The state polls this page sends and their statuses."""
    answers = []
    page.on("response", lambda r: "/live/m/" in r.url and answers.append(r.status))
    return answers


def test_a_phone_without_websockets_polls_votes_and_returns_to_the_socket(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")

    label, link, _code = links["residents"][0]
    phone = phone_context(browser, SOCKETS_NEVER_OPEN).new_page()
    answers = live_answers(phone)
    sockets = []
    phone.on("websocket", lambda ws: sockets.append(ws))
    join(phone, link, label)
    status = phone.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "polling", timeout=FEW_SECONDS)
    # Said discreetly, in the page's language (the label the template translated).
    assert status.inner_text() == status.get_attribute("data-label-polling") != ""
    assert sockets == [] and phone.evaluate("window.__yishiSocketsTried") >= 3
    # Nothing changed since the page loaded: the polls are answered 304, and
    # the page stays on polling (a 304 reaches the script as one).
    phone.wait_for_timeout(4000)
    assert answers and set(answers) == {304}, answers
    expect(status).to_have_attribute("data-state", "polling")
    shoot(phone, "fallback-phone-polling")

    opened = time.monotonic()
    console.get_by_role("button", name="开始表决").click()
    expect(phone.locator("#panel-poll .poll-question")).to_have_text("同意建设自行车棚", timeout=FEW_SECONDS)
    assert time.monotonic() - opened < FEW_SECONDS / 1000
    assert 200 in answers
    phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
    expect(phone.locator("#my-vote .recorded")).to_contain_text("赞成")
    expect(phone.locator(".vote-button.chosen")).to_have_text("赞成")
    shoot(phone, "fallback-phone-voted")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    console.get_by_role("button", name="公布结果").click()
    expect(phone.locator("#panel-poll .outcome")).to_be_visible(timeout=FEW_SECONDS)
    expect(phone.locator("#panel-poll .bar.choice-for .bar-count")).to_have_text("1")
    expect(status).to_have_attribute("data-state", "polling")
    shoot(phone, "fallback-phone-result")

    # The network lets sockets through again: the phone goes back to its socket.
    phone.evaluate("window.__yishiBlockSockets = false; window.dispatchEvent(new Event('online'))")
    expect(status).to_have_attribute("data-state", "online", timeout=FEW_SECONDS)
    assert len(sockets) == 1
    polled = len(answers)
    phone.wait_for_timeout(4000)
    assert len(answers) == polled, "a phone back on its socket still polls"
    # And the socket carries the room again.
    agenda = phone.locator("#panel-agenda")
    before = agenda.inner_text()
    console.locator("button[data-shortcut=i]").click()
    expect(agenda).not_to_have_text(before, timeout=3000)


def test_a_phone_whose_sockets_keep_dropping_polls_and_a_revoked_one_is_sent_to_join(app_server, browser, shoot):
    links = app_server.links
    label, link, code = links["residents"][1]
    context = phone_context(browser)
    blocked = {"on": True}

    def route(ws):
        if blocked["on"]:
            ws.close()  # opened (Playwright opens a routed socket), then dropped at once
        else:
            ws.connect_to_server()

    context.route_web_socket(re.compile(r"/ws/m/"), route)
    phone = context.new_page()
    join(phone, link, label)
    status = phone.locator("[data-live-status]")
    # Three drops within a minute: polling.
    expect(status).to_have_attribute("data-state", "polling", timeout=FEW_SECONDS + 4000)

    # A hidden page (a phone asleep, WeChat in the background) does not
    # poll; shown again, it asks at once and shows what changed meanwhile.
    answers = live_answers(phone)
    phone.evaluate(HIDE)
    phone.wait_for_timeout(500)
    asked = len(answers)
    attendance = phone.locator("#panel-attendance")
    before = attendance.inner_text()
    app_server.manage("shell", "-c", JOIN_ONE_MORE.format(code=re.search(r"/m/(\w+)/", phone.url).group(1)))
    phone.wait_for_timeout(4500)
    assert len(answers) == asked, "a hidden page polled"
    expect(attendance).to_have_text(before)
    shown = time.monotonic()
    phone.evaluate(SHOW)
    expect(attendance).not_to_have_text(before, timeout=2000)
    assert time.monotonic() - shown < 2

    blocked["on"] = False
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_attribute("data-state", "online", timeout=FEW_SECONDS)

    # Back to polling, then the household's code is revoked: the next poll
    # is refused and the page reloads once, to the join form.
    blocked["on"] = True
    phone.reload()
    expect(status).to_have_attribute("data-state", "polling", timeout=FEW_SECONDS + 4000)
    app_server.manage("shell", "-c", REVOKE.format(code=code))
    expect(phone.locator("input[name=code]")).to_be_visible(timeout=FEW_SECONDS)
    shoot(phone, "fallback-phone-revoked")


# Page visibility as a phone's browser reports it when it sleeps and wakes.
HIDE = """
Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
document.dispatchEvent(new Event("visibilitychange"));
"""
SHOW = """
Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "visible"});
document.dispatchEvent(new Event("visibilitychange"));
"""

# Made by another process (as staff signing someone in would be): the phone
# sees it from the database's revision, with no push to carry it.
JOIN_ONE_MORE = """
from meetings.actions import join_meeting
from compounds.models import Household
from meetings.models import Meeting
meeting = Meeting.objects.get(code="{code}")
household = Household.objects.filter(compound=meeting.compound, kind="residence").exclude(
    attendances__meeting=meeting).first()
join_meeting(meeting, household)
"""

REVOKE = """
from compounds.actions import revoke_code
from compounds.credentials import credential_for_code
from django.contrib.auth import get_user_model
credential = credential_for_code("{code}")
revoke_code(credential.household, get_user_model().objects.get(username="worker"))
"""
