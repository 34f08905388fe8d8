"""An amendment from a phone to a vote that changes the text (issue 12), in
real browsers: a phone proposes an amendment to article 3 of the draft
convention, a second phone seconds it, the facilitator shows it on the
projector and puts it to a vote, three phones vote, it passes, and the
projector shows the new text with the change marked."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login

ADDED = "、电动平衡车"


def join(browser, link, label):
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)
    expect(phone.locator("body")).to_have_attribute("data-connection", "online")
    return phone


def test_a_phone_amends_article_3_and_the_room_votes_it_in(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    # The facilitator starts the convention's item: its text shows on every screen.
    console.locator("#panel-agenda li", has_text="居民公约").get_by_role("button", name=re.compile("开始")).click()
    expect(console.locator("#panel-proposal .proposal-title")).to_contain_text("居民公约")

    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("#panel-proposal .proposal-title")).to_contain_text("居民公约")
    shoot(projector, "amend-1-projector-text")

    (label_a, link_a, _), (label_b, link_b, _), (label_c, link_c, _) = links["residents"][:3]
    phone_a = join(browser, link_a, label_a)
    article_3 = phone_a.locator("#panel-proposal .block", has_text="严禁将电动自行车").first
    expect(article_3).to_be_visible()
    article_3.locator(".amend-link").click()

    # The amend page: the paragraph as it reads now, edited in place with an input method's text.
    expect(phone_a.locator(".amend-page .original")).to_contain_text("严禁将电动自行车")
    text = phone_a.locator("textarea[name=text]")
    current = text.input_value()
    text.fill(current.replace("严禁将电动自行车", "严禁将电动自行车" + ADDED))
    phone_a.locator("input[name=reason]").fill("平衡车电池同样有火灾风险")
    shoot(phone_a, "amend-2-phone-form")
    phone_a.locator(".amend-form button.primary").click()
    expect(phone_a.locator(".messages")).to_be_visible()
    amendment = phone_a.locator("#panel-amendments .amendment").first
    expect(amendment).to_contain_text("平衡车电池同样有火灾风险")
    expect(amendment.locator("ins")).to_have_text(ADDED)
    shoot(phone_a, "amend-3-phone-proposed")

    # The console sees it waiting for a second, live.
    waiting = console.locator("#panel-amendments .amendment").first
    expect(waiting).to_have_class(re.compile("status-seconding"))

    # A second household seconds it from its phone: it reaches the floor.
    phone_b = join(browser, link_b, label_b)
    # The author's phone offers to withdraw it instead of seconding it.
    expect(amendment.get_by_role("button", name="撤回我的修正案")).to_be_visible()
    expect(amendment.get_by_role("button", name="附议")).to_be_hidden()
    phone_b.locator("#panel-amendments .amendment").first.get_by_role("button", name="附议").click()
    expect(waiting).to_have_class(re.compile("status-floor"))
    expect(phone_b.locator("#panel-amendments .amendment").first.locator(".seconded-label")).to_be_visible()
    shoot(phone_b, "amend-4-phone-seconded")
    shoot(console, "amend-5-console-on-the-floor")

    # Shown on the projector as a diff in the text, at article 3.
    waiting.get_by_role("button", name="投影显示").click()
    shown = projector.locator("#panel-proposal .block-amendment")
    expect(shown.locator("ins")).to_have_text(ADDED)
    expect(shown).to_be_in_viewport()  # scrolled to article 3
    shoot(projector, "amend-6-projector-diff")

    # Put to a vote: the form comes filled in for the amendment; the notice is still running.
    waiting.locator("a.button").click()
    expect(console.locator("#id_amendment")).not_to_have_value("")
    console.locator("form button.primary").click()
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#panel-poll .poll-row", has_text="修正案1").locator("button.primary").click()

    phone_c = join(browser, link_c, label_c)
    for phone in (phone_a, phone_b, phone_c):
        phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
        expect(phone.locator("#my-vote .recorded")).to_contain_text("赞成")
    shoot(phone_c, "amend-7-phone-voted")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    # Counted: the room hears the result from the chair (issue 14), then sees the text.
    expect(projector.locator("#panel-poll")).to_contain_text("结果即将公布")
    console.get_by_role("button", name="公布结果").click()
    expect(projector.locator("body")).to_have_attribute("data-screen", "result")
    console.locator('#panel-screen [data-screen-choice="text"]').click()
    expect(projector.locator("body")).to_have_attribute("data-screen", "text")

    # Passed: the new version is the text, and the projector marks the change in it.
    accepted = projector.locator("#panel-proposal .block-amendment.accepted")
    expect(accepted.locator("ins")).to_have_text(ADDED)
    expect(accepted).to_be_in_viewport()
    expect(projector.locator("#panel-proposal .proposal-head")).to_contain_text("2")
    expect(phone_a.locator("#panel-proposal")).to_contain_text("严禁将电动自行车" + ADDED)
    shoot(projector, "amend-8-projector-passed")
    shoot(phone_a, "amend-9-phone-new-text")
    shoot(console, "amend-10-console-after")


def test_the_record_pages_after_the_vote(app_server, browser, shoot):
    """After the previous test: the staff page, the diff between versions, the
    public page on a phone and the printable notice, as people see them."""
    links = app_server.links
    staff = browser.new_page(viewport=LAPTOP)
    login(staff, app_server, "secretary")
    staff.goto(links["console"])
    href = staff.locator("#panel-proposal").get_by_role("link", name="编辑、版本、公示").get_attribute("href")
    staff.goto(re.match(r"https?://[^/]+", staff.url).group(0) + href)
    expect(staff.locator("h1")).to_contain_text("居民公约")
    base, proposal_id = re.match(r"(.*)/staff/proposals/(\d+)/", staff.url).groups()
    expect(staff.locator("table.list").first).to_contain_text("修正案1")
    shoot(staff, "record-1-staff-detail")
    staff.get_by_role("button", name="比较").click()
    expect(staff.locator(".diff-document ins")).to_have_text(ADDED)
    shoot(staff, "record-2-version-diff")

    public = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    public.goto(f"{base}/p/{proposal_id}/")
    expect(public.locator("h1")).to_contain_text("居民公约")
    expect(public.locator(".amendment ins")).to_have_text(ADDED)
    shoot(public, "record-3-public-phone")
    notice = browser.new_page(viewport={"width": 900, "height": 1270})
    notice.goto(f"{base}/p/{proposal_id}/notice/")
    expect(notice.locator(".notice-heading")).to_be_visible()
    shoot(notice, "record-4-notice-print")
