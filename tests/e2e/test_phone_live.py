"""Two residents' phones through a meeting's changes of state (issue 14):
360x640 in WeChat, one in Chinese and one switched to English.

At each state every control on both phones follows: before the meeting and
between items the floor buttons are disabled with the reason; a household
that has spoken its limit on an item has for and against disabled (on its
phone only) until the next item; a poll's buttons go the moment it closes;
once the meeting ends nothing is left to press, and a tap on what a stale
page still had never replaces the page with a bare answer. On every state
each phone's visible text is at least 16 px and its controls at least 44 px
tall. Screenshots: test-artifacts/phone-<state>-<zh|en>.png.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, LAPTOP, PHONE, login

WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
    "MMWEBSDK/20230202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI "
    "Language/zh_CN ABI/arm64"
)
MIN_TEXT_PX = 16
MIN_TARGET_PX = 44

# Every visible text node's font size, and every visible control's height
# (a checkbox or radio is tapped through its label: the label is measured).
MEASURE = """() => {
  const visible = (el) => {
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && el.getClientRects().length > 0;
  };
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !visible(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (!Array.from(range.getClientRects()).some((r) => r.width > 0 && r.height > 0)) continue;
    texts.push([node.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(el).fontSize)]);
  }
  const targets = [];
  for (const el of document.querySelectorAll("button, a[href], input:not([type=hidden]), select, textarea")) {
    if (!visible(el)) continue;
    const box = (el.type === "checkbox" || el.type === "radio") ? (el.closest("label") || el) : el;
    const label = (el.innerText || el.value || el.getAttribute("aria-label") || el.tagName).trim().slice(0, 40);
    targets.push([label, box.getBoundingClientRect().height]);
  }
  return { texts, targets };
}"""


def check_sizes(phone, state):
    measured = phone.evaluate(MEASURE)
    small = [(text, size) for text, size in measured["texts"] if size < MIN_TEXT_PX]
    short = [(label, round(height, 1)) for label, height in measured["targets"] if height < MIN_TARGET_PX]
    assert measured["texts"] and measured["targets"], state
    assert not small, f"{state}: text under {MIN_TEXT_PX} px: {small}"
    assert not short, f"{state}: controls under {MIN_TARGET_PX} px tall: {short}"


def online(page):
    expect(page.locator("[data-live-status]").first).to_have_attribute("data-state", "online")


def not_bare(phone):
    """The page is still a whole, styled page: its header and stylesheet."""
    expect(phone.locator("header")).to_be_visible()
    assert phone.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert phone.locator("link[rel=stylesheet]").count() >= 1


def stance(phone, value):
    return phone.locator(f"#panel-queue .stance-button.stance-{value}")


class Phones:
    def __init__(self, browser, links):
        self.pages = {}
        for language, (label, link, _code) in zip(("zh", "en"), links["residents"][:2], strict=True):
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, user_agent=WECHAT, locale="zh-CN"
            )
            phone = context.new_page()
            phone.goto(link)
            join = phone.get_by_role("button").filter(has_text="议事会")
            expect(join).to_be_visible()
            if language == "zh":
                check_sizes(phone, "slip link")
                phone.screenshot(path=str(ARTIFACTS / "phone-slip-link-zh.png"))
            join.click()
            expect(phone.locator(".phone-bar .who")).to_have_text(label)
            if language == "en":
                phone.locator(".phone-bar").get_by_role("button", name="English").click()
                expect(phone.locator("html")).to_have_attribute("lang", "en")
            online(phone)
            self.pages[language] = phone
        self.zh, self.en = self.pages["zh"], self.pages["en"]

    def each(self):
        return self.pages.items()

    def shoot(self, state):
        ARTIFACTS.mkdir(exist_ok=True)
        for language, phone in self.each():
            check_sizes(phone, f"{state} [{language}]")
            phone.screenshot(path=str(ARTIFACTS / f"phone-{state}-{language}.png"))


def test_two_phones_follow_every_change_of_state(app_server, browser):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    console.on("dialog", lambda dialog: dialog.accept())
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    online(console)
    # The join form (the projector's address, a code typed in) in English.
    typing = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, user_agent=WECHAT).new_page()
    typing.context.add_cookies([{"name": "django_language", "value": "en", "url": app_server.base}])
    typing.goto(links["join"])
    expect(typing.get_by_role("button", name="Join", exact=True)).to_be_visible()
    check_sizes(typing, "join form [en]")
    ARTIFACTS.mkdir(exist_ok=True)
    typing.screenshot(path=str(ARTIFACTS / "phone-join-form-en.png"))
    typing.context.close()
    phones = Phones(browser, links)

    # Before the meeting: the floor buttons are there, disabled, with the reason.
    for _language, phone in phones.each():
        expect(stance(phone, "for")).to_be_disabled()
        expect(phone.locator("#floor-closed")).to_be_visible()
        expect(phone.locator("#panel-poll")).to_be_hidden()  # no poll: no empty card
    expect(phones.en.locator("#floor-closed")).to_contain_text("once the meeting is in session")
    expect(stance(phones.en, "order")).to_have_text("Point of order")
    phones.shoot("before")

    # Open, no item yet: still disabled, the reason says why.
    console.get_by_role("button", name="开始会议").click()
    expect(phones.en.locator("#panel-status")).to_contain_text("in session")
    expect(phones.en.locator("#floor-closed")).to_contain_text("agenda item")
    expect(stance(phones.zh, "for")).to_be_disabled()

    # An item: the buttons come on, named after the item.
    console.locator("#panel-agenda li", has_text="加装电梯").get_by_role("button", name="开始").click()
    for _language, phone in phones.each():
        expect(stance(phone, "for")).to_be_enabled()
        expect(phone.locator("#panel-queue .prompt").first).to_contain_text("加装电梯")
    phones.shoot("item")

    # The Chinese phone speaks twice on the item, for then against: at the
    # limit its for and against go off with the reason; the other phone's stay.
    for value in ("for", "against"):
        stance(phones.zh, value).click()
        expect(phones.zh.locator("#panel-queue .my-place")).not_to_be_empty()
        console.get_by_role("button", name=re.compile("下一位发言")).click()
        expect(phones.zh.locator("#panel-speaker .you-have-the-floor")).to_be_visible()
        if value == "for":
            expect(phones.zh.locator("#panel-speaker .you-have-the-floor")).to_contain_text(
                re.compile("赞成|in favour")
            )
            expect(phones.en.locator("#panel-speaker .speaker-label")).to_contain_text("For")
            stance(phones.en, "question").click()  # the other phone waits its turn
            expect(phones.en.locator("#panel-queue .my-place")).to_contain_text("1")
            phones.shoot("speaking")
            phones.en.locator("#panel-queue .when-waiting").get_by_role("button", name="Withdraw").click()
            expect(stance(phones.en, "question")).to_be_visible()
        console.get_by_role("button", name="结束发言").click()
        expect(phones.zh.locator("#panel-speaker .you-have-the-floor")).to_be_hidden()
    expect(stance(phones.zh, "for")).to_be_disabled()
    expect(stance(phones.zh, "against")).to_be_disabled()
    expect(stance(phones.zh, "question")).to_be_enabled()
    expect(phones.zh.locator("#floor-limit")).to_be_visible()
    expect(phones.zh.locator("#panel-queue .my-spoken")).to_contain_text("2")
    expect(stance(phones.en, "for")).to_be_enabled()
    expect(phones.en.locator("#floor-limit")).to_be_hidden()
    # A tap that still got through (a stale page) is refused in the flash area, not as the page.
    phones.zh.evaluate("document.querySelector('#panel-queue .stance-for').disabled = false")
    stance(phones.zh, "for").click()
    expect(phones.zh.locator("#flash .flash")).to_be_visible()
    not_bare(phones.zh)
    expect(stance(phones.zh, "for")).to_be_disabled()  # marked again after the answer
    phones.shoot("limit")

    # The next item: everyone may speak again, and the old message is gone.
    console.locator("#panel-agenda li", has_text="自行车棚").get_by_role("button", name="开始").click()
    expect(phones.zh.locator("#panel-queue .prompt").first).to_contain_text("自行车棚")
    expect(stance(phones.zh, "for")).to_be_enabled()
    expect(phones.zh.locator("#floor-limit")).to_be_hidden()
    expect(phones.zh.locator("#panel-queue .my-spoken")).to_be_hidden()
    expect(phones.zh.locator("#flash .flash")).to_have_count(0)
    phones.shoot("item-changed")

    # A poll opens: the buttons, enabled once the script is ready; a vote is recorded.
    console.get_by_role("button", name="开始表决").click()
    for _language, phone in phones.each():
        expect(phone.locator("#panel-poll .vote-button").first).to_be_enabled()
        expect(phone.locator("#panel-poll")).to_be_in_viewport()
    phones.zh.locator(".vote-buttons").get_by_role("button", name="赞成").click()
    expect(phones.zh.locator("#my-vote .recorded")).to_contain_text("赞成")
    phones.en.locator(".vote-buttons").get_by_role("button", name="Against", exact=True).click()
    expect(phones.en.locator("#my-vote .recorded")).to_contain_text("Against")
    phones.shoot("poll-open")

    # Closed: the controls go at once, "the result will be shown shortly".
    console.get_by_role("button", name="结束并计票").click()
    for _language, phone in phones.each():
        expect(phone.locator("#panel-poll .vote-button")).to_have_count(0)
    expect(phones.en.locator("#panel-poll .poll-state")).to_contain_text("result will be shown shortly")
    phones.shoot("poll-closed")

    # Someone is in the queue when the meeting ends: the ended state, nothing to press.
    stance(phones.en, "question").click()
    expect(phones.en.locator("#panel-queue .my-place")).not_to_be_empty()
    stale = phones.en.locator("#panel-queue .when-waiting button")  # Withdraw, on the page as it was
    expect(stale).to_be_visible()
    stale_handle = stale.element_handle()
    console.get_by_role("button", name="结束会议").click()
    for _language, phone in phones.each():
        expect(phone.locator("#panel-status")).to_have_class(re.compile("status-closed"))
        expect(
            phone.locator(".phone-stack button, .phone-stack input, .phone-stack .amend-link").filter(visible=True)
        ).to_have_count(0)
        not_bare(phone)
    expect(phones.en.locator("#panel-status")).to_contain_text("The meeting has ended")
    expect(phones.zh.locator("#panel-status")).to_contain_text("会议已结束")
    phones.shoot("ended")

    # A tap on what the page still had (here: Withdraw, kept from before the
    # push) reloads into the ended meeting's page, whole and styled.
    phones.en.evaluate(
        "(button) => { document.body.appendChild(button); button.style.display = 'block'; button.click(); }",
        stale_handle,
    )
    expect(phones.en.locator("main h1")).to_be_visible()
    expect(phones.en.locator("body")).not_to_have_attribute("data-live", re.compile("."))
    expect(phones.en.locator("main")).to_contain_text("has ended")
    not_bare(phones.en)
    check_sizes(phones.en, "ended, reloaded [en]")
    phones.en.screenshot(path=str(ARTIFACTS / "phone-ended-reloaded-en.png"))
