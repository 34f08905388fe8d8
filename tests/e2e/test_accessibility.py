"""Accessibility (issue 14): axe-core on every kind of page, in Chinese and in
English, through a whole meeting (before it starts, a speaker on the floor,
a poll open and its result, an amendment, the end, the minutes signed and
published); and the console driven from the keyboard. Every page in Chinese,
each kind of page in English too.

axe-core's rules come bundled with axe-playwright-python (axe.min.js in the
wheel): nothing is fetched. A violation whose impact is serious or critical
fails the test, listed with its rule, impact, targets and page.
"""

import re
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.appserver import ROOT
from tests.e2e.conftest import ARTIFACTS, LAPTOP, PHONE, PROJECTOR, login

FAILING_IMPACTS = {"serious", "critical"}
# Every page is audited in Chinese, the default; each kind of page (the
# public's, a phone's, the projector's, the console, the staff's forms, the
# record) once in English too, where longer words could crowd a layout.
# English first, Chinese last: each page is left in Chinese, the language the
# steps between audits click by.
CHINESE = ("zh-hans",)
BOTH = ("en", "zh-hans")
SMALL_PROJECTOR = {"width": 1280, "height": 720}
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE_DATETIME = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{1,2}):(\d{2})")
ENGLISH_DATE = re.compile(r"\b(Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}")


@pytest.fixture(autouse=True)
def close_pages(browser):
    """Close this test's pages (their sockets) before the next test or the server's stop."""
    before = set(browser.contexts)
    yield
    for context in set(browser.contexts) - before:
        context.close()


class Audit:
    """Runs axe on a page in each language and keeps what fails."""

    def __init__(self, base):
        self.base = base
        self.axe = Axe()
        self.violations = []
        self.audited = []
        self.every_impact = defaultdict(list)  # (rule, impact) -> pages, kept in test-artifacts to read

    def __call__(self, page, name, load=None, languages=CHINESE):
        for language in languages:
            self.language = language
            page.context.add_cookies([{"name": "django_language", "value": language, "url": self.base}])
            if load is None:
                page.reload()
            else:
                load()
            settle(page)
            expect(page.locator("html")).to_have_attribute("lang", language)
            results = self.axe.run(page).response
            self.audited.append(f"{name} [{language}]")
            for violation in results["violations"]:
                self.every_impact[violation["id"], violation["impact"]].append(f"{name} [{language}]")
                if violation["impact"] in FAILING_IMPACTS:
                    targets = [" ".join(node["target"]) for node in violation["nodes"]]
                    why = first_message(violation["nodes"][0])
                    self.violations.append((name, language, violation["id"], violation["impact"], targets, why))

    def summary(self):
        """Every violation of any impact: how many pages showed each rule."""
        lines = [f"axe-core on {len(self.audited)} pages; violations by rule (pages):"]
        for (rule, impact), pages in sorted(self.every_impact.items()):
            lines.append(f"  {rule} ({impact}): {len(pages)}: {', '.join(pages)}")
        return "\n".join(lines + [""])

    def report(self):
        lines = [f"{len(self.violations)} serious or critical accessibility violations:"]
        for name, language, rule, impact, targets, why in self.violations:
            shown = "; ".join(targets[:3]) + (f"; and {len(targets) - 3} more" if len(targets) > 3 else "")
            lines.append(f"  {name} [{language}]: {rule} ({impact}) x{len(targets)}: {shown}\n      {why}")
        return "\n".join(lines)


def first_message(node):
    """What axe says is wrong with an element (for contrast: the colours and the ratio)."""
    checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
    return checks[0]["message"] if checks else node.get("failureSummary", "")


def settle(page):
    """Loaded, and a live page connected (its panels as the socket left them)."""
    page.wait_for_load_state("load")
    if page.locator("body[data-live]").count():
        expect(page.locator("body")).to_have_attribute("data-connection", "online")
        page.wait_for_timeout(300)


def show_error_page(page, base, status, language):
    """The 404 and 500 pages as production serves them (the live server runs
    with DEBUG, which answers with Django's own pages): rendered here, served
    at the live server's address so their style sheet loads."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/no-such-page/")
    request.user = AnonymousUser()
    with translation.override(language):
        html = render_to_string(f"{status}.html", request=request)
    url = f"{base}/error-page-{status}/"
    page.unroute(url)
    page.route(url, lambda route: route.fulfill(status=status, body=html, content_type="text/html; charset=utf-8"))
    page.goto(url)


def assert_dates_in_both_languages(page, base):
    """Chinese: 2026年12月3日 14:05, in Asia/Shanghai (the meeting ran
    minutes ago, so every time shown is close to now there); English: Dec. 3, 2026."""
    text = page.locator("main").inner_text()
    now = datetime.now(SHANGHAI)
    shown = [datetime(*map(int, found), tzinfo=SHANGHAI) for found in CHINESE_DATETIME.findall(text)]
    assert shown, f"no date and time in Chinese format on {page.url}:\n{text[:800]}"
    assert all(abs(now - when) < timedelta(minutes=30) for when in shown), (shown, now)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()
    text = page.locator("main").inner_text()
    assert ENGLISH_DATE.search(text) and not CHINESE_DATETIME.search(text), text[:800]
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page.reload()


def join(browser, link):
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_be_visible()
    return phone


def test_no_serious_or_critical_violations_on_any_page(app_server, browser, shoot):
    links = app_server.links
    base = app_server.base
    audit = Audit(base)

    # Before the meeting: the public, a household's link, the staff's pages.
    public = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    public.goto(base + "/")
    audit(public, "home", languages=BOTH)
    audit(public, "home, no meeting code", load=lambda: public.goto(base + "/?code=%21%21"))
    audit(public, "staff login", load=lambda: public.goto(links["login"]), languages=BOTH)
    audit(public, "404", load=lambda: show_error_page(public, base, 404, audit.language), languages=BOTH)
    # The 500 page needs nothing to render, so it is in both languages at once.
    audit(public, "500", load=lambda: show_error_page(public, base, 500, "zh-hans"), languages=["zh-hans"])
    audit(public, "join page", load=lambda: public.goto(links["join"]), languages=BOTH)

    def wrong_code():
        public.goto(links["join"])
        public.fill("#id_code", "ABCD-EFGH")
        public.locator("form button.primary").click()
        expect(public.locator(".error")).to_be_visible()

    audit(public, "join page, wrong code", load=wrong_code, languages=BOTH)
    audit(public, "household link, unknown code", load=lambda: public.goto(base + "/h/ZZZZZZZZ/"))
    audit(public, "household link", load=lambda: public.goto(links["residents"][0][1]), languages=BOTH)
    audit(public, "verify", load=lambda: public.goto(base + "/verify/"))

    def locked_out():
        public.goto(links["login"])
        for _ in range(5):  # LOGIN_FAILURE_LIMIT; once locked, each try shows the page again
            public.fill("#id_username", "nobody")
            public.fill("#id_password", "wrong")
            public.locator("form button.primary").click()
            if public.get_by_test_id("locked-out").count():
                return
        expect(public.get_by_test_id("locked-out")).to_be_visible()

    audit(public, "staff login, locked out", load=locked_out)

    staff = browser.new_page(viewport=LAPTOP)
    login(staff, app_server, "admin")
    audit(staff, "staff home (admin)", languages=BOTH)
    compound_id = re.search(
        r"/staff/compounds/(\d+)/roster/", staff.locator("a", has_text=re.compile("名册")).first.get_attribute("href")
    ).group(1)
    meeting_id = re.search(r"/staff/meetings/(\d+)/", links["console"]).group(1)
    staff_pages = {
        "roster": f"/staff/compounds/{compound_id}/roster/",
        "new compound from a roster": "/staff/roster/new/",
        "household codes": f"/staff/compounds/{compound_id}/credentials/",
        "slips": f"/staff/compounds/{compound_id}/credentials/slips/",
        "proposals list": f"/staff/compounds/{compound_id}/proposals/",
        "new proposal": f"/staff/compounds/{compound_id}/proposals/new/",
        "new meeting": f"/staff/compounds/{compound_id}/meetings/new/",
        "meeting settings": f"/staff/meetings/{meeting_id}/edit/",
        "new poll": f"/staff/meetings/{meeting_id}/polls/new/",
        "sign-in": f"/staff/meetings/{meeting_id}/signin/",
        "agenda item": f"/staff/meetings/{meeting_id}/agenda/1/",
    }
    for name, path in staff_pages.items():
        languages = BOTH if name in ("new proposal", "slips") else CHINESE
        audit(staff, name, load=lambda path=path: staff.goto(base + path), languages=languages)
    staff.goto(base + staff_pages["proposals list"])
    convention = staff.locator("a", has_text="公约").first.get_attribute("href")
    convention_id = re.search(r"/staff/proposals/(\d+)/", convention).group(1)
    project = staff.locator("table.list a").last.get_attribute("href")
    staff.goto(base + staff_pages["household codes"])
    reissue = staff.locator("a[href$='/reissue/']").first.get_attribute("href")
    revoke = staff.locator("a[href$='/revoke/']").first.get_attribute("href")
    audit(staff, "re-issue a code", load=lambda: staff.goto(base + reissue))
    audit(staff, "revoke a code", load=lambda: staff.goto(base + revoke))

    def roster_preview():
        staff.goto(base + staff_pages["roster"])
        staff.locator("input[type=file]").set_input_files(ROOT / "tests" / "data" / "roster-sample.csv")
        staff.get_by_role("button", name="检查文件" if audit.language == "zh-hans" else "Check the file").click()
        staff.wait_for_url(re.compile(r"/roster/uploads/\d+/"))

    audit(staff, "roster upload preview", load=roster_preview, languages=BOTH)
    audit(staff, "proposal (convention)", load=lambda: staff.goto(base + convention), languages=BOTH)
    audit(staff, "proposal (micro-project)", load=lambda: staff.goto(base + project))
    audit(public, "proposal public page", load=lambda: public.goto(f"{base}/p/{convention_id}/"), languages=BOTH)
    audit(public, "proposal notice (print)", load=lambda: public.goto(f"{base}/p/{convention_id}/notice/"))
    audit(public, "compound page", load=lambda: public.goto(f"{base}/c/{compound_id}/"))

    signer = browser.new_page(viewport=LAPTOP)
    login(signer, app_server, "juweihui")
    audit(signer, "staff home (no role)")
    audit(signer, "403", load=lambda: signer.goto(links["console"]))

    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    audit(console, "console, announced", languages=BOTH)
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(links["projector"])

    def audit_projector(state, languages=CHINESE):
        """At 1280x720, where type sized by the screen's height is smallest
        and must meet the contrast rule for normal text (at 1920x1080 it
        crosses the large-text line), and at 1920x1080 once."""
        if languages == BOTH:
            audit(projector, f"projector, {state}", languages=languages)
        projector.set_viewport_size(SMALL_PROJECTOR)
        audit(projector, f"projector 1280x720, {state}", languages=languages)
        projector.set_viewport_size(PROJECTOR)

    audit_projector("announced", languages=BOTH)
    phone = join(browser, links["residents"][0][1])
    audit(phone, "phone, announced", languages=BOTH)

    # The meeting runs: an item, a speaker.
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    console.locator("#panel-agenda li").first.get_by_role("button", name=re.compile("开始")).click()
    audit(phone, "phone, idle item")
    audit_projector("idle item")
    shoot(projector, "a11y-projector-idle-item")
    phone.locator(".stance-button").first.click()
    expect(console.locator("#panel-queue .queue-entry")).to_have_count(1)
    audit(console, "console, one waiting")
    console.get_by_role("button", name=re.compile("下一位")).click()
    expect(phone.locator(".you-have-the-floor")).to_be_visible()
    audit(phone, "phone, speaking")
    audit_projector("speaker")
    audit(console, "console, speaker")

    # A poll: open, voted, closed and revealed.
    console.get_by_role("button", name="开始表决").click()
    expect(projector.locator("#panel-poll .poll-question")).to_be_visible()
    audit(phone, "phone, poll open", languages=BOTH)
    phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
    expect(phone.locator("#my-vote .recorded")).to_contain_text("赞成")
    audit(phone, "phone, voted")
    audit_projector("poll open", languages=BOTH)
    audit(console, "console, poll open", languages=BOTH)
    worker = browser.new_page(viewport=LAPTOP)
    login(worker, app_server, "worker")
    worker.goto(links["console"])
    worker.get_by_role("link", name="录入表决").click()
    ballots = worker.url
    audit(worker, "ballots (worker)", languages=BOTH)
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    console.get_by_role("button", name="公布结果").click()
    expect(projector.locator("#panel-poll .outcome")).to_be_visible()
    audit_projector("result")
    audit(phone, "phone, result")
    audit(console, "console, result")
    certificate = re.sub(r"/staff/meetings/\d+/polls/(\d+)/ballots/", r"/polls/\1/certificate/", ballots)
    audit(worker, "certificate", load=lambda: worker.goto(certificate), languages=BOTH)
    audit(worker, "ballots, poll closed", load=lambda: worker.goto(ballots))

    # The convention: a resident's amendment, then the text adopted by a vote.
    console.locator("#panel-agenda li", has_text="居民公约").get_by_role("button", name=re.compile("开始")).click()
    expect(phone.locator("#panel-proposal .amend-link").first).to_be_visible()
    audit(phone, "phone, proposal")
    audit_projector("proposal")
    shoot(projector, "a11y-projector-proposal")
    phone.locator("#panel-proposal .amend-link").nth(2).click()
    amend = phone.url
    audit(phone, "amend form", load=lambda: phone.goto(amend), languages=BOTH)
    phone.locator("input[name=reason]").fill("更清楚")
    text = phone.locator("textarea[name=text]")
    text.fill(text.input_value() + "（修订）")
    phone.locator(".amend-form button.primary").click()
    expect(phone.locator("#panel-amendments .amendment").first).to_be_visible()
    audit(phone, "phone, amendment", load=lambda: phone.goto(links["join"]))
    audit(console, "console, amendment")
    console.locator("#panel-amendments .amendment").first.get_by_role("button", name="投影显示").click()
    expect(projector.locator("#panel-proposal .block-amendment")).to_be_visible()
    audit_projector("amendment shown")
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#panel-amendments .amendment").first.get_by_role("button", name="采纳", exact=True).click()
    expect(console.locator("#panel-proposal .proposal-head")).to_contain_text("2")
    audit(staff, "version diff", load=lambda: staff.goto(f"{base}/staff/proposals/{convention_id}/diff/1/2/"))

    console.locator("#panel-proposal").get_by_role("link", name="将提案付诸表决").click()
    audit(console, "new poll on the proposal", load=lambda: console.goto(console.url))
    console.locator("form button.primary").click()
    console.once("dialog", lambda dialog: dialog.accept())
    console.locator("#panel-poll .poll-row", has_text="居民公约").locator("button.primary").click()
    phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
    expect(phone.locator("#my-vote .recorded")).to_contain_text("赞成")
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    expect(console.get_by_role("button", name="公布结果")).to_be_visible()

    # The end: what the meeting decided, then the minutes signed and published.
    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束会议").click()
    expect(console.get_by_test_id("minutes-link")).to_be_visible()
    audit(console, "console, ended")
    audit_projector("ended")
    audit(phone, "phone, ended")
    audit(public, "join page, ended", load=lambda: public.goto(links["join"]))

    secretary = browser.new_page(viewport=LAPTOP)
    login(secretary, app_server, "secretary")
    minutes = f"{base}/staff/meetings/{meeting_id}/minutes/"
    audit(secretary, "minutes (secretary, draft)", load=lambda: secretary.goto(minutes), languages=BOTH)
    secretary.fill("#summary", "会议讨论了居民公约草案。")
    secretary.get_by_role("button", name="保存").click()
    secretary.get_by_role("button", name="提交各方签署").click()
    audit(secretary, "minutes (secretary, to sign)", load=lambda: secretary.goto(minutes))
    audit(signer, "minutes (signer)", load=lambda: signer.goto(minutes))
    for username in ("juweihui", "yeweihui", "wuye"):
        party = signer if username == "juweihui" else browser.new_page(viewport=LAPTOP)
        if party is not signer:
            login(party, app_server, username)
        party.goto(minutes)
        party.get_by_role("button", name=re.compile("代表.*签署")).click()
        expect(party.locator(".parties")).to_contain_text("由")
    expect(signer.locator("body")).to_be_visible()
    audit(secretary, "minutes (published)", load=lambda: secretary.goto(minutes))
    published = secretary.locator("a[href*='/minutes/']", has_text="第1版").get_attribute("href")
    audit(public, "compound page, with minutes", load=lambda: public.goto(f"{base}/c/{compound_id}/"))
    audit(public, "minutes (public)", load=lambda: public.goto(base + published), languages=BOTH)
    assert_dates_in_both_languages(public, base)
    audit(
        public,
        "convention registry",
        load=lambda: public.goto(f"{base}/c/{compound_id}/conventions/{convention_id}/"),
    )
    audit(
        public,
        "decision notice",
        load=lambda: public.goto(f"{base}/c/{compound_id}/meetings/{meeting_id}/decisions/"),
    )
    audit(public, "join page, minutes published", load=lambda: public.goto(links["join"]))
    audit(phone, "phone, minutes published", load=lambda: phone.goto(links["join"]))
    audit(staff, "proposal (adopted)", load=lambda: staff.goto(base + convention))
    audit(public, "proposal public page, adopted", load=lambda: public.goto(f"{base}/p/{convention_id}/"))

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "accessibility.txt").write_text(audit.summary() + audit.report() + "\n", encoding="utf-8")
    assert len(audit.audited) >= 100, audit.audited
    if audit.violations:
        pytest.fail(audit.report(), pytrace=False)
