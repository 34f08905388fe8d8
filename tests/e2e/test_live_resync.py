"""A page that wakes up resyncs with the revision it has: the server answers
"up to date" (a few bytes) instead of the whole state, and the line stays up."""

import json
import time

from playwright.sync_api import expect

from tests.e2e.conftest import PROJECTOR


def test_a_resync_at_the_current_revision_is_answered_up_to_date(app_server, browser):
    page = browser.new_page(viewport=PROJECTOR)
    sent, received = [], []

    def watch(ws):
        ws.on("framesent", lambda payload: sent.append(json.loads(payload)))
        ws.on("framereceived", lambda payload: received.append(json.loads(payload)))

    page.on("websocket", watch)
    page.goto(app_server.links["projector"])
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    deadline = time.monotonic() + 5
    while not any(m.get("type") == "state" for m in received) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    state = next(m for m in received if m.get("type") == "state")

    page.evaluate("window.yishiLive.resync()")
    deadline = time.monotonic() + 4
    while not any(m.get("type") == "uptodate" for m in received) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert {"type": "sync", "rev": state["rev"]} in sent
    assert [m["rev"] for m in received if m.get("type") == "uptodate"] == [state["rev"]]
    assert [m for m in received if m.get("type") == "state"] == [state]  # no second full state
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "online")
