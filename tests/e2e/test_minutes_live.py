"""From the end of a meeting to published minutes (issue 13), in real
browsers: the room adopts the draft convention by a vote, the meeting ends,
the phones show what it decided, the secretary writes the minutes, the
three parties sign, and the public finds the minutes and the convention in
force on the compound's page."""

import re
import shutil
import subprocess

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, LAPTOP, PHONE, PROJECTOR, login


def test_a_meeting_ends_and_its_minutes_are_signed_and_published(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    console.locator("#panel-agenda li", has_text="居民公约").get_by_role("button", name=re.compile("开始")).click()
    expect(console.locator("#panel-proposal .proposal-title")).to_contain_text("居民公约")

    phones = []
    for label, link, _code in links["residents"][:3]:
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="议事会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        expect(phone.locator("body")).to_have_attribute("data-connection", "online")
        phones.append(phone)

    # The convention is put to a vote from its panel; its notice still runs, so opening asks first.
    console.locator("#panel-proposal").get_by_role("link", name="将提案付诸表决").click()
    console.locator("form button.primary").click()
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#panel-poll .poll-row", has_text="居民公约").locator("button.primary").click()
    for phone in phones:
        phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
        expect(phone.locator("#my-vote .recorded")).to_contain_text("赞成")
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    expect(console.get_by_role("button", name="公布结果")).to_be_visible()

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束会议").click()
    minutes_link = console.get_by_test_id("minutes-link")
    expect(minutes_link).to_be_visible()

    # The projector and the phones still open on the meeting show what it decided.
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])
    expect(projector.locator("#panel-decided")).to_contain_text("今日决定")
    expect(projector.locator("#panel-decided")).to_contain_text("通过")
    shoot(projector, "minutes-0-projector-decided")
    expect(phones[1].locator("#panel-decided")).to_contain_text("通过")

    # A phone opening the meeting now sees what it decided.
    phones[0].reload()
    expect(phones[0].locator(".decided")).to_contain_text("通过")
    shoot(phones[0], "minutes-1-phone-decided")

    # The secretary writes the summary and sends the minutes to the three parties.
    secretary = browser.new_page(viewport=LAPTOP)
    login(secretary, app_server, "secretary")
    secretary.goto(console.url)
    secretary.get_by_test_id("minutes-link").click()
    expect(secretary.locator(".minutes-document h1")).to_contain_text("会议纪要")
    expect(secretary.locator("#attendance")).to_contain_text("3")
    secretary.fill("#summary", "会议逐条讨论了居民公约草案，并表决通过。")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.locator(".minutes-document")).to_contain_text("逐条讨论")
    # A plain form: wait for the page it leads to before photographing it (a
    # screenshot taken mid-navigation fails in Chromium).
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="提交各方签署").click()
    expect(secretary.get_by_role("button", name="提交各方签署")).to_have_count(0)
    shoot(secretary, "minutes-2-secretary-draft")
    minutes_url = secretary.url

    for username in ("juweihui", "yeweihui", "wuye"):
        signer = browser.new_page(viewport=LAPTOP)
        login(signer, app_server, username)
        signer.goto(minutes_url)
        signer.get_by_role("button", name=re.compile("代表.*签署")).click()
        expect(signer.locator(".parties")).to_contain_text("由")
        if username == "wuye":
            expect(signer.locator(".messages")).to_contain_text("纪要已发布")
            shoot(signer, "minutes-3-published-staff")
            published = signer.locator("a[href*='/minutes/']", has_text="第1版").get_attribute("href")
            compound_page = re.match(r"(/c/\d+/)", published).group(1)
        signer.close()

    # The public: the compound's page, the minutes with their fingerprint, the convention in force.
    public = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    base = re.match(r"https?://[^/]+", console.url).group(0)
    public.goto(base + compound_page)
    expect(public.locator("h1")).to_have_text("青梧苑")
    shoot(public, "minutes-4-compound-phone")
    public.get_by_role("link", name=re.compile("议事会")).first.click()
    expect(public.locator(".fingerprint code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(public.locator("#summary")).to_contain_text("逐条讨论")
    shoot(public, "minutes-5-minutes-phone")
    public.goto(base + compound_page)
    public.get_by_role("link", name=re.compile("居民公约")).first.click()
    expect(public.locator("h1")).to_contain_text("居民公约")
    expect(public.locator(".history")).to_contain_text("第1版")
    shoot(public, "minutes-6-convention-phone")

    # The minutes as the PDF a resident prints: kept to look at, with its first page as an image.
    pdf = public.request.get(f"{base}{published.replace('/v1/', '/v1.pdf')}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "minutes-demo.pdf").write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "2",
                ARTIFACTS / "minutes-demo.pdf",
                ARTIFACTS / "minutes-demo",
            ],
            check=True,
        )

    desktop = browser.new_page(viewport=LAPTOP)
    desktop.goto(base + compound_page)
    desktop.get_by_role("link", name=re.compile("议事会")).first.click()
    shoot(desktop, "minutes-7-minutes-desktop")
