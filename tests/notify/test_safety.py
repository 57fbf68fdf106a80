"""SSRF safety of webhook addresses: checked on save, again at send time, pinned."""

import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from marketdesk.notify import services, transport
from marketdesk.notify.models import Delivery, DeliveryAttempt, WebhookEndpoint
from marketdesk.notify.safety import ResolvedTarget, parse_numeric_host, validate_webhook_url
from tests.notify.conftest import PUBLIC_IP

CERTS = Path(__file__).parent / "certs"
ROOT = Path(__file__).resolve().parents[2]
PUBLIC = "public internet addresses."


def refusal(url, **kwargs):
    with pytest.raises(ValidationError) as info:
        validate_webhook_url(url, **kwargs)
    errors = info.value.error_dict["url"]
    assert len(errors) == 1
    return errors[0].code, errors[0].messages[0]


@pytest.mark.parametrize(("url", "message"), [
    ("https://127.0.0.1/hook", f"127.0.0.1 is a loopback address; a webhook may only reach {PUBLIC}"),
    ("https://[::1]/hook", f"::1 is a loopback address; a webhook may only reach {PUBLIC}"),
    ("https://0x7f000001/hook",
     f"0x7f000001 means 127.0.0.1, which is a loopback address; a webhook may only reach {PUBLIC}"),
    ("https://2130706433/hook",
     f"2130706433 means 127.0.0.1, which is a loopback address; a webhook may only reach {PUBLIC}"),
    ("https://017700000001/hook",
     f"017700000001 means 127.0.0.1, which is a loopback address; a webhook may only reach {PUBLIC}"),
    ("https://127.1/hook",
     f"127.1 means 127.0.0.1, which is a loopback address; a webhook may only reach {PUBLIC}"),
    ("https://169.254.169.254/latest/meta-data/",
     f"169.254.169.254 is a link-local address; a webhook may only reach {PUBLIC}"),
    ("https://10.0.0.1/hook", f"10.0.0.1 is a private address; a webhook may only reach {PUBLIC}"),
    ("https://172.16.0.1/hook", f"172.16.0.1 is a private address; a webhook may only reach {PUBLIC}"),
    ("https://192.168.1.1/hook", f"192.168.1.1 is a private address; a webhook may only reach {PUBLIC}"),
    ("https://[::ffff:127.0.0.1]/hook",
     f"::ffff:127.0.0.1 is an IPv6 form of a loopback address (127.0.0.1); a webhook may only reach {PUBLIC}"),
    ("https://[::ffff:0:7f00:1]/hook",
     f"::ffff:0:7f00:1 is an IPv6 form of a loopback address (127.0.0.1); a webhook may only reach {PUBLIC}"),
    ("https://[64:ff9b::a00:1]/hook",
     f"64:ff9b::a00:1 is an IPv6 form of a private address (10.0.0.1); a webhook may only reach {PUBLIC}"),
    ("https://[fc00::1]/hook", f"fc00::1 is a private address; a webhook may only reach {PUBLIC}"),
    ("https://[fe80::1]/hook", f"fe80::1 is a link-local address; a webhook may only reach {PUBLIC}"),
    ("https://0.0.0.0/hook", f"0.0.0.0 is an unspecified address; a webhook may only reach {PUBLIC}"),
    ("https://224.0.0.1/hook", f"224.0.0.1 is a multicast address; a webhook may only reach {PUBLIC}"),
    ("https://100.64.0.1/hook", f"100.64.0.1 is a non-public address; a webhook may only reach {PUBLIC}"),
])
def test_non_public_addresses_are_refused_with_the_reason(url, message):
    assert refusal(url, resolve=False) == ("blocked_address", message)


@pytest.mark.parametrize(("host", "address"), [
    ("0x7f000001", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("017700000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("10.1", "10.0.0.1"),
    ("192.168.257", "192.168.1.1"), ("0300.0250.0.01", "192.168.0.1"),
])
def test_numeric_hosts_in_odd_forms_are_normalised(host, address):
    assert str(parse_numeric_host(host)) == address


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "08.1.1.1", "4294967296"])
def test_malformed_numeric_hosts_are_refused(host):
    assert refusal(f"https://{host}/hook", resolve=False) == (
        "invalid", f"{host} is not a valid host name or address.")


ALLOWED = ("hooks.slack.com, oapi.dingtalk.com, open.feishu.cn, open.larksuite.com, "
           "qyapi.weixin.qq.com")


@pytest.mark.parametrize(("url", "expected"), [
    ("http://open.feishu.cn/open-apis/bot/v2/hook/x",
     ("scheme", "Only https:// addresses are allowed.")),
    ("ftp://open.feishu.cn/x", ("scheme", "Only https:// addresses are allowed.")),
    ("https://evil.example.com/hook",
     ("host_not_allowed", f"evil.example.com is not an allowed webhook host. Allowed hosts: {ALLOWED}.")),
    ("https://open.feishu.cn.evil.example/hook",
     ("host_not_allowed",
      f"open.feishu.cn.evil.example is not an allowed webhook host. Allowed hosts: {ALLOWED}.")),
    ("https://8.8.8.8/hook",
     ("host_not_allowed", f"8.8.8.8 is not an allowed webhook host. Allowed hosts: {ALLOWED}.")),
    ("https://bot:pw@open.feishu.cn/open-apis/bot/v2/hook/x",
     ("credentials", "The address must not contain a user name or password.")),
    ("https://open.feishu.cn:8443/open-apis/bot/v2/hook/x",
     ("port", "Only the standard HTTPS port (443) is allowed.")),
    ("https://open.feishu.cn/a b", ("invalid", "The address contains spaces or control characters.")),
    ("https://open.feishu.cn/hook/群", ("invalid", "The address may only contain ASCII characters "
                                                  "(percent-encode the others, as the chat tool's "
                                                  "own address does).")),
    ("", ("required", "Enter the webhook address.")),
])
def test_address_rules(url, expected):
    assert refusal(url, resolve=False) == expected


def test_the_allowlist_is_a_setting(settings, dns):
    settings.MARKETDESK_WEBHOOK_HOSTS = ["chat.example.com"]
    dns["chat.example.com"] = [PUBLIC_IP]
    target = validate_webhook_url("https://chat.example.com/hook?key=k")
    assert target == ResolvedTarget(url="https://chat.example.com/hook?key=k", scheme="https",
                                    host="chat.example.com", port=443, path="/hook?key=k",
                                    addresses=(PUBLIC_IP,))
    assert refusal("https://open.feishu.cn/x", resolve=False)[0] == "host_not_allowed"


def test_a_name_is_resolved_and_every_address_must_be_public(dns):
    dns["oapi.dingtalk.com"] = [PUBLIC_IP, "10.1.2.3"]
    assert refusal("https://oapi.dingtalk.com/robot/send?access_token=t") == (
        "blocked_address", f"oapi.dingtalk.com resolves to 10.1.2.3, which is a private address; "
                           f"a webhook may only reach {PUBLIC}")
    dns["oapi.dingtalk.com"] = ["::ffff:169.254.169.254"]
    assert refusal("https://oapi.dingtalk.com/robot/send?access_token=t") == (
        "blocked_address", "oapi.dingtalk.com resolves to ::ffff:169.254.169.254, which is an IPv6 "
                           "form of a link-local address (169.254.169.254); a webhook may only "
                           f"reach {PUBLIC}")


def test_an_unknown_host_is_refused(dns):
    assert refusal("https://hooks.slack.com/services/T/B/X") == (
        "unresolvable", "The host hooks.slack.com could not be resolved.")


def test_a_good_address_gives_the_pinned_target(dns):
    dns["qyapi.weixin.qq.com"] = [PUBLIC_IP, "2606:4700::6810:84e5"]
    target = validate_webhook_url("https://QYAPI.weixin.qq.com./cgi-bin/webhook/send?key=abc#x")
    assert target.host == "qyapi.weixin.qq.com"
    assert target.path == "/cgi-bin/webhook/send?key=abc"
    assert target.addresses == (PUBLIC_IP, "2606:4700::6810:84e5")
    assert target.address == PUBLIC_IP


def test_loopback_http_is_only_for_local_testing(settings):
    url = "http://127.0.0.1:8765/hook"
    assert refusal(url, resolve=False)[0] == "blocked_address"
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    assert validate_webhook_url(url).addresses == ("127.0.0.1",)
    # still not an odd numeric form, another private range, or a name
    assert refusal("http://0x7f000001:8765/hook", resolve=False)[0] == "blocked_address"
    assert refusal("http://10.0.0.1:8765/hook", resolve=False)[0] == "blocked_address"
    assert refusal("http://open.feishu.cn/hook", resolve=False)[0] == "scheme"
    settings.PRODUCTION = True  # refused in production even if set
    assert refusal(url, resolve=False) == (
        "blocked_address", f"127.0.0.1 is a loopback address; a webhook may only reach {PUBLIC}")


def test_settings_refuse_the_loopback_switch_in_production(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MARKETDESK_")}
    environment.update({
        "MARKETDESK_ENV": "production", "MARKETDESK_SECRET_KEY": "x" * 60,
        "MARKETDESK_ALLOWED_HOSTS": "marketdesk.example.com", "MARKETDESK_DATA_DIR": str(tmp_path),
        "MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP": "true", "PYTHONPATH": str(ROOT / "src"),
    })
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "check"], env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert ("MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP is for local testing only and cannot be "
            "enabled when MARKETDESK_ENV=production.") in result.stderr


# --- on save and at send time --------------------------------------------------------------

def test_saving_an_unsafe_address_writes_nothing(leader, team_a, dns):
    dns["open.feishu.cn"] = ["192.168.1.20"]
    with pytest.raises(ValidationError) as info:
        services.webhook_create(team=team_a, vendor="feishu", name="Feishu",
                                url="https://open.feishu.cn/open-apis/bot/v2/hook/x", by=leader)
    assert info.value.message_dict == {"url": [
        f"open.feishu.cn resolves to 192.168.1.20, which is a private address; a webhook may "
        f"only reach {PUBLIC}"]}
    assert WebhookEndpoint.objects.count() == 0


def test_dns_rebinding_is_refused_at_send_time(leader, team_a, dns, clock,
                                               django_capture_on_commit_callbacks):
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])
    dns["open.feishu.cn"] = lambda: next(answers)
    endpoint = services.webhook_create(team=team_a, vendor="feishu", name="Feishu",
                                       url="https://open.feishu.cn/open-apis/bot/v2/hook/x",
                                       by=leader)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="test", title="Hello", team=team_a)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.error_kind, delivery.last_error) == (
        "failed", 1, "refused",
        f"open.feishu.cn resolves to 127.0.0.1, which is a loopback address; a webhook may only "
        f"reach {PUBLIC}")
    assert delivery.last_status_code is None
    assert dns.calls == ["open.feishu.cn", "open.feishu.cn"]  # on save, then at send time
    assert endpoint.pk == delivery.endpoint_id


def test_the_sender_connects_to_the_checked_address_only(leader, team_a, dns, clock, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    """One lookup at send time; the connection goes to the address that lookup gave."""
    dns["hooks.slack.com"] = [PUBLIC_IP]
    services.webhook_create(team=team_a, vendor="slack", name="Slack",
                            url="https://hooks.slack.com/services/T/B/X", by=leader)
    answers = iter([[PUBLIC_IP], ["127.0.0.1"], ["127.0.0.1"]])
    dns["hooks.slack.com"] = lambda: next(answers)
    dns.calls.clear()
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="test", title="Hello", team=team_a)
    assert connected == [(PUBLIC_IP, 443)]
    assert dns.calls == ["hooks.slack.com"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error_kind, delivery.last_error) == (
        "retrying", "network", "ConnectionRefusedError: [Errno 111] Connection refused")


def test_a_redirect_is_not_followed(receiver, make_endpoint, team_a, clock,
                                    django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/hook"), vendor="wecom")
    receiver.answer(301, headers={"Location": "http://127.0.0.1:1/admin"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="test", title="Hello", team=team_a)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.error_kind,
            delivery.last_error) == ("failed", 1, 301, "redirect",
                                     "301 Moved Permanently → http://127.0.0.1:1/admin")
    assert [r.path for r in receiver.requests] == ["/hook"]
    assert delivery.get_error_kind_display() == "Redirect not followed"


def test_an_address_that_became_unsafe_fails_without_retry(receiver, make_endpoint, team_a, clock,
                                                           settings,
                                                           django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/hook"), vendor="wecom")
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = False  # e.g. the setting was removed
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="test", title="Hello", team=team_a)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error_kind) == ("failed", "refused")
    assert receiver.requests == []
    assert DeliveryAttempt.objects.get().error == delivery.last_error


# --- the pinned TLS connection ---------------------------------------------------------------

class TLSReceiver:
    """An HTTPS server on 127.0.0.1 with a certificate for open.feishu.cn (test CA)."""

    def __init__(self):
        self.sni = []
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((self.path, self.headers["Host"], body))
                answer = b'{"code": 0, "msg": "success"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(CERTS / "server-bundle.pem")
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_receiver():
    server = TLSReceiver()
    yield server
    server.close()


def _client_context():
    context = ssl.create_default_context(cafile=str(CERTS / "ca.pem"))
    return context


def test_tls_goes_to_the_pinned_address_with_the_host_name_for_sni_and_certificate(tls_receiver, dns):
    dns["open.feishu.cn"] = lambda: pytest.fail("the sender must not look the name up again")
    target = ResolvedTarget(url="https://open.feishu.cn/open-apis/bot/v2/hook/x", scheme="https",
                            host="open.feishu.cn", port=tls_receiver.port,
                            path="/open-apis/bot/v2/hook/x", addresses=("127.0.0.1",))
    answer = transport.post(target, target.path, json.dumps({"msg_type": "text"}).encode(),
                            context=_client_context())
    assert (answer.status, answer.body) == (200, b'{"code": 0, "msg": "success"}')
    assert tls_receiver.sni == ["open.feishu.cn"]
    assert tls_receiver.requests == [("/open-apis/bot/v2/hook/x",
                                      f"open.feishu.cn:{tls_receiver.port}", b'{"msg_type": "text"}')]
    assert dns.calls == []


def test_tls_certificate_must_match_the_host_name(tls_receiver):
    target = ResolvedTarget(url="https://oapi.dingtalk.com/robot/send", scheme="https",
                            host="oapi.dingtalk.com", port=tls_receiver.port, path="/robot/send",
                            addresses=("127.0.0.1",))
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        transport.post(target, target.path, b"{}", context=_client_context())
    assert "Hostname mismatch" in str(info.value)
    assert tls_receiver.requests == []


def test_tls_certificate_must_be_trusted(tls_receiver):
    target = ResolvedTarget(url="https://open.feishu.cn/x", scheme="https", host="open.feishu.cn",
                            port=tls_receiver.port, path="/x", addresses=("127.0.0.1",))
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        transport.post(target, target.path, b"{}")  # the system's CAs do not know the test CA
    assert "unable to get local issuer certificate" in str(info.value)
