"""``marketdesk demo``: the local webhook receiver it starts, and the loopback allowance
that only its processes get."""

import json
import sys
import threading
import urllib.request

from django.conf import settings as django_settings
from typer.testing import CliRunner

from marketdesk import cli
from marketdesk.notify import vendors
from marketdesk.notify.models import WebhookEndpoint

runner = CliRunner()


def _captured_serve(monkeypatch):
    calls = []
    monkeypatch.setattr(cli, "collectstatic_if_stale", lambda: False)
    monkeypatch.setattr(cli, "supervise",
                        lambda commands, env=None: calls.append((commands, env)) or 0)
    return calls


def test_demo_serving_adds_the_receiver_and_the_loopback_allowance(monkeypatch):
    calls = _captured_serve(monkeypatch)
    cli._serve("127.0.0.1", 8000, with_worker=True, reload=False, demo=True)
    [(commands, env)] = calls
    assert len(commands) == 3
    assert commands[2] == [sys.executable, "-m", "marketdesk.cli", "webhook-receiver",
                           "--port", "8765"]
    assert env == {"MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP": "true"}


def test_plain_serving_has_neither(monkeypatch):
    calls = _captured_serve(monkeypatch)
    result = runner.invoke(cli.app, ["serve"])
    assert result.exit_code == 0, result.output
    [(commands, env)] = calls
    assert [c[3] for c in commands] == ["runserver", "run_worker"]
    assert env is None


def test_supervise_passes_the_extra_environment(tmp_path):
    out = tmp_path / "flag"
    script = (f"import os, pathlib; pathlib.Path({str(out)!r}).write_text("
              "os.environ.get('MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP', '-'))")
    code = cli.supervise([[sys.executable, "-c", script]],
                         env={"MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP": "true"})
    assert code == 0
    assert out.read_text() == "true"


def test_demo_command_creates_the_webhook_without_changing_the_settings(db):
    result = runner.invoke(cli.app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert list(WebhookEndpoint.objects.values_list("vendor", "url")) == [
        ("feishu", "http://127.0.0.1:8765/feishu/product-marketing")]
    assert django_settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP is False


def _post(port: int, path: str, payload: dict) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.headers["Content-Type"], response.read()


def test_the_receiver_prints_messages_and_answers_like_the_chat_tool():
    printed = []
    server = cli.make_receiver("127.0.0.1", 0, out=printed.append)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        feishu = vendors.build_payload("feishu", title="复盘已开启 Retrospective open",
                                       body="第一行\nsecond line", link="http://x.test/e/1",
                                       link_label="Open in MarketDesk", language="zh-hans")
        assert _post(port, "/feishu/product-marketing", feishu) == (
            200, "application/json", b'{"code": 0, "msg": "success"}')
        slack = vendors.build_payload("slack", title="Review due", body="Plan review",
                                      link="http://x.test/e/2", link_label="Open")
        assert _post(port, "/slack/x", slack) == (200, "text/plain; charset=utf-8", b"ok")
    finally:
        server.shutdown()
        server.server_close()
    assert printed[0] == ("— chat message to /feishu/product-marketing —\n"
                          "复盘已开启 Retrospective open\n第一行\nsecond line\nhttp://x.test/e/1")
    assert printed[1] == ("— chat message to /slack/x —\nReview due\nPlan review\n"
                          "<http://x.test/e/2|Open>")
