"""Each chat tool's message format and signature, checked by a local receiver that
recomputes the Feishu and DingTalk signatures from the secret."""

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext

from marketdesk.notify import services
from marketdesk.notify.models import Delivery
from tests.notify.conftest import FROZEN

TITLE = "评审请求：上海峰会 Review"
BODY = "Line one\n\n第二行"
LINK = "https://marketdesk.example.com/events/7/"
SECONDS = str(int(FROZEN.timestamp()))
MILLISECONDS = str(int(FROZEN.timestamp()) * 1000)


def send(team, language="en"):
    with translation.override(language):
        label = gettext("Open in MarketDesk")
        services.notify([], kind="events.review", title=TITLE, body=BODY, url="/events/7/",
                        team=team)
    return label


@pytest.fixture
def sent(receiver, make_endpoint, team_a, clock, django_capture_on_commit_callbacks):
    """Create an endpoint on the receiver, send one message, return what arrived."""

    def run(vendor, path, secret="", language="en", default=None):
        if default is not None:
            receiver.default = default
        make_endpoint(receiver.url(path), vendor=vendor, secret=secret)
        with django_capture_on_commit_callbacks(execute=True):
            label = send(team_a, language)
        assert len(receiver.requests) == 1
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("sent", 1, 200)
        request = receiver.requests[0]
        assert request.headers["content-type"] == "application/json; charset=utf-8"
        assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
        assert TITLE.encode("utf-8") in request.body  # Chinese text intact, not \\u-escaped
        return request, label, delivery

    return run


def test_feishu_post_signed_with_the_secret(sent):
    secret = "fs-secret-Xy12"
    request, label, delivery = sent("feishu", "/open-apis/bot/v2/hook/abc", secret=secret,
                                    language="zh-hans")
    expected_sign = base64.b64encode(
        hmac.new(f"{SECONDS}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    message = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": TITLE, "content": [
        [{"tag": "text", "text": "Line one"}],
        [{"tag": "text", "text": "第二行"}],
        [{"tag": "a", "text": label, "href": LINK}],
    ]}}}}
    assert request.path == "/open-apis/bot/v2/hook/abc"
    assert request.json == {"timestamp": SECONDS, "sign": expected_sign, **message}
    assert delivery.payload == message  # the log keeps the message; the signature is per send


def test_feishu_unsigned_in_english(sent):
    request, label, _ = sent("feishu", "/open-apis/bot/v2/hook/abc")
    assert request.json == {"msg_type": "post", "content": {"post": {"en_us": {"title": TITLE, "content": [
        [{"tag": "text", "text": "Line one"}],
        [{"tag": "text", "text": "第二行"}],
        [{"tag": "a", "text": label, "href": LINK}],
    ]}}}}


def test_lark_legacy_answer_counts_as_sent(sent):
    sent("feishu", "/open-apis/bot/v2/hook/abc",
         default=(200, {}, b'{"Extra": null, "StatusCode": 0, "StatusMessage": "success"}'))


def test_dingtalk_markdown_signed_in_the_url(sent):
    secret = "SEC0123456789abcdef"
    request, label, _ = sent("dingtalk", "/robot/send?access_token=tok123", secret=secret,
                             default=(200, {}, b'{"errcode": 0, "errmsg": "ok"}'))
    expected_sign = base64.b64encode(hmac.new(
        secret.encode(), f"{MILLISECONDS}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert request.path == (f"/robot/send?access_token=tok123&timestamp={MILLISECONDS}"
                            f"&sign={quote_plus(expected_sign)}")
    query = parse_qs(urlsplit(request.path).query)
    assert query == {"access_token": ["tok123"], "timestamp": [MILLISECONDS], "sign": [expected_sign]}
    assert request.json == {"msgtype": "markdown", "markdown": {
        "title": TITLE, "text": f"#### {TITLE}\n\nLine one\n\n第二行\n\n[{label}]({LINK})"}}


def test_dingtalk_without_secret_leaves_the_url_alone(sent):
    request, _, _ = sent("dingtalk", "/robot/send?access_token=tok123",
                         default=(200, {}, b'{"errcode": 0, "errmsg": "ok"}'))
    assert request.path == "/robot/send?access_token=tok123"


def test_wecom_markdown(sent):
    request, label, _ = sent("wecom", "/cgi-bin/webhook/send?key=k-1",
                             default=(200, {}, b'{"errcode": 0, "errmsg": "ok"}'))
    assert request.path == "/cgi-bin/webhook/send?key=k-1"
    assert request.json == {"msgtype": "markdown", "markdown": {
        "content": f"**{TITLE}**\nLine one\n第二行\n[{label}]({LINK})"}}


def test_wecom_content_is_cut_to_4096_bytes(receiver, make_endpoint, team_a, clock,
                                            django_capture_on_commit_callbacks):
    receiver.default = (200, {}, b'{"errcode": 0, "errmsg": "ok"}')
    make_endpoint(receiver.url("/cgi-bin/webhook/send?key=k"), vendor="wecom")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="k", title="长", body="汉" * 3000, url="/x/", team=team_a)
    content = receiver.requests[0].json["markdown"]["content"]
    tail = "…\n[Open in MarketDesk](https://marketdesk.example.com/x/)"
    assert content.startswith("**长**\n汉汉汉")
    assert content.endswith(tail)
    assert 4096 - 3 < len(content.encode("utf-8")) <= 4096


def test_slack_blocks_with_escaped_text(receiver, make_endpoint, team_a, clock,
                                        django_capture_on_commit_callbacks):
    receiver.default = (200, {}, b"ok")
    make_endpoint(receiver.url("/services/T0/B0/xyz"), vendor="slack")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="k", title="Review <!channel> & more", body="a < b",
                        url="/events/7/", team=team_a)
    assert receiver.requests[0].json == {
        "text": f"Review &lt;!channel&gt; &amp; more <{LINK}|Open in MarketDesk>",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Review <!channel> & more",
                                        "emoji": False}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "a &lt; b"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"<{LINK}|Open in MarketDesk>"}},
        ],
    }
    assert Delivery.objects.get().status == "sent"


def test_a_secret_is_refused_for_unsigned_vendors(make_endpoint, receiver):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        make_endpoint(receiver.url("/services/T/B/X"), vendor="slack", secret="abc")
    assert info.value.message_dict == {"secret": [
        "Slack webhooks are not signed: leave the secret empty (the key in the address is the "
        "credential)."]}
