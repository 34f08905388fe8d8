"""Trustworthy votes in real browsers (issue 10): staff replacing a phone's
vote must confirm and give a reason, and that phone sees it at once; a new
poll starts clean on the phone; a revoked code sends the phone back to the
join page."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login


def test_staff_replacement_a_new_poll_and_a_revoked_code_as_a_phone_sees_them(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")

    label, link, _code = links["residents"][0]
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)
    expect(phone.locator("body")).to_have_attribute("data-connection", "online")

    console.get_by_role("button", name="开始表决").click()
    phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
    expect(phone.locator("#my-vote .recorded")).to_contain_text("赞成")

    # A worker enters a paper ballot for the same household: warned, confirms with a reason.
    worker = browser.new_page(viewport=LAPTOP)
    login(worker, app_server, "worker")
    worker.goto(console.url)
    worker.get_by_role("link", name="录入表决").click()
    worker.fill("#id_one-household", label)
    worker.select_option("#id_one-choice", "against")
    worker.select_option("#id_one-channel", "paper")
    worker.get_by_role("button", name="记录表决").click()
    expect(worker.locator(".error").first).to_contain_text("已投票（本人手机")
    shoot(worker, "trust-staff-confirm")
    worker.check("#id_one-replace")
    worker.fill("#id_one-replace_reason", "业主到场，要求改用纸质选票")
    worker.get_by_role("button", name="记录表决").click()
    expect(worker.locator(".messages")).to_contain_text("1")
    expect(worker.locator("table.audit-log tbody tr").first).to_contain_text("业主到场")

    # The phone learns at once, without a reload.
    expect(phone.locator("#my-vote .replaced")).to_contain_text("纸质选票替换：反对")
    shoot(phone, "trust-phone-replaced")

    # The poll closes; a second poll opens: the phone's line starts clean.
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    expect(console.get_by_role("button", name="公布结果")).to_be_visible()
    console.get_by_role("link", name="新建表决").click()
    console.fill("#id_title", "第二项表决")
    console.get_by_role("button", name="保存").click()
    console.get_by_role("button", name="开始表决").click()
    expect(phone.locator("#panel-poll .poll-question")).to_have_text("第二项表决")
    expect(phone.locator("#my-vote")).not_to_contain_text("已记录")
    expect(phone.locator("#my-vote")).not_to_contain_text("替换")
    shoot(phone, "trust-phone-second-poll")

    # The household's code is revoked: the phone goes back to the join page.
    worker.goto(re.sub(r"/staff/meetings/\d+/.*", "/staff/", console.url))
    worker.get_by_role("link", name=re.compile("户表决码")).first.click()
    row = worker.locator("tr", has_text=label).first
    row.get_by_role("link", name="作废").click()
    worker.get_by_role("button", name="作废此表决码").click()
    expect(phone.locator("input[name=code]")).to_be_visible()
    expect(phone.locator(".error")).to_contain_text("已失效")
    shoot(phone, "trust-phone-revoked")


def test_a_tie_is_shown_as_a_tie_on_projector_and_phone(app_server, browser, shoot):
    """After the previous test (same meeting, its second poll still open): two
    micro-projects with one household each are 并列, no winner in large type."""
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    expect(console.locator(".poll-row", has_text="第二项表决")).to_contain_text("已结束")
    console.get_by_role("link", name="新建表决").click()
    console.fill("#id_title", "微项目二选一")
    console.select_option("#id_kind", "choice")
    console.fill("#id_options", "非机动车棚\n儿童游乐角")
    console.get_by_role("button", name="保存").click()
    console.wait_for_url(re.compile(r"/staff/meetings/\d+/$"))
    console.get_by_role("button", name="开始表决").click()
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("#panel-poll .poll-question")).to_have_text("微项目二选一")

    phones = []
    for (label, link, _code), option in zip(links["residents"][1:3], ["非机动车棚", "儿童游乐角"], strict=True):
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        # Scripts loaded and live (a tap before htmx has loaded does nothing).
        expect(phone.locator("body")).to_have_attribute("data-connection", "online")
        phone.locator(".vote-buttons").get_by_role("button", name=option).click()
        expect(phone.locator("#my-vote .recorded")).to_contain_text(option)
        phones.append(phone)

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    console.locator(".poll-row", has_text="微项目二选一").get_by_role("button", name="公布结果").click()
    expect(projector.locator("#panel-poll .outcome.tied")).to_contain_text("并列")
    expect(projector.locator("#panel-poll .outcome.passed")).to_have_count(0)
    expect(projector.locator(".bar.tied")).to_have_count(2)
    expect(phones[0].locator("#panel-poll .outcome.tied")).to_contain_text("非机动车棚")
    shoot(projector, "trust-projector-tie")
    shoot(phones[0], "trust-phone-tie")
