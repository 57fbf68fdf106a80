"""Browser tests: real headless Chromium (Debian's package) driven by Playwright.

Never `playwright install` (it downloads a browser); we launch the system Chromium with
`executable_path`. The flags keep Chromium from reaching for the network at start-up.
"""

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str:
    path = os.environ.get("MARKETDESK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's `chromium` (make test does) or set MARKETDESK_CHROMIUM.")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server, settings, tmp_path):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    artifacts = os.environ.get("MARKETDESK_TEST_ARTIFACTS")
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
        pg.screenshot(path=os.path.join(artifacts, "last-page.png"), full_page=True)
    context.close()
