"""An owners' meeting by the book, in a real browser (issue 15): the notice
published 15 days ahead with its topics (Hangzhou), printable with a QR
code; deliveries recorded; the roster published for checking; the meeting
opening on its day; an Art. 278 vote on an announced topic; the result
posted as provisional; a household's objection with its code; the answer on
the record; the result final once the objection window is over.

Fifteen days cannot pass in a test: where the law's clock must move, the
test moves the dates it set (`shift`), as a note in the steps says.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, login

OWNERS = "2027年第一次业主大会（演示）"


def shift(server, code):
    """Run Django code against the app server's database (the calendar moving on)."""
    server.manage("shell", "-c", "from django.utils import timezone\nfrom datetime import timedelta\n" + code)


def test_an_owners_meeting_from_notice_to_final_result(app_server, browser, shoot):
    links = app_server.links
    (label_a, link_a, _), (label_b, link_b, _), (label_c, _, code_c) = links["residents"][:3]
    staff = browser.new_page(viewport=LAPTOP)
    staff.on("dialog", lambda dialog: dialog.accept())
    login(staff, app_server, "facilitator")
    staff.goto(links["owners"])
    expect(staff.locator("#panel-deadlines")).to_contain_text("尚未发布会议公告")

    # 1. The notice, at least 15 days before the meeting opens (Hangzhou Art. 19).
    staff.get_by_test_id("notice-link").click()
    opens = timezone.localtime() + timedelta(days=14)
    staff.fill("#id_opens_at", opens.strftime("%Y-%m-%dT09:00"))
    staff.fill("#id_closes_at", (opens + timedelta(days=7)).strftime("%Y-%m-%dT18:00"))
    staff.locator("form button.primary").click()
    expect(staff.locator("p.error")).to_contain_text("15")  # too late for a meeting in 14 days
    opens = opens + timedelta(days=2)
    staff.fill("#id_opens_at", opens.strftime("%Y-%m-%dT09:00"))
    staff.fill("#id_closes_at", (opens + timedelta(days=7)).strftime("%Y-%m-%dT18:00"))
    staff.fill("#id_body", "请各位业主在表决期内通过手机或纸质表决票表决。")
    staff.locator("form button.primary").click()
    expect(staff.get_by_test_id("notice-1")).to_contain_text("续聘物业服务企业")

    public = browser.new_page(viewport=PHONE)
    public.goto(app_server.base + staff.get_by_test_id("notice-1").get_by_role("link").first.get_attribute("href"))
    expect(public.locator(".notice-sheet .topics li")).to_have_count(2)
    expect(public.locator(".notice-qr img")).to_be_visible()
    shoot(public, "owners-01-notice-phone")

    # 2. Service: a building volunteer's list of deliveries, and the roster for checking.
    staff.goto(links["owners"])
    staff.get_by_test_id("service-link").click()
    staff.get_by_test_id("service-batch").locator("textarea").fill(f"{label_b}\n{label_c}\n")
    staff.get_by_test_id("service-batch").locator("select").select_option("at_door")
    staff.get_by_test_id("service-batch").locator("button").click()
    expect(staff.get_by_test_id("service-count")).to_contain_text("2")
    staff.goto(links["owners"])
    staff.get_by_test_id("roster-check-staff-link").click()
    staff.locator("button[value=publish]").click()
    expect(staff.locator(".messages")).to_contain_text("名册")

    # The calendar moves on to the opening day (the notice said 16 days ahead).
    shift(
        app_server,
        f"from meetings.models import Notice\nNotice.objects.filter(meeting__title={OWNERS!r}).update("
        "published_at=timezone.now() - timedelta(days=16, hours=1), opens_at=timezone.now() - timedelta(hours=1), "
        "closes_at=timezone.now() + timedelta(days=7))",
    )

    # 3. The meeting opens; an Art. 278 vote on the first announced topic.
    staff.goto(links["owners"])
    staff.locator("#panel-status button[value=open]").click()
    expect(staff.locator("#panel-status")).to_contain_text("进行中")
    staff.locator("#panel-poll").get_by_role("link", name="新建表决").click()
    staff.fill("#id_title", "续聘现物业服务企业")
    staff.locator("#id_item").select_option(label="续聘物业服务企业")
    staff.locator("#id_rule").select_option("civil-code-ordinary")
    staff.locator("#id_scope").select_option("compound")
    staff.locator("form button.primary").click()
    staff.wait_for_url(re.compile(r"/staff/meetings/\d+/$"))
    staff.locator("#panel-poll button[hx-vals*=open]").click()
    expect(staff.locator("#panel-poll .poll-row.status-open")).to_have_count(1)

    phones = []
    for link, choice in ((link_a, "for"), (link_b, "against")):
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(link)
        phone.get_by_role("button").filter(has_text="业主大会").click()
        phone.locator(f"#panel-poll button[value={choice}]").click()
        expect(phone.locator("#my-vote")).to_contain_text("回执")
        phones.append(phone)
    shoot(phones[0], "owners-02-phone-voted")

    # 4. Voting closes; the result is posted as provisional (询异).
    staff.locator("#panel-poll button[hx-vals*=close]").click()
    staff.get_by_test_id("publication-link").click()
    staff.locator("button[value=post]").click()
    expect(staff.get_by_test_id("result-state")).to_contain_text("暂定结果")
    result_url = staff.get_by_test_id("result-public-link").get_attribute("href")

    # 5. A household objects on the public page with the code on its slip.
    resident = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    resident.goto(app_server.base + result_url)
    expect(resident.get_by_test_id("result-state")).to_contain_text("暂定结果")
    resident.fill("#objection-code", code_c)
    resident.fill("#objection-text", "我家没有收到纸质表决票。")
    resident.locator("#objections button.primary").click()
    expect(resident.locator(".messages")).to_contain_text("异议已记录")
    expect(resident.get_by_test_id("objection")).to_contain_text("没有收到纸质表决票")
    shoot(resident, "owners-03-objection-phone")

    # 6. Staff answer on the record; once the window is over the result is final.
    staff.reload()
    staff.locator("input[name=answer]").fill("经核实，该户已于开会前留置送达，有送达记录。")
    staff.locator("button[value=answer]").click()
    expect(staff.get_by_test_id("objection")).to_contain_text("留置送达")
    expect(staff.locator("button[value=final]")).to_be_disabled()  # the window is still open
    shift(
        app_server,
        "from voting.models import Poll\nPoll.objects.filter(meeting__title="
        f"{OWNERS!r}).update(objections_until=timezone.now() - timedelta(minutes=1))",
    )
    staff.reload()
    staff.locator("button[value=final]").click()
    expect(staff.get_by_test_id("result-state")).to_contain_text("最终结果")

    resident.reload()
    expect(resident.get_by_test_id("result-state")).to_contain_text("最终结果")
    expect(resident.get_by_test_id("objection")).to_contain_text("有送达记录")
    expect(resident.locator("#objection-code")).to_have_count(0)  # no more objections
    shoot(resident, "owners-04-final-phone")

    staff.goto(links["owners"])
    expect(staff.locator("#panel-deadlines [data-deadline=objections]")).to_have_class(re.compile("state-met"))
    expect(staff.locator("#panel-deadlines [data-deadline=notice]")).to_have_class(re.compile("state-met"))
    shoot(staff, "owners-05-console-deadlines")
