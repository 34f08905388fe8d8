"""What a first load costs on the wire (issue 14: a resident's phone page at
most 100 KB), as Chromium receives it: every response of the page's first
load with a cold cache (document, styles, scripts), headers included, from
the DevTools protocol's own count (Network.loadingFinished
encodedDataLength). The figures for every page go to
test-artifacts/page-weight.json.
"""

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, LAPTOP, PHONE, PROJECTOR, login

PHONE_BUDGET = 100 * 1024


class Wire:
    """Bytes on the wire and decoded, per request, for one page's loads."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.requests = {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.dataReceived", self._data)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestServedFromCache", self._from_cache)

    def _sent(self, event):
        if event["request"]["url"].startswith("data:"):
            return  # the QR codes: part of the document already
        self.requests[event["requestId"]] = {"url": event["request"]["url"], "decoded": 0, "wire": None}

    def _received(self, event):
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
            entry["encoding"] = headers.get("content-encoding", "")
            entry["status"] = event["response"]["status"]
            response = event["response"]
            entry["cached"] = entry.get("cached") or response.get("fromDiskCache") or response.get("fromMemoryCache")

    def _data(self, event):
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["decoded"] += event["dataLength"]

    def _finished(self, event):
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["wire"] = event["encodedDataLength"]

    def _from_cache(self, event):
        entry = self.requests.get(event["requestId"])
        if entry is not None:
            entry["cached"] = True

    def reset(self):
        self.requests = {}

    def finished(self):
        return [r for r in self.requests.values() if r["wire"] is not None]

    def totals(self):
        done = self.finished()
        return {
            "wire_bytes": sum(r["wire"] for r in done),
            "decoded_bytes": sum(r["decoded"] for r in done),
            "requests": [
                {
                    "url": re.sub(r"^https?://[^/]+", "", r["url"]).split("?")[0],
                    "wire": r["wire"],
                    "decoded": r["decoded"],
                    "encoding": r.get("encoding", ""),
                }
                for r in done
            ],
        }


def first_load(browser, url, viewport, storage_state=None, ready=None):
    """Open `url` in a fresh context (a cold cache), count its load, then
    open it again: what the second visit fetches."""
    context = browser.new_context(viewport=viewport, storage_state=storage_state)
    page = context.new_page()
    wire = Wire(page)
    page.goto(url, wait_until="load")
    if ready:
        ready(page)
    page.wait_for_load_state("networkidle")
    first = wire.totals()
    wire.reset()
    page.goto(page.url, wait_until="load")
    page.wait_for_load_state("networkidle")
    again = [r for r in wire.finished() if "/static/" in r["url"]]
    context.close()
    return first, again


def online(page):
    expect(page.locator("body")).to_have_attribute("data-connection", "online")


def test_first_loads_on_the_wire(app_server, browser):
    links = app_server.links
    weights = {}
    # The meeting under way, its council vote open: the pages as a room sees them.
    staff = browser.new_context(viewport=LAPTOP)
    console = staff.new_page()
    login(console, app_server, "facilitator")
    signed_in = staff.storage_state()
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    console.get_by_role("button", name="开始表决").click()
    expect(console.locator("#panel-poll")).to_contain_text("同意建设自行车棚")
    staff.close()

    # A resident's phone that joined with its slip: the phone page, cold.
    label, link, _code = links["residents"][0]
    joining = browser.new_context(viewport=PHONE)
    phone = joining.new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)
    expect(phone.locator("#panel-poll .vote-buttons")).to_be_visible()
    joined = joining.storage_state()
    joining.close()
    weights["phone"], phone_again = first_load(browser, links["join"], PHONE, joined, online)

    weights["console"], _ = first_load(browser, links["console"], LAPTOP, signed_in, online)
    # The projector's first address carries its key and redirects to the page without it: both count.
    weights["projector"], _ = first_load(browser, links["projector"], PROJECTOR, None, online)

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.json").write_text(json.dumps(weights, indent=2, ensure_ascii=False))
    summary = {name: (w["wire_bytes"], w["decoded_bytes"]) for name, w in weights.items()}
    print("first loads (bytes on the wire, decoded):", summary)

    phone_weight = weights["phone"]
    assert phone_weight["wire_bytes"] <= PHONE_BUDGET, json.dumps(phone_weight, indent=2)
    statics = [r for r in phone_weight["requests"] if r["url"].startswith("/static/")]
    # No web fonts: the phone's own CJK fonts read better and cost nothing.
    assert not [r for r in phone_weight["requests"] if re.search(r"\.(woff2?|ttf|otf|eot)$", r["url"])]
    # Every file under its hashed name, scripts and styles compressed; none from another host (no CDN).
    for request in statics:
        assert re.search(r"\.[0-9a-f]{12}\.\w+$", request["url"]), request
        if request["url"].endswith((".css", ".js")):
            assert request["encoding"] in ("gzip", "br"), request
    assert all(not r["url"].startswith("http") for r in phone_weight["requests"])
    # The next visit takes every static file from the cache, asking nothing.
    assert phone_again and all(r.get("cached") and r["wire"] == 0 for r in phone_again), phone_again
