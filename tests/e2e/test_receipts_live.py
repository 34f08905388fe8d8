"""A phone's ballot receipt in a real browser: shown with the recorded vote,
still there after a reload (static/js/vote.js keeps it on the phone: the
server has only its hash), and found on the public receipt page."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, login

CODE = re.compile(r"^[34679ACDEFGHJKMNPQRTUVWXY]{5}-[34679ACDEFGHJKMNPQRTUVWXY]{5}$")


def test_a_phone_keeps_its_receipt_and_the_public_page_finds_it(app_server, browser):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    label, link, _code = links["residents"][0]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(link)
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator(".phone-bar .who")).to_have_text(label)
    console.get_by_role("button", name="开始表决").click()

    phone.locator(".vote-buttons").get_by_role("button", name="赞成").click()
    receipt = phone.locator("#my-vote .receipt-code")
    expect(receipt).to_have_text(CODE)
    code = receipt.inner_text()

    phone.reload()  # the server sends the receipt's id only; the phone shows the code it kept
    expect(phone.locator("#my-vote .receipt-code")).to_have_text(code)

    check = context.new_page()
    check.goto(app_server.base + "/receipt/")
    check.fill("#id_code", code.lower())
    check.locator("form button.primary").click()
    expect(check.locator(".receipt-result.state-recorded")).to_be_visible()
    expect(check.locator(".receipt-result")).to_contain_text("同意建设自行车棚")
    # Both pages as axe-core reads them (tests/e2e/test_accessibility.py: serious or critical fails).
    for page in (phone, check):
        violations = Axe().run(page).response["violations"]
        assert not [(v["id"], v["impact"]) for v in violations if v["impact"] in ("serious", "critical")]
