"""The whole meeting in one browser test (issue 14): the facilitator's console,
the projector, a community worker's phone and three residents' phones in
WeChat at phone size, one of them in English, from joining to the published
minutes. Every open screen is photographed at every step
(test-artifacts/meeting-NN-step-screen.png), to be looked at.

The steps' tests of detail live beside it (test_join_live, test_signin_live,
test_meeting_room, test_voting_live, test_amendment_live, test_minutes_live);
here the point is that they work together, in order, on the same screens,
and that each screen tells its user where the meeting stands.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, LAPTOP, PHONE, PROJECTOR, login

WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A.210812.003; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 "
    "MMWEBSDK/20230202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI "
    "Language/zh_CN ABI/arm64"
)
ADDED = "、电动平衡车"
NO_PHONE = ("3-2-502", "3幢2单元502")  # signed in at the desk, votes on paper
BY_PROXY = ("2-1-101", "2幢1单元101")  # represented by her daughter, who holds a written proxy


class Room:
    """The open screens, photographed together at each step."""

    def __init__(self, browser):
        self.browser = browser
        self.screens = {}
        self.step = 0
        self.failures = []

    def phone(self, name):
        context = self.browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, user_agent=WECHAT, locale="zh-CN"
        )
        return self.open(name, context.new_page())

    def page(self, name, viewport):
        return self.open(name, self.browser.new_page(viewport=viewport))

    def open(self, name, page):
        page.on("dialog", lambda dialog: dialog.accept())  # every confirm() says yes
        page.set_default_timeout(10_000)
        self.screens[name] = page
        return page

    def check(self, what, assertion, *args):
        """What a user should see, where the app is known to fall short while
        others work on it: recorded, and the meeting goes on so that every later
        screen is still photographed; the test fails at the end."""
        try:
            assertion(*args, timeout=2000)  # asked once the screen has settled
        except AssertionError as error:
            self.failures.append(f"step {self.step + 1}: {what}\n{str(error).splitlines()[0]}")

    def shoot(self, step):
        self.step += 1
        ARTIFACTS.mkdir(exist_ok=True)
        for name, page in self.screens.items():
            page.screenshot(path=str(ARTIFACTS / f"meeting-{self.step:02d}-{step}-{name}.png"))


def online(page):
    expect(page.locator("[data-live-status]").first).to_have_attribute("data-state", "online")


def seconds(text):
    minutes, secs = text.lstrip("+-").split(":")
    return (-1 if text.startswith("+") else 1) * (int(minutes) * 60 + int(secs))


def countdown(page):
    return seconds(page.locator("#panel-speaker .countdown .clock-text").inner_text())


def choose(page, name, value):
    """A choice on a staff form, as a select or as radio buttons."""
    field = page.locator(f"[name='{name}']")
    if field.first.evaluate("node => node.tagName") == "SELECT":
        field.select_option(value)
    else:
        page.locator(f"[name='{name}'][value='{value}']").check()


def vote(phone, choice, label):
    """Press the vote button (by its choice); the phone confirms in its own words."""
    button = phone.locator(f"#panel-poll .vote-buttons .choice-{choice}")
    expect(button).to_have_text(label)
    button.click()
    expect(phone.locator("#my-vote .recorded")).to_contain_text(label)


def controls(phone):
    """What a resident could still press in the meeting's panels."""
    return phone.locator(
        ".phone-stack button, .phone-stack .amend-link, .phone-stack input, .phone-stack textarea"
    ).filter(visible=True)


def test_a_whole_meeting_from_joining_to_published_minutes(app_server, browser):
    links = app_server.links
    (label_a, link_a, _), (label_b, _, code_b), (label_c, link_c, _) = links["residents"][:3]
    room = Room(browser)

    # 1. Before the meeting: the console and the projector are up; three phones join.
    console = room.page("console", LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    online(console)
    projector = room.page("projector", PROJECTOR)
    projector.goto(links["projector"])
    online(projector)
    expect(projector.locator("#panel-status")).to_contain_text("会议即将开始")

    phone_a = room.phone("phone-a")  # scans its slip's QR code: its household link
    phone_a.goto(link_a)
    phone_a.get_by_role("button").filter(has_text="议事会").click()
    expect(phone_a.locator(".phone-bar .who")).to_have_text(label_a)

    phone_b = room.phone("phone-b")  # opens the join address on the projector, types its slip's code
    phone_b.goto(links["join"])
    phone_b.locator("#id_code").press_sequentially(code_b.lower().replace("-", " "))
    phone_b.get_by_role("button", name="加入").click()
    expect(phone_b.locator(".phone-bar .who")).to_have_text(label_b)

    phone_c = room.phone("phone-c")  # a resident who reads English
    phone_c.goto(link_c)
    phone_c.get_by_role("button").filter(has_text="议事会").click()
    phone_c.locator(".phone-bar").get_by_role("button", name="English").click()
    expect(phone_c.locator("#panel-status")).to_contain_text("You have joined")
    expect(phone_c.locator(".phone-bar").get_by_role("button", name="中文")).to_be_visible()
    for phone in (phone_a, phone_b, phone_c):
        online(phone)
    expect(phone_a.locator("#panel-status")).to_contain_text("您已加入，会议即将开始")
    expect(projector.get_by_test_id("joined-count")).to_have_text("3")

    # Two households without a phone sign in at the desk, on the worker's phone:
    # an owner in person, and a daughter holding her mother's written proxy.
    worker = room.phone("worker")
    login(worker, app_server, "worker")
    worker.goto(links["console"])
    worker.get_by_test_id("signin-link").click()
    for typed, label in (NO_PHONE, BY_PROXY):
        worker.fill("#signin-q", typed)
        row = worker.locator("li.signin-row", has_text=label)
        expect(row).to_have_count(1)
        row.locator("button[value=sign_in]").click()
        expect(row).to_have_class(re.compile("state-staff"))
    expect(worker.locator("#signin-log li")).to_have_count(2)
    expect(projector.get_by_test_id("joined-count")).to_have_text("5")
    expect(console.get_by_test_id("joined-count")).to_have_text("5")
    for phone in (phone_a, phone_b):
        expect(phone.locator("#panel-attendance")).to_contain_text("已有5户")
    expect(phone_c.locator("#panel-attendance")).to_contain_text("5 of")
    room.shoot("joined")

    # 2. The facilitator opens the meeting: every screen says it is in session.
    console.get_by_role("button", name="开始会议").click()
    expect(projector.locator("#panel-status")).to_contain_text("会议进行中")
    expect(phone_a.locator("#panel-status")).to_contain_text("会议正在进行")
    expect(phone_c.locator("#panel-status")).to_contain_text("The meeting is in session")
    room.shoot("open")

    # 3. The draft convention's item: its text on the projector and on every phone.
    console.locator("#panel-agenda li", has_text="居民公约").get_by_role("button", name="开始").click()
    expect(projector.locator("#panel-agenda .item-title")).to_contain_text("居民公约")
    expect(projector.locator("#panel-proposal .proposal-title")).to_contain_text("居民公约")
    for phone in (phone_a, phone_b, phone_c):
        expect(phone.locator("#panel-proposal .proposal-title")).to_contain_text("居民公约")
    expect(phone_c.locator("#panel-queue")).to_contain_text("Ask for the floor")
    room.shoot("item")

    # 4. Three phones ask for the floor, each with its stance.
    for name, stance, label in (
        ("phone-a", "for", "赞成"),
        ("phone-b", "against", "反对"),
        ("phone-c", "question", "Question"),
    ):
        button = room.screens[name].locator(f".stance-buttons .stance-{stance}")
        room.check(f"{name}'s {stance} button reads {label}", expect(button).to_have_text, label)
        button.click()
    for phone in (phone_a, phone_b, phone_c):
        expect(phone.locator("#panel-queue .my-place")).not_to_be_empty()
    expect(console.locator("#panel-queue .queue-entry")).to_have_count(3)
    expect(projector.locator("#panel-queue .queue-next li")).to_have_count(3)
    expect(projector.locator("#panel-queue .queue-next li").first).to_contain_text(label_a)
    room.shoot("queue")

    # 5. A has the floor: the projector and A's phone count the same two minutes down.
    console.get_by_role("button", name="下一位发言").click()
    expect(projector.locator("#panel-speaker .speaker-name")).to_have_text(label_a)
    expect(phone_a.locator("#panel-speaker .you-have-the-floor")).to_be_visible()
    expect(phone_b.locator("#panel-speaker .speaker-name")).to_have_text(label_a)
    expect(phone_b.locator("#panel-speaker .you-have-the-floor")).to_be_hidden()
    start = countdown(projector)
    projector.wait_for_timeout(1200)
    shown = [countdown(page) for page in (projector, phone_a, console)]
    assert max(shown) - min(shown) <= 1, shown
    assert 100 <= shown[0] < start <= 120, (start, shown)  # counting down, from the two minutes
    room.shoot("speaking")

    # 6. B proposes an amendment to article 3 from the phone; C seconds it.
    article_3 = phone_b.locator("#panel-proposal .block", has_text="严禁将电动自行车").first
    article_3.locator(".amend-link").click()
    text = phone_b.locator("textarea[name=text]")
    text.fill(text.input_value().replace("严禁将电动自行车", "严禁将电动自行车" + ADDED))
    phone_b.locator("input[name=reason]").fill("平衡车电池同样有火灾风险")
    phone_b.locator(".amend-form button.primary").click()
    mine = phone_b.locator("#panel-amendments .amendment").first
    expect(mine.locator("ins")).to_have_text(ADDED)
    online(phone_b)
    proposed = phone_c.locator("#panel-amendments .amendment").first
    expect(proposed).to_contain_text("平衡车电池同样有火灾风险")
    proposed.get_by_role("button", name=re.compile("Second")).click()
    on_the_floor = console.locator("#panel-amendments .amendment").first
    expect(on_the_floor).to_have_class(re.compile("status-floor"))
    on_the_floor.get_by_role("button", name="投影显示").click()
    expect(projector.locator("#panel-proposal .block-amendment ins")).to_have_text(ADDED)
    expect(projector.locator("#panel-amendments")).to_contain_text("平衡车电池同样有火灾风险")
    room.shoot("amendment")

    # 7. The amendment is put to a vote: the question on the projector, the buttons on the phones.
    on_the_floor.get_by_role("link", name="付诸表决").click()
    expect(console.locator("[name=amendment]")).not_to_have_value("")
    console.get_by_role("button", name="保存").click()
    console.locator("#panel-poll .poll-row", has_text="修正案1").get_by_role("button", name="开始表决").click()
    expect(projector.locator("#panel-poll .poll-question")).to_contain_text("修正案1")
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("0")
    for name in ("phone-a", "phone-b", "phone-c"):
        buttons = room.screens[name].locator("#panel-poll .vote-buttons")
        expect(buttons).to_be_visible()
        room.check(f"{name} shows the vote buttons when voting opens", expect(buttons).to_be_in_viewport)
    room.shoot("vote-open")

    # 8. Three phones vote; the worker enters a proxy vote and a paper ballot.
    vote(phone_a, "for", "赞成")
    vote(phone_b, "against", "反对")
    vote(phone_c, "for", re.compile(r"\bfor\b", re.I))
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("3")
    worker.goto(links["console"])
    worker.get_by_role("link", name="录入表决").click()
    worker.locator("[name=one-household]").fill(BY_PROXY[1])
    choose(worker, "one-choice", "for")
    choose(worker, "one-channel", "proxy")
    worker.locator("[name=one-requested_by]").fill("女儿王芳（电话委托）")
    worker.locator("[name=one-proxy_holder]").fill("王芳")
    worker.locator("[name=one-proxy_reference]").fill("委托书 2026-11-26-01")
    worker.get_by_role("button", name="记录表决").click()
    expect(worker.locator(".messages")).to_be_visible()
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("4")
    worker.locator("[name=batch-lines]").fill(f"{NO_PHONE[1]} 同意")
    worker.get_by_role("button", name="全部记录").click()
    expect(worker.locator(".messages")).to_be_visible()
    expect(worker.locator("table").last).to_contain_text(NO_PHONE[1])
    expect(worker.locator("table").last).to_contain_text(BY_PROXY[1])
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("5")
    for phone in (phone_a, phone_b, phone_c):
        expect(phone.get_by_test_id("ballots-cast")).to_have_text("5")
    room.shoot("voted")

    # 9. Closed, counted, revealed: the projector shows the result, the phones too.
    console.get_by_role("button", name="结束并计票").click()
    expect(phone_a.locator("#panel-poll .vote-buttons")).to_have_count(0)
    console.get_by_role("button", name="公布结果").click()
    expect(projector.locator("#panel-poll .outcome")).to_have_text("通过")
    expect(projector.locator("#panel-poll .bar.choice-for .bar-count")).to_have_text("4")
    expect(projector.locator("#panel-poll .bar.choice-against .bar-count")).to_have_text("1")
    expect(projector.locator("#panel-poll .outcome")).to_be_in_viewport()
    expect(phone_b.locator("#panel-poll .outcome")).to_have_text("通过")
    expect(phone_c.locator("#panel-poll .outcome")).to_have_text("Adopted")
    expect(projector.locator("#panel-proposal")).to_contain_text("严禁将电动自行车" + ADDED)
    room.shoot("result")

    # 10. The debate goes on: the next speaker, and the projector shows the speaker again.
    following = projector.locator("#panel-queue .queue-next li .who").first.inner_text()
    console.get_by_role("button", name="下一位发言").click()
    speaker = projector.locator("#panel-speaker .speaker-name")
    expect(speaker).to_have_text(following)
    room.check("the projector shows the new speaker after a result", expect(speaker).to_be_in_viewport)
    room.shoot("speaker-again")
    # The console's choice of what the projector shows, where it exists: Speaker, then back to Auto.
    chooser = console.locator("#panel-screen [data-screen-choice]")
    if chooser.count():
        console.locator("#panel-screen [data-screen-choice=speaker]").click()
        expect(console.locator("#panel-screen [data-screen-choice=speaker]")).to_have_attribute("aria-pressed", "true")
        expect(speaker).to_be_in_viewport()
        room.shoot("speaker-chosen")
        console.locator("#panel-screen [data-screen-choice=auto]").click()
        expect(console.locator("#panel-screen [data-screen-choice=auto]")).to_have_attribute("aria-pressed", "true")

    # 11. The convention as amended is put to a vote and adopted.
    console.locator("#panel-proposal").get_by_role("link", name="将提案付诸表决").click()
    console.get_by_role("button", name="保存").click()
    console.locator("#panel-poll .poll-row.status-draft", has_text="居民公约").get_by_role(
        "button", name="开始表决"
    ).click()
    vote(phone_a, "for", "赞成")
    vote(phone_b, "for", "赞成")
    vote(phone_c, "for", re.compile(r"\bfor\b", re.I))
    console.get_by_role("button", name="结束并计票").click()
    console.get_by_role("button", name="公布结果").click()
    expect(projector.locator("#panel-poll .outcome")).to_have_text("通过")
    room.shoot("convention-adopted")

    # 12. The end: every screen says so, and the phones say what was decided, with nothing left to press.
    console.get_by_role("button", name="结束会议").click()
    expect(console.get_by_test_id("minutes-link")).to_be_visible()
    expect(projector.locator("#panel-status")).to_contain_text("会议已结束")
    expect(projector.locator("#panel-decided")).to_contain_text("今日决定")
    expect(projector.locator("#panel-decided")).to_be_in_viewport()
    for name, ended, adopted in (
        ("phone-a", "会议已结束", "通过"),
        ("phone-b", "会议已结束", "通过"),
        ("phone-c", "The meeting has ended", re.compile("adopted", re.I)),
    ):
        phone = room.screens[name]
        expect(phone.locator("#panel-status")).to_contain_text(ended)
        expect(phone.locator("#panel-decided li")).to_have_count(2)
        expect(phone.locator("#panel-decided")).to_contain_text(adopted)
        decided = phone.locator("#panel-decided")
        room.check(f"{name} shows what was decided when the meeting ends", expect(decided).to_be_in_viewport)
    room.shoot("ended")
    for name in ("phone-a", "phone-b", "phone-c"):
        room.check(f"{name} has nothing left to press", expect(controls(room.screens[name])).to_have_count, 0)

    # 13. The secretary writes the minutes; the three parties sign; they are published.
    secretary = room.page("secretary", LAPTOP)
    login(secretary, app_server, "secretary")
    secretary.goto(console.url)
    secretary.get_by_test_id("minutes-link").click()
    expect(secretary.locator("#attendance")).to_contain_text("5")
    secretary.fill("#summary", "会议讨论了居民公约草案，表决通过修正案1，并通过修正后的公约。")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator(".minutes-document")).to_contain_text("修正后的公约")
    secretary.get_by_role("button", name="提交各方签署").click()
    minutes_url = secretary.url
    for username in ("juweihui", "yeweihui", "wuye"):
        signer = browser.new_page(viewport=LAPTOP)
        login(signer, app_server, username)
        signer.goto(minutes_url)
        signer.get_by_role("button", name=re.compile("代表.*签署")).click()
        expect(signer.locator(".parties")).to_contain_text("由")
        if username != "wuye":
            signer.close()
    expect(signer.locator(".messages")).to_contain_text("纪要已发布")
    published = signer.locator("a[href*='/minutes/']", has_text="第1版").get_attribute("href")
    room.open("signer", signer)
    room.shoot("minutes-published")

    # 14. A resident opens the published minutes and the convention in force on the phone.
    base = re.match(r"https?://[^/]+", console.url).group(0)
    compound_page = base + re.match(r"(/c/\d+/)", published).group(1)
    phone_a.goto(compound_page)
    expect(phone_a.locator("h1")).to_have_text("青梧苑")
    phone_a.get_by_role("link", name=re.compile("议事会")).first.click()
    expect(phone_a.locator(".fingerprint code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(phone_a.locator("#summary")).to_contain_text("修正后的公约")
    phone_c.goto(compound_page)
    phone_c.get_by_role("link", name=re.compile("居民公约")).first.click()
    expect(phone_c.locator("h1")).to_contain_text("居民公约")
    expect(phone_c.locator("main")).to_contain_text("严禁将电动自行车" + ADDED)
    room.shoot("public-record")
    assert not room.failures, "\n\n".join(room.failures)
