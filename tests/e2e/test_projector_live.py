"""The projector through a meeting, as the room sees it (issue 14).

A result revealed no longer hides the speaker for good: the next speaker
takes the screen back, with the countdown. The facilitator switches the
projector to the text, the agenda and back to Auto, and it follows live,
also after a lost push and a resync. After a poll closes the projector says
the result comes shortly; after the meeting ends the join code is gone, the
item clock stands still and what was decided is shown. In every state every
text is at least 32 px at 1920x1080, and nothing scrolls or is cut off at
1920x1080 or at 1280x720.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login

SMALL = {"width": 1280, "height": 720}

# Every rendered text on the page: its font size, and whether it lies inside
# the viewport and inside every box that clips it. The texts of a proposal
# and of a poll's description may run on (the block under debate is kept in
# view); anything else cut off is a layout bug.
MEASURE = """() => {
  const longText = ".proposal-text, .poll-text";
  const out = { texts: 0, small: [], cut: [],
    scroll: [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight, innerWidth, innerHeight] };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;  // not rendered (display: none)
    const el = node.parentElement;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    out.texts++;
    const size = parseFloat(style.fontSize);
    if (size < 32) out.small.push(text.slice(0, 30) + " (" + size.toFixed(1) + "px)");
    if (el.closest(longText)) continue;
    for (const r of rects) {
      let box = { left: 0, top: 0, right: innerWidth, bottom: innerHeight }, clipper = "the viewport";
      // A glyph box is taller than its line (CJK fonts): a quarter of it may stick out.
      const slack = r.height / 4;
      const inside = (b) => r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - slack && r.bottom <= b.bottom + slack;
      let ok = inside(box);
      for (let a = el; ok && a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflow !== "visible") {
          box = a.getBoundingClientRect();
          clipper = a.id || a.className;
          ok = inside(box);
        }
      }
      if (!ok) { out.cut.push(text.slice(0, 30) + " cut by " + clipper); break; }
    }
  }
  return out;
}"""


def check_layout(page, shoot, name):
    """At 1920x1080 (fonts, no scroll, nothing cut) and 1280x720 (no scroll,
    nothing cut), with a screenshot of each."""
    for size in (PROJECTOR, SMALL):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        shoot(page, f"projector-{name}-{size['width']}x{size['height']}")
        found = page.evaluate(MEASURE)
        where = f"{name} at {size['width']}x{size['height']}"
        assert found["texts"] > 5, where
        width, height, inner_width, inner_height = found["scroll"]
        assert width <= inner_width and height <= inner_height, f"{where}: the page scrolls {found['scroll']}"
        assert not found["cut"], f"{where}: cut off: {found['cut']}"
        if size is PROJECTOR:
            assert not found["small"], f"{where}: text under 32 px: {found['small']}"
    page.set_viewport_size(PROJECTOR)


def clock_text(page):
    return page.locator(".item-progress .clock-text").inner_text()


def test_the_projector_follows_the_room_and_the_facilitator(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    expect(console.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    body = projector.locator("body")

    # Before the meeting: the title, the agenda and a large join code.
    expect(body).to_have_attribute("data-screen", "agenda")
    expect(projector.locator(".agenda-full")).to_be_visible()
    expect(projector.locator(".join .qr")).to_be_visible()
    check_layout(projector, shoot, "0-before")

    # Open; "Close the meeting" is not where "Open the meeting" was.
    open_button = console.get_by_role("button", name=re.compile("开始会议"))
    opened_at = open_button.bounding_box()
    open_button.click()
    close_button = console.locator("#panel-status button[value=close]")
    expect(close_button).to_be_visible()
    closed_at = close_button.bounding_box()
    assert not (
        closed_at["x"] < opened_at["x"] + opened_at["width"] and opened_at["x"] < closed_at["x"] + closed_at["width"]
    ), (opened_at, closed_at)
    console.keyboard.press("i")  # the first item: it has a description, nobody speaks yet
    expect(projector.locator(".item-title")).to_have_text("加装电梯意见征集")
    expect(body).to_have_attribute("data-screen", "text")
    expect(projector.locator(".item-description")).to_be_visible()

    phones = []
    for label, link, _code in links["residents"]:
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        phones.append((label, phone))
    (a, phone_a), (b, phone_b), (c, phone_c) = phones
    for phone, stance in ((phone_a, "赞成"), (phone_b, "反对"), (phone_c, "赞成")):
        phone.locator(".stance-buttons").get_by_role("button", name=stance).click()
        expect(phone.locator(".when-waiting")).to_be_visible()
    expect(console.locator("#panel-queue .queue-entry")).to_have_count(3)

    # A speaker takes the screen; the item's description goes beside.
    console.keyboard.press("n")
    expect(body).to_have_attribute("data-screen", "speaker")
    expect(projector.locator("#panel-speaker .speaker-name")).to_have_text(a)
    expect(projector.locator("#panel-speaker .countdown")).to_be_visible()
    expect(projector.locator(".item-description")).to_be_visible()
    check_layout(projector, shoot, "1-speaker")

    # The prepared council vote opens while A speaks: the poll and its turnout,
    # and A's countdown still in view on one line.
    console.get_by_role("button", name="开始表决").click()
    expect(body).to_have_attribute("data-screen", "poll")
    expect(projector.locator("#panel-poll .poll-question")).to_have_text("同意建设自行车棚")
    expect(projector.locator("#panel-turnout")).to_be_visible()
    expect(projector.locator("#panel-speaker .countdown")).to_be_visible()
    for phone, label in ((phone_b, "赞成"), (phone_c, "反对")):
        phone.locator(".vote-buttons").get_by_role("button", name=label).click()
        expect(phone.locator("#my-vote .recorded")).to_contain_text(label)
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("2")
    check_layout(projector, shoot, "2-poll-open")

    # Closed, not yet revealed: the projector says what the phones say.
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    expect(body).to_have_attribute("data-screen", "poll")
    expect(projector.locator("#panel-poll")).to_contain_text("结果即将公布")
    expect(projector.locator("#panel-poll .poll-question")).to_be_visible()
    expect(phone_b.locator("#panel-poll")).to_contain_text("结果即将公布")
    check_layout(projector, shoot, "3-poll-closed")

    # The result: bars with counts, icons and words; A's countdown still runs below.
    console.get_by_role("button", name="公布结果").click()
    expect(body).to_have_attribute("data-screen", "result")
    expect(projector.locator(".bar.choice-for .bar-count")).to_have_text("1")
    expect(projector.locator(".bar.choice-against .bar-count")).to_have_text("1")
    expect(projector.locator("#panel-speaker .countdown")).to_be_visible()
    assert (
        projector.evaluate("getComputedStyle(document.querySelector('.bar.choice-for .bar-label'), '::before').content")
        == '"✓ "'
    )
    check_layout(projector, shoot, "4-result")

    # The next speaker takes the screen back from the result, with the countdown.
    console.keyboard.press("n")
    expect(body).to_have_attribute("data-screen", "speaker")
    expect(projector.locator("#panel-speaker .speaker-name")).to_have_text(b)
    expect(projector.locator("#panel-speaker .countdown")).to_be_visible()
    expect(projector.locator("#panel-poll")).to_be_hidden()

    # The facilitator chooses; the projector follows live; the pressed button says which.
    def choose(screen):
        console.locator(f'#panel-screen [data-screen-choice="{screen}"]').click()
        expect(console.locator(f'#panel-screen [data-screen-choice="{screen}"]')).to_have_attribute(
            "aria-pressed", "true"
        )

    choose("text")
    expect(body).to_have_attribute("data-screen", "text")
    expect(projector.locator(".item-description")).to_be_visible()
    expect(projector.locator("#panel-speaker .countdown")).to_be_visible()  # B on one line
    choose("agenda")
    expect(body).to_have_attribute("data-screen", "agenda")
    expect(projector.locator(".agenda-full .current")).to_have_text(re.compile("加装电梯意见征集"))
    check_layout(projector, shoot, "5-agenda")
    choose("result")
    expect(body).to_have_attribute("data-screen", "result")
    choose("auto")
    expect(body).to_have_attribute("data-screen", "speaker")
    expect(projector.locator("#panel-speaker .speaker-name")).to_have_text(b)
    shoot(console, "projector-console-choice")

    # A projector that loses pushes catches up on its resync, and one opened now starts right.
    late = browser.new_page(viewport=PROJECTOR)
    deaf = {"on": False}

    def relay(ws):
        server = ws.connect_to_server()
        server.on_message(lambda message: None if deaf["on"] else ws.send(message))

    late.route_web_socket(re.compile(r"/live/|/ws/"), relay)
    late.goto(links["projector"])
    expect(late.locator("body")).to_have_attribute("data-screen", "speaker")
    expect(late.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    deaf["on"] = True
    choose("agenda")
    expect(body).to_have_attribute("data-screen", "agenda")
    late.wait_for_timeout(500)
    expect(late.locator("body")).to_have_attribute("data-screen", "speaker")  # the push was lost
    deaf["on"] = False
    late.evaluate("window.yishiLive.resync()")
    expect(late.locator("body")).to_have_attribute("data-screen", "agenda")
    fresh = browser.new_page(viewport=PROJECTOR)
    fresh.goto(links["projector"])
    expect(fresh.locator("body")).to_have_attribute("data-screen", "agenda")
    expect(fresh.locator(".agenda-full")).to_be_visible()
    fresh.close()
    late.close()

    # The third item debates the draft convention: Auto shows its text.
    console.keyboard.press("i")
    expect(projector.locator(".item-title")).to_have_text("自行车棚改造")
    console.keyboard.press("i")
    expect(projector.locator(".item-title")).to_have_text("居民公约（草案）讨论")
    expect(body).to_have_attribute("data-screen", "text")
    expect(projector.locator("#panel-proposal")).to_be_visible()
    check_layout(projector, shoot, "6-text")
    phone_a.locator(".stance-buttons").get_by_role("button", name="赞成").click()
    expect(phone_a.locator(".when-waiting")).to_be_visible()
    console.keyboard.press("n")
    expect(body).to_have_attribute("data-screen", "speaker")
    expect(body).to_have_attribute("data-beside", "proposal")
    expect(projector.locator("#panel-proposal")).to_be_visible()
    check_layout(projector, shoot, "7-speaker-beside-text")

    # The end: what was decided; no join code; the item clock stands still.
    console.once("dialog", lambda dialog: dialog.accept())
    close_button.click()
    expect(body).to_have_attribute("data-screen", "ended")
    expect(projector.locator(".join")).to_be_hidden()
    expect(projector.locator("#panel-decided")).to_be_visible()
    expect(projector.locator("#panel-decided")).to_contain_text("同意建设自行车棚")
    expect(projector.locator("#panel-speaker")).to_be_hidden()
    assert projector.locator(".item-progress .clock[data-start]").count() == 0
    expect(console.locator(".agenda-item.current .clock[data-start]")).to_have_count(0)
    stopped = clock_text(projector)
    projector.wait_for_timeout(2100)
    assert clock_text(projector) == stopped
    check_layout(projector, shoot, "8-ended")
    shoot(console, "projector-console-ended")
