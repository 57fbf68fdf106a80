"""What each chat tool expects: message format, signing, rate limits and how it reports
an error (docs/notifications.md has the same rules with the vendors' documentation).

- Feishu / Lark custom bot: ``{"msg_type": "post", "content": {"post": {<locale>:
  {"title", "content": [[elements]]}}}}``; when the bot has a signing secret, the body
  also carries ``timestamp`` (seconds) and
  ``sign = base64(hmac_sha256(key=f"{timestamp}\\n{secret}", msg=b""))``.
  Answer: ``{"code": 0, "msg": "success"}`` (older hosts: ``StatusCode``/``StatusMessage``).
  Limits: 100 per minute and 5 per second per bot; code 11232 = too frequent.
- DingTalk robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a
  secret the URL gets ``&timestamp=<ms>&sign=<urlencode(base64(hmac_sha256(key=secret,
  msg=f"{timestamp}\\n{secret}")))>``. Answer ``{"errcode": 0, "errmsg": "ok"}``.
  Limit: 20 per minute per robot; errcode 130101 = sending too fast.
- WeCom (企业微信) group robot: ``{"msgtype": "markdown", "markdown": {"content"}}``,
  content at most 4096 bytes; not signed (the key is in the URL). Answer
  ``{"errcode": 0, "errmsg": "ok"}``; limit 20 per minute; errcode 45009 = too frequent.
- Slack incoming webhook: ``{"text": <fallback>, "blocks": [...]}``; not signed. Answer:
  HTTP 200 with body ``ok``, otherwise an HTTP error whose body names the problem
  (``invalid_payload``, ``no_service`` …); 429 with ``Retry-After``. About 1 per second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

from django.db import models
from django.utils.translation import gettext_lazy as _


class Vendor(models.TextChoices):
    FEISHU = "feishu", _("Feishu / Lark")
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom (WeChat Work)")
    SLACK = "slack", _("Slack")


#: Sending limits per endpoint: (messages, seconds). A send that would exceed one waits.
RATE_LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    Vendor.FEISHU: ((5, 1), (100, 60)),
    Vendor.DINGTALK: ((20, 60),),
    Vendor.WECOM: ((20, 60),),
    Vendor.SLACK: ((1, 1),),
}

#: Vendors whose robots can verify a signature made with a secret.
SIGNED = frozenset({Vendor.FEISHU, Vendor.DINGTALK})

#: The vendors' "too many messages" error codes: worth retrying later.
RATE_LIMITED_CODES = {
    Vendor.FEISHU: {11232},
    Vendor.DINGTALK: {130101},
    Vendor.WECOM: {45009},
}

BODY_LIMIT = 4000  # characters of the message body sent to any vendor
WECOM_CONTENT_BYTES = 4096
SLACK_HEADER_CHARS = 150
SLACK_SECTION_CHARS = 3000


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cut_bytes(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - len("…".encode())].decode("utf-8", "ignore") + "…"


def _md_link_url(url: str) -> str:
    # Characters that would end a markdown link target early.
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _slack_escape(text: str) -> str:
    # Slack's three control characters; also stops "<!channel>" pings from message text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feishu_locale(language: str) -> str:
    return "zh_cn" if language.lower().startswith("zh") else "en_us"


def build_payload(vendor: str, *, title: str, body: str, link: str, link_label: str,
                  language: str = "en") -> dict:
    """The message as the vendor's JSON (without a signature, which is made at send time)."""
    body = _cut(body.strip(), BODY_LIMIT)
    lines = [line for line in body.splitlines() if line.strip()]
    if vendor == Vendor.FEISHU:
        content = [[{"tag": "text", "text": line}] for line in lines]
        if link:
            content.append([{"tag": "a", "text": link_label, "href": link}])
        return {"msg_type": "post", "content": {"post": {feishu_locale(language): {
            "title": title, "content": content}}}}
    if vendor == Vendor.DINGTALK:
        text = "\n\n".join([f"#### {title}", *lines,
                            *([f"[{link_label}]({_md_link_url(link)})"] if link else [])])
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if vendor == Vendor.WECOM:
        tail = f"\n[{link_label}]({_md_link_url(link)})" if link else ""
        head = f"**{title}**\n"
        room = WECOM_CONTENT_BYTES - len((head + tail).encode("utf-8"))
        middle = _cut_bytes("\n".join(lines), max(room, 0))
        return {"msgtype": "markdown", "markdown": {"content": head + middle + tail}}
    if vendor == Vendor.SLACK:
        blocks: list[dict] = [{"type": "header", "text": {
            "type": "plain_text", "text": _cut(title, SLACK_HEADER_CHARS), "emoji": False}}]
        if lines:
            blocks.append({"type": "section", "text": {
                "type": "mrkdwn", "text": _cut(_slack_escape("\n".join(lines)), SLACK_SECTION_CHARS)}})
        safe_link = link.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
        if link:
            blocks.append({"type": "section", "text": {
                "type": "mrkdwn", "text": f"<{safe_link}|{_slack_escape(link_label)}>"}})
        fallback = _slack_escape(title) + (f" <{safe_link}|{_slack_escape(link_label)}>" if link else "")
        return {"text": fallback, "blocks": blocks}
    raise ValueError(f"unknown vendor {vendor!r}")


def feishu_sign(secret: str, timestamp: str) -> str:
    """Feishu: HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message, base64."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk: HMAC-SHA256 keyed with the secret over "timestamp\\nsecret", base64
    (URL-encoded when it is put in the query string)."""
    message = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode("ascii")


def signed_request(vendor: str, payload: dict, path: str, secret: str, epoch_seconds: float
                   ) -> tuple[str, bytes]:
    """The request path and JSON body to send, signed when the endpoint has a secret."""
    body = dict(payload)
    if secret and vendor == Vendor.FEISHU:
        timestamp = str(int(epoch_seconds))
        body = {"timestamp": timestamp, "sign": feishu_sign(secret, timestamp), **payload}
    elif secret and vendor == Vendor.DINGTALK:
        timestamp = str(int(epoch_seconds * 1000))
        sign = quote_plus(dingtalk_sign(secret, timestamp))
        path = f"{path}{'&' if '?' in path else '?'}timestamp={timestamp}&sign={sign}"
    return path, json.dumps(body, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Answer:
    """What a 2xx answer means: sent, or the vendor's own error."""

    ok: bool
    detail: str = ""
    retry: bool = False  # the vendor asked us to slow down


def _json(raw: bytes) -> dict | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_answer(vendor: str, raw: bytes) -> Answer:
    """Interpret a 2xx answer body: the JSON vendors report errors with HTTP 200."""
    if vendor == Vendor.SLACK:
        text = raw.decode("utf-8", "replace").strip()
        return Answer(ok=True) if text == "ok" else Answer(ok=False, detail=text[:500])
    data = _json(raw)
    if data is None:
        snippet = raw.decode("utf-8", "replace").strip()[:200]
        return Answer(ok=False, detail=f"not the vendor's JSON answer: {snippet!r}")
    if vendor == Vendor.FEISHU:
        code = data.get("code", data.get("StatusCode"))
        message = data.get("msg", data.get("StatusMessage", ""))
    else:
        code = data.get("errcode")
        message = data.get("errmsg", "")
    if code is None:
        return Answer(ok=False, detail=f"no error code in the answer: {json.dumps(data)[:200]}")
    if code == 0:
        return Answer(ok=True)
    return Answer(ok=False, detail=f"{code}: {message}"[:500],
                  retry=code in RATE_LIMITED_CODES.get(vendor, ()))


def error_detail(vendor: str, raw: bytes) -> str:
    """The useful part of an error answer (vendor JSON message or the text)."""
    data = _json(raw)
    if data is not None and vendor != Vendor.SLACK:
        code = data.get("code", data.get("errcode", data.get("StatusCode")))
        message = data.get("msg", data.get("errmsg", data.get("StatusMessage", "")))
        if code is not None or message:
            return f"{code}: {message}"[:500]
    return raw.decode("utf-8", "replace").strip()[:500]
