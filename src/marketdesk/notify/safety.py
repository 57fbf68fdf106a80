"""SSRF safety of chat-bot webhook addresses (docs/notifications.md, "Address safety").

A webhook URL is typed by a team leader and fetched by the server, so it must never make
the server reach something that is not the vendor's public endpoint. The rules, checked
when an endpoint is saved and again before every send:

1. ``https://`` only, no user name or password in the URL, the standard port;
2. the host is written as a name (an address written as a number, in any of the forms
   ``inet_aton`` accepts — ``0x7f000001``, ``2130706433``, ``017700000001``, ``127.1`` —
   is normalised first, so its real value is what gets judged) and is on the allowlist
   ``settings.MARKETDESK_WEBHOOK_HOSTS``;
3. the name is resolved and *every* address it resolves to must be public: not loopback,
   private, link-local, multicast, reserved, unspecified or otherwise non-global, also
   when wrapped in an IPv6 form (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64,
   6to4);
4. the sender connects to the address that was checked (``ResolvedTarget.address``) —
   no second lookup, so a DNS answer that changes between check and use (rebinding)
   cannot redirect it — and never follows a redirect.

``settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP`` (local testing only, refused in
production) lets ``http(s)://127.0.0.1:PORT/`` and ``http(s)://[::1]:PORT/`` through so
that a local receiver can check the payloads.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NUMBER_PART = re.compile(r"^(0[xX][0-9a-fA-F]*|[0-9]+)$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


@dataclass(frozen=True)
class ResolvedTarget:
    """A webhook URL that passed every check, with the addresses that were checked."""

    url: str
    scheme: str
    host: str  # the name for SNI, the certificate check and the Host header
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...] = ()  # every address the host resolved to, all public

    @property
    def address(self) -> str | None:
        """The pinned address: the sender connects here and nowhere else."""
        return self.addresses[0] if self.addresses else None


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError({"url": [ValidationError(message, code=code, params=params)]})


def parse_numeric_host(host: str) -> IPAddress | None:
    """The address a numeric host stands for, in every form ``inet_aton`` accepts
    (dotted with 1–4 parts, each decimal, octal with a leading 0 or hex with 0x), or an
    IPv6 literal. None when the host is a name. Raises ValueError for a host that looks
    numeric but is not a valid address (``1.2.3.4.5``, ``256.1.1.1``)."""
    if ":" in host:
        return ipaddress.ip_address(host.split("%", 1)[0])
    parts = host.split(".")
    if not _NUMBER_PART.match(parts[-1]):
        return None  # a name (the last label of a name is never all digits)
    if len(parts) > 4 or not all(_NUMBER_PART.match(p) for p in parts):
        raise ValueError(host)
    values = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                raise ValueError(host)
            values.append(int(part, 8))
        else:
            values.append(int(part, 10))
    # inet_aton: every part but the last is one byte; the last fills the remaining bytes.
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 256 ** (4 - len(leading)):
        raise ValueError(host)
    number = last
    for index, value in enumerate(leading):
        number += value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form carries (it reaches that address)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _IPV4_TRANSLATED or ip in _NAT64:
        return low32
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:  # ::/128 and ::1 are judged as IPv6
        return low32
    return None


def _kind(ip: IPAddress) -> str | None:
    """Why an address is not a public internet address (None when it is)."""
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_loopback:
        return _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_private:
        return _("a private address")
    if ip.is_reserved:
        return _("a reserved address")
    if not ip.is_global:
        return _("a non-public address")
    return None


def blocked_kind(ip: IPAddress) -> str | None:
    """What a non-public address is, also inside IPv6 transition forms; None if public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return _("a non-public address")
        inner = _embedded_ipv4(ip)
        inner_kind = _kind(inner) if inner is not None else None
        if inner_kind is not None:
            return _("an IPv6 form of %(kind)s (%(address)s)") % {"kind": inner_kind,
                                                                  "address": inner}
    # The IPv6 form itself is judged too: transition ranges are not global addresses.
    return _kind(ip)


def display(ip: IPAddress) -> str:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def _loopback_http_allowed() -> bool:
    # Refused in production even if set (settings.py also refuses to start with it).
    return bool(getattr(settings, "MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP", False)) and not getattr(
        settings, "PRODUCTION", False
    )


def _allowed_hosts() -> set[str]:
    return {h.strip().lower().rstrip(".") for h in settings.MARKETDESK_WEBHOOK_HOSTS if h.strip()}


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise _refuse(_("The host %(host)s could not be resolved."), "unresolvable",
                      host=host) from None
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _refuse(_("The host %(host)s could not be resolved."), "unresolvable", host=host)
    return tuple(addresses)


def _check_address(ip: IPAddress, host: str, *, resolved: bool = False) -> None:
    kind = blocked_kind(ip)
    if kind is None:
        return
    address = display(ip)
    if resolved:
        message = _("%(host)s resolves to %(address)s, which is %(kind)s; a webhook may only "
                    "reach public internet addresses.")
    elif host.lower() == address:
        message = _("%(address)s is %(kind)s; a webhook may only reach public internet "
                    "addresses.")
    else:
        message = _("%(host)s means %(address)s, which is %(kind)s; a webhook may only reach "
                    "public internet addresses.")
    raise _refuse(message, "blocked_address", host=host, address=address, kind=kind)


def validate_webhook_url(url: str, *, resolve: bool = True) -> ResolvedTarget:
    """Check a webhook URL against the rules above; raise ``ValidationError`` on the
    field ``url`` with the reason, or return the target (with the checked addresses when
    ``resolve``) that the sender must connect to."""
    url = (url or "").strip()
    if not url:
        raise _refuse(_("Enter the webhook address."), "required")
    if len(url) > 1000:
        raise _refuse(_("The address is longer than 1000 characters."), "too_long")
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        raise _refuse(_("The address contains spaces or control characters."), "invalid")
    if not url.isascii():
        raise _refuse(_("The address may only contain ASCII characters (percent-encode the "
                        "others, as the chat tool's own address does)."), "invalid")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(_("This is not a valid web address."), "invalid") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise _refuse(_("Only https:// addresses are allowed."), "scheme")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _refuse(_("The address must not contain a user name or password."), "credentials")
    raw_host = (parts.hostname or "").rstrip(".")
    if not raw_host:
        raise _refuse(_("The address has no host."), "invalid")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    try:
        numeric = parse_numeric_host(raw_host)
    except ValueError:
        raise _refuse(_("%(host)s is not a valid host name or address."), "invalid",
                      host=raw_host) from None

    if numeric is not None:
        canonical = str(numeric)
        if (_loopback_http_allowed() and numeric.is_loopback and raw_host == canonical
                and port is not None):
            # Local testing only: a local receiver on an explicit port.
            return ResolvedTarget(url=url, scheme=scheme, host=canonical, port=port, path=path,
                                  addresses=(canonical,))
        _check_address(numeric, raw_host)
        host = canonical
    else:
        try:
            host = raw_host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise _refuse(_("%(host)s is not a valid host name or address."), "invalid",
                          host=raw_host) from None
        if not all(_LABEL.match(label) for label in host.split(".")):
            raise _refuse(_("%(host)s is not a valid host name or address."), "invalid",
                          host=raw_host)

    if scheme != "https":
        raise _refuse(_("Only https:// addresses are allowed."), "scheme")
    if port not in (None, 443):
        raise _refuse(_("Only the standard HTTPS port (443) is allowed."), "port")
    allowed = _allowed_hosts()
    if host not in allowed:
        raise _refuse(
            _("%(host)s is not an allowed webhook host. Allowed hosts: %(hosts)s."),
            "host_not_allowed", host=host, hosts=", ".join(sorted(allowed)))

    addresses: tuple[str, ...] = ()
    if numeric is not None:
        addresses = (host,)
    elif resolve:
        addresses = _resolve(host, 443)
        for address in addresses:
            _check_address(ipaddress.ip_address(address), host, resolved=True)
    return ResolvedTarget(url=url, scheme="https", host=host, port=443, path=path,
                          addresses=addresses)


def check_url_syntax(url: str) -> None:
    """Model-field validator: every rule that needs no DNS lookup."""
    try:
        validate_webhook_url(url, resolve=False)
    except ValidationError as exc:
        raise ValidationError(exc.error_dict["url"]) from None
