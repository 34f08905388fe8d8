"""A council vote end to end in real browsers.

The console opens a poll; three phones vote (one changes its mind); a
community worker enters a proxy vote; the projector shows the turnout
rising, then the result as bars; the certificate says what happened.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login


def test_a_council_vote_from_open_to_certificate(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])

    phones = []
    for label, link, _code in links["residents"]:
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        phones.append(phone)

    # The demo meeting has a council vote prepared: open it.
    console.get_by_role("button", name="开始表决").click()
    expect(projector.locator("#panel-poll .poll-question")).to_have_text("同意建设自行车棚")
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("0")

    def vote(phone, label):
        phone.locator(".vote-buttons").get_by_role("button", name=label).click()
        expect(phone.locator("#my-vote .recorded")).to_contain_text(label)

    vote(phones[0], "赞成")
    vote(phones[1], "赞成")
    vote(phones[2], "反对")
    vote(phones[1], "弃权")  # changed its mind: the last counts
    expect(phones[1].locator(".vote-button.chosen")).to_have_text("弃权")
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("3")
    shoot(phones[1], "vote-phone")

    # A proxy vote for an elderly resident without a phone.
    worker = browser.new_page(viewport=LAPTOP)
    login(worker, app_server, "worker")
    worker.goto(console.url)
    worker.get_by_role("link", name="录入表决").click()
    worker.fill("#id_one-household", "2幢1单元101")
    worker.select_option("#id_one-choice", "for")
    worker.select_option("#id_one-channel", "proxy")
    worker.fill("#id_one-requested_by", "女儿王芳（电话委托）")
    worker.fill("#id_one-proxy_holder", "王芳")
    worker.fill("#id_one-proxy_reference", "委托书 2026-11-26-01")
    worker.get_by_role("button", name="记录表决").click()
    expect(worker.locator(".messages")).to_contain_text("1")
    expect(worker.locator("table.audit-log tbody tr").first).to_contain_text("2幢1单元101")
    shoot(worker, "vote-staff-entry")
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("4")
    expect(console.locator("#panel-turnout .turnout-buildings")).to_contain_text("2幢")
    shoot(projector, "vote-projector-turnout")
    shoot(console, "vote-console")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    console.get_by_role("button", name="公布结果").click()
    expect(projector.locator("#panel-poll .outcome")).to_have_text("通过")
    expect(projector.locator(".bar.choice-for .bar-count")).to_have_text("2")
    expect(projector.locator(".bar.choice-against .bar-count")).to_have_text("1")
    expect(projector.locator(".bar.choice-abstain .bar-count")).to_have_text("1")
    expect(phones[0].locator("#panel-poll .outcome")).to_have_text("通过")
    shoot(projector, "vote-projector-result")

    with console.expect_popup() as popup:
        console.get_by_role("link", name="结果证明").click()
    certificate = popup.value
    expect(certificate.locator("h1")).to_have_text("表决结果证明")
    expect(certificate.locator(".outcome")).to_contain_text("通过")
    expect(certificate.locator("table.list").last).to_contain_text("委托")
    shoot(certificate, "vote-certificate")


def test_residents_choose_micro_projects_by_approval(app_server, browser, shoot):
    """After the council vote (previous test, same meeting): an approval vote
    among three micro-projects, created from the console's form."""
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("link", name="新建表决").click()
    console.fill("#id_title", "2027年微项目选择")
    console.select_option("#id_kind", "approval")
    console.fill("#id_options", "非机动车棚\n电动车充电桩\n儿童游乐角")
    console.get_by_role("button", name="保存").click()
    console.wait_for_url(re.compile(r"/staff/meetings/\d+/$"))
    console.get_by_role("button", name="开始表决").click()

    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("#panel-poll .poll-question")).to_have_text("2027年微项目选择")

    picks = [("非机动车棚", "儿童游乐角"), ("儿童游乐角",), ("电动车充电桩", "儿童游乐角")]
    for (label, link, _code), chosen in zip(links["residents"], picks, strict=True):
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        for option in chosen:
            phone.get_by_label(option).check()
        phone.get_by_role("button", name="提交我的选择").click()
        expect(phone.locator("#my-vote .recorded")).to_contain_text(chosen[-1])
    shoot(phone, "approval-phone")
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("3")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    console.get_by_role("button", name="公布结果").click()
    expect(projector.locator("#panel-poll .outcome")).to_have_text("儿童游乐角")
    expect(projector.locator(".bar.winner .bar-count")).to_have_text("3")
    shoot(projector, "approval-projector-result")
