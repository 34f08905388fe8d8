"""A projector and a console watch phones join; the counts rise without reloads."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login


def test_phones_joining_raise_the_count_on_projector_and_console(app_server, browser, shoot):
    links = app_server.links
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    expect(projector.get_by_test_id("joined-count")).to_have_text("0")

    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    expect(console.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    console.get_by_role("button", name=re.compile("开始会议|Open the meeting")).click()
    expect(projector.locator("#panel-status")).to_have_class(re.compile("status-live"))

    phones = []
    for n, (label, link, _code) in enumerate(links["residents"], start=1):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        phone = context.new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        # On both big screens, with no reload (how fast: `make bench`, fanout_p99_ms).
        expect(projector.get_by_test_id("joined-count")).to_have_text(str(n))
        expect(console.get_by_test_id("joined-count")).to_have_text(str(n))
        phones.append(phone)

    shoot(projector, "projector-joined")
    shoot(console, "console-joined")
    shoot(phones[0], "phone-joined")
    # The phones are live too.
    expect(phones[0].locator("[data-live-status]")).to_have_attribute("data-state", "online")


def test_a_typed_household_code_joins_and_a_wrong_one_is_refused(app_server, browser, shoot):
    label, _link, code = app_server.links["residents"][0]
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    phone = context.new_page()
    phone.goto(app_server.links["join"])
    phone.fill("#id_code", "3333-3333")
    phone.get_by_role("button", name=re.compile("加入|Join")).click()
    expect(phone.locator(".error")).to_be_visible()
    shoot(phone, "phone-wrong-code")
    phone.fill("#id_code", code.lower())
    phone.get_by_role("button", name=re.compile("加入|Join")).click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)


JOIN_ONE_MORE = """
from meetings.actions import join_meeting
from compounds.models import Household
from meetings.models import Meeting
meeting = Meeting.objects.get(code="{code}")
household = Household.objects.filter(compound=meeting.compound, kind="residence").exclude(
    attendances__meeting=meeting).first()
join_meeting(meeting, household)
"""


def test_projector_shows_the_current_state_after_a_server_restart(app_server, browser):
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(app_server.links["projector"])
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online")
    before = int(projector.get_by_test_id("joined-count").inner_text())

    app_server.stop(kill=True)
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "offline")
    # While the server is down, someone joins (as staff would, from another process).
    code = re.search(r"/m/(\w+)/", app_server.links["projector"]).group(1)
    app_server.manage("shell", "-c", JOIN_ONE_MORE.format(code=code))
    app_server.start()
    expect(projector.locator("[data-live-status]")).to_have_attribute("data-state", "online", timeout=15000)
    expect(projector.get_by_test_id("joined-count")).to_have_text(str(before + 1))
