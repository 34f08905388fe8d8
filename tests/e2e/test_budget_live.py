"""A participatory budget end to end in real browsers (issue 17).

The demo's budget meeting shares 60,000 yuan of the district's fund among
five micro-projects costing 100,900. Six phones vote by approval: four
households want the play-area mats, the parcel lockers and the benches,
two want the stairwell lights. "Most approvals first" would give the four
all of it (54,300); by equal shares each household holds 10,000, so the two
pay for their lights, and the mats, which the four can no longer afford
from what they have left, go unfunded, with the numbers said. The
projector, the phones and the certificate explain it.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, PROJECTOR, login
from tests.e2e.test_accessibility import BOTH, Audit

MATS, LOCKERS, BENCHES, LIGHTS, CHARGERS = (
    "儿童游乐区更换地垫",
    "东门增设快递柜",
    "老年人休闲座椅",
    "楼道加装感应灯",
    "自行车棚加装充电桩",
)

# Six households' links, and the budget meeting's projector, from the server's database.
LINKS = """
from compounds import credentials
from compounds.models import Household
from meetings.models import Meeting
meeting = Meeting.objects.get(title__startswith="2027年微项目资金分配会")
print("PROJECTOR", f"/m/{meeting.code}/projector/?key={meeting.projector_key}")
homes = Household.objects.filter(compound=meeting.compound, kind="residence", is_active=True).order_by("pk")[:6]
for household in homes:
    print("HOME", household.label, "/h/" + credentials.active_credential(household).code + "/")
"""


def test_a_budget_round_of_five_projects_with_six_phones(app_server, browser, shoot):
    audit = Audit(app_server.base)  # axe-core on each new page, in both languages
    console_url = re.search(r"Participatory budget \(equal shares\): (\S+)", app_server.demo_output).group(1)
    found = app_server.manage("shell", "-c", LINKS)
    projector_path = re.search(r"^PROJECTOR (\S+)$", found, re.M).group(1)
    homes = re.findall(r"^HOME (\S+) (\S+)$", found, re.M)
    assert len(homes) == 6

    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(console_url)
    console.get_by_role("button", name=re.compile("开始会议")).click()
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(app_server.base + projector_path)

    phones = []
    for label, path in homes:
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto(app_server.base + path)
        phone.get_by_role("button").filter(has_text="资金分配会").click()
        expect(phone.locator(".phone-bar .who")).to_have_text(label)
        phones.append(phone)

    # Preparing a round: the budget's own fields, and none of a choice's.
    form = browser.new_page(viewport=LAPTOP)
    login(form, app_server, "facilitator")
    form.goto(console_url)
    form.get_by_role("link", name="新建表决").click()
    form.select_option("#id_kind", "budget")
    expect(form.locator("#id_fund")).to_be_visible()
    expect(form.locator("#id_budget")).to_be_visible()
    expect(form.locator("#id_seats")).to_be_hidden()
    expect(form.locator("#id_rule")).to_be_hidden()
    audit(form, "budget form", load=lambda: (form.reload(), form.select_option("#id_kind", "budget")), languages=BOTH)
    form.locator("#id_budget").scroll_into_view_if_needed()
    shoot(form, "budget-form")
    form.close()

    console.get_by_role("button", name="开始表决").click()
    expect(projector.locator("#panel-poll .poll-question")).to_have_text("2027年微项目资金分配")

    def approve(phone, projects, worth):
        ballot = phone.locator("#panel-poll .budget-ballot")
        for project in projects:
            ballot.locator("label", has_text=project).locator("input").check()
        # The running total, added up on the phone as the boxes are ticked.
        expect(ballot.locator(".budget-total")).to_contain_text(worth)
        ballot.get_by_role("button", name="提交我的选择").click()
        expect(phone.get_by_test_id("budget-mine")).to_contain_text(f"您赞成的项目合计{worth}")

    audit(phones[0], "budget ballot", languages=BOTH)
    expect(phones[0].locator(".budget-ballot")).to_contain_text("区级微治理引导资金：共¥60,000")
    expect(phones[0].locator(".budget-ballot label", has_text=CHARGERS)).to_contain_text("¥38,000")
    for phone in phones[:4]:
        approve(phone, [MATS, LOCKERS, BENCHES], "¥54,300")
    shoot(phones[0], "budget-phone-ballot")
    for phone in phones[4:]:
        approve(phone, [LIGHTS], "¥8,600")
    expect(projector.get_by_test_id("ballots-cast")).to_have_text("6")

    console.once("dialog", lambda dialog: dialog.accept())
    console.get_by_role("button", name="结束并计票").click()
    console.get_by_role("button", name="公布结果").click()

    result = projector.get_by_test_id("budget-result")
    expect(result).to_contain_text("资助3个项目：用去¥60,000中的¥36,400，结余¥23,600。")
    expect(result).to_contain_text("6户投票；每户平均分得资金：¥60,000 ÷ 6 = ¥10,000。")
    expect(result.locator("tr", has_text=BENCHES)).to_contain_text("获资助（第1个）")
    expect(result.locator("tr", has_text=BENCHES)).to_contain_text("4户各付¥3,200")
    expect(result.locator("tr", has_text=LIGHTS)).to_contain_text("2户各付¥4,300")
    expect(result.locator("tr", has_text=MATS)).to_contain_text(
        "它的4户支持者份额只剩¥12,200，项目需¥26,500（差¥14,300）。"
    )
    expect(result.locator("tr", has_text=CHARGERS)).to_contain_text("没有住户赞成。")
    expect(result).to_contain_text(f"作为对比，若按“得票多者优先”，将资助：{BENCHES}、{LOCKERS}、{MATS}（¥54,300）。")
    shoot(projector, "budget-projector-result")
    audit(projector, "budget result on the projector", languages=BOTH)

    # Each phone: the explained result, and what its own share paid for.
    expect(phones[0].get_by_test_id("budget-result")).to_contain_text("结余¥23,600")
    expect(phones[0].get_by_test_id("budget-mine")).to_contain_text("您家在这笔资金中的份额：¥10,000，共支付¥6,950")
    expect(phones[0].get_by_test_id("budget-mine")).to_contain_text(f"{BENCHES} ¥3,200")
    expect(phones[5].get_by_test_id("budget-mine")).to_contain_text(f"共支付¥4,300：{LIGHTS} ¥4,300。")
    shoot(phones[0], "budget-phone-result")
    audit(phones[0], "budget result on a phone", languages=BOTH)
    expect(phones[0].get_by_test_id("budget-mine")).to_contain_text("共支付¥6,950")
    phones[0].get_by_text("怎么算的？").click()
    expect(phones[0].locator(".budget-greedy")).to_be_visible()
    phones[5].get_by_test_id("budget-mine").scroll_into_view_if_needed()
    shoot(phones[5], "budget-phone-minority")

    with console.expect_popup() as popup:
        console.get_by_role("link", name="结果证明").click()
    certificate = popup.value
    expect(certificate.get_by_test_id("budget-result")).to_contain_text("平等份额法")
    expect(certificate.locator("table.compact")).to_contain_text(f"{LIGHTS} ¥4,300")
    certificate.set_viewport_size(LAPTOP)
    shoot(certificate, "budget-certificate")
    audit(certificate, "budget certificate", languages=BOTH)
    assert not audit.violations, audit.report()
