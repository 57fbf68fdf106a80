"""One HTTP POST to the address the SSRF check pinned (notify.safety).

``http.client`` connections whose socket goes to ``ResolvedTarget.address`` while the
TLS handshake (SNI), the certificate check and the Host header use the host name — so
the name is looked up once, by the check, and never again. ``http.client`` does not
follow redirects; a 3xx answer is returned as it is and the caller refuses it.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from marketdesk.notify.safety import ResolvedTarget

TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 64 * 1024


def _pinned(address: str):
    def create_connection(addr, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
        # addr is (host name, port): keep the port, replace the name by the checked address.
        return socket.create_connection((address, addr[1]), timeout, source_address)

    return create_connection


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed IP address; SNI, certificate and Host stay the host name's."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float,
                 context: ssl.SSLContext | None = None):
        super().__init__(host, port, timeout=timeout,
                         context=context or ssl.create_default_context())
        self._create_connection = _pinned(address)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a fixed address (only the local-testing loopback receiver)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._create_connection = _pinned(address)


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str]  # lower-case names
    body: bytes


def post(target: ResolvedTarget, path: str, body: bytes, *, timeout: float = TIMEOUT_SECONDS,
         context: ssl.SSLContext | None = None) -> Response:
    """POST a JSON body; raises OSError / http.client.HTTPException on network failure."""
    if target.address is None:
        raise ValueError("the target was not resolved; validate it with resolve=True")
    if target.scheme == "https":
        conn: http.client.HTTPConnection = PinnedHTTPSConnection(
            target.host, target.port, address=target.address, timeout=timeout, context=context)
    else:
        conn = PinnedHTTPConnection(target.host, target.port, address=target.address,
                                    timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "MarketDesk-Webhook/1",
            "Accept": "application/json, text/plain",
        })
        answer = conn.getresponse()
        data = answer.read(MAX_ANSWER_BYTES)
        return Response(status=answer.status, reason=answer.reason or "",
                        headers={k.lower(): v for k, v in answer.getheaders()}, body=data)
    finally:
        conn.close()
