"""notify(): inbox rows, email, chat deliveries after commit, de-duplication; read marks;
webhook writes in the audit log without their secrets."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from marketdesk.core.audit import fingerprint
from marketdesk.core.models import AuditEntry
from marketdesk.notify import services
from marketdesk.notify.models import Delivery, Notification
from tests.notify.conftest import FROZEN


@pytest.fixture
def people(make_user, team_a):
    return {
        "ann": make_user("marketer", username="ann", email="ann@example.com"),
        "bo": make_user("reviewer", username="bo", email="bo@example.com", language="zh-hans"),
        "cy": make_user("marketer", username="cy", email=""),
    }


def test_notify_creates_inbox_rows_and_emails_after_commit(people, users, team_a, clock,
                                                           django_capture_on_commit_callbacks):
    ann, bo, cy = people["ann"], people["bo"], people["cy"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = services.notify([ann, bo, cy, ann], kind="events.review_requested",
                                  title="请审阅：上海峰会方案", body="Due tomorrow 18:00.",
                                  url="/events/3/", team=team_a, by=users["team_leader"],
                                  dedupe_key="review:3:plan")
    assert [n.recipient for n in created] == [ann, bo, cy]
    assert mail.outbox == []  # nothing before commit
    assert list(Notification.objects.order_by("pk").values_list(
        "recipient__username", "team", "actor", "kind", "title", "body", "url", "dedupe_key",
        "created_at", "read_at")) == [
        (name, team_a.pk, users["team_leader"].pk, "events.review_requested", "请审阅：上海峰会方案",
         "Due tomorrow 18:00.", "/events/3/", "review:3:plan", FROZEN, None)
        for name in ("ann", "bo", "cy")]
    for callback in callbacks:
        callback()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ann@example.com"], "[MarketDesk] 请审阅：上海峰会方案"),
        (["bo@example.com"], "[MarketDesk] 请审阅：上海峰会方案"),
    ]
    assert mail.outbox[0].body == (
        "Due tomorrow 18:00.\n"
        "Open: https://marketdesk.example.com/events/3/\n"
        "\n"
        "—\n"
        "Your MarketDesk inbox: https://marketdesk.example.com/notify/inbox/")


def test_a_rollback_sends_nothing(people, team_a, receiver, make_endpoint,
                                  django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/hook"), vendor="feishu")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.notify([people["ann"]], kind="k", title="T", team=team_a)
                raise RuntimeError("the caller's transaction fails")
    assert callbacks == []
    assert (Notification.objects.count(), Delivery.objects.count()) == (0, 0)
    assert mail.outbox == []
    assert receiver.requests == []


def test_deliveries_go_to_every_enabled_webhook_of_the_team(people, team_a, team_b, receiver,
                                                            make_endpoint, make_user, clock,
                                                            django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/one"), name="one")
    make_endpoint(receiver.url("/two"), name="two", vendor="slack")
    make_endpoint(receiver.url("/off"), name="off", enabled=False)
    other_leader = make_user("team_leader", username="lead-b", teams=[team_b])
    services.webhook_create(team=team_b, vendor="feishu", url=receiver.url("/b"), name="b",
                            by=other_leader)
    receiver.default = (200, {}, b'{"code": 0}')
    receiver.answer(200, '{"code": 0}')
    receiver.answer(200, "ok")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([people["ann"]], kind="k", title="T", body="B", url="/x/", team=team_a)
    assert sorted(Delivery.objects.values_list("endpoint__name", "status", "title", "body", "url")) == [
        ("one", "sent", "T", "B", "/x/"), ("two", "sent", "T", "B", "/x/")]
    assert sorted(r.path for r in receiver.requests) == ["/one", "/two"]


def test_without_a_team_there_are_no_chat_messages(people, team_a, receiver, make_endpoint,
                                                   django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/one"))
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([people["ann"]], kind="k", title="T")
    assert (Notification.objects.count(), Delivery.objects.count(), len(receiver.requests)) == (1, 0, 0)


def test_dedupe_key_prevents_duplicates(people, team_a, receiver, make_endpoint, clock,
                                        django_capture_on_commit_callbacks):
    make_endpoint(receiver.url("/one"))
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify([people["ann"]], kind="k", title="T", team=team_a,
                                dedupe_key="deadline:9:-1d")
        again = services.notify([people["ann"], people["bo"]], kind="k", title="T", team=team_a,
                                dedupe_key="deadline:9:-1d")
        other = services.notify([people["ann"]], kind="k", title="T", team=team_a,
                                dedupe_key="deadline:9:0d")
    assert [n.recipient.username for n in first] == ["ann"]
    assert [n.recipient.username for n in again] == ["bo"]  # ann already had it
    assert [n.recipient.username for n in other] == ["ann"]
    assert sorted(Notification.objects.values_list("recipient__username", "dedupe_key")) == [
        ("ann", "deadline:9:-1d"), ("ann", "deadline:9:0d"), ("bo", "deadline:9:-1d")]
    assert sorted(Delivery.objects.values_list("dedupe_key", flat=True)) == [
        "deadline:9:-1d", "deadline:9:0d"]
    assert [m.to for m in mail.outbox] == [["ann@example.com"], ["bo@example.com"], ["ann@example.com"]]
    assert len(receiver.requests) == 2


def test_without_a_key_every_call_notifies(people):
    services.notify([people["ann"]], kind="k", title="T")
    services.notify([people["ann"]], kind="k", title="T")
    assert Notification.objects.filter(recipient=people["ann"]).count() == 2


def test_inactive_users_are_skipped_and_long_titles_cut(people):
    people["cy"].is_active = False
    people["cy"].save()
    created = services.notify([people["ann"], people["cy"]], kind="k", title="x" * 400)
    assert [(n.recipient.username, len(n.title), n.title[-1]) for n in created] == [("ann", 300, "…")]


def test_a_title_is_one_line_and_lazy_text_is_stored_as_text(people,
                                                             django_capture_on_commit_callbacks):
    from django.utils.translation import gettext_lazy

    with django_capture_on_commit_callbacks(execute=True):
        note = services.notify([people["ann"]], kind="k", title="Plan\r\nBcc: x@evil.example",
                               body=gettext_lazy("Leads"))[0]
    note.refresh_from_db()
    assert (note.title, note.body) == ("Plan Bcc: x@evil.example", "Leads")
    assert [(m.subject, m.bcc) for m in mail.outbox] == [("[MarketDesk] Plan Bcc: x@evil.example", [])]


@pytest.mark.parametrize(("fields", "errors"), [
    ({"url": "javascript:alert(1)"}, {"url": ["A link must be a path starting with / or an http(s) address."]}),
    ({"url": "//evil.example/x"}, {"url": ["A link must be a path starting with / or an http(s) address."]}),
    ({"title": "  "}, {"title": ["A notification needs a title."]}),
    ({"kind": ""}, {"kind": ["A notification needs a kind."]}),
])
def test_bad_input_is_refused(people, fields, errors):
    arguments = {"kind": "k", "title": "T", **fields}
    with pytest.raises(ValidationError) as info:
        services.notify([people["ann"]], **arguments)
    assert info.value.message_dict == errors
    assert Notification.objects.count() == 0


def test_mark_read_and_mark_all_read(people, clock):
    ann, bo = people["ann"], people["bo"]
    notes = [services.notify([ann], kind="k", title=f"T{i}")[0] for i in range(3)]
    services.notify([bo], kind="k", title="B")
    clock.advance(minutes=5)
    assert services.unread_count(ann) == 3
    services.mark_read(notes[0], by=ann)
    assert notes[0].read_at == clock.now
    with pytest.raises(ValidationError) as info:
        services.mark_read(notes[1], by=bo)
    assert info.value.messages == ["This notification belongs to someone else."]
    assert services.mark_all_read(ann) == 2
    assert (services.unread_count(ann), services.unread_count(bo)) == (0, 1)
    clock.advance(minutes=5)
    services.mark_read(notes[0], by=ann)  # already read: the first read time stays
    notes[0].refresh_from_db()
    assert notes[0].read_at == FROZEN + dt.timedelta(minutes=5)


def test_webhook_writes_are_audited_without_the_url_or_secret(leader, team_a, public_dns):
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-token"
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=url, secret="s3cret",
                                       name="Feishu", by=leader)
    services.webhook_update(endpoint, by=leader, secret="n3w-secret", name="Feishu group")
    services.webhook_delete(endpoint, by=leader)
    entries = list(AuditEntry.objects.filter(object_repr__startswith="Feishu").order_by("id"))
    assert [(e.action, e.actor_name) for e in entries] == [
        ("create", "team_leader"), ("update", "team_leader"), ("delete", "team_leader")]
    after = entries[0].changes["after"]
    assert (after["url"], after["secret"], after["name"]) == (fingerprint(url), fingerprint("s3cret"), "Feishu")
    assert entries[1].changes == {
        "before": {"name": "Feishu", "secret": fingerprint("s3cret")},
        "after": {"name": "Feishu group", "secret": fingerprint("n3w-secret")}}
    logged = str([e.changes for e in entries])
    assert "token" not in logged and "s3cret" not in logged and "n3w-secret" not in logged
    assert fingerprint("s3cret").startswith("•••• ") and len(fingerprint("s3cret")) == 13


def test_a_new_address_is_checked_again_on_update(leader, team_a, public_dns):
    endpoint = services.webhook_create(team=team_a, vendor="dingtalk", name="DT",
                                       url="https://oapi.dingtalk.com/robot/send?access_token=a",
                                       by=leader)
    public_dns["oapi.dingtalk.com"] = ["172.16.5.5"]
    services.webhook_update(endpoint, by=leader, name="DT 2")  # address unchanged: no new check
    with pytest.raises(ValidationError) as info:
        services.webhook_update(endpoint, by=leader,
                                url="https://oapi.dingtalk.com/robot/send?access_token=b")
    assert info.value.message_dict == {"url": [
        "oapi.dingtalk.com resolves to 172.16.5.5, which is a private address; a webhook may only "
        "reach public internet addresses."]}
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.url) == ("DT 2", "https://oapi.dingtalk.com/robot/send?access_token=a")
    with pytest.raises(ValidationError) as info:
        services.webhook_update(endpoint, by=leader, team_id=999)
    assert info.value.message_dict == {"team": ["A webhook cannot move to another team."]}
