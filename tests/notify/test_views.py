"""The inbox, team webhook and delivery log pages (HTMX), through the permission gate."""

import datetime as dt

import pytest
from django.urls import reverse

from marketdesk.core.models import AuditEntry
from marketdesk.notify import services
from marketdesk.notify.models import Delivery, Notification, WebhookEndpoint
from tests.notify.conftest import FROZEN

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, *args):
    return reverse(f"notify:{name}", args=args)


# --- inbox ----------------------------------------------------------------------------------

@pytest.fixture
def inbox(users, clock):
    """Three notifications of the marketer (the middle one read) and one of the sales user."""
    marketer = users["marketer"]
    notes = []
    for i, title in enumerate(["First", "Second", "Third"]):
        clock.now = FROZEN + dt.timedelta(minutes=i)
        notes += services.notify([marketer], kind="k", title=title, body=f"Body {i}",
                                 url=f"/strategy/products/{i}/", by=users["team_leader"])
    services.mark_read(notes[1], by=marketer)
    other = services.notify([users["sales"]], kind="k", title="Not yours")[0]
    return notes, other


def test_inbox_lists_unread_first_then_newest(users, inbox, client_for):
    response = client_for(users["marketer"]).get(url("inbox"))
    assert response.status_code == 200
    assert [n.title for n in response.context["page"].object_list] == ["Third", "First", "Second"]
    assert response.context["unread"] == 2
    body = response.content.decode()
    assert "Not yours" not in body
    assert '<span id="unread-count">2</span>' in body
    assert 'aria-label="Mark “Third” read"' in body
    assert "from team_leader" in body


def test_inbox_filter_unread_only_returns_the_partial(users, inbox, client_for):
    response = client_for(users["marketer"]).get(url("inbox"), {"unread": "on"}, **HX)
    assert [n.title for n in response.context["page"].object_list] == ["Third", "First"]
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<nav class=\"navbar" not in body


def test_mark_read_with_htmx_returns_the_row(users, inbox, client_for, clock):
    notes, _ = inbox
    clock.advance(hours=1)
    response = client_for(users["marketer"]).post(url("read", notes[0].pk), **HX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "nav-badges-changed"
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="list-group-item d-flex flex-wrap gap-2 align-items-start" id="note-{notes[0].pk}">')
    assert "Mark read" not in body
    assert '<span id="unread-count" hx-swap-oob="true">1</span>' in body
    notes[0].refresh_from_db()
    assert notes[0].read_at == clock.now


def test_mark_all_read(users, inbox, client_for):
    client = client_for(users["marketer"])
    response = client.post(url("read_all"), **HX)
    assert response.status_code == 200
    assert '<span id="unread-count" hx-swap-oob="true">0</span>' in response.content.decode()
    assert Notification.objects.filter(recipient=users["marketer"], read_at=None).count() == 0
    assert Notification.objects.filter(recipient=users["sales"], read_at=None).count() == 1
    response = client.post(url("read_all"))  # without HTMX: back to the inbox
    assert (response.status_code, response["Location"]) == (302, url("inbox"))


def test_another_users_notification_is_404(users, inbox, client_for):
    _, other = inbox
    client = client_for(users["marketer"])
    assert client.post(url("read", other.pk), **HX).status_code == 404
    assert client.get(url("open", other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_open_marks_read_and_follows_only_local_links(users, inbox, client_for):
    notes, _ = inbox
    client = client_for(users["marketer"])
    response = client.get(url("open", notes[2].pk))
    assert (response.status_code, response["Location"]) == (302, "/strategy/products/2/")
    notes[2].refresh_from_db()
    assert notes[2].read_at is not None
    outside = services.notify([users["marketer"]], kind="k", title="Out",
                              url="https://evil.example/phish")[0]
    response = client.get(url("open", outside.pk))
    assert (response.status_code, response["Location"]) == (302, url("inbox"))


def test_inbox_write_needs_post(users, inbox, client_for):
    notes, _ = inbox
    assert client_for(users["marketer"]).get(url("read", notes[0].pk)).status_code == 405


def test_nav_entry_and_unread_badge(users, inbox, client_for, client):
    marketer_client = client_for(users["marketer"])
    page = marketer_client.get(url("webhook_list")).content.decode()
    assert f'href="{url("inbox")}"' in page
    assert f'hx-get="{url("unread_badge")}" hx-trigger="load, every 60s, nav-badges-changed from:body"' in page
    assert '<i class="bi bi-broadcast" aria-hidden="true"></i> Webhooks' not in page  # for leaders
    badge = marketer_client.get(url("unread_badge")).content.decode()
    assert badge.strip() == ('<span class="badge rounded-pill text-bg-danger">2<span class="visually-hidden"> '
                             'unread notifications</span></span>')
    services.mark_all_read(users["marketer"])
    assert marketer_client.get(url("unread_badge")).content.decode().strip() == ""
    assert client.get(url("unread_badge")).status_code == 204  # signed out: nothing to swap
    assert '<i class="bi bi-broadcast" aria-hidden="true"></i> Webhooks' in client_for(
        users["team_leader"]).get(url("inbox")).content.decode()


def test_inbox_query_count(users, client_for, django_assert_max_num_queries):
    for i in range(30):
        services.notify([users["marketer"]], kind="k", title=f"N{i}", by=users["director"],
                        team=users["marketer"].teams.first())
    client = client_for(users["marketer"])
    # session, user, time zone, unread count (header), page count, the page with actor/team
    with django_assert_max_num_queries(6):
        response = client.get(url("inbox"))
    assert len(response.context["page"].object_list) == 30


# --- team webhooks --------------------------------------------------------------------------

FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/abcd-1234"


def form_data(**fields):
    data = {"name": "Growth group", "vendor": "feishu", "url": FEISHU, "secret": "", "enabled": "on"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_team_leader_adds_a_webhook(users, team_a, client_for, public_dns):
    client = client_for(users["team_leader"])
    page = client.get(url("webhook_create"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["team"].queryset) == [team_a]
    response = client.post(url("webhook_create"), form_data(team=team_a.pk, secret="sig-secret"))
    assert (response.status_code, response["Location"]) == (302, url("webhook_list"))
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.team, endpoint.name, endpoint.vendor, endpoint.url, endpoint.secret,
            endpoint.enabled) == (team_a, "Growth group", "feishu", FEISHU, "sig-secret", True)
    assert AuditEntry.objects.filter(action="create", object_repr="Growth group").count() == 1
    listing = client.get(url("webhook_list")).content.decode()
    assert "https://open.feishu.cn/…1234" in listing
    assert "abcd-1234" not in listing and "sig-secret" not in listing


@pytest.mark.parametrize(("address", "dns_answer", "message"), [
    ("https://127.0.0.1/hook", None,
     "127.0.0.1 is a loopback address; a webhook may only reach public internet addresses."),
    ("http://open.feishu.cn/open-apis/bot/v2/hook/x", None, "Only https:// addresses are allowed."),
    ("https://example.com/hook", None,
     "example.com is not an allowed webhook host. Allowed hosts: hooks.slack.com, "
     "oapi.dingtalk.com, open.feishu.cn, open.larksuite.com, qyapi.weixin.qq.com."),
    (FEISHU, ["10.9.8.7"],
     "open.feishu.cn resolves to 10.9.8.7, which is a private address; a webhook may only reach "
     "public internet addresses."),
])
def test_an_invalid_address_shows_the_reason_inline_and_writes_nothing(
        users, team_a, client_for, dns, address, dns_answer, message):
    if dns_answer:
        dns["open.feishu.cn"] = dns_answer
    before = AuditEntry.objects.count()
    response = client_for(users["team_leader"]).post(url("webhook_create"),
                                                     form_data(team=team_a.pk, url=address))
    assert response.status_code == 400
    assert response.context["form"].errors == {"url": [message]}
    body = response.content.decode()
    assert f'<div class="invalid-feedback d-block" id="id_url_error">{message}</div>' in body
    assert 'aria-invalid="true"' in body
    assert WebhookEndpoint.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_team_leader_edits_keeping_or_clearing_the_secret(users, team_a, client_for, public_dns):
    leader = users["team_leader"]
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=FEISHU, secret="keep-me",
                                       name="G", by=leader)
    client = client_for(leader)
    page = client.get(url("webhook_edit", endpoint.pk)).content.decode()
    assert "keep-me" not in page
    assert "Leave empty to keep the current secret." in page
    response = client.post(url("webhook_edit", endpoint.pk), form_data(name="G2", enabled=None))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.secret, endpoint.enabled) == ("G2", "keep-me", False)
    client.post(url("webhook_edit", endpoint.pk), form_data(name="G2", clear_secret="on"))
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.enabled) == ("", True)


def test_team_leader_sends_a_test_message(users, team_a, client_for, receiver, clock,
                                         django_capture_on_commit_callbacks):
    leader = users["team_leader"]
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=receiver.url("/hook"),
                                       name="Local", by=leader)
    client = client_for(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("webhook_test", endpoint.pk), **HX)
        # queued: the answer shows it pending and polls its row
        assert response.status_code == 200
        delivery = Delivery.objects.get()
        body = response.content.decode()
        assert '<span class="badge text-bg-secondary">Pending</span>' in body
        assert f'hx-get="{url("delivery_row", delivery.pk)}" hx-trigger="every 2s"' in body
        assert receiver.requests == []
    delivery.refresh_from_db()  # sent after the commit
    assert (delivery.kind, delivery.title, delivery.status, delivery.attempts) == (
        "notify.test", "MarketDesk test message", "sent", 1)
    row = client.get(url("delivery_row", delivery.pk), **HX).content.decode()
    assert '<span class="badge text-bg-success">Sent</span>' in row
    assert "every 2s" not in row  # done: no more polling
    message = receiver.requests[0].json["content"]["post"]["en_us"]
    assert message["title"] == "MarketDesk test message"
    assert message["content"][0] == [{"tag": "text", "text": (
        "If you can read this, the webhook “Local” of team Growth works. Sent by team_leader.")}]


def test_a_queued_test_message_is_polled(users, team_a, client_for, receiver, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    leader = users["team_leader"]
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=receiver.url("/hook"),
                                       name="Local", by=leader)
    client = client_for(leader)
    body = client.post(url("webhook_test", endpoint.pk), **HX).content.decode()
    delivery = Delivery.objects.get()
    assert f'hx-get="{url("delivery_row", delivery.pk)}" hx-trigger="every 2s"' in body
    assert '<span class="badge text-bg-secondary">Pending</span>' in body
    services.deliver(delivery.pk)
    row = client.get(url("delivery_row", delivery.pk), **HX).content.decode()
    assert '<span class="badge text-bg-success">Sent</span>' in row
    assert "every 2s" not in row


def test_team_leader_deletes_a_webhook(users, team_a, client_for, public_dns):
    leader = users["team_leader"]
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=FEISHU, name="G", by=leader)
    client = client_for(leader)
    assert "Delete the webhook “G” of team Growth?" in client.get(
        url("webhook_delete", endpoint.pk)).content.decode()
    response = client.post(url("webhook_delete", endpoint.pk))
    assert (response.status_code, response["Location"]) == (302, url("webhook_list"))
    assert WebhookEndpoint.objects.count() == 0
    assert AuditEntry.objects.filter(action="delete", object_repr="G").count() == 1


def test_marketer_may_look_but_not_change(users, team_a, client_for, public_dns):
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=FEISHU, name="G",
                                       by=users["team_leader"])
    client = client_for(users["marketer"])
    listing = client.get(url("webhook_list"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert url("webhook_create") not in body and url("webhook_edit", endpoint.pk) not in body
    assert client.get(url("delivery_log", endpoint.pk)).status_code == 200
    assert client.get(url("webhook_create")).status_code == 403
    assert client.post(url("webhook_create"), form_data(team=team_a.pk)).status_code == 403
    assert client.get(url("webhook_edit", endpoint.pk)).status_code == 403
    assert client.post(url("webhook_edit", endpoint.pk), form_data(name="X")).status_code == 403
    assert client.post(url("webhook_delete", endpoint.pk)).status_code == 403
    assert client.post(url("webhook_test", endpoint.pk)).status_code == 403
    endpoint.refresh_from_db()
    assert (endpoint.name, Delivery.objects.count(), WebhookEndpoint.objects.count()) == ("G", 0, 1)


def test_another_teams_webhook_is_404(users, team_b, make_user, client_for, public_dns):
    endpoint = services.webhook_create(team=team_b, vendor="feishu", url=FEISHU, name="B",
                                       by=make_user("team_leader", username="lead-b", teams=[team_b]))
    client = client_for(users["team_leader"])
    for name, method in [("webhook_edit", "get"), ("webhook_edit", "post"),
                         ("webhook_delete", "post"), ("webhook_test", "post"),
                         ("delivery_log", "get")]:
        assert getattr(client, method)(url(name, endpoint.pk)).status_code == 404, name
    assert "B" not in [e.name for e in client.get(url("webhook_list")).context["endpoints"]]
    # a leader cannot add a webhook to another team either
    response = client.post(url("webhook_create"), form_data(team=team_b.pk))
    assert response.status_code == 400
    assert response.context["form"].errors == {"team": [
        "Select a valid choice. That choice is not one of the available choices."]}
    # the director sees both teams
    director = client_for(users["director"])
    assert director.get(url("delivery_log", endpoint.pk)).status_code == 200


def test_delivery_log_shows_attempts_and_errors(users, team_a, client_for, receiver, clock,
                                                django_capture_on_commit_callbacks):
    leader = users["team_leader"]
    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=receiver.url("/hook"),
                                       name="Local", by=leader)
    receiver.answer(500, "boom")
    receiver.answer(200, {"code": 9499, "msg": "Bad Request"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([], kind="k", title="Retried then refused", team=team_a)
    clock.advance(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.deliver(Delivery.objects.get().pk)
        services.notify([], kind="k", title="Went through", team=team_a)
    client = client_for(users["sales"])
    response = client.get(url("delivery_log", endpoint.pk))
    assert response.status_code == 200
    assert [d.title for d in response.context["page"].object_list] == [
        "Went through", "Retried then refused"]
    assert response.context["counts"] == {"sent": 1, "failed": 1}
    body = response.content.decode()
    assert "Error reported by the chat tool" in body
    assert "9499: Bad Request" in body
    assert "2026-03-02 09:00:00 — HTTP 500" in body  # shown in the team's time zone
    assert "500 Internal Server Error: boom" in body
    filtered = client.get(url("delivery_log", endpoint.pk), {"status": "failed"}, **HX)
    assert [d.title for d in filtered.context["page"].object_list] == ["Retried then refused"]
    assert filtered.content.decode().lstrip().startswith('<div id="results" class="card">')


def test_webhook_list_and_log_query_counts(users, team_a, client_for, receiver, clock,
                                           django_assert_max_num_queries,
                                           django_capture_on_commit_callbacks):
    leader = users["team_leader"]
    for i in range(5):
        services.webhook_create(team=team_a, vendor="feishu", url=receiver.url(f"/h{i}"),
                                name=f"E{i}", by=leader)
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(4):
            services.notify([], kind="k", title=f"M{i}", team=team_a)
    client = client_for(leader)
    # session, user, team ids, time zone, the teams the user may add to, endpoints with
    # their last delivery and failures: 6 for any number
    with django_assert_max_num_queries(6):
        response = client.get(url("webhook_list"))
    assert len(response.context["endpoints"]) == 5
    endpoint = WebhookEndpoint.objects.get(name="E0")
    # ... the endpoint, the counts, the page count, the deliveries, their attempts
    with django_assert_max_num_queries(9):
        response = client.get(url("delivery_log", endpoint.pk))
    assert len(response.context["page"].object_list) == 4


def test_admin_pages(users, team_a, client_for, receiver, clock, django_capture_on_commit_callbacks):
    from marketdesk.accounts.models import User

    endpoint = services.webhook_create(team=team_a, vendor="feishu", url=receiver.url("/hook"),
                                       secret="s3cret", name="Local", by=users["team_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([users["marketer"]], kind="k", title="Hello", team=team_a)
    admin = User.objects.create_superuser("root", "root@example.com", "Correct-horse-42", role="admin")
    client = client_for(admin)
    delivery = Delivery.objects.get()
    for path in [reverse("admin:notify_webhookendpoint_change", args=[endpoint.pk]),
                 reverse("admin:notify_delivery_change", args=[delivery.pk]),
                 reverse("admin:notify_notification_changelist")]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "s3cret" not in response.content.decode()
    response = client.post(reverse("admin:notify_webhookendpoint_change", args=[endpoint.pk]), {
        "team": team_a.pk, "name": "Local", "vendor": "feishu", "url": "https://10.0.0.1/hook",
        "enabled": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"url": [
        "10.0.0.1 is a private address; a webhook may only reach public internet addresses."]}
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.secret) == (receiver.url("/hook"), "s3cret")


def test_every_page_renders_in_chinese(users, team_a, client_for, receiver, clock,
                                       django_capture_on_commit_callbacks):
    leader = users["team_leader"]
    endpoint = services.webhook_create(team=team_a, vendor="dingtalk", url=receiver.url("/r"),
                                       name="钉钉群", by=leader)
    receiver.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([leader], kind="k", title="请审阅：上海峰会方案", url="/x/", team=team_a)
    client = client_for(leader)
    for path in [url("inbox"), url("webhook_list"), url("webhook_create"),
                 url("webhook_edit", endpoint.pk), url("webhook_delete", endpoint.pk),
                 url("delivery_log", endpoint.pk)]:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, path
        body = response.content.decode()
        assert '<html lang="zh-hans">' in body, path
    assert "请审阅：上海峰会方案" in client.get(url("inbox"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "310000: sign not match" in client.get(url("delivery_log", endpoint.pk),
                                                  HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
