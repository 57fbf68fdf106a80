"""The tracking snippet in a real browser (O14): a page on another site includes
md-track.js from MarketDesk; a visit with UTM parameters, a click and a form submission
arrive at /collect (sendBeacon, cross-origin text/plain) and are stored exactly."""

import hashlib
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from marketdesk.metrics import store

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def other_site():
    """Another site on the loopback interface: a real HTTP server (so Chromium places the
    page in the loopback address space, as it would the customer's own web server on a
    developer machine) serving ``landing`` and ``thanks``. Yields (origin, set_html)."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — http.server's name
            path = urlsplit(self.path).path.strip("/")
            body = pages.get(path, "<!doctype html><p>Thanks</p>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


def landing(server, site):
    return f"""<!doctype html><html><head><title>Acme</title>
<script src="{server}/static/metrics/md-track.js" data-md-flush-ms="60000"></script></head>
<body><button data-md-click="cta_click">Book a demo</button>
<form data-md-identify="demo-request" action="{site}/thanks" method="get">
<input type="email" name="email"><button type="submit" id="send">Send</button></form>
</body></html>"""


def stored(table, columns, order="epoch_us(ts), event_type"):
    con = store.duckdb_connection([table])
    try:
        return [dict(zip(columns, r, strict=True)) for r in con.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()]
    finally:
        con.close()


def wait_for(table, count, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if store.files(table):
            con = store.duckdb_connection([table])
            n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            con.close()
            if n >= count:
                return
        time.sleep(0.1)
    pytest.fail(f"{table}: fewer than {count} rows arrived")


@pytest.mark.django_db(transaction=True)
def test_snippet_sends_page_view_click_and_identify(page, live_server, settings, other_site):
    site, pages = other_site
    settings.MARKETDESK_COLLECT_ORIGINS = [site]
    pages["landing"] = landing(live_server.url.replace("127.0.0.1", "localhost"), site)
    page.goto(f"{site}/landing?utm_source=Baidu&utm_medium=CPC&utm_campaign=Spring_Launch")
    page.wait_for_function("window.mdTrack && window.mdTrack.version === 1")
    anon = page.evaluate("mdTrack.anonymousId()")
    assert UUID.match(anon)
    assert page.evaluate("localStorage.getItem('_mdid')") == anon
    assert f"_mdid={anon}" in page.evaluate("document.cookie")
    page.get_by_role("button", name="Book a demo").click()
    page.locator("input[type=email]").fill("Ada@Example.com")
    page.locator("#send").click()
    page.wait_for_url(f"{site}/thanks**")
    wait_for("touchpoints", 3)
    wait_for("identities", 1)
    person = "email:" + hashlib.sha256(b"ada@example.com").hexdigest()
    url = f"{site}/landing?utm_source=Baidu&utm_medium=CPC&utm_campaign=Spring_Launch"
    rows = stored("touchpoints", ["event_id", "event_type", "anonymous_id", "person_id",
                                  "channel", "source", "medium", "campaign", "url", "referrer",
                                  "properties", "origin"])
    assert all(UUID.match(r.pop("event_id")) for r in rows)
    common = {"anonymous_id": anon, "person_id": person, "channel": "paid_search",
              "source": "baidu", "medium": "cpc", "campaign": "spring_launch", "url": url,
              "referrer": None, "origin": "collector"}
    # One batch (flushed by the submission): the identity is stored first, so the page
    # view and the click of the same visit are stitched to the person at once.
    assert rows == [
        {"event_type": "page_view", **common, "properties": None},
        {"event_type": "cta_click", **common, "properties": '{"text":"Book a demo"}'},
        {"event_type": "form_submit", **common, "properties": '{"form":"demo-request"}'},
    ]
    assert stored("identities", ["anonymous_id", "person_id", "email_hash", "origin"],
                  order="ts") == [
        {"anonymous_id": anon, "person_id": person,
         "email_hash": hashlib.sha256(b"ada@example.com").hexdigest(), "origin": "collector"}]
