"""The facilitator's console from the keyboard (issue 14): Tab reaches every
control in reading order, each shows where the focus is, and the shortcuts
(N next speaker, Space pause/resume, I next item) never fire while typing
in a field nor take Space from a focused button."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LAPTOP, PHONE, login

# What the page has focused: where it is in the document, its name, and
# what marks it (outline or box shadow), as computed while it has the focus.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  return {
    order: Array.prototype.indexOf.call(document.querySelectorAll("*"), el),
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "").trim().slice(0, 40),
    tabindex: el.tabIndex,
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    shadow: style.boxShadow,
    width: rect.width,
    height: rect.height,
  };
}"""


@pytest.fixture(autouse=True)
def close_pages(browser):
    """Close this test's pages (their sockets) before the next test or the server's stop."""
    before = set(browser.contexts)
    yield
    for context in set(browser.contexts) - before:
        context.close()


def marked(focused):
    """A focus mark one can see: a real outline (not none, 2px or more, not
    transparent) or a box shadow."""
    outline = (
        focused["outline"] not in ("none", "hidden")
        and focused["outlineWidth"] >= 2
        and focused["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    )
    return outline or focused["shadow"] != "none"


def tab_through(page, limit=300):
    """Press Tab from the top of the page until the focus leaves it."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (seen and focused["order"] == seen[0]["order"]):
            break
        seen.append(focused)
    return seen


def test_tab_order_and_visible_focus_on_the_console(app_server, browser, shoot):
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    console.get_by_role("button", name=re.compile("开始会议")).click()
    # The console's panels come back with the meeting open: a click before
    # that lands on the panel being replaced.
    expect(console.locator("#panel-status .badge")).to_have_text("进行中")
    console.locator("#panel-agenda li").first.get_by_role("button", name=re.compile("开始")).click()
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto(links["residents"][0][1])
    phone.get_by_role("button").filter(has_text="议事会").click()
    expect(phone.locator("body")).to_have_attribute("data-connection", "online")
    phone.locator(".stance-button").first.click()
    expect(console.locator("#panel-queue .queue-entry")).to_have_count(1)
    expect(console.locator("body")).to_have_attribute("data-connection", "online")

    seen = tab_through(console)
    names = [focused["name"] for focused in seen]
    assert len(seen) > 15, names
    # Reading order: the document's order (no positive tabindex reorders it).
    assert [f["order"] for f in seen] == sorted(f["order"] for f in seen), names
    assert all(f["tabindex"] <= 0 for f in seen), names
    for name in ("下一位发言", "开始表决", "加入排队"):
        assert any(n.startswith(name) for n in names), (name, names)
    unmarked = [
        f"{f['tag']} {f['name']!r}: outline {f['outline']} {f['outlineWidth']}px" for f in seen if not marked(f)
    ]
    assert not unmarked, "focused without a visible mark:\n" + "\n".join(unmarked)
    assert all(f["width"] > 0 and f["height"] > 0 for f in seen), [f for f in seen if not f["width"]]

    # A focused control shows its mark (looked at in the screenshot).
    console.get_by_role("button", name=re.compile("下一位发言")).focus()
    console.keyboard.press("Shift+Tab")
    console.keyboard.press("Tab")
    shoot(console, "a11y-console-focus")


def test_shortcuts_never_fire_while_typing_nor_take_space_from_a_button(app_server, browser):
    """After the previous test (same meeting): the first item is on, one household waits."""
    links = app_server.links
    console = browser.new_page(viewport=LAPTOP)
    login(console, app_server, "facilitator")
    console.goto(links["console"])
    expect(console.locator("body")).to_have_attribute("data-connection", "online")
    speaker = console.locator("#panel-speaker")
    current = console.locator("#panel-agenda .agenda-item.current")
    expect(current).to_contain_text("加装电梯")
    expect(speaker).not_to_have_class(re.compile("has-speaker"))

    # Typing a name with n, i and spaces in it into the console's field moves nothing.
    field = console.locator("#add-hand-who")
    field.click()
    console.keyboard.type("Nina in 3 i n")
    expect(field).to_have_value("Nina in 3 i n")
    console.wait_for_timeout(500)
    expect(speaker).not_to_have_class(re.compile("has-speaker"))
    expect(current).to_contain_text("加装电梯")

    # Out of the field, N gives the floor and Space pauses and resumes the speech.
    console.locator("h1").click()
    console.keyboard.press("n")
    expect(speaker).to_have_class(re.compile("has-speaker"))
    console.keyboard.press(" ")
    expect(speaker).to_have_class(re.compile("paused"))
    console.keyboard.press(" ")
    expect(speaker).not_to_have_class(re.compile("paused"))

    # Space on a focused button presses that button, not the pause shortcut.
    console.get_by_role("button", name="结束发言").focus()
    console.keyboard.press(" ")
    expect(speaker).not_to_have_class(re.compile("has-speaker"))

    # I moves to the next item.
    console.locator("h1").click()
    console.keyboard.press("i")
    expect(current).to_contain_text("自行车棚")
