"""Browser tests: real headless Chromium (Debian's package) driven by Playwright.

We never let Playwright download a browser (no internet); we launch the system Chromium with
`executable_path`. The flags keep Chromium from reaching for the network at start-up.

Every test gets a fresh browser context whose ``base_url`` is the live server, so
``page.goto("/strategy/products/")`` works. When MARKETDESK_TEST_ARTIFACTS is set, the
last state of each test's page is saved there as ``<test name>.png``.
"""

import os
import re
import shutil

import pytest

from tests.conftest import PASSWORD

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Same glyph shapes on every machine: no sub-pixel hinting differences in screenshots.
    "--font-render-hinting=none",
]


def _chromium_path() -> str:
    path = os.environ.get("MARKETDESK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium not found: install Debian's `chromium` (make test does) or set MARKETDESK_CHROMIUM.")
    return path


def artifact_path(name: str) -> str | None:
    """Where a screenshot called ``name`` goes, or None when artifacts are not kept."""
    directory = os.environ.get("MARKETDESK_TEST_ARTIFACTS")
    if not directory:
        return None
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, re.sub(r"[^A-Za-z0-9_.-]+", "_", name))


def arrive(page, path: str) -> None:
    """Wait until a full page load of ``path`` is over. Clicking a link waits only for the
    new document to start, and HTMX and the shortcuts are deferred scripts: a test that
    acts at once could beat them (a person cannot)."""
    from playwright.sync_api import expect

    expect(page).to_have_url(page.base_url + path)
    page.wait_for_load_state("load")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def warm_server(live_server):
    """Serve the first page and its static files once, outside any test's time limits:
    the first request imports the URL conf, compiles templates, loads the catalogues and
    lets WhiteNoise index the static files — seconds on a busy machine."""
    from urllib.request import urlopen

    with urlopen(f"{live_server.url}/accounts/login/", timeout=120) as response:
        html = response.read().decode()
    for asset in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html))):
        with urlopen(f"{live_server.url}{asset}", timeout=120) as response:
            response.read()
    return live_server


@pytest.fixture
def page(browser, warm_server, live_server, settings, request):
    settings.ALLOWED_HOSTS = ["*"]
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900},
                                  base_url=live_server.url)
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    path = artifact_path(f"{request.node.name}.png")
    if path:
        pg.screenshot(path=path, full_page=True)
    context.close()


@pytest.fixture
def login():
    """Sign in through the login form, as a person would; lands on the home page."""
    from playwright.sync_api import expect

    def sign_in(page, user):
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form:has(#id_password) button[type=submit]").click()
        arrive(page, "/")
        expect(page.locator("#global-search")).to_be_visible()

    return sign_in
