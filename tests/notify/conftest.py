"""Fixtures of the notification tests: a local HTTP receiver standing in for the chat
tools, a frozen clock, a fake DNS and the immediate task backend."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

FROZEN = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
PUBLIC_IP = "93.184.215.14"  # a global unicast address (never connected to in the tests)


@pytest.fixture(autouse=True)
def _notify_settings(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.MARKETDESK_SITE_URL = "https://marketdesk.example.com"
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    settings.PRODUCTION = False
    settings.LANGUAGE_CODE = "en"


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Freeze django.utils.timezone.now (what the services and auto_now fields read)."""
    frozen = Clock(FROZEN)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))


class Receiver:
    """A chat tool on 127.0.0.1: records every request and answers from a script."""

    def __init__(self):
        self.requests: list[Received] = []
        self.script: deque[tuple[int, dict, bytes]] = deque()
        self.default: tuple[int, dict, bytes] = (200, {}, b'{"code": 0, "msg": "success"}')
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                receiver.requests.append(Received(
                    path=self.path, headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length)))
                status, headers, body = (receiver.script.popleft() if receiver.script
                                         else receiver.default)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, status: int, body: bytes | dict | str = b"", headers: dict | None = None):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.script.append((status, headers or {}, body))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    """The local receiver, with the local-testing loopback setting switched on."""
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def dns(monkeypatch):
    """A fake resolver: ``dns["open.feishu.cn"] = ["93.184.215.14"]`` (or a callable that
    returns the list, to change the answer between calls). IP literals resolve as usual;
    any other name is unknown. ``dns.calls`` lists the names asked for."""
    real = socket.getaddrinfo

    class Table(dict):
        calls: list[str]

    table = Table()
    table.calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, bytes):
            host = host.decode()
        if host in table:
            table.calls.append(host)
            answer = table[host]
            addresses = answer() if callable(answer) else answer
            result = []
            for address in addresses:
                if ipaddress.ip_address(address).version == 6:
                    result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
                else:
                    result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
            return result
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def public_dns(dns):
    """Every vendor host resolves to a public address."""
    for host in ("open.feishu.cn", "open.larksuite.com", "oapi.dingtalk.com",
                 "qyapi.weixin.qq.com", "hooks.slack.com"):
        dns[host] = [PUBLIC_IP]
    return dns


@pytest.fixture
def leader(users):
    return users["team_leader"]


@pytest.fixture
def make_endpoint(leader, team_a):
    from marketdesk.notify import services

    def make(url, *, vendor="feishu", secret="", name=None, team=None, enabled=True):
        return services.webhook_create(team=team or team_a, vendor=vendor, url=url, secret=secret,
                                       name=name or f"{vendor} bot", by=leader, enabled=enabled)

    return make
