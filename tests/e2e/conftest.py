"""Real-browser tests: the app served by Daphne in a subprocess
(tests/appserver.py), driven by Playwright through Debian's Chromium."""

import os
import re
from pathlib import Path

import pytest

from tests.appserver import ROOT, LiveServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# How long an expectation waits for the page to get there. A passing test
# waits only as long as the page takes; under `make test -n auto` a browser,
# its server and other tests share the cores, and a push that takes 100 ms on
# a quiet machine can take seconds. Speed is measured by `make bench`, not here.
EXPECT_TIMEOUT_MS = 15_000
PHONE = {"width": 360, "height": 640}
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the app server's log: which
    requests the server answered, how, and any warning (a lost push, say)."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("app_server")
    if report.failed and isinstance(server, LiveServer):
        report.sections.append(("app server log (last lines)", server.log_tail()))


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    server = LiveServer(tmp_path_factory)
    yield server
    server.close()


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module. Playwright's sync API runs an event loop
    in the main thread while it is open, which async tests and Django's
    async-unsafe checks cannot share; closed after each module, a worker
    (pytest -n) may run other tests after a browser module."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (bash .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shoot():
    """Save a screenshot under test-artifacts/ to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def shoot(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

    return shoot


def login(page, server, username):
    page.goto(server.links["login"])
    page.fill("#id_username", username)
    page.fill("#id_password", server.links["passwords"][username])
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/staff/"))
