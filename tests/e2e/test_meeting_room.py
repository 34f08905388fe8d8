"""A whole meeting room in real browsers: console, projector and three phones.

Queueing with stances, the rule-driven order, calling speakers with the
keyboard, the countdown agreeing on every screen, and the per-item limit
refusing a third speech. No page is ever reloaded.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login


def seconds(text):
    sign = -1 if text.startswith(("-", "+")) and text[0] == "+" else 1
    minutes, secs = text.lstrip("+-").split(":")
    return sign * (int(minutes) * 60 + int(secs))


def test_a_facilitated_item_with_queue_rules_timer_and_limits(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    expect(console.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")

    # The demo's agenda has two items; a third is typed into the console.
    for title, minutes in (("小区绿化调整", "10"),):
        console.fill("#add-item-title", title)
        console.fill(".agenda-add input[name=planned_minutes]", minutes)
        console.locator(".agenda-add button").click()
        expect(console.locator("#panel-agenda .agenda-title").last).to_have_text(title)
        expect(console.locator("#add-item-title")).to_have_value("")  # cleared for the next one
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator('[data-shortcut="i"]')).to_be_enabled()
    console.keyboard.press("i")  # first item
    expect(projector.locator(".item-title")).to_have_text("加装电梯意见征集")
    expect(projector.locator(".item-progress")).to_contain_text("1")

    phones = []
    for label, link, _code in links["residents"]:
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        phones.append((label, phone))
    (a, phone_a), (b, phone_b), (c, phone_c) = phones

    def ask(phone, stance):
        phone.locator(".stance-buttons").get_by_role("button", name=stance).click()

    ask(phone_a, "赞成")
    expect(phone_a.locator(".when-waiting")).to_be_visible()
    ask(phone_b, "赞成")
    expect(phone_b.locator(".when-waiting")).to_be_visible()  # B's request is in before C's
    ask(phone_c, "反对")
    expect(console.locator("#panel-queue .queue-entry")).to_have_count(3)
    # A came first; after A's "for", the chair alternates: C (against) before B.
    expect(console.locator("#panel-queue .queue-entry .who")).to_have_text([a, c, b])
    expect(console.locator("#panel-queue .queue-entry .reason").nth(1)).to_contain_text("正反方交替")
    expect(phone_b.locator(".my-place")).to_contain_text("3")

    console.keyboard.press("n")  # A has the floor
    expect(phone_a.locator(".you-have-the-floor")).to_be_visible()
    expect(projector.locator(".speaker-name")).to_have_text(a)
    expect(console.locator("#panel-queue .queue-entry .who")).to_have_text([c, b])
    expect(projector.locator(".queue-next .who")).to_have_text([c, b])

    # The countdown agrees on every screen (same server start, same clock).
    projector.wait_for_timeout(1500)
    shown = [
        seconds(page.locator("#panel-speaker .countdown .clock-text").inner_text())
        for page in (console, projector, phone_a)
    ]
    assert max(shown) - min(shown) <= 1, shown
    assert 100 <= shown[0] <= 119

    # Space pauses: every clock stops at the same second.
    console.keyboard.press(" ")
    expect(projector.locator("#panel-speaker")).to_have_class(re.compile("paused"))
    frozen = projector.locator("#panel-speaker .countdown .clock-text").inner_text()
    projector.wait_for_timeout(1200)
    assert projector.locator("#panel-speaker .countdown .clock-text").inner_text() == frozen
    console.keyboard.press(" ")
    expect(projector.locator("#panel-speaker")).not_to_have_class(re.compile("paused"))
    shoot(console, "room-console")
    shoot(projector, "room-projector")
    shoot(phone_a, "room-phone-speaking")
    shoot(phone_b, "room-phone-waiting")

    # A asks again while C and B wait: A has spoken, so A goes last.
    expect(phone_a.locator(".stance-buttons")).to_be_hidden()  # no asking while speaking
    console.keyboard.press("n")  # C speaks
    expect(projector.locator(".speaker-name")).to_have_text(c)
    ask(phone_a, "赞成")
    expect(console.locator("#panel-queue .queue-entry .who")).to_have_text([b, a])
    console.keyboard.press("n")  # B
    expect(projector.locator(".speaker-name")).to_have_text(b)
    console.keyboard.press("n")  # A's second speech
    expect(projector.locator(".speaker-name")).to_have_text(a)
    console.keyboard.press("n")  # queue empty: A's speech ends
    expect(projector.locator("#panel-speaker")).not_to_have_class(re.compile("has-speaker"))

    # A third speech cannot be asked for: for and against are off on A's
    # phone, with the reason in words; a question still may be asked.
    expect(phone_a.locator(".stance-buttons").get_by_role("button", name="赞成")).to_be_disabled()
    expect(phone_a.locator("#floor-limit")).to_be_visible()
    expect(phone_a.locator("#floor-limit")).to_contain_text("2")
    expect(phone_a.locator(".stance-buttons").get_by_role("button", name="提问")).to_be_enabled()
    expect(phone_b.locator(".stance-buttons").get_by_role("button", name="赞成")).to_be_enabled()
    expect(console.locator("#panel-queue .queue-entry")).to_have_count(0)
    shoot(phone_a, "room-phone-limit")

    # A point of order goes straight to the front.
    ask(phone_b, "反对")
    ask(phone_c, "程序问题")
    expect(console.locator("#panel-queue .queue-entry .who")).to_have_text([c, b])

    # I: the next item; the projector follows.
    console.keyboard.press("i")
    expect(projector.locator(".item-title")).to_have_text("自行车棚改造")
    expect(phone_b.locator("#panel-agenda h2")).to_have_text("自行车棚改造")
