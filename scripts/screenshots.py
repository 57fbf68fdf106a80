#!/usr/bin/env python
"""Make the screenshots of the events user guide (docs/user-guide/events.md).

    .venv/bin/python scripts/screenshots.py [--out docs/user-guide/img] [--keep]

Starts from nothing: a fresh temporary data directory (MARKETDESK_DATA_DIR), the database
migrated and the demo company loaded (``marketdesk demo --no-serve``), the app served on
a free local port (``marketdesk serve --no-worker``), then Debian's Chromium (driven by
Playwright, never downloaded) signs in as the demo users and saves one PNG per page.
Everything it started is stopped and the data directory removed at the end (``--keep``
keeps it and prints where it is).

Needs Chromium and the CJK fonts: ``bash scripts/ensure-debs.sh chromium fonts-wqy-microhei``.
The demo's dates are relative to the day it is loaded, so the pictures change from day
to day; what they show does not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "marketdesk-demo"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage", "--font-render-hinting=none"]

# The demo records the pictures show, looked up by name in the freshly loaded demo.
LOOKUP = r"""
import json, django
django.setup()
from marketdesk.events.models import Event
from marketdesk.sop.models import ProcessDefinition
def event(name):
    return Event.objects.get(name__contains=name).pk
print(json.dumps({
    "timeline_event": event("DevOps"),          # final reviews: done, due and overdue
    "retro_event": event("MarTech Summit"),     # retrospective opened at N+5
    "summit_definition": ProcessDefinition.objects.filter(
        key="event-summit", team__isnull=True).order_by("-version").first().pk,
}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"screenshots: the server did not answer at {url}") from None
            time.sleep(0.5)


def sign_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    # The demo users prefer Chinese (sign-in sets the language cookie from the profile):
    # an English context switches its cookie back, as the language switcher would.
    if (context.pages[0].evaluate("navigator.language") or "").startswith("en"):
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    return page


def show(page, base: str, path: str, *, wait_for_selector: str | None = None,
         scroll_to: str | None = None) -> None:
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    if wait_for_selector:
        page.locator(wait_for_selector).first.wait_for()
    if scroll_to:
        page.locator(scroll_to).first.scroll_into_view_if_needed()
        # Put the element's top just under the top bar rather than at the bottom edge.
        page.evaluate("""sel => { const el = document.querySelector(sel);
            window.scrollTo(0, Math.max(0, el.getBoundingClientRect().top + window.scrollY - 70)); }""",
                      scroll_to)
    page.wait_for_timeout(300)  # fonts and the last HTMX swap


def shoot(page, out: Path, name: str, made: list[Path]) -> None:
    path = out / name
    page.screenshot(path=str(path), full_page=False, type="png")
    made.append(path)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
          f"({path.stat().st_size // 1024} KB)")


def take(base: str, ids: dict, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("MARKETDESK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    made: list[Path] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            en = browser.new_context(locale="en-US", viewport=VIEWPORT, timezone_id="Asia/Shanghai")
            zh = browser.new_context(locale="zh-CN", viewport=VIEWPORT, timezone_id="Asia/Shanghai")
            for context in (en, zh):
                context.set_default_timeout(30_000)

            page = sign_in(en, base, "leader")
            show(page, base, "/events/board/")
            shoot(page, out, "events-board.png", made)
            show(page, base, "/events/")
            shoot(page, out, "events-ranked-list.png", made)
            show(page, base, f"/events/{ids['timeline_event']}/", scroll_to=".sop-timeline")
            shoot(page, out, "event-timeline.png", made)
            show(page, base, f"/sop/definitions/{ids['summit_definition']}/", wait_for_selector="svg")
            shoot(page, out, "process-flowchart.png", made)
            show(page, base, "/calendar/")
            shoot(page, out, "calendar.png", made)
            show(page, base, f"/events/{ids['retro_event']}/retrospective/")
            shoot(page, out, "event-retrospective.png", made)

            page = sign_in(en, base, "director")
            show(page, base, "/sop/reviews/")
            shoot(page, out, "review-inbox.png", made)

            page = sign_in(zh, base, "leader")
            show(page, base, f"/events/{ids['timeline_event']}/", scroll_to=".sop-timeline")
            shoot(page, out, "event-timeline-zh.png", made)
        finally:
            browser.close()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "user-guide" / "img")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    data_dir = Path(tempfile.mkdtemp(prefix="marketdesk-screenshots-"))
    env = {**os.environ, "MARKETDESK_DATA_DIR": str(data_dir), "MARKETDESK_LANGUAGE": "en",
           "DJANGO_SETTINGS_MODULE": "marketdesk.settings"}
    for name in ("DATABASE_URL", "MARKETDESK_FACTS_DIR", "MARKETDESK_STATIC_ROOT", "MARKETDESK_ENV"):
        env.pop(name, None)
    server = None
    try:
        print(f"screenshots: loading the demo into {data_dir}")
        subprocess.run([str(BIN / "marketdesk"), "demo", "--no-serve"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        ids = json.loads(subprocess.run([str(BIN / "python"), "-c", LOOKUP], env=env, check=True,
                                        capture_output=True, text=True).stdout)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"screenshots: serving on {base}")
        server = subprocess.Popen([str(BIN / "marketdesk"), "serve", "--port", str(port), "--no-worker"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        wait_for(f"{base}/accounts/login/")
        made = take(base, ids, args.out)
        total = sum(p.stat().st_size for p in made)
        print(f"screenshots: {len(made)} pictures, {total / 1024:.0f} KB in all")
        return 0
    finally:
        if server is not None:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
        if args.keep:
            print(f"screenshots: data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
