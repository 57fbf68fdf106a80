"""Delivery: retries with backoff, Retry-After, vendor errors, rate limits, the task queue."""

import datetime as dt
import socket

import pytest

from marketdesk.notify import services
from marketdesk.notify.models import Delivery, DeliveryAttempt
from tests.notify.conftest import FROZEN

OK_JSON = b'{"errcode": 0, "errmsg": "ok"}'


@pytest.fixture
def send(team_a, django_capture_on_commit_callbacks):
    """notify() the team and run what it queues on commit (the immediate task backend)."""

    def run(title="Hello", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            services.notify([], kind="test", title=title, team=team_a, **kwargs)

    return run


def deliver(delivery, capture):
    with capture(execute=True):
        services.deliver(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def state(delivery):
    return (delivery.status, delivery.attempts, delivery.next_attempt_at,
            delivery.last_status_code, delivery.error_kind, delivery.last_error)


def test_500_then_200_retries_after_one_minute(receiver, make_endpoint, clock, send,
                                               django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/hook"), vendor="feishu")
    receiver.answer(500, "boom")
    send()
    delivery = Delivery.objects.get()
    assert state(delivery) == ("retrying", 1, FROZEN + dt.timedelta(minutes=1), 500, "http",
                               "500 Internal Server Error: boom")
    clock.advance(seconds=59)  # not due yet: nothing happens
    assert state(deliver(delivery, django_capture_on_commit_callbacks))[:2] == ("retrying", 1)
    assert len(receiver.requests) == 1
    clock.advance(seconds=1)
    delivery = deliver(delivery, django_capture_on_commit_callbacks)
    assert state(delivery) == ("sent", 2, None, 200, "", "")
    assert delivery.sent_at == FROZEN + dt.timedelta(minutes=1)
    assert len(receiver.requests) == 2
    assert list(DeliveryAttempt.objects.values_list("number", "started_at", "status_code", "error")) == [
        (1, FROZEN, 500, "500 Internal Server Error: boom"),
        (2, FROZEN + dt.timedelta(minutes=1), 200, ""),
    ]


def test_backoff_1_2_4_8_16_minutes_then_failed_after_six_attempts(
        receiver, make_endpoint, clock, send, django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/hook"), vendor="feishu")
    receiver.default = (503, {}, b"unavailable")
    send()
    delivery = Delivery.objects.get()
    waits = []
    for _ in range(5):
        assert delivery.status == "retrying"
        waits.append(delivery.next_attempt_at - clock.now)
        clock.now = delivery.next_attempt_at
        delivery = deliver(delivery, django_capture_on_commit_callbacks)
    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert state(delivery) == ("failed", 6, None, 503, "http",
                               "503 Service Unavailable: unavailable")
    assert len(receiver.requests) == 6
    clock.advance(hours=1)
    deliver(delivery, django_capture_on_commit_callbacks)  # failed is final
    assert len(receiver.requests) == 6


@pytest.mark.parametrize(("retry_after", "wait"), [
    ("30", dt.timedelta(seconds=30)),
    ("Mon, 02 Mar 2026 01:02:00 GMT", dt.timedelta(minutes=2)),
    ("0", dt.timedelta(seconds=1)),
    ("86400", dt.timedelta(hours=1)),
])
def test_429_honours_retry_after(receiver, make_endpoint, clock, send, retry_after, wait):
    make_endpoint(receiver.url("/services/T/B/X"), vendor="slack")
    receiver.answer(429, "rate_limited", headers={"Retry-After": retry_after})
    send()
    assert state(Delivery.objects.get()) == ("retrying", 1, FROZEN + wait, 429, "rate_limited",
                                             "429 Too Many Requests: rate_limited")


def test_vendor_error_body_fails_with_the_vendors_message(receiver, make_endpoint, clock, send):
    make_endpoint(receiver.url("/hook"), vendor="feishu", secret="s")
    receiver.answer(200, {"code": 19021, "msg": "sign match fail or timestamp is not within one "
                                                "hour from current time", "data": {}})
    send()
    assert state(Delivery.objects.get()) == (
        "failed", 1, None, 200, "vendor",
        "19021: sign match fail or timestamp is not within one hour from current time")


@pytest.mark.parametrize(("vendor", "answer", "detail"), [
    ("dingtalk", {"errcode": 310000, "errmsg": "sign not match"}, "310000: sign not match"),
    ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, "93000: invalid webhook url"),
])
def test_vendor_errors_of_dingtalk_and_wecom(receiver, make_endpoint, clock, send, vendor, answer,
                                             detail):
    make_endpoint(receiver.url("/hook"), vendor=vendor)
    receiver.answer(200, answer)
    send()
    assert state(Delivery.objects.get()) == ("failed", 1, None, 200, "vendor", detail)


@pytest.mark.parametrize(("vendor", "answer", "detail"), [
    ("feishu", {"code": 11232, "msg": "frequency limited psm"}, "11232: frequency limited psm"),
    ("dingtalk", {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
     "130101: send too fast, exceed 20 times per minute"),
    ("wecom", {"errcode": 45009, "errmsg": "api freq out of limit"}, "45009: api freq out of limit"),
])
def test_vendor_rate_limit_codes_are_retried(receiver, make_endpoint, clock, send, vendor, answer,
                                             detail):
    make_endpoint(receiver.url("/hook"), vendor=vendor)
    receiver.answer(200, answer)
    send()
    assert state(Delivery.objects.get()) == ("retrying", 1, FROZEN + dt.timedelta(minutes=1), 200,
                                             "rate_limited", detail)


def test_other_4xx_fails_at_once(receiver, make_endpoint, clock, send):
    make_endpoint(receiver.url("/services/T/B/X"), vendor="slack")
    receiver.answer(404, "no_service")
    send()
    assert state(Delivery.objects.get()) == ("failed", 1, None, 404, "http",
                                             "404 Not Found: no_service")


def test_a_network_error_is_retried(settings, make_endpoint, clock, send):
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    make_endpoint(f"http://127.0.0.1:{port}/hook", vendor="wecom")
    send()
    assert state(Delivery.objects.get()) == (
        "retrying", 1, FROZEN + dt.timedelta(minutes=1), None, "network",
        "ConnectionRefusedError: [Errno 111] Connection refused")


def test_a_webhook_disabled_before_sending_fails_the_delivery(receiver, make_endpoint, leader,
                                                              clock, team_a):
    endpoint = make_endpoint(receiver.url("/hook"), vendor="feishu")
    services.notify([], kind="test", title="Hello", team=team_a)  # not committed: not sent yet
    services.webhook_update(endpoint, by=leader, enabled=False)
    services.deliver(Delivery.objects.get().pk)
    assert state(Delivery.objects.get()) == ("failed", 0, None, None, "disabled",
                                             "The webhook was disabled before the message went out.")
    assert receiver.requests == []


# --- rate limits ----------------------------------------------------------------------------

def test_the_21st_dingtalk_message_in_a_minute_waits(receiver, make_endpoint, clock, send,
                                                     django_capture_on_commit_callbacks):
    receiver.default = (200, {}, OK_JSON)
    make_endpoint(receiver.url("/robot/send?access_token=t"), vendor="dingtalk")
    for n in range(20):
        clock.now = FROZEN + dt.timedelta(seconds=n)
        send(title=f"M{n}")
    clock.now = FROZEN + dt.timedelta(seconds=30)
    send(title="M20")
    assert len(receiver.requests) == 20
    last = Delivery.objects.get(title="M20")
    # postponed, not dropped: it goes when the first of the 20 leaves the one-minute window
    assert state(last) == ("pending", 0, FROZEN + dt.timedelta(seconds=60), None, "", "")
    assert Delivery.objects.filter(status="sent").count() == 20
    clock.now = FROZEN + dt.timedelta(seconds=60)
    assert deliver(last, django_capture_on_commit_callbacks).status == "sent"
    assert len(receiver.requests) == 21


@pytest.mark.parametrize(("vendor", "burst", "free_after"), [
    ("slack", 1, dt.timedelta(seconds=1)),
    ("feishu", 5, dt.timedelta(seconds=1)),
    ("wecom", 20, dt.timedelta(minutes=1)),
])
def test_per_vendor_limits(receiver, make_endpoint, clock, send, vendor, burst, free_after):
    receiver.default = (200, {}, b"ok" if vendor == "slack" else OK_JSON)
    make_endpoint(receiver.url("/hook"), vendor=vendor)
    for n in range(burst + 1):
        send(title=f"M{n}")
    assert len(receiver.requests) == burst
    assert state(Delivery.objects.get(title=f"M{burst}"))[:3] == ("pending", 0, FROZEN + free_after)


def test_feishu_hundred_per_minute(receiver, make_endpoint, clock, send):
    make_endpoint(receiver.url("/hook"), vendor="feishu")
    for n in range(101):  # 5 per second stay within the per-second limit
        clock.now = FROZEN + dt.timedelta(milliseconds=200 * n)
        send(title=f"M{n}")
    assert len(receiver.requests) == 100
    assert state(Delivery.objects.get(title="M100"))[:3] == (
        "pending", 0, FROZEN + dt.timedelta(seconds=60))


def test_limits_are_per_endpoint(receiver, make_endpoint, clock, send):
    receiver.default = (200, {}, b"ok")
    make_endpoint(receiver.url("/one"), vendor="slack", name="one")
    make_endpoint(receiver.url("/two"), vendor="slack", name="two")
    send()
    assert sorted(r.path for r in receiver.requests) == ["/one", "/two"]


# --- the task queue -------------------------------------------------------------------------

def test_retries_are_queued_with_run_after_on_the_database_backend(
        settings, receiver, make_endpoint, clock, send, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    make_endpoint(receiver.url("/hook"), vendor="feishu")
    receiver.answer(500, "boom")
    send()  # immediate backend: first attempt now
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    delivery = Delivery.objects.get()
    clock.now = delivery.next_attempt_at
    receiver.answer(502, "bad gateway")
    deliver(delivery, django_capture_on_commit_callbacks)
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs, queued.run_after) == (
        "marketdesk.notify.tasks.deliver_task", {"args": [delivery.pk], "kwargs": {}},
        FROZEN + dt.timedelta(minutes=1) + dt.timedelta(minutes=2))


def test_notify_queues_the_delivery_task_only_on_commit(settings, make_endpoint, receiver, team_a,
                                                        django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_endpoint(receiver.url("/hook"), vendor="feishu")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify([], kind="test", title="Hello", team=team_a)
    assert DBTaskResult.objects.count() == 0
    for callback in callbacks:
        callback()
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs, queued.status) == (
        "marketdesk.notify.tasks.deliver_task", {"args": [Delivery.objects.get().pk], "kwargs": {}},
        "READY")
    assert receiver.requests == []  # the worker sends it, not the request


def test_deliver_due_picks_up_what_is_due(receiver, make_endpoint, clock, send):
    make_endpoint(receiver.url("/hook"), vendor="feishu")
    receiver.answer(500, "boom")
    send()
    assert services.deliver_due() == 0  # retrying, due in a minute
    clock.advance(minutes=1)
    assert services.deliver_due() == 1
    assert Delivery.objects.get().status == "sent"
    assert services.deliver_due() == 0
