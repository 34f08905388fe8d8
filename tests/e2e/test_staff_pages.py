"""The staff pages of issue 14 in a real browser: the new-poll form shows
only the fields the chosen scope and kind need; the worker's ballot page
shows proxy fields for proxies only and ticks approval options; the
console on a 1366x768 laptop shows turnout and attendance without
scrolling while a vote runs; the slips print readable; the sign-in page
follows the room live. The tests run in order on one demo meeting."""

import io
import math
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import ARTIFACTS, LAPTOP, PHONE, login

MM_PER_PT = 25.4 / 72


def shoot_whole(page, name):
    """A long form, top to bottom."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_new_poll_form_shows_the_fields_the_choice_needs(app_server, browser, shoot):
    page = browser.new_page(viewport=LAPTOP)
    login(page, app_server, "facilitator")
    page.goto(app_server.links["console"])
    page.locator("#panel-poll").get_by_role("link", name="新建表决").click()
    page.wait_for_url(re.compile(r"/polls/new/$"))

    # A yes/no question of the households present: no buildings, unit or options.
    for name in ("buildings", "building_unit", "options", "option_proposals", "seats", "tie_break"):
        expect(page.locator(f".field-{name}")).to_be_hidden()
    for name in ("rule", "proposal", "amendment", "scope", "item"):
        expect(page.locator(f".field-{name}")).to_be_visible()
    # The agenda has no item under way yet: the first one is chosen.
    expect(page.locator("#id_item option:checked")).to_have_text("加装电梯意见征集")
    shoot_whole(page, "poll-form-yes-no")

    page.select_option("#id_scope", "buildings")
    expect(page.locator(".field-buildings")).to_be_visible()
    expect(page.locator(".field-buildings legend")).to_be_visible()
    expect(page.locator(".field-building_unit")).to_be_hidden()
    page.select_option("#id_scope", "unit")
    expect(page.locator(".field-building_unit")).to_be_visible()
    expect(page.locator(".field-buildings")).to_be_hidden()
    units = page.locator("#id_building_unit option").all_inner_texts()
    assert "地下车库" not in units and "1幢" not in units and "3幢2单元" in units
    page.select_option("#id_building_unit", label="3幢2单元")
    shoot_whole(page, "poll-form-unit")

    page.select_option("#id_kind", "approval")
    for name in ("options", "option_proposals", "seats", "tie_break"):
        expect(page.locator(f".field-{name}")).to_be_visible()
    for name in ("rule", "proposal", "amendment"):
        expect(page.locator(f".field-{name}")).to_be_hidden()
    page.select_option("#id_scope", "attendees")
    page.fill("#id_title", "微项目选择（试）")
    page.fill("#id_options", "车棚\n路灯\n书屋")
    shoot_whole(page, "poll-form-approval")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/staff/meetings/\d+/$"))
    # Saved, and said so; the unit chosen before the scope changed was not kept.
    expect(page.locator(".messages .success")).to_contain_text("微项目选择（试）")
    row = page.locator(".poll-row", has_text="微项目选择（试）")
    expect(row).to_contain_text("加装电梯意见征集")  # the poll shows its item


def test_ballot_page_asks_for_what_the_channel_needs(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.locator("#panel-status button[value=open]").click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    # A resident present, to vote for.
    label, link, _code = links["residents"][0]
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)
    console.locator(".poll-row", has_text="微项目选择（试）").get_by_role("button", name="开始表决").click()

    worker = browser.new_page(viewport=LAPTOP)
    login(worker, app_server, "worker")
    worker.goto(links["console"])
    worker.locator(".poll-row", has_text="微项目选择（试）").get_by_role("link", name="录入表决").click()
    worker.wait_for_url(re.compile(r"/ballots/$"))
    expect(worker.locator(".field-proxy_holder")).to_be_hidden()
    expect(worker.locator(".field-proxy_reference")).to_be_hidden()
    worker.select_option("#id_one-channel", "proxy")
    expect(worker.locator(".field-proxy_holder")).to_be_visible()
    expect(worker.locator(".field-proxy_reference")).to_be_visible()
    worker.select_option("#id_one-channel", "paper")
    expect(worker.locator(".field-proxy_holder")).to_be_hidden()
    # Approval: a box per option, ticked, no Ctrl-click list.
    assert worker.locator("select#id_one-choice").count() == 0
    worker.fill("#id_one-household", label)
    worker.get_by_label("车棚").check()
    worker.get_by_label("书屋").check()
    expect(worker.locator(".option-numbers li")).to_have_text(["车棚", "路灯", "书屋"])
    shoot(worker, "ballots-approval-paper")
    worker.get_by_role("button", name="记录表决").click()
    expect(worker.locator(".messages")).to_contain_text("1")
    expect(worker.locator("table.audit-log tbody tr").first).to_contain_text("车棚、书屋")


def test_console_shows_turnout_and_attendance_on_one_laptop_screen(app_server, browser, shoot):
    """The demo's council vote counts the whole compound: its turnout lists
    all ten buildings."""
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(app_server.links["console"])
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator(".poll-row", has_text="微项目选择（试）").get_by_role("button", name="结束并计票").click()
    # One poll is open at a time: the next opens once the console shows this one closed.
    expect(console.locator(".poll-row", has_text="微项目选择（试）")).not_to_have_class(re.compile("status-open"))
    console.locator(".poll-row", has_text="同意建设自行车棚").get_by_role("button", name="开始表决").click()
    expect(console.locator("#panel-turnout")).to_have_class(re.compile("active"))
    expect(console.locator("#panel-turnout .turnout-buildings tbody tr")).to_have_count(10)
    expect(console.get_by_test_id("ballots-cast")).to_have_text("0")
    for selector in ("#panel-turnout", "#panel-attendance", "#panel-poll .poll-row.status-open"):
        box = console.locator(selector).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= LAPTOP["height"], (selector, box)
    assert console.evaluate("document.scrollingElement.scrollTop") == 0
    shoot(console, "console-1366-vote-running")

    # The agenda form stays on the console: it empties and says it added the item.
    console.fill("#add-item-title", "临时动议")
    console.locator(".agenda-add").get_by_role("button", name="添加").click()
    expect(console.locator(".agenda-add .saved-note")).to_have_text("已加入议程。")
    expect(console.locator("#panel-agenda")).to_contain_text("临时动议")
    expect(console.locator("#add-item-title")).to_have_value("")


def test_slips_print_readable(app_server, browser, shoot):
    context = browser.new_context(viewport=LAPTOP)
    context.add_cookies([{"name": "django_language", "value": "en", "url": app_server.base}])
    page = context.new_page()
    login(page, app_server, "worker")
    page.goto(app_server.base + "/staff/")
    page.get_by_role("link", name="Household codes").click()
    # The building filter offers buildings with codes only: not the garage.
    page.get_by_role("link", name="Print all slips").click()
    options = page.locator("#slips-building option").all_inner_texts()
    assert "3幢" in options and "地下车库" not in options
    page.select_option("#slips-building", label="3幢")
    page.get_by_role("button", name="Show").click()
    shoot(page, "slips-screen")

    page.emulate_media(media="print")
    sizes = page.evaluate(
        """() => ["slip-help", "slip-link", "slip-caption"].map(
             name => parseFloat(getComputedStyle(document.querySelector("." + name)).fontSize) * 0.75)"""
    )
    assert sizes[0] >= 10 and sizes[1] >= 9 and sizes[2] >= 10, sizes  # CSS px to pt
    overflowing = page.evaluate(
        "[...document.querySelectorAll('.slip')].filter(s => s.scrollHeight > s.clientHeight + 1).length"
    )
    assert overflowing == 0

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "slips.pdf").write_bytes(pdf)
    runs = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            runs.append((text.strip(), size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    help_sizes = [size for text, size in runs if "WeChat" in text or "meeting" in text]
    link_sizes = [size for text, size in runs if "/h/" in text]
    assert help_sizes and link_sizes, runs[:20]
    assert min(help_sizes) >= 10, help_sizes
    assert min(link_sizes) >= 9, link_sizes
    print(f"slips PDF: help {min(help_sizes):.2f} pt, link {min(link_sizes):.2f} pt")


def test_signin_page_follows_the_room(app_server, browser, shoot):
    label, link, _code = app_server.links["residents"][1]
    worker = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(worker, app_server, "worker")
    worker.goto(app_server.links["console"])
    worker.get_by_test_id("signin-link").click()
    worker.wait_for_url(re.compile(r"/signin/"))
    expect(worker.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    worker.fill("#signin-q", label)
    row = worker.locator("li.signin-row", has_text=label)
    expect(row).to_have_class(re.compile("state-absent"))
    present = int(worker.locator("#signin-counts strong").first.inner_text())
    worker.evaluate("window.notReloaded = true")

    # The household joins with its own phone, elsewhere in the room.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)

    expect(row).to_have_class(re.compile("state-phone"), timeout=5000)
    expect(worker.locator("#signin-counts strong").first).to_have_text(str(present + 1))
    assert worker.evaluate("window.notReloaded === true")
    shoot(worker, "signin-live-phone-joined")
